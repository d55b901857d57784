// The change log's entries (SPEC §9.2, DESIGN.md "transactional outbox"): what changed in the
// directory, by a run or by an administrator, written in the same transaction as the change.
// P4: no field ever holds a password (`account.password_reset` says only that one was set).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "reconcile/plan.h"

namespace misync::reconcile {

// One attribute's new value. Booleans (consent, digital_champion, archived, password_available)
// are written as JSON true/false, everything else as a string.
struct ChangeField {
    std::string name;
    std::string value;
    bool isBool = false;
};

struct ChangeEvent {
    // account.created|updated|renamed|transferred|deactivated|reactivated|purged,
    // account.consent_changed, account.password_reset, account.digital_champion_changed,
    // group.created|updated|archived, membership.added|removed.
    std::string kind;
    std::string school;      // the account's school after the change; the group's school
    std::string fromSchool;  // account.transferred: the school it left (sees the change too)
    std::string username;    // account and membership kinds
    std::optional<core::Role> role;
    std::string group;  // group and membership kinds: the group code
    std::vector<ChangeField> fields;
};

// The change log entries of a plan, in the order of its actions, then its memberships.
// Rejected records and awaiting transfers change nothing and have none.
std::vector<ChangeEvent> changesOf(const Plan& plan);

}  // namespace misync::reconcile
