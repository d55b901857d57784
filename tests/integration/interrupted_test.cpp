// Runs in flight and runs whose process died (issue 9, docs/reliability.md), with real
// processes: a run of a live process shows as `running` in `misync status`, `history` and the
// JSON views and is never marked interrupted by another process; once its process is gone, the
// next `misync run` marks it `interrupted` (finished_at set, an `interrupted` error), and the
// school's status counts it as a failure; a `misync run` killed while waiting for a school leaves
// nothing `running` after the next start.
#include <gtest/gtest.h>
#include <signal.h>

#include "e2e_fixture.h"
#include "storage/directory.h"

namespace misync::e2e {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSchoolA = "6612001";
constexpr const char* kSchoolB = "6612002";

std::vector<Student> learners(const std::string& dfes, int count) {
    std::vector<Student> out;
    for (int i = 0; i < count; ++i) {
        out.push_back({.id = std::to_string(100 + i),
                       .upn = makeUpn(dfes, i),
                       .forename = "Aled",
                       .surname = "Jones",
                       .year = "7",
                       .reg = "7A",
                       .admissionDate = "2024-09-01"});
    }
    return out;
}

class InterruptedTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchoolA, "", ""}, {kSchoolB, "", ""}});
        writeSchool(kSchoolA, {.students = learners(kSchoolA, 5)});
        writeSchool(kSchoolB, {.students = learners(kSchoolB, 5)});
    }

    json::object statusOf(std::string_view school) {
        Result r = misync({"status", "--json"});
        EXPECT_EQ(r.status, 0) << r.err;
        const json::value all = parseJson(r.out);
        for (const auto& s : all.as_array()) {
            if (str(s, "school") == school) {
                return s.as_object();
            }
        }
        ADD_FAILURE() << "no status for " << school << ": " << r.out;
        return {};
    }

    std::string outcomeOf(std::int64_t id) {
        return directory().scalar("SELECT outcome FROM runs WHERE id = " + std::to_string(id));
    }
};

TEST_F(InterruptedTest, ALiveProcesssRunStaysRunningAndADeadOnesIsMarkedInterrupted) {
    runJson("2025-01-15");
    // This test process plays a run in flight: its `running` row, its owner lock held.
    auto live = directory().open();
    const std::int64_t id = markRunningRow(*live, kSchoolA);
    ASSERT_NE(id, 0);

    json::object a = statusOf(kSchoolA);
    ASSERT_TRUE(a.at("last_run").is_object()) << json::serialize(a);
    EXPECT_EQ(str(a.at("last_run"), "outcome"), "running");
    EXPECT_EQ(num(a, "consecutive_failures"), 0);
    json::array h = history(kSchoolA);
    ASSERT_FALSE(h.empty());
    EXPECT_EQ(str(h[0], "outcome"), "running");
    EXPECT_EQ(str(h[0], "finished_at"), "");
    Result human = misync({"status"});
    EXPECT_NE(human.out.find("running"), std::string::npos) << human.out;

    // Another process's run, and its start-up look, leave a live process's row alone.
    json::value runs = runJson("2025-01-16");
    EXPECT_EQ(str(runOf(runs, kSchoolA), "outcome"), "no_change");
    EXPECT_EQ(outcomeOf(id), "running");

    // The process is gone (its owner lock with it): the next start marks its run interrupted.
    live.reset();
    runJson("2025-01-16");
    EXPECT_EQ(outcomeOf(id), "interrupted");
    auto run = parseJson(misync({"show-run", std::to_string(id), "--json"}).out);
    EXPECT_EQ(str(run, "outcome"), "interrupted");
    EXPECT_NE(str(run, "finished_at"), "");
    ASSERT_EQ(run.at("errors").as_array().size(), 1u) << json::serialize(run);
    EXPECT_EQ(str(run.at("errors").as_array()[0], "code"), "interrupted");
    EXPECT_EQ(directory().scalar("SELECT count(*) FROM runs WHERE outcome = 'running'"), "0");
}

TEST_F(InterruptedTest, AnInterruptedLastRunCountsAsAFailureUntilTheNextSuccess) {
    runJson("2025-01-15");
    {
        auto gone = directory().open();
        markRunningRow(*gone, kSchoolB);
    }  // its process "died": the owner lock is free
    // The daemon's and `misync run`'s start-up look; a dry run writes nothing, not even that.
    Result plan = misync({"run", "--dry-run", "--as-of", "2025-01-16"});
    EXPECT_EQ(plan.status, 0) << plan.err;
    EXPECT_EQ(directory().scalar("SELECT count(*) FROM runs WHERE outcome = 'running'"), "1");
    // Taking the school's lease marks it too (a run of school A alone does not touch B's row,
    // but its start-up look over every school does).
    runJson("2025-01-16", {"--school", kSchoolA});
    EXPECT_EQ(directory().scalar("SELECT count(*) FROM runs WHERE outcome = 'running'"), "0");
    json::object b = statusOf(kSchoolB);
    EXPECT_EQ(str(b.at("last_run"), "outcome"), "interrupted");
    EXPECT_EQ(num(b, "consecutive_failures"), 1);
    bool failedFlag = false;
    for (const auto& f : b.at("flags").as_array()) {
        failedFlag = failedFlag || f.as_string() == "failed";
    }
    EXPECT_TRUE(failedFlag) << json::serialize(b);
    runJson("2025-01-16", {"--school", kSchoolB});
    b = statusOf(kSchoolB);
    EXPECT_EQ(num(b, "consecutive_failures"), 0);
}

TEST_F(InterruptedTest, ARunKilledWhileWaitingForItsSchoolLeavesNothingRunning) {
    runJson("2025-01-15");
    writeSchool(kSchoolB, {.students = learners(kSchoolB, 8)});
    HeldSchool held = holdSchool(kSchoolB);
    Background bg = misyncInBackground({"run", "--json", "--as-of", "2025-01-16"});
    ASSERT_TRUE(awaitLeaseWaiters(kSchoolB, 1)) << "the run did not wait for school B";
    // Waiting for B: A's run has committed (a batch commits before it waits), B's has not begun.
    EXPECT_EQ(directory().scalar("SELECT outcome FROM runs WHERE school = '" +
                                 std::string(kSchoolA) + "' ORDER BY id DESC LIMIT 1"),
              "no_change");
    ::kill(bg.pid, SIGKILL);
    finish(bg);
    held.release();
    // SQLite's batched pass announced B (`running`) before it began; PostgreSQL's run writes its
    // row once it holds the lease. Either way the next start leaves nothing running.
    const std::string left =
        directory().scalar("SELECT count(*) FROM runs WHERE outcome = 'running'");
    EXPECT_EQ(left, onPostgresql() ? "0" : "1");
    json::value runs = runJson("2025-01-16");
    EXPECT_EQ(str(runOf(runs, kSchoolB), "outcome"), "applied");
    EXPECT_EQ(directory().scalar("SELECT count(*) FROM runs WHERE outcome = 'running'"), "0");
    EXPECT_EQ(directory().scalar("SELECT count(*) FROM runs WHERE outcome = 'interrupted'"),
              onPostgresql() ? "0" : "1");
    EXPECT_EQ(accounts({"--school", kSchoolB}).size(), 8u);
}

}  // namespace
}  // namespace misync::e2e