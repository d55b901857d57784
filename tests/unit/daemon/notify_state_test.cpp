// SPEC §9.1 notification rules (daemon/notify_state.h): a school notifies once when it enters
// failed, held or stale, again only when the reason changes, and `recovered` when it leaves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "daemon/notify_state.h"

using misync::daemon::AlertRules;
using misync::daemon::Condition;
using misync::daemon::conditionOf;
using misync::daemon::notificationBody;
using misync::storage::RunRecord;
using testing::HasSubstr;

namespace {

const std::vector<std::string> kAll{"failed", "held", "stale"};

RunRecord run(std::int64_t id, const std::string& outcome) {
    RunRecord r;
    r.id = id;
    r.school = "6612345";
    r.outcome = outcome;
    r.trigger = "file";
    return r;
}

RunRecord failed(std::int64_t id, const std::string& message) {
    RunRecord r = run(id, "failed");
    r.errors.push_back({"invalid_upn", "students.xml", 3, "a rejected record, not the failure"});
    r.errors.push_back({"source_unreadable", "students.xml", 0, message});
    return r;
}

RunRecord held(std::int64_t id, const std::string& message) {
    RunRecord r = run(id, "held");
    r.warnings.push_back({"held", message});
    return r;
}

RunRecord stale(std::int64_t id, int hours) {
    RunRecord r = run(id, "no_change");
    r.warnings.push_back({"stale_extract", "the extract is " + std::to_string(hours) +
                                               " hours old (extracted 2026-11-20T06:00:00Z); "
                                               "limit 48 hours"});
    return r;
}

std::string eventOf(AlertRules& rules, const RunRecord& r) {
    auto alert = rules.observe(r.school, conditionOf(r));
    return alert ? alert->event : "-";
}

TEST(NotifyRules, ConditionOfARun) {
    EXPECT_EQ(conditionOf(run(1, "applied")).kind, Condition::Ok);
    EXPECT_EQ(conditionOf(run(1, "no_change")).kind, Condition::Ok);
    auto f = conditionOf(failed(2, "students.xml: line 3: mismatched tag"));
    EXPECT_EQ(f.kind, Condition::Failed);
    EXPECT_EQ(f.reason, "source_unreadable: students.xml: line 3: mismatched tag");
    EXPECT_EQ(f.reasonKey, "source_unreadable: students.xml: line #: mismatched tag");
    EXPECT_EQ(f.runId, 2);
    // Held over stale: a held run whose extract is old is held.
    RunRecord both = held(3, "S3 deactivation guard: would deactivate 45 of 100");
    both.warnings.push_back({"stale_extract", "the extract is 60 hours old"});
    EXPECT_EQ(conditionOf(both).kind, Condition::Held);
    EXPECT_EQ(conditionOf(stale(4, 60)).kind, Condition::Stale);
    RunRecord appliedStale = stale(5, 60);
    appliedStale.outcome = "applied";
    EXPECT_EQ(conditionOf(appliedStale).kind, Condition::Stale);
}

TEST(NotifyRules, EnterOnceSameReasonAgainNothingNewReasonAgainThenRecovered) {
    AlertRules rules(kAll);
    EXPECT_EQ(eventOf(rules, run(1, "applied")), "-");
    EXPECT_EQ(eventOf(rules, failed(2, "students.xml: line 3: mismatched tag")), "failed");
    // The same failure with other numbers in it: the same reason.
    EXPECT_EQ(eventOf(rules, failed(3, "students.xml: line 17: mismatched tag")), "-");
    EXPECT_EQ(eventOf(rules, failed(4, "students.xml: no such file")), "failed");
    auto recovered = rules.observe("6612345", conditionOf(run(5, "no_change")));
    ASSERT_TRUE(recovered);
    EXPECT_EQ(recovered->event, "recovered");
    EXPECT_EQ(recovered->from.kind, Condition::Failed);
    EXPECT_EQ(recovered->from.reason, "source_unreadable: students.xml: no such file");
    EXPECT_EQ(recovered->from.runId, 4);  // the run that entered that condition
    EXPECT_EQ(eventOf(rules, run(6, "applied")), "-");
}

TEST(NotifyRules, HeldAndStaleAndTheMovesBetween) {
    AlertRules rules(kAll);
    EXPECT_EQ(eventOf(rules, held(1, "S3 deactivation guard: would deactivate 45 of 100")), "held");
    EXPECT_EQ(eventOf(rules, held(2, "S3 deactivation guard: would deactivate 46 of 100")), "-");
    EXPECT_EQ(eventOf(rules, held(3, "S4 shrink guard: the complete extract lists 3 learners")),
              "held");
    EXPECT_EQ(eventOf(rules, failed(4, "cannot open")), "failed");  // another condition
    EXPECT_EQ(eventOf(rules, stale(5, 50)), "stale");
    EXPECT_EQ(eventOf(rules, stale(6, 74)), "-");  // older still: the same reason
    EXPECT_EQ(eventOf(rules, run(7, "applied")), "recovered");
    // Schools are apart.
    RunRecord other = failed(8, "cannot open");
    other.school = "6612346";
    EXPECT_EQ(eventOf(rules, other), "failed");
    EXPECT_EQ(eventOf(rules, run(9, "applied")), "-");
}

TEST(NotifyRules, ATargetHearsOnlyWhatItsOnAsksFor) {
    AlertRules rules({"failed"});
    EXPECT_EQ(eventOf(rules, held(1, "S3 deactivation guard")), "-");
    EXPECT_EQ(eventOf(rules, stale(2, 50)), "-");
    EXPECT_EQ(eventOf(rules, failed(3, "cannot open")), "failed");
    // Held is not failed: to this target the school recovered from its failure.
    EXPECT_EQ(eventOf(rules, held(4, "S3 deactivation guard")), "recovered");
    EXPECT_EQ(eventOf(rules, run(5, "applied")), "-");
}

TEST(NotifyRules, SeedingAndChangingOnAnnounceNothing) {
    AlertRules rules(kAll);
    rules.seed("6612345", conditionOf(failed(1, "cannot open")));  // before a restart
    EXPECT_EQ(eventOf(rules, failed(2, "cannot open")), "-");
    EXPECT_EQ(eventOf(rules, run(3, "applied")), "recovered");
    EXPECT_EQ(eventOf(rules, failed(4, "cannot open")), "failed");
    rules.seed("6612345", conditionOf(run(5, "applied")));  // a reload: what it saw stands
    EXPECT_EQ(eventOf(rules, failed(5, "cannot open")), "-");
    // A reload stops listening to failures: the school did not recover, nothing is sent.
    rules.setOn({"held", "stale"});
    EXPECT_EQ(eventOf(rules, run(6, "applied")), "-");
    EXPECT_EQ(eventOf(rules, failed(7, "cannot open")), "-");
}

TEST(NotifyRules, TheBodyIsTheRunSummaryWithTheNotification) {
    AlertRules rules(kAll);
    RunRecord f = failed(7, "cannot open");
    f.actions.push_back({});
    auto alert = rules.observe(f.school, conditionOf(f));
    ASSERT_TRUE(alert);
    auto body = notificationBody(f, *alert);
    EXPECT_EQ(body.at("run_id").as_int64(), 7);
    EXPECT_EQ(body.at("outcome").as_string(), "failed");
    EXPECT_FALSE(body.contains("actions"));  // SPEC §8 RUN without actions
    const auto& n = body.at("notification").as_object();
    EXPECT_EQ(n.at("event").as_string(), "failed");
    EXPECT_EQ(n.at("school").as_string(), "6612345");
    EXPECT_EQ(n.at("reason").as_string(), "source_unreadable: cannot open");

    RunRecord ok = run(8, "applied");
    auto back = rules.observe(ok.school, conditionOf(ok));
    ASSERT_TRUE(back);
    auto recovered = notificationBody(ok, *back);
    const auto& r = recovered.at("notification").as_object();
    EXPECT_EQ(r.at("event").as_string(), "recovered");
    EXPECT_THAT(std::string(r.at("reason").as_string()),
                HasSubstr("recovered from failed: source_unreadable: cannot open"));
    EXPECT_EQ(r.at("recovered_from").at("event").as_string(), "failed");
    EXPECT_EQ(r.at("recovered_from").at("run_id").as_int64(), 7);
}

}  // namespace
