// The `teacher-centre` connector (SPEC §6.4): reads the three CSV files of a Teacher Centre
// export that a school leaves in its drop folder — pupils.csv, staff.csv and groups.csv, names
// configurable through SchoolSource::files — into one Snapshot.
//
// All three files are required. R15: a file that is missing, unreadable, larger than
// kMaxSourceFileBytes, not CSV or without a required column throws core::ConnectorError naming
// its path, and nothing is returned; rows that cannot be used are in Snapshot::rejected.
#pragma once

#include "connectors/folder_connector.h"
#include "connectors/teacher_centre/tc_parser.h"

namespace misync::connectors {

class TeacherCentreConnector : public FolderConnector<TeacherCentreParser, TcFileKind> {
  public:
    static constexpr const char* kName = "teacher-centre";
    TeacherCentreConnector()
        : FolderConnector(kName, {TcFileKind::Pupils, TcFileKind::Staff, TcFileKind::Groups},
                          "a teacher-centre file") {}
};

}  // namespace misync::connectors
