// The canonical model every connector produces (SPEC §1, §6): persons, groups and memberships
// of one school at one time, gathered in a Snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"

namespace misync::core {

enum class Role { Learner, Staff, NonMis, Governor };
const char* toString(Role r);
std::optional<Role> parseRole(std::string_view s);

// SPEC §6 enrolment status: C single, M main dual, S subsidiary dual, G guest.
enum class Enrolment : char { Single = 'C', Main = 'M', Subsidiary = 'S', Guest = 'G' };
// Accepts the letters and the words ("Single Registration", "Main - Dual Registration", …).
std::optional<Enrolment> parseEnrolment(std::string_view s);

enum class GroupType { Registration, Year, Class, House };
const char* toString(GroupType t);
std::optional<GroupType> parseGroupType(std::string_view s);

// Where a record came from, so that every error names file and record (R15).
struct RecordRef {
    std::string file;
    std::uint32_t record = 0;  // 1-based position of the record in its file
};

// A learner or staff member as an MIS reports them, already validated and normalised.
struct Person {
    Role role = Role::Learner;
    std::string misId;
    std::string upn;  // canonical (upper case), empty when none
    std::string admissionNumber;
    std::string staffCode;
    std::string nationalId;  // e.g. EWC number (staff)
    std::string legalForename;
    std::string legalSurname;
    std::string preferredForename;
    std::string preferredSurname;
    std::optional<Date> dob;
    std::string gender;
    std::string yearGroup;  // normalised: N1, N2, R, 1..14, or empty
    std::string regGroup;
    std::optional<Date> admissionDate;  // staff: start date
    std::optional<Date> leavingDate;
    Enrolment enrolment = Enrolment::Single;
    std::string staffRole;
    std::string title;
    RecordRef source;
};

struct Group {
    std::string code;
    GroupType type = GroupType::Class;
    std::string subject;
    std::string yearGroup;
    RecordRef source;
};

struct Membership {
    std::string groupCode;
    std::string memberMisId;
    Role memberRole = Role::Learner;  // Pupil → Learner, Staff → Staff
    RecordRef source;
};

// A record the connector could not use (R15): the run goes on without it.
struct RecordError {
    std::string code;  // e.g. invalid_upn, missing_id, missing_name, invalid_date
    std::string file;
    std::uint32_t record = 0;
    std::string message;
    // Who the record was about, when the connector could tell: a rejected record still says
    // the person is in the extract, so the planner must not take them for a leaver (R5, R15).
    std::optional<Role> role{};
    std::string misId{};
    std::string upn{};  // canonical, only when it has a UPN's shape
};

// A non-fatal observation a connector or the planner reports (e.g. unknown_member).
struct Warning {
    std::string code;
    std::string message;
};

// How much of a school's groups, or of its memberships, a snapshot speaks for. Most formats carry
// them with the roll (Roll); OneRoster (SPEC §6.3) sends classes and enrollments in files of their
// own, each of which a set's manifest marks bulk, delta or absent.
enum class Coverage : std::uint8_t {
    // As the roll: a complete snapshot lists all of them (a group it does not list is archived,
    // a membership it does not list ends, R11); a partial one lists every membership of the
    // persons it lists.
    Roll,
    // Changes only: what is listed is added or updated; what ends is listed in removedGroups and
    // removedMemberships; everything else stays as it is. A person's empty reg_group then means
    // "not said" (the account keeps its own), as it does for None.
    Changes,
    // Nothing: groups and memberships stay as they are (an account that leaves or moves away
    // still leaves the school's groups, R11).
    None,
};

// A person whom the extract names only to say that they are no longer on roll, without a record
// of their attributes (a OneRoster delta's status=tobedeleted, enabledUser=false, SPEC §6.3). The
// school's account for them is deactivated as of the run (R5); nothing else about it changes.
struct Departure {
    Role role = Role::Learner;
    std::string misId;
    std::string upn;  // canonical, empty when none
    RecordRef source;
};

struct SourceFile {
    std::string name;
    std::string sha256;  // lower-case hex
    std::uint64_t records = 0;
};

struct Snapshot {
    std::string school;       // DfES number
    std::string connector;    // registry name, e.g. "sims-xml"
    std::string extractedAt;  // ISO-8601 UTC, the newest source file's time
    bool complete = true;     // a full roll: absence means "left" (R5)
    std::vector<Person> persons;
    std::vector<Group> groups;
    std::vector<Membership> memberships;
    Coverage groupCoverage = Coverage::Roll;
    Coverage membershipCoverage = Coverage::Roll;
    std::vector<std::string> removedGroups;      // Coverage::Changes: group codes to archive
    std::vector<Membership> removedMemberships;  // Coverage::Changes: memberships that end
    std::vector<Departure> departures;           // R5: no longer on roll
    std::vector<SourceFile> files;
    std::vector<RecordError> rejected;
    std::vector<Warning> warnings;
};

}  // namespace misync::core
