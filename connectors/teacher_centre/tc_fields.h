// Column names of misync's Teacher Centre import layout (SPEC §6.4) and how they map to the
// canonical fields of SPEC §6. Columns are found by header name, never by position, matching
// case-insensitively and ignoring spaces and underscores; a school's `fields` table names its
// own column for a canonical field (tried first, the layout's names after it).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/csv/csv_reader.h"

namespace misync::connectors {

// The three files of a Teacher Centre export, in the order they are read.
enum class TcFileKind : std::uint8_t { Pupils, Staff, Groups };

// "pupils", "staff", "groups": the keys of SchoolSource::files.
std::string_view toString(TcFileKind kind);
// Default file name inside the drop folder, e.g. "pupils.csv".
std::string_view defaultFileName(TcFileKind kind);

// Canonical fields (SPEC §6) found in at least one Teacher Centre file.
enum class TcField : std::uint8_t {
    MisId,
    Upn,
    AdmissionNumber,
    StaffCode,
    NationalId,
    Title,
    LegalForename,
    LegalSurname,
    PreferredForename,
    PreferredSurname,
    Dob,
    Gender,
    YearGroup,
    RegGroup,
    AdmissionDate,
    LeavingDate,
    EnrolmentStatus,
    StaffRole,
    GroupCode,
    GroupType,
    Subject,
    MemberId,
    MemberType,
};
inline constexpr std::size_t kTcFieldCount = static_cast<std::size_t>(TcField::MemberType) + 1;

// Canonical name as written in configuration, e.g. "reg_group".
std::string_view canonicalName(TcField field);
// Looks up a canonical name ignoring case, spaces and underscores; "role" and "start_date" are
// accepted as the SPEC's names for staff_role and admission_date.
std::optional<TcField> parseTcField(std::string_view name);

// Where each field of one file is in its header (nullopt: the file has no such column).
class TcColumns {
  public:
    // Finds the columns of `kind` in `header`. Throws core::ConfigError for a `fields` name that
    // is not a canonical field, and core::ConnectorError naming `where` and the column when a
    // required column is missing: pupils and staff need mis_id, legal_forename and
    // legal_surname; groups need group_code, group_type, member_id and member_type.
    TcColumns(TcFileKind kind, const csv::CsvHeader& header,
              const std::map<std::string, std::string>& fields, std::string_view where);

    std::optional<std::size_t> operator[](TcField field) const {
        return columns_[static_cast<std::size_t>(field)];
    }

  private:
    std::array<std::optional<std::size_t>, kTcFieldCount> columns_{};
};

}  // namespace misync::connectors
