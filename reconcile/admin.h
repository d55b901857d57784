// The portal's own operations on accounts (SPEC §8 administrator commands), as pure functions:
// each takes the current account(s) and what its rule needs, and returns either a refusal that
// names the rule (nothing may change) or the change itself — the final account rows, the change
// log entries (SPEC §9.2, never a password: P4), the accounts that leave their groups (R11) and
// warnings. No I/O, no clock: usernames and passwords come from injected generators and the time
// from the caller, so storage writes the change as it is (DESIGN.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/model.h"
#include "reconcile/account.h"
#include "reconcile/changes.h"
#include "reconcile/passwords.h"
#include "reconcile/plan.h"
#include "reconcile/usernames.h"

namespace misync::reconcile {

// Why an operation is not allowed. `rule` is the SPEC rule that forbids it ("R10", "P1", …;
// empty for an unknown username); `message` names the account, school or group at fault and
// never holds a password (P4).
struct AdminRefusal {
    std::string rule;
    std::string message;
    // "RULE: message", or the message alone when no rule applies.
    std::string text() const;
};

// An account whose group memberships go (R11: a deactivated account leaves its groups).
struct GroupLeave {
    std::int64_t accountId = 0;
    std::string username;
    core::Role role = core::Role::Learner;
};

// What an allowed operation changes, written by storage::AdminStore as it is.
struct AdminChange {
    std::vector<AccountWrite> accounts;   // final rows; id 0 → a new account
    std::vector<ChangeEvent> events;      // in the order of `accounts`
    std::vector<GroupLeave> leaveGroups;  // memberships to remove (membership.removed)
    std::vector<std::string> unchanged;   // usernames already in the requested state
    std::vector<core::Warning> warnings;
};

// Either a refusal or the change (then `refusal` is empty).
struct AdminResult {
    std::optional<AdminRefusal> refusal;
    AdminChange change;

    bool refused() const { return refusal.has_value(); }
    static AdminResult refuse(std::string rule, std::string message);
};

// The refusal for a username that is neither a username nor an alias (SPEC §8).
AdminRefusal unknownAccount(std::string_view name);

// Generators an operation may draw new usernames (U1–U6) and passwords (P2) from.
struct AdminServices {
    UsernameAllocator& usernames;
    PasswordGenerator& passwords;
    const NameTransliterator& names;
};

// `accounts add`: a manual account (R8) of `role` non_mis or governor at `school`, with
// trimmed, non-empty names, source manual, status active, created_at `now`, a username by
// U1–U6 and a generated visible password (P2). `schoolAccounts` are the school's accounts: an
// active MIS account with the same transliterated forename and surname (and the same date of
// birth where both are known) gives a `possible_duplicate` warning (R8 from the manual side).
struct NewManualAccount {
    std::string school;
    core::Role role = core::Role::NonMis;
    std::string forename;
    std::string surname;
    std::optional<core::Date> dob;
};
AdminResult addManualAccount(const NewManualAccount& request,
                             const std::vector<Account>& schoolAccounts, AdminServices& services,
                             const std::string& now);

// `accounts deactivate`: any active account. An MIS account is marked adminDeactivated (R9:
// sticky while its person is on roll). The account leaves its groups (R11). Deactivating the
// school's last active Digital Champion is allowed with a `no_digital_champion` warning (R10);
// `champions` are the school's Digital Champions (any status; only active ones count).
AdminResult deactivateAccount(const Account& account, const std::vector<Account>& champions,
                              const std::string& now);

// `accounts reactivate`: a deactivated account becomes active again (adminDeactivated and
// deactivated_at cleared). A purged one cannot be (R5). An MIS account whose MIS has the person
// as a leaver gets a `not_on_roll` warning: the next sync deactivates it again (R5).
AdminResult reactivateAccount(const Account& account);

// `accounts reset-password USERNAME`: `typed` must pass P1 for the account's username (the
// refusal names the rule that failed, never the password); without it a password is generated
// (P2). The password is visible (P3) and the administrator's (R9: passwordByAdmin).
AdminResult resetPassword(const Account& account, const std::optional<std::string>& typed,
                          PasswordGenerator& passwords);

// `accounts reset-password --school D --reg-group G`: every active learner of `school` whose
// registration group is `regGroup` gets a new generated visible password; nothing else changes.
// `accounts` may hold any accounts: only those learners are picked. None → refusal.
AdminResult resetRegGroupPasswords(const std::string& school, const std::string& regGroup,
                                   const std::vector<Account>& accounts,
                                   PasswordGenerator& passwords);

// `accounts rename`: R4 by an administrator. A given forename or surname is trimmed and must not
// be empty; it replaces the legal name and clears the matching preferred name, so that the
// display name shows what the administrator typed; the name is locked against later syncs (R9).
// `newUsername`: a new username from the (new) legal names (U1–U6), the old one kept as an
// alias, and a new generated visible password (R4).
struct RenameRequest {
    std::optional<std::string> forename;
    std::optional<std::string> surname;
    bool newUsername = false;
};
AdminResult renameAccount(const Account& account, const RenameRequest& request,
                          AdminServices& services);

// `accounts promote`: only an active MIS staff account becomes a Digital Champion (R10).
AdminResult promoteChampion(const Account& account);

// `accounts demote`: a Digital Champion stops being one, unless it is the school's last active
// one (R10) or the administrator's own account (`actor`, as the portal forbids demoting
// yourself). `champions` are the school's Digital Champions (any status).
AdminResult demoteChampion(const Account& account, const std::vector<Account>& champions,
                           std::string_view actor);

// `consent confirm|withdraw`: the accounts as the administrator named them, in order (nullopt
// for a name that found no account). Every name must find a learner that is not purged, else
// nothing changes and the refusal names every offending name. Accounts already in the state
// are reported in `unchanged`; an account named twice (e.g. by an alias) counts once.
struct NamedAccount {
    std::string name;  // as given
    std::optional<Account> account;
};
AdminResult setConsent(const std::vector<NamedAccount>& targets, bool consent);

}  // namespace misync::reconcile
