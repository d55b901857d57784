// Turns the bytes of SIMS CommandReporter reports (SPEC §6.1) into one school's Snapshot. Kept
// apart from the file system so that tests and the fuzzer (tests/fuzz) drive exactly the code
// the sims-xml connector runs.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>

#include "connectors/records.h"
#include "connectors/sims_xml/sims_fields.h"
#include "core/model.h"

namespace misync::connectors {

// Parses the reports of one school, students and staff before groups, so that each
// membership can be checked against the persons read. One parser per school and snapshot.
class SimsXmlParser {
  public:
    // `fields`: the school's canonical name → column name table (SPEC §6 `fields`).
    explicit SimsXmlParser(std::map<std::string, std::string> fields = {});

    // Parses one report and appends it to `snapshot`: a SourceFile (sha256 of the bytes as
    // given, number of <Record> elements), the usable persons, groups and memberships, and
    // - R15: a RecordError{code, fileName, record} for each <Record> that cannot be used
    //   (missing_id, duplicate_id, missing_name, invalid_upn, duplicate_upn, invalid_date,
    //   invalid_year_group, invalid_enrolment_status, missing_group, invalid_group_type,
    //   invalid_member_type); the other records are still read;
    // - a Warning "unknown_member" for a membership of a person the matching report lacks
    //   (a member whose own record was rejected is skipped without one).
    // `bytes` is parsed in place and left modified. Throws core::ConnectorError naming `path`
    // (or `fileName` when `path` is empty) when the bytes are not well-formed XML (with the
    // parser's message and byte offset), not text, or not rooted in <SuperStarReport>; then
    // `snapshot` is left as it was. Throws core::ConfigError for an unknown `fields` name.
    // Each kind is parsed at most once (std::logic_error otherwise). `sha256`: the bytes' digest
    // when the caller has it already (computed here when empty).
    void parse(SimsFileKind kind, std::string_view fileName, std::string& bytes,
               core::Snapshot& snapshot, std::string_view path = {}, std::string_view sha256 = {});

  private:
    struct Values;

    std::map<std::string, std::string> fields_;
    std::array<bool, 3> parsed_{};
    RecordAssembler records_;  // persons, groups, memberships across the three reports
    std::string studentsFile_{defaultFileName(SimsFileKind::Students)};
    std::string staffFile_{defaultFileName(SimsFileKind::Staff)};
};

}  // namespace misync::connectors
