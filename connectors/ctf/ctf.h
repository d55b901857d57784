// The `ctf` connector (SPEC §6.2): reads every Common Transfer File in a school's folder into one
// Snapshot of learners (no staff, no groups).
#pragma once

#include "connectors/connector.h"

namespace misync::connectors {

class CtfConnector : public Connector {
  public:
    static constexpr const char* kName = "ctf";

    CtfConnector() : Connector(kName) {}

    // Name, size, modification time (ns) and inode of every CTF in the folder; nullopt when the
    // folder cannot be listed (the full read then reports why).
    std::optional<std::string> fingerprint(const SchoolSource& school) const override;
    std::optional<std::vector<core::SourceFile>> digests(const SchoolSource& school) const override;
    // S6 as doRead() gives it, from the files' headers only.
    std::optional<std::string> extractedAt(const SchoolSource& school) const override;

  protected:
    // Every `*.xml` file of the folder (any case; hidden files and subfolders are not read), or
    // the one file when `source` is a file. Per file:
    // - SourceSchool is the school: its learners, dates from the school's own SchoolHistory entry;
    // - else DestSchool is the school: an incoming transfer, read with SchoolSource::incoming
    //   (learners on roll from the day after they left the source school), else skipped with a
    //   warning `incoming_skipped`;
    // - else the run fails (S5) naming the file and both school numbers.
    // A UPN in several files is taken from the newest file (header DateTime, else modification
    // time; then the later file name). A partial roll unless SchoolSource::complete says so.
    // extractedAt (S6): the newest DateTime of the files read (a file without one counts with
    // its modification time). No CTF in the folder, or a file that cannot be parsed, throws
    // core::ConnectorError naming it.
    core::Snapshot doRead(const SchoolSource& school) override;
};

}  // namespace misync::connectors
