// Turns the bytes of one Common Transfer File (SPEC §6.2) into its header and its pupils. Kept
// apart from the file system so that tests and the fuzzer (tests/fuzz/fuzz_ctf.cpp) drive exactly
// the code the ctf connector runs. Only the header and the pupils' identity, names, year,
// enrolment and SchoolHistory are looked at; contacts, addresses, assessments and NAWdetails stay
// in the parser's buffer and are never copied out.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/ctf/ctf_fields.h"
#include "core/date.h"
#include "core/model.h"

namespace misync::connectors {

// What a CTF's <Header> says.
struct CtfHeader {
    std::string sourceSchool;  // LEA + Estab of <SourceSchool>: a valid DfES number
    std::string destSchool;    // LEA + Estab of <DestSchool> as written ("MMMMMMM" = unknown)
    std::string dateTime;      // <DateTime> as written, trimmed
    // S6: <DateTime> as seconds since 1970 (a time without offset is taken as UTC); nullopt when
    // absent or not a date-time.
    std::optional<long long> extractedAt;
};

// How the pupils of a file are read for the configured school.
enum class CtfDirection : std::uint8_t {
    Own,       // SourceSchool is the school: its SchoolHistory entry gives the dates
    Incoming,  // DestSchool is the school: on roll from the day after leaving the source school
};

// What one file yields: accepted learners and rejected records (R15), in file order.
struct CtfPupils {
    std::vector<core::Person> persons;
    std::vector<core::RecordError> rejected;
    std::uint32_t records = 0;  // <Pupil> elements
};

// The first 1 September on or after `d` (an incoming learner without a leaving date, SPEC §6.2).
core::Date nextFirstSeptember(core::Date d);

class CtfDocument {
  public:
    // Parses `bytes` in place (they must outlive the document). Throws core::ConnectorError
    // naming `path` (or `fileName` when `path` is empty) when the bytes are not well-formed XML,
    // hold a DOCTYPE or entity declaration (no MIS writes one), are not rooted in <CTfile>, have
    // no <Header>, a DocumentName other than "Common Transfer File", or a SourceSchool whose LEA
    // and Estab are not a school number.
    CtfDocument(std::string_view fileName, std::string& bytes, std::string_view path = {});
    CtfDocument(const CtfDocument&) = delete;
    CtfDocument& operator=(const CtfDocument&) = delete;

    const CtfHeader& header() const { return header_; }

    // The learners of <CTFpupilData> as `school` (a DfES number) sees them. For Own, admission
    // and leaving dates are those of the SchoolHistory entry of `school` (the latest one when
    // there are several). For Incoming, the admission date is the day after the leaving date of
    // the entry of the source school, or nextFirstSeptember(`extractDate`) without one, and there
    // is no leaving date. The MIS id of a CTF learner is the UPN. Rejected (R15), by the checks of
    // RecordAssembler (connectors/records.h) with learners known by UPN: missing_id (no UPN),
    // invalid_upn, duplicate_upn (within the file), missing_name, invalid_date,
    // invalid_year_group (a year other than N1, N2, R, 1-14 or X, which is read as none),
    // invalid_enrolment_status.
    CtfPupils pupils(std::string_view school, CtfDirection direction, core::Date extractDate,
                     const CtfFieldMap& fields) const;

  private:
    std::string fileName_;
    pugi::xml_document doc_;
    pugi::xml_node root_;
    CtfHeader header_;
};

}  // namespace misync::connectors
