#include "connectors/fields.h"

#include <array>

#include "core/text.h"

namespace misync::connectors {

namespace {

struct CanonicalEntry {
    Field field;
    std::string_view name;
};

constexpr std::array<CanonicalEntry, kFieldCount> kCanonical{{
    {Field::MisId, "mis_id"},
    {Field::Upn, "upn"},
    {Field::AdmissionNumber, "admission_number"},
    {Field::StaffCode, "staff_code"},
    {Field::NationalId, "national_id"},
    {Field::Title, "title"},
    {Field::LegalForename, "legal_forename"},
    {Field::LegalSurname, "legal_surname"},
    {Field::PreferredForename, "preferred_forename"},
    {Field::PreferredSurname, "preferred_surname"},
    {Field::Dob, "dob"},
    {Field::Gender, "gender"},
    {Field::YearGroup, "year_group"},
    {Field::RegGroup, "reg_group"},
    {Field::AdmissionDate, "admission_date"},
    {Field::LeavingDate, "leaving_date"},
    {Field::EnrolmentStatus, "enrolment_status"},
    {Field::StaffRole, "staff_role"},
    {Field::GroupCode, "group_code"},
    {Field::GroupType, "group_type"},
    {Field::Subject, "subject"},
    {Field::MemberId, "member_id"},
    {Field::MemberType, "member_type"},
}};

}  // namespace

std::string_view canonicalName(Field field) {
    return kCanonical[static_cast<std::size_t>(field)].name;
}

std::optional<Field> parseCanonicalField(std::string_view name) {
    std::string n = core::normalizeFieldName(name);
    for (const auto& entry : kCanonical) {
        if (core::normalizeFieldName(entry.name) == n) {
            return entry.field;
        }
    }
    if (n == "role") {
        return Field::StaffRole;
    }
    if (n == "startdate") {
        return Field::AdmissionDate;
    }
    return std::nullopt;
}

std::string canonicalNames() {
    std::string known;
    for (const auto& entry : kCanonical) {
        known.append(known.empty() ? "" : ", ").append(entry.name);
    }
    return known;
}

}  // namespace misync::connectors
