// RunLog on every backend (S1, SPEC §9): runs listed newest first with `before` paging, one run
// with a page of its actions and their total (GET /api/v1/runs/{id}?offset=&limit=), and getRun the
// same run with every action.
#include <gtest/gtest.h>

#include "storage/directory.h"
#include "tests/support/test_directory.h"

using namespace misync;

namespace {

class RunPageTest : public testsupport::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = open();
    }
    void TearDown() override {
        store_.reset();
        StoreTest::TearDown();
    }

    std::int64_t run(const std::string& school, int actions) {
        storage::RunRecord r;
        r.school = school;
        r.connector = "sims-xml";
        r.asOf = "2026-11-28";
        r.startedAt = "2026-11-28T06:29:00Z";
        r.finishedAt = "2026-11-28T06:30:00Z";
        r.outcome = actions > 0 ? "applied" : "no_change";
        r.files = {{"students.xml", std::string(64, 'b'), 12}};
        r.warnings = {{"possible_duplicate", "two Aled Joneses"}};
        r.errors = {{"invalid_upn", "students.xml", 7, "bad check letter"}};
        for (int i = 0; i < actions; ++i) {
            reconcile::Action a;
            a.kind = reconcile::ActionKind::Update;
            a.school = school;
            a.username = "user" + std::to_string(i);
            a.reason = "MIS attributes changed";
            a.changes = {{"reg_group", "7A", "7B"}};
            r.actions.push_back(a);
            ++r.counts["update"];
        }
        store_->recordRun(r);
        return r.id;
    }

    std::unique_ptr<storage::Directory> store_;
};

TEST_P(RunPageTest, APageOfActionsWithTheirTotal) {
    const std::int64_t id = run("6612345", 7);
    const auto full = store_->getRun(id);
    ASSERT_TRUE(full.has_value());
    ASSERT_EQ(full->actions.size(), 7u);

    const auto page = store_->getRunPage(id, 2, 3);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->totalActions, 7);
    ASSERT_EQ(page->run.actions.size(), 3u);
    EXPECT_EQ(page->run.actions[0].username, "user2");
    EXPECT_EQ(page->run.actions[2].username, "user4");
    EXPECT_EQ(page->run.actions[0].changes.size(), 1u);
    // Everything but the actions is the run as getRun reads it.
    auto withoutActions = *full;
    withoutActions.actions.clear();
    auto pageRun = page->run;
    pageRun.actions.clear();
    EXPECT_EQ(storage::runToJson(pageRun), storage::runToJson(withoutActions));
    EXPECT_EQ(page->run.counts["update"], 7u);
    EXPECT_EQ(page->run.errors.size(), 1u);
    EXPECT_EQ(page->run.errors[0].record, 7u);

    EXPECT_EQ(store_->getRunPage(id, 5, 10)->run.actions.size(), 2u);
    EXPECT_TRUE(store_->getRunPage(id, 7, 10)->run.actions.empty());
    EXPECT_TRUE(store_->getRunPage(id, 0, 0)->run.actions.empty()) << "limit 0: none";
    EXPECT_EQ(store_->getRunPage(id, 0, 0)->totalActions, 7);
    EXPECT_FALSE(store_->getRunPage(id + 1, 0, 10).has_value());
    EXPECT_FALSE(store_->getRun(id + 1).has_value());
}

TEST_P(RunPageTest, RunsAreListedNewestFirstPerSchool) {
    std::vector<std::int64_t> a;
    for (int i = 0; i < 5; ++i) {
        a.push_back(run("6612345", i % 2));
        run("6612346", 0);
    }
    auto ids = [](const std::vector<storage::RunRecord>& runs) {
        std::vector<std::int64_t> out;
        for (const auto& r : runs) {
            out.push_back(r.id);
            EXPECT_TRUE(r.actions.empty()) << "listed runs carry no actions";
        }
        return out;
    };
    EXPECT_EQ(ids(store_->listRuns("6612345", 20)),
              (std::vector<std::int64_t>{a[4], a[3], a[2], a[1], a[0]}));
    EXPECT_EQ(ids(store_->listRuns("6612345", 2)), (std::vector<std::int64_t>{a[4], a[3]}));
    EXPECT_EQ(ids(store_->listRuns("6612345", 2, a[3])), (std::vector<std::int64_t>{a[2], a[1]}));
    EXPECT_TRUE(store_->listRuns("6612347", 20).empty());
    const auto one = store_->listRuns("6612345", 1, a[2]).front();
    EXPECT_EQ(one.files.size(), 1u);
    EXPECT_EQ(one.warnings.size(), 1u);
    EXPECT_EQ(one.outcome, "applied");
}

// The status endpoint's fast path gives, byte for byte, what runToJson gives for the same runs:
// strings that need escaping, extracted_at, approved_run, errors with and without a record.
TEST_P(RunPageTest, RunSummariesAreRunToJsonByteForByte) {
    run("6612345", 2);
    storage::RunRecord odd;
    odd.school = "6612345";
    odd.trigger = "api";
    odd.connector = "ctf";
    odd.asOf = "2026-11-29";
    odd.startedAt = "2026-11-29T06:29:00Z";
    odd.finishedAt = "2026-11-29T06:30:00Z";
    odd.outcome = "held";
    odd.extractedAt = "2026-11-27T06:00:00Z";
    odd.approvedRun = 1;
    odd.files = {{"Ysgol \"Bro\" ŵ\\x\n.xml", std::string(64, 'c'), 0}};
    odd.warnings = {{"stale_extract", "tab\there, quote \" and ŷ"}};
    odd.errors = {{"unreadable", "a\u0001b.xml", 0, "no record"}, {"invalid_upn", "s.xml", 9, "x"}};
    odd.counts["deactivate"] = 500;
    store_->recordRun(odd);
    run("6612346", 0);  // another school's
    run("6612345", 0);

    for (const auto& [limit, before] :
         std::vector<std::pair<int, std::int64_t>>{{20, 0}, {2, 0}, {1, odd.id}, {5, odd.id + 1}}) {
        std::string expected;
        for (const auto& r : store_->listRuns("6612345", limit, before)) {
            expected += (expected.empty() ? "" : ",") +
                        boost::json::serialize(storage::runToJson(r, false));
        }
        std::string out = "[";
        const int n = store_->appendRunSummaries("6612345", limit, before, out);
        EXPECT_EQ(out, "[" + expected) << limit << " before " << before;
        EXPECT_EQ(n, static_cast<int>(store_->listRuns("6612345", limit, before).size()));
    }
    std::string none;
    EXPECT_EQ(store_->appendRunSummaries("6612399", 20, 0, none), 0);
    EXPECT_TRUE(none.empty());
}

// dataVersion() changes with every commit, through this Directory or another, and not otherwise.
TEST_P(RunPageTest, TheDataVersionChangesWithEveryCommit) {
    auto other = open();  // another connection to the same directory
    const auto v0 = store_->dataVersion();
    store_->listRuns("6612345", 20);
    EXPECT_EQ(store_->dataVersion(), v0) << "reading changes nothing";
    const auto w0 = other->dataVersion();
    run("6612345", 1);  // through store_
    const auto v1 = store_->dataVersion();
    EXPECT_NE(v1, v0);
    EXPECT_NE(other->dataVersion(), w0) << "another connection sees the commit";
    storage::RunRecord r;
    r.school = "6612345";
    r.outcome = "no_change";
    other->recordRun(r);
    EXPECT_NE(store_->dataVersion(), v1);
}

MISYNC_ON_EVERY_BACKEND(RunPageTest);

}  // namespace
