// The safety checks between planning and applying (SPEC §5): S3 the deactivation guard and S4
// the shrink guard, which hold a run (outcome `held`, nothing applied) until an administrator
// approves it, and S6 staleness, which only warns. Pure: counts come from the plan, the
// snapshot and the view; the clock is passed in.
#pragma once

#include <optional>
#include <string>

#include "core/model.h"
#include "reconcile/account.h"
#include "reconcile/plan.h"
#include "reconcile/policy.h"

namespace misync::reconcile {

// S3 and S4: a `held` warning saying which limit the plan exceeds and by how much, or nullopt
// when the plan may be applied. S3 counts the plan's deactivations against the school's active
// MIS accounts (learners and staff) before the run; S4 compares, per role, the persons a
// complete snapshot holds (rejected records included: they are still in the extract) with
// the school's active MIS accounts of that role.
std::optional<core::Warning> holdReason(const Plan& plan, const core::Snapshot& snapshot,
                                        const DirectoryView& view, const Policy& policy);

// S6: a `stale_extract` warning when the snapshot was extracted more than stale_after_hours
// before `nowIso` (both ISO-8601 UTC), or nullopt (also when the extraction time is unknown).
std::optional<core::Warning> staleExtract(const std::string& extractedAtIso,
                                          const std::string& nowIso, const Policy& policy);

// R5: the first date after `asOf` on which one of the school's deactivated MIS accounts falls
// due for purging once `plan` is applied (accounts it deactivates included), or nullopt. A run
// over unchanged input is not replayed from that date on.
std::optional<core::Date> nextPurgeDate(const DirectoryView& view, const Plan& plan,
                                        core::Date asOf, const Policy& policy);

}  // namespace misync::reconcile
