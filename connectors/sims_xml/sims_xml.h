// The `sims-xml` connector (SPEC §6.1): reads the three SIMS CommandReporter XML reports a
// school leaves in its drop folder — students.xml, staff.xml and groups.xml, names
// configurable through SchoolSource::files — into one Snapshot.
#pragma once

#include "connectors/connector.h"

namespace misync::connectors {

class SimsXmlConnector : public Connector {
  public:
    static constexpr const char* kName = "sims-xml";

    SimsXmlConnector() : Connector(kName) {}

    // Size, modification time (ns) and inode of each of the three reports; nullopt when one
    // cannot be examined (the full read then reports why).
    std::optional<std::string> fingerprint(const SchoolSource& school) const override;
    std::optional<std::vector<core::SourceFile>> digests(const SchoolSource& school) const override;
    // The newest modification time of the three reports (S6), as doRead() gives it.
    std::optional<std::string> extractedAt(const SchoolSource& school) const override;

  protected:
    // All three reports are required. R15: a report that is missing, unreadable, not
    // well-formed XML or not a <SuperStarReport> throws core::ConnectorError naming its path,
    // and nothing is returned; records that cannot be used are in Snapshot::rejected.
    // The snapshot is complete (R5) unless SchoolSource::complete says otherwise; extractedAt
    // is the newest modification time of the three files (S6).
    core::Snapshot doRead(const SchoolSource& school) override;
};

}  // namespace misync::connectors
