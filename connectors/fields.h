// The canonical fields of SPEC §6 that connectors fill, by name, shared by every connector: a
// school's `fields` table and the ODBC queries' column names use these names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace misync::connectors {

enum class Field : std::uint8_t {
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
inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::MemberType) + 1;

// Canonical name as written in configuration, e.g. "reg_group".
std::string_view canonicalName(Field field);
// Looks up a canonical name ignoring case, spaces and underscores ("RegGroup", "reg_group");
// "role" and "start_date" are accepted as the SPEC's names for staff_role and admission_date.
std::optional<Field> parseCanonicalField(std::string_view name);
// Every canonical name, comma-separated (for messages naming the known fields).
std::string canonicalNames();

}  // namespace misync::connectors
