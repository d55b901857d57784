// A plan: what one school's run would do, each action with its reason, plus the final state of
// every row it touches so that apply() is a plain write in one transaction (R14).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "reconcile/account.h"

namespace misync::reconcile {

enum class ActionKind {
    Create,
    Update,
    Rename,
    Transfer,
    Deactivate,
    Reactivate,
    Purge,
    AwaitingTransfer,
    Rejected,
    GroupCreate,
    GroupUpdate,
    GroupArchive,
};
const char* toString(ActionKind k);

// The count keys of SPEC §8, in the order they are printed. Every key is always present.
inline constexpr std::array<std::string_view, 14> kCountKeys = {
    "create",         "update",           "rename",       "transfer",
    "deactivate",     "reactivate",       "purge",        "awaiting_transfer",
    "rejected",       "group_create",     "group_update", "group_archive",
    "membership_add", "membership_remove"};

struct Counts {
    std::array<std::uint64_t, kCountKeys.size()> values{};
    std::uint64_t& operator[](std::string_view key);
    std::uint64_t operator[](std::string_view key) const;
    bool operator==(const Counts&) const = default;
};

struct Action {
    ActionKind kind = ActionKind::Create;
    core::Role role = core::Role::Learner;
    std::string school;  // the account's school after the action (for groups: the group's school)
    std::string misId;
    std::string upn;
    std::string username;
    std::string reason;
    std::string fromSchool;  // transfer
    std::string group;       // group actions: the group code
    std::vector<FieldChange> changes;
};

// The final state of an account the plan creates or changes. P4: `newPassword` is plain text
// only in memory; apply() seals it and nothing else ever sees it.
struct AccountWrite {
    Account account;  // id 0 → insert
    std::optional<std::string> newPassword;
    std::vector<std::string> newNames;  // usernames/aliases to reserve for ever (U3)
    bool clearPassword = false;         // R5 purge: the visible password is removed
};

struct GroupWrite {
    GroupState group;  // id 0 → insert; members are ignored (see MembershipChange)
};

struct MembershipChange {
    std::string school;
    std::string groupCode;
    std::int64_t accountId = 0;  // existing account, or
    int accountWrite = -1;       // index into Plan::accounts for an account the plan creates
    bool add = true;
    // Who the member is, for the change log (SPEC §9.2 membership.added|removed).
    std::string username{};
    core::Role role = core::Role::Learner;
};

struct ClaimWrite {
    Claim claim;
    bool remove = false;
};

struct Plan {
    std::string school;
    std::vector<Action> actions;
    std::vector<AccountWrite> accounts;
    std::vector<GroupWrite> groups;
    std::vector<MembershipChange> memberships;
    std::vector<ClaimWrite> claims;
    std::vector<core::Warning> warnings;
    std::vector<core::RecordError> errors;
    Counts counts;

    // True when applying the plan would change the directory (claims included); a plan with
    // only warnings, rejects and awaiting transfers changes nothing (R12).
    bool changesDirectory() const;
    // A digest of the actions (kinds, subjects, changes), stable for the same plan (S3).
    std::string digest() const;
};

}  // namespace misync::reconcile
