// SPEC §9.1 notifications, the rules part (pure; daemon/notify.h delivers): a run that ends
// failed, held or stale (S2, S3/S4, S6) puts its school in that condition; a target hears when a
// school enters a condition it listens to (`on`), again only when the reason changes, and once
// with `recovered` when the school leaves it — not on every run.
//
// "The same reason": a failed run's error code and message, a held run's guard message, or
// staleness, compared with their numbers left out, so a count or a date that moves from one run
// to the next (45 deactivations, then 46; an extract 50 hours old, then 74) is the same reason.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/run_record.h"

namespace misync::daemon {

enum class Condition { Ok, Failed, Held, Stale };

// "ok", "failed", "held", "stale".
std::string_view conditionName(Condition c);

struct SchoolCondition {
    Condition kind = Condition::Ok;
    std::string reason;     // as the run said it (the body shows it)
    std::string reasonKey;  // the reason with every run of digits written '#'
    std::int64_t runId = 0;
};

// Failed (S2) over held (S3, S4) over stale (an applied or unchanged run with a stale_extract
// warning, S6); anything else is Ok.
SchoolCondition conditionOf(const storage::RunRecord& run);

// What a target is told.
struct Alert {
    std::string event;          // "failed", "held", "stale" or "recovered"
    SchoolCondition condition;  // the school's condition now
    SchoolCondition from;       // for "recovered": the condition it left
};

// One target's view of every school, as filtered by its `on`.
class AlertRules {
  public:
    // `on`: some of "failed", "held", "stale".
    explicit AlertRules(const std::vector<std::string>& on);

    // The school's condition after a run; an Alert when it is news to this target.
    std::optional<Alert> observe(const std::string& school, const SchoolCondition& now);
    // Where a school stands when the daemon starts, or when a reload adds this target or the
    // school (its latest run): remembered, not announced, so a restart neither repeats nor
    // loses a notification. A school this target has already seen keeps what it saw.
    void seed(const std::string& school, const SchoolCondition& now);
    // A reload changed `on`: conditions no longer listened to are forgotten without a
    // `recovered` (the school did not recover; the target stopped asking).
    void setOn(const std::vector<std::string>& on);

  private:
    SchoolCondition filtered(const SchoolCondition& c) const;

    std::set<Condition> on_;
    std::map<std::string, SchoolCondition> last_;
};

// The body POSTed: the run summary (SPEC §8 RUN without actions, storage::runToJson) with a
// "notification" object: event, school, reason (the condition's; for recovered, what it
// recovered from), and for recovered "recovered_from" {event, reason, run_id: the run that
// entered that condition}.
boost::json::object notificationBody(const storage::RunRecord& run, const Alert& alert);

}  // namespace misync::daemon
