// The `sims-xml` connector (SPEC §6.1): reads the three SIMS CommandReporter XML reports a
// school leaves in its drop folder — students.xml, staff.xml and groups.xml, names
// configurable through SchoolSource::files — into one Snapshot.
//
// All three reports are required. R15: a report that is missing, unreadable, not well-formed
// XML or not a <SuperStarReport> throws core::ConnectorError naming its path, and nothing is
// returned; records that cannot be used are in Snapshot::rejected.
#pragma once

#include "connectors/folder_connector.h"
#include "connectors/sims_xml/sims_parser.h"

namespace misync::connectors {

class SimsXmlConnector : public FolderConnector<SimsXmlParser, SimsFileKind> {
  public:
    static constexpr const char* kName = "sims-xml";
    SimsXmlConnector()
        : FolderConnector(kName,
                          {SimsFileKind::Students, SimsFileKind::Staff, SimsFileKind::Groups},
                          "a sims-xml report") {}
};

}  // namespace misync::connectors
