// The `teacher-centre` connector (SPEC §6.4): reads the three CSV files of a Teacher Centre
// export that a school leaves in its drop folder — pupils.csv, staff.csv and groups.csv, names
// configurable through SchoolSource::files — into one Snapshot.
#pragma once

#include "connectors/connector.h"

namespace misync::connectors {

class TeacherCentreConnector : public Connector {
  public:
    static constexpr const char* kName = "teacher-centre";

    TeacherCentreConnector() : Connector(kName) {}

    // Size, modification time (ns) and inode of each of the three files; nullopt when one
    // cannot be examined (the full read then reports why).
    std::optional<std::string> fingerprint(const SchoolSource& school) const override;
    std::optional<std::vector<core::SourceFile>> digests(const SchoolSource& school) const override;
    // The newest modification time of the three files (S6), as doRead() gives it.
    std::optional<std::string> extractedAt(const SchoolSource& school) const override;

  protected:
    // All three files are required. R15: a file that is missing, unreadable, larger than
    // kMaxSourceFileBytes, not CSV or without a required column throws core::ConnectorError
    // naming its path, and nothing is returned; rows that cannot be used are in
    // Snapshot::rejected. The snapshot is a complete roll (SPEC §6, R5) unless
    // SchoolSource::complete says otherwise; extractedAt is the newest modification time of the
    // three files (S6).
    core::Snapshot doRead(const SchoolSource& school) override;
};

}  // namespace misync::connectors
