// The pure planner (DESIGN.md): (snapshot, directory view, policy, as-of date) → plan.
// No I/O, no clock, no randomness: usernames and passwords come from injected generators.
// Rules: R1 matching, R2 create, R3 update, R4 rename, R5 leavers (summer rule), R6 rejoin,
// R7 transfers with claims hand-over, R8 possible duplicates, R10 last Digital Champion,
// R11 groups and memberships, R12 idempotence, R13 order independence, R15 rejected records,
// U6 deterministic username order.
#pragma once

#include <optional>
#include <string>

#include "core/date.h"
#include "core/model.h"
#include "reconcile/account.h"
#include "reconcile/passwords.h"
#include "reconcile/plan.h"
#include "reconcile/policy.h"
#include "reconcile/usernames.h"

namespace misync::reconcile {

struct PlanServices {
    UsernameAllocator& usernames;
    PasswordGenerator& passwords;
    const NameTransliterator& names;
};

struct PlanInput {
    const core::Snapshot& snapshot;
    const DirectoryView& view;
    const Policy& policy;
    core::Date asOf;
    std::string now;  // ISO timestamp written as created_at / deactivated_at
};

Plan makePlan(const PlanInput& input, PlanServices& services);

// R2/R5: whether a person is on roll on `asOf` (admission ≤ as-of, no leaving date ≤ as-of,
// not a guest), with the summer rule for learners in years 11–13 whose leaving date falls
// between 1 June and 31 August: they stay on roll up to and including summer_leaver_until.
// A leaving date earlier than the admission date belongs to an earlier enrolment and is ignored.
bool isOnRoll(const core::Person& p, core::Date asOf, const Policy& policy);

// The earliest date after `asOf` on which isOnRoll() of any person in the snapshot could give
// another answer (admission, leaving and summer-leaver dates), or nullopt when there is none.
// A run over the same snapshot on an earlier date plans the same (used to skip unchanged runs).
std::optional<core::Date> nextDateChange(const core::Snapshot& snapshot, core::Date asOf,
                                         const Policy& policy);

}  // namespace misync::reconcile
