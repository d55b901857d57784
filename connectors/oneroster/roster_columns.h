// The columns of OneRoster 1.1 that misync reads (SPEC §6.3), each with the spellings real
// exports use: the standard's name first, then older versions' and common variants. Names match
// ignoring case, spaces and underscores (SPEC §6).
#pragma once

#include <array>
#include <string_view>

namespace misync::connectors::oneroster::col {

using namespace std::string_view_literals;

// Every file
inline constexpr std::array kSourcedId{"sourcedId"sv, "id"sv};
inline constexpr std::array kStatus{"status"sv};
inline constexpr std::array kDateLastModified{"dateLastModified"sv};
// orgs.csv
inline constexpr std::array kOrgType{"type"sv, "orgType"sv};
inline constexpr std::array kIdentifier{"identifier"sv};
inline constexpr std::array kParent{"parentSourcedId"sv, "parent"sv};
// users.csv
inline constexpr std::array kEnabledUser{"enabledUser"sv, "enabled"sv};
inline constexpr std::array kUserOrgs{"orgSourcedIds"sv, "orgSourcedId"sv, "orgs"sv};
inline constexpr std::array kRole{"role"sv};
inline constexpr std::array kGivenName{"givenName"sv, "firstName"sv};
inline constexpr std::array kFamilyName{"familyName"sv, "lastName"sv};
inline constexpr std::array kPreferredGivenName{"preferredFirstName"sv, "preferredGivenName"sv,
                                                "metadata.preferredFirstName"sv};
inline constexpr std::array kPreferredFamilyName{"preferredLastName"sv, "preferredFamilyName"sv,
                                                 "metadata.preferredLastName"sv};
inline constexpr std::array kGrades{"grades"sv, "grade"sv};
// classes.csv
inline constexpr std::array kClassCode{"classCode"sv};
inline constexpr std::array kTitle{"title"sv};
inline constexpr std::array kClassType{"classType"sv};
inline constexpr std::array kClassSchool{"schoolSourcedId"sv, "orgSourcedId"sv};
inline constexpr std::array kSubjectCodes{"subjectCodes"sv, "subjectCode"sv};
// enrollments.csv
inline constexpr std::array kClassSourcedId{"classSourcedId"sv};
inline constexpr std::array kUserSourcedId{"userSourcedId"sv};
inline constexpr std::array kEndDate{"endDate"sv};
// Only these enrollment columns are kept: a national enrollments.csv has millions of rows.
inline constexpr std::array kEnrollmentKeep{
    "classSourcedId"sv, "userSourcedId"sv, "schoolSourcedId"sv, "role"sv, "status"sv, "endDate"sv};

}  // namespace misync::connectors::oneroster::col
