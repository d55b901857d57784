// The directory as the planner sees it: accounts, their MIS attributes, claims and groups.
// The store fills a DirectoryView for one school's run with a few set-based queries; tests
// build one in memory. Manual accounts (R8) and portal-owned flags (R9, R10) live here too, so
// later administrator commands fit without a rewrite.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/model.h"

namespace misync::reconcile {

enum class AccountStatus { Active, Deactivated, Purged };
const char* toString(AccountStatus s);
std::optional<AccountStatus> parseAccountStatus(std::string_view s);

enum class AccountSource { Mis, Manual };
const char* toString(AccountSource s);

// The attributes an MIS owns (R3). Everything here is compared field by field and every change
// is recorded with its before and after values.
struct Attributes {
    std::string misId;
    std::string upn;
    std::string admissionNumber;
    std::string staffCode;
    std::string nationalId;
    std::string legalForename;
    std::string legalSurname;
    std::string preferredForename;
    std::string preferredSurname;
    std::string dob;  // YYYY-MM-DD or empty
    std::string gender;
    std::string yearGroup;
    std::string regGroup;
    std::string admissionDate;
    std::string leavingDate;
    std::string enrolmentStatus;  // C, M, S or G
    std::string staffRole;
    std::string title;

    bool operator==(const Attributes&) const = default;
};

// Every Attributes field with its canonical name, in the order of the store's columns (mis_id …
// title; staffRole is named "role" as SPEC §6 calls it). Diffs, the store and claims use it.
struct AttributeField {
    const char* name;
    std::string Attributes::*member;
};
const std::array<AttributeField, 18>& attributeFields();

Attributes attributesOf(const core::Person& p);
// R3: preferred forename/surname when given, else legal.
std::string displayName(const Attributes& a);

struct FieldChange {
    std::string field;  // canonical field name, e.g. "reg_group"
    std::string before;
    std::string after;
};
// Field-by-field differences, in a fixed field order.
std::vector<FieldChange> diffAttributes(const Attributes& before, const Attributes& after);

// A group membership outside the school being run (used for accounts a transfer takes away).
struct GroupRef {
    std::string school;
    std::string code;
};

struct Account {
    std::int64_t id = 0;  // 0 until stored
    std::string username;
    core::Role role = core::Role::Learner;
    AccountSource source = AccountSource::Mis;
    std::string school;  // owner
    Attributes attrs;
    std::string displayName;
    AccountStatus status = AccountStatus::Active;
    bool ownerOnRoll = true;  // whether the owner's latest snapshot has the person on roll (R7)
    bool consent = false;     // R9 portal-owned
    bool digitalChampion = false;    // R9/R10 portal-owned
    bool nameLocked = false;         // R9: an administrator renamed the account
    bool adminDeactivated = false;   // R9: an administrator deactivated it (sticky while on roll)
    bool passwordByAdmin = false;    // R9: the password was set or reset by an administrator
    bool passwordAvailable = false;  // P3
    std::vector<std::string> aliases;
    std::string createdAt;
    std::string deactivatedAt;
    std::string purgedAt;  // R5: when its personal data was removed
    // Filled for accounts owned by another school and for this school's accounts that another
    // school claims: their group memberships (a transfer removes or keeps them, R7).
    std::vector<GroupRef> memberOf;
};

// "School `school`'s latest snapshot has this person on roll" while another school owns the
// account (DESIGN.md: claims hand-over). Carries the claimant's view of the person so that the
// owner can hand the account over in its own run.
struct Claim {
    std::int64_t accountId = 0;
    std::string school;  // claimant
    core::Role role = core::Role::Learner;
    Attributes attrs;
    std::vector<std::string> groupCodes;  // the claimant's groups the person belongs to
    std::string claimedAt;                // as-of date of the claimant's run

    bool sameContent(const Claim& o) const {
        return accountId == o.accountId && school == o.school && role == o.role &&
               attrs == o.attrs && groupCodes == o.groupCodes;
    }
};

struct GroupState {
    std::int64_t id = 0;
    std::string school;
    std::string code;
    core::GroupType type = core::GroupType::Class;
    std::string subject;
    std::string yearGroup;
    bool archived = false;
    std::vector<std::int64_t> members;  // account ids
};

// What one school's run may see of the directory (R1 needs the whole directory for UPNs).
struct DirectoryView {
    std::string school;
    // Every account owned by `school` (MIS and manual), plus accounts of other schools whose
    // UPN (learners) or national id (staff) appears in the snapshot.
    std::vector<Account> accounts;
    // Claims on the accounts above by any school, and every claim made by `school`.
    std::vector<Claim> claims;
    std::vector<GroupState> groups;  // the school's groups with their members
    // R10: the number of active Digital Champions of this school and of every school owning
    // an account above that is a Digital Champion, before the plan.
    std::map<std::string, int> activeChampions;
};

}  // namespace misync::reconcile
