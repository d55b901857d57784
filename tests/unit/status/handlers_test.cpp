// What each route of SPEC §9 answers, through the routes table without sockets, over a real
// SQLite directory filled through the store API: the school list (per school as `misync status`
// shows it), run summaries newest first with paging (§8 RUN without actions), one run with its
// actions paged, POST …/sync (202, trigger api), POST …/approve (S3, the rules of `misync
// approve`, the token's name as actor), the change feed (§9.2) and metrics (§9.3), each as an
// admin and as a school token. P4: no view ever holds a password.
#include <gmock/gmock.h>

#include "status_fixture.h"

using namespace misync;
using namespace misync::statustest;
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

std::string str(const json::value& v, std::string_view key) {
    return std::string(v.as_object().at(key).as_string());
}
std::int64_t num(const json::value& v, std::string_view key) {
    return v.as_object().at(key).to_number<std::int64_t>();
}
std::vector<std::int64_t> runIds(const json::value& v) {
    std::vector<std::int64_t> out;
    for (const auto& r : v.as_object().at("runs").as_array()) {
        out.push_back(num(r, "run_id"));
    }
    return out;
}

class HandlersTest : public RoutesTest {
  protected:
    void SetUp() override {
        RoutesTest::SetUp();
        DirectoryFiller fill(*store_);
        createA_ = fill.create(kA, {"jonesa", "evansb", "daviesc"}, 1);
        noChangeA_ = fill.run(kA, "no_change", 2);
        heldA_ = fill.run(kA, "held", 3, "digest-a");
        createB_ = fill.create(kB, {"owenw"}, 1);
        transferB_ = fill.transfer("evansb", kA, kB, 2);
        gone_ = fill.run(kGone, "applied", 1);
    }

    std::string runsOf(const std::string& school, const std::string& query = "") {
        return "/api/v1/schools/" + school + "/runs" + query;
    }

    std::int64_t createA_ = 0, noChangeA_ = 0, heldA_ = 0, createB_ = 0, transferB_ = 0, gone_ = 0;
};

TEST_F(HandlersTest, SchoolsListsTheConfiguredSchoolsAsMisyncStatusDoes) {
    const auto r = call("GET", "/api/v1/schools", kAdminToken);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.contentType, status::kJsonType);
    const auto v = body(r);
    const auto& list = v.as_object().at("schools").as_array();
    ASSERT_EQ(list.size(), 3u) << "configured schools only, in configuration order";
    EXPECT_EQ(str(list[0], "school"), kA);
    EXPECT_EQ(str(list[1], "school"), kB);
    EXPECT_EQ(str(list[2], "school"), kC);
    const auto& a = list[0].as_object();
    EXPECT_EQ(str(a, "name"), "Ysgol A");
    EXPECT_EQ(num(a.at("last_run"), "run_id"), heldA_);
    EXPECT_EQ(str(a.at("last_run"), "outcome"), "held");
    EXPECT_TRUE(a.at("last_run").as_object().contains("counts"));
    EXPECT_EQ(str(a, "last_success_at"), "2026-11-02T06:30:00Z");
    EXPECT_EQ(num(a, "consecutive_failures"), 0);
    EXPECT_EQ(num(a, "held_run"), heldA_);
    EXPECT_TRUE(a.at("stale").as_bool()) << "last success 26 days before now_";
    EXPECT_EQ(num(a, "digital_champions"), 0);
    EXPECT_EQ(str(a, "next_run_at"), "2026-11-29T06:30:00Z");
    EXPECT_TRUE(list[1].as_object().at("next_run_at").is_null());
    const auto& c = list[2].as_object();
    EXPECT_TRUE(c.at("last_run").is_null()) << "never run";
    EXPECT_TRUE(c.at("held_run").is_null());
    EXPECT_FALSE(c.at("stale").as_bool());

    const auto mine = body(call("GET", "/api/v1/schools", kTokenA));
    ASSERT_EQ(mine.as_object().at("schools").as_array().size(), 1u);
    EXPECT_EQ(str(mine.as_object().at("schools").as_array()[0], "school"), kA);
}

TEST_F(HandlersTest, RunsAreSummariesNewestFirst) {
    const auto r = call("GET", runsOf(kA), kAdminToken);
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto v = body(r);
    EXPECT_EQ(runIds(v), (std::vector<std::int64_t>{heldA_, noChangeA_, createA_}));
    const auto& first = v.as_object().at("runs").as_array()[0].as_object();
    EXPECT_FALSE(first.contains("actions")) << "§9: the RUN object without actions";
    for (const char* key : {"run_id", "school", "outcome", "trigger", "as_of", "started_at",
                            "finished_at", "source", "counts", "warnings", "errors"}) {
        EXPECT_TRUE(first.contains(key)) << key;
    }
    EXPECT_EQ(str(first, "outcome"), "held");
    EXPECT_EQ(num(first.at("counts"), "deactivate"), 40);
    EXPECT_EQ(str(first.at("source"), "connector"), "sims-xml");
    // The same object as storage's RUN JSON of that run, less its actions.
    EXPECT_EQ(json::value(first), json::value(storage::runToJson(*store_->getRun(heldA_), false)));
    // A school token sees its own school the same way.
    EXPECT_EQ(call("GET", runsOf(kA), kTokenA).body, r.body);
}

TEST_F(HandlersTest, RunsArePagedWithLimitAndBefore) {
    DirectoryFiller fill(*store_);
    std::vector<std::int64_t> ids = {createA_, noChangeA_, heldA_};
    for (int day = 4; day <= 28; ++day) {
        ids.push_back(fill.run(kA, "no_change", day));
    }
    std::reverse(ids.begin(), ids.end());  // newest first
    const auto page1 = runIds(body(call("GET", runsOf(kA), kAdminToken)));
    ASSERT_EQ(page1.size(), 20u) << "limit defaults to 20";
    EXPECT_EQ(page1, std::vector<std::int64_t>(ids.begin(), ids.begin() + 20));
    const auto page2 = runIds(
        body(call("GET", runsOf(kA, "?before=" + std::to_string(page1.back())), kAdminToken)));
    EXPECT_EQ(page2, std::vector<std::int64_t>(ids.begin() + 20, ids.end()));
    const auto few = runIds(
        body(call("GET", runsOf(kA, "?limit=2&before=" + std::to_string(ids[5])), kAdminToken)));
    EXPECT_EQ(few, (std::vector<std::int64_t>{ids[6], ids[7]}));
    EXPECT_EQ(runIds(body(call("GET", runsOf(kA, "?limit=500"), kAdminToken))).size(), ids.size());
    // Past the oldest run: an empty page, not a 404.
    const auto end = call("GET", runsOf(kA, "?before=" + std::to_string(ids.back())), kAdminToken);
    EXPECT_EQ(end.status, 200u);
    EXPECT_TRUE(runIds(body(end)).empty());
}

TEST_F(HandlersTest, ASchoolWithoutRunsHasAnEmptyHistory) {
    // Configured, never run.
    const auto c = call("GET", runsOf(kC), kAdminToken);
    EXPECT_EQ(c.status, 200u);
    EXPECT_TRUE(runIds(body(c)).empty());
    // No longer configured: its history stays readable.
    const auto gone = call("GET", runsOf(kGone), kAdminToken);
    EXPECT_EQ(gone.status, 200u);
    EXPECT_EQ(runIds(body(gone)), std::vector<std::int64_t>{gone_});
}

TEST_F(HandlersTest, ARunHasItsActionsPaged) {
    const std::string target = "/api/v1/runs/" + std::to_string(createA_);
    const auto all = body(call("GET", target, kAdminToken));
    EXPECT_EQ(num(all, "run_id"), createA_);
    EXPECT_EQ(num(all, "actions_total"), 4) << "a group and three accounts";
    EXPECT_EQ(num(all, "actions_offset"), 0);
    const auto& actions = all.as_object().at("actions").as_array();
    ASSERT_EQ(actions.size(), 4u);
    EXPECT_EQ(str(actions[0], "action"), "group_create");
    EXPECT_EQ(str(actions[1], "username"), "jonesa");
    // The §8 RUN object, plus the paging keys.
    json::object expected = storage::runToJson(*store_->getRun(createA_), true);
    expected["actions_total"] = 4;
    expected["actions_offset"] = 0;
    EXPECT_EQ(all, json::value(expected));

    const auto page = body(call("GET", target + "?offset=2&limit=1", kAdminToken));
    EXPECT_EQ(num(page, "actions_total"), 4);
    EXPECT_EQ(num(page, "actions_offset"), 2);
    ASSERT_EQ(page.as_object().at("actions").as_array().size(), 1u);
    EXPECT_EQ(str(page.as_object().at("actions").as_array()[0], "username"), "evansb");
    const auto past = body(call("GET", target + "?offset=4", kAdminToken));
    EXPECT_TRUE(past.as_object().at("actions").as_array().empty());
    EXPECT_EQ(num(past, "actions_total"), 4);
    EXPECT_EQ(call("GET", target, kTokenA).status, 200u) << "its own school's run";
    // A transfer run of B is B's: A's token may not see it, although the account came from A.
    EXPECT_EQ(call("GET", "/api/v1/runs/" + std::to_string(transferB_), kTokenA).status, 403u);
    EXPECT_EQ(call("GET", "/api/v1/runs/" + std::to_string(transferB_), kTokenB).status, 200u);
}

// P4: the accounts were created with visible passwords; no view shows one.
TEST_F(HandlersTest, NoViewShowsAPassword) {
    const std::string a = kA;
    for (const std::string& target :
         {std::string("/api/v1/runs/") + std::to_string(createA_), "/api/v1/schools/" + a + "/runs",
          std::string("/api/v1/changes"), std::string("/api/v1/schools"),
          std::string("/metrics")}) {
        const auto r = call("GET", target, kAdminToken);
        EXPECT_EQ(r.status, 200u) << target;
        EXPECT_THAT(r.body, Not(HasSubstr(kPassword))) << target;
    }
}

TEST_F(HandlersTest, SyncQueuesARunWithTriggerApi) {
    const std::string a = kA;
    const auto r = call("POST", "/api/v1/schools/" + a + "/sync", kAdminToken);
    EXPECT_EQ(r.status, 202u) << r.body;
    EXPECT_EQ(str(body(r), "school"), kA);
    EXPECT_EQ(str(body(r), "trigger"), "api");
    EXPECT_EQ(call("POST", std::string("/api/v1/schools/") + kC + "/sync", kTokenB).status, 403u);
    EXPECT_EQ(call("POST", std::string("/api/v1/schools/") + kC + "/sync", kAdminToken).status,
              202u);
    EXPECT_EQ(daemon_.syncs(), (std::vector<std::string>{kA, kC}));
    // A school that is not configured cannot run, whatever its history.
    const auto gone = call("POST", std::string("/api/v1/schools/") + kGone + "/sync", kAdminToken);
    EXPECT_EQ(gone.status, 404u);
    EXPECT_THAT(gone.body, HasSubstr("not configured"));
    daemon_.accepting = false;  // stopping
    EXPECT_EQ(call("POST", "/api/v1/schools/" + a + "/sync", kTokenA).status, 503u);
    EXPECT_EQ(daemon_.syncs().size(), 2u);
}

// S3 over HTTP: the rules of `misync approve` (storage/approval_rules.h); the actor recorded is
// the token's name.
TEST_F(HandlersTest, ApproveRecordsTheTokensNameAndFollowsS3) {
    const std::string held = "/api/v1/runs/" + std::to_string(heldA_) + "/approve";
    const auto ok = call("POST", held, kTokenA);
    ASSERT_EQ(ok.status, 200u) << ok.body;
    const auto v = body(ok);
    EXPECT_EQ(num(v, "run_id"), heldA_);
    EXPECT_EQ(str(v, "school"), kA);
    EXPECT_EQ(str(v, "plan_digest"), "digest-a");
    EXPECT_EQ(str(v, "approved_by"), "ysgol-a");
    EXPECT_EQ(str(v, "approved_at"), "2026-11-28T12:00:00Z") << "the handler's clock";
    const auto stored = store_->approvalOf(heldA_);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->approvedBy, "ysgol-a");
    EXPECT_EQ(stored->planDigest, "digest-a");
    EXPECT_EQ(store_->pendingApproval(kA)->runId, heldA_);

    const auto twice = call("POST", held, kAdminToken);
    EXPECT_EQ(twice.status, 409u);
    EXPECT_THAT(twice.body, HasSubstr("already approved by ysgol-a"));
    const auto notHeld =
        call("POST", "/api/v1/runs/" + std::to_string(createA_) + "/approve", kAdminToken);
    EXPECT_EQ(notHeld.status, 409u);
    EXPECT_THAT(notHeld.body, HasSubstr("S3"));
    EXPECT_THAT(notHeld.body, HasSubstr("was not held"));
}

TEST_F(HandlersTest, ASupersededOrChangedHeldRunCannotBeApproved) {
    DirectoryFiller fill(*store_);
    const std::int64_t heldB = fill.run(kB, "held", 5, "digest-1");
    const std::int64_t heldB2 = fill.run(kB, "held", 6, "digest-2");
    const auto changed =
        call("POST", "/api/v1/runs/" + std::to_string(heldB) + "/approve", kTokenB);
    EXPECT_EQ(changed.status, 409u);
    EXPECT_THAT(changed.body, HasSubstr("approve run " + std::to_string(heldB2) + " instead"));
    fill.run(kB, "no_change", 7);
    const auto superseded =
        call("POST", "/api/v1/runs/" + std::to_string(heldB2) + "/approve", kTokenB);
    EXPECT_EQ(superseded.status, 409u);
    EXPECT_THAT(superseded.body, HasSubstr("superseded"));
    EXPECT_FALSE(store_->approvalOf(heldB).has_value());
    EXPECT_FALSE(store_->approvalOf(heldB2).has_value());
}

TEST_F(HandlersTest, TheChangeFeedInCommitOrderWithNext) {
    const auto all = body(call("GET", "/api/v1/changes", kAdminToken));
    const auto& changes = all.as_object().at("changes").as_array();
    // A: group + 3 accounts + 3 memberships; B: group + 1 account + 1 membership; 1 transfer.
    ASSERT_EQ(changes.size(), 11u);
    std::int64_t last = 0;
    for (const auto& c : changes) {
        EXPECT_GT(num(c, "seq"), last);
        last = num(c, "seq");
    }
    EXPECT_EQ(num(all, "next"), last);
    EXPECT_EQ(str(changes[1], "kind"), "account.created");
    EXPECT_EQ(str(changes[1], "username"), "jonesa");
    EXPECT_EQ(num(changes[1], "run_id"), createA_);
    // The same objects as storage's CHANGE JSON.
    const auto rows = store_->changesSince(0, 100);
    EXPECT_EQ(changes[1], json::value(storage::changeToJson(rows[1])));

    // Paging: `next` is the `since` of the following call; nothing missed, nothing twice.
    std::vector<std::int64_t> seen;
    std::int64_t since = 0;
    for (int i = 0; i < 10; ++i) {
        const auto page = body(
            call("GET", "/api/v1/changes?limit=4&since=" + std::to_string(since), kAdminToken));
        const auto& list = page.as_object().at("changes").as_array();
        for (const auto& c : list) {
            seen.push_back(num(c, "seq"));
        }
        EXPECT_LE(list.size(), 4u);
        since = num(page, "next");
        if (list.empty()) {
            break;
        }
    }
    ASSERT_EQ(seen.size(), changes.size());
    EXPECT_EQ(since, last) << "an empty page keeps next where it was";
}

// SPEC §9.2: a school token sees only its school's changes; a transfer both schools'.
TEST_F(HandlersTest, ASchoolTokenSeesItsSchoolsChangesAndTransfersBothWays) {
    auto kinds = [&](const std::string& token) {
        std::vector<std::string> out;
        const auto v = body(call("GET", "/api/v1/changes", token));
        for (const auto& c : v.as_object().at("changes").as_array()) {
            const auto& o = c.as_object();
            const std::string school = str(o, "school");
            const std::string from = o.contains("from_school") ? str(o, "from_school") : "";
            out.push_back(str(o, "kind") + "@" + school + (from.empty() ? "" : "<" + from));
        }
        return out;
    };
    const auto a = kinds(kTokenA);
    const auto b = kinds(kTokenB);
    ASSERT_EQ(a.size(), 8u) << ::testing::PrintToString(a);
    ASSERT_EQ(b.size(), 4u) << ::testing::PrintToString(b);
    const std::string transfer = std::string("account.transferred@") + kB + "<" + kA;
    EXPECT_EQ(a.back(), transfer);
    EXPECT_EQ(b.back(), transfer);
    for (std::size_t i = 0; i + 1 < a.size(); ++i) {
        EXPECT_THAT(a[i], HasSubstr(std::string("@") + kA));
    }
    for (std::size_t i = 0; i + 1 < b.size(); ++i) {
        EXPECT_THAT(b[i], HasSubstr(std::string("@") + kB));
    }
}

TEST_F(HandlersTest, MetricsShowASchoolTokenOnlyItsSchool) {
    storage::RunRecord ra = DirectoryFiller::record(kA, "applied", 1);
    ra.counts["create"] = 3;
    metrics_.runFinished(ra, 0.2);
    metrics_.runFinished(DirectoryFiller::record(kB, "failed", 1), 1.5);
    const auto admin = call("GET", "/metrics", kAdminToken);
    ASSERT_EQ(admin.status, 200u);
    EXPECT_EQ(admin.contentType, status::kMetricsType);
    EXPECT_THAT(std::string(admin.contentType), HasSubstr("text/plain; version=0.0.4"));
    const std::string a = kA;
    const std::string b = kB;
    EXPECT_THAT(admin.body,
                HasSubstr("misync_runs_total{school=\"" + a + "\",outcome=\"applied\"} 1"));
    EXPECT_THAT(admin.body,
                HasSubstr("misync_runs_total{school=\"" + b + "\",outcome=\"failed\"} 1"));
    EXPECT_THAT(admin.body, HasSubstr("misync_school_stale{school=\"" + b + "\"}"));
    EXPECT_THAT(admin.body, HasSubstr("misync_last_success_timestamp_seconds{school=\"" + a +
                                      "\"} 1793601000"));
    EXPECT_THAT(admin.body, HasSubstr("misync_queue_length 3"));
    EXPECT_THAT(admin.body, HasSubstr("misync_build_info{version=\"0.1.0-test\"} 1"));
    EXPECT_THAT(admin.body, HasSubstr("misync_actions_total{kind=\"create\"} 3"));

    const auto mine = call("GET", "/metrics", kTokenA);
    ASSERT_EQ(mine.status, 200u);
    EXPECT_THAT(mine.body, HasSubstr("school=\"" + a + "\""));
    EXPECT_THAT(mine.body, Not(HasSubstr(b))) << "no sample of another school";
    EXPECT_THAT(mine.body, Not(HasSubstr(kC)));
    EXPECT_THAT(mine.body, HasSubstr("misync_queue_length 3"));
}

}  // namespace
