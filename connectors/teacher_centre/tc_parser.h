// Turns the bytes of a Teacher Centre CSV export (SPEC §6.4) into one school's Snapshot. Kept
// apart from the file system so that tests and the fuzzer (tests/fuzz) drive exactly the code
// the teacher-centre connector runs.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>

#include "connectors/records.h"
#include "connectors/teacher_centre/tc_fields.h"
#include "core/model.h"

namespace misync::connectors {

// Parses the files of one school, pupils and staff before groups, so that each membership can
// be checked against the persons read. One parser per school and snapshot.
class TeacherCentreParser {
  public:
    // `fields`: the school's canonical name → column name table (SPEC §6 `fields`).
    explicit TeacherCentreParser(std::map<std::string, std::string> fields = {});

    // Parses one file and appends it to `snapshot`: a SourceFile (sha256 of the bytes, number
    // of data rows), the usable persons, groups and memberships, and
    // - R15: a RecordError{code, fileName, record} for each data row that cannot be used
    //   (missing_id, duplicate_id, missing_name, invalid_upn, duplicate_upn, invalid_date,
    //   invalid_year_group, invalid_enrolment_status, missing_group, invalid_group_type,
    //   invalid_member_type: the checks of RecordAssembler, connectors/records.h); the other
    //   rows are read;
    // - a Warning "unknown_member" for a membership of a person the matching file lacks (a
    //   member whose own row was rejected is skipped without one).
    // The record of a row is its 1-based number among the data rows; messages also give the
    // line it starts on. Throws
    // core::ConnectorError naming `path` (or `fileName`) when the bytes are not CSV (see
    // csv::readCsv) or a required column is missing (see TcColumns); then `snapshot` is left as
    // it was. Throws core::ConfigError for an unknown `fields` name. Each kind is parsed at
    // most once successfully (std::logic_error otherwise). `sha256`: the bytes' digest when the
    // caller has it already (computed here when empty).
    void parse(TcFileKind kind, std::string_view fileName, std::string_view bytes,
               core::Snapshot& snapshot, std::string_view path = {}, std::string_view sha256 = {});

  private:
    // " (line N)": the line of the row being read, for messages.
    std::string onLine() const;

    std::map<std::string, std::string> fields_;
    std::array<bool, 3> parsed_{};
    RecordAssembler records_;  // persons, groups, memberships across the three files
    std::string pupilsFile_{defaultFileName(TcFileKind::Pupils)};
    std::string staffFile_{defaultFileName(TcFileKind::Staff)};
    std::uint64_t line_ = 0;
};

}  // namespace misync::connectors
