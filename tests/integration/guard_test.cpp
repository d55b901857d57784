// S3/S4 held runs and their approval, S6 staleness, and R5 purge, through the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/date.h"
#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;

constexpr const char* kSchool = "6612001";

Student pupil(int i) {
    return Student{.id = std::to_string(1000 + i),
                   .upn = makeUpn(kSchool, i),
                   .forename = "Pupil",
                   .surname = "Number" + std::to_string(i),
                   .year = "Year 7",
                   .reg = "7A",
                   .admissionDate = "2025-09-01"};
}

SchoolExtract roll(int first, int last) {
    SchoolExtract x;
    for (int i = first; i <= last; ++i) {
        x.students.push_back(pupil(i));
    }
    return x;
}

bool hasWarning(const json::object& run, std::string_view code, std::string_view text = "") {
    for (const auto& w : run.at("warnings").as_array()) {
        if (str(w, "code") == code && str(w, "message").find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

class GuardTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}});
        writeSchool(kSchool, roll(1, 40));
        runJson("2025-10-01");
    }

    // `run --json` of the school, with the exit status it must have.
    json::object runSchool(const std::string& asOf, int status) {
        return runOf(runJson(asOf, {}, status), kSchool);
    }
    std::int64_t active() {
        return static_cast<std::int64_t>(accounts({"--status", "active"}).size());
    }
};

TEST_F(GuardTest, AMassLeavingIsHeldThenAppliedOnceApproved) {
    const std::string before = json::serialize(accounts());
    writeSchool(kSchool, roll(1, 25));  // 15 of 40 gone
    const json::object held = runSchool("2025-10-02", 3);
    EXPECT_EQ(str(held, "outcome"), "held");
    EXPECT_TRUE(hasWarning(held, "held",
                           "would deactivate 15 of 40 active learner accounts (37%); limit 20% "
                           "and more than 10"))
        << json::serialize(held);
    EXPECT_EQ(countOf(held, "deactivate"), 15) << "the counts say what it would have done";
    EXPECT_EQ(json::serialize(accounts()), before) << "nothing applied";
    const std::int64_t heldId = num(held, "run_id");

    // show-run shows the whole plan; status flags the school.
    Result shown = misync({"show-run", std::to_string(heldId), "--json"});
    ASSERT_EQ(shown.status, 0) << shown.err;
    EXPECT_EQ(actionsOf(parseJson(shown.out).as_object(), "deactivate").size(), 15u);
    Result status = misync({"status", "--json"});
    ASSERT_EQ(status.status, 0) << status.err;
    EXPECT_EQ(num(parseJson(status.out).as_array()[0], "held_run"), heldId) << status.out;

    // Held again on the next run over the same data, until approved.
    EXPECT_EQ(str(runSchool("2025-10-02", 3), "outcome"), "held");
    Result ok = misync({"approve", std::to_string(heldId), "--actor", "ffion", "--json"});
    ASSERT_EQ(ok.status, 0) << ok.err;
    EXPECT_EQ(str(parseJson(ok.out), "approved_by"), "ffion");
    const json::object applied = runSchool("2025-10-02", 0);
    EXPECT_EQ(str(applied, "outcome"), "applied") << json::serialize(applied);
    EXPECT_EQ(countOf(applied, "deactivate"), 15);
    EXPECT_EQ(num(applied, "approved_run"), heldId);
    EXPECT_EQ(active(), 25);

    // Spent: the approval does not carry over to a later mass leaving.
    writeSchool(kSchool, roll(1, 10));
    EXPECT_EQ(str(runSchool("2025-10-03", 3), "outcome"), "held");
    Result twice = misync({"approve", std::to_string(heldId)});
    EXPECT_EQ(twice.status, 2);
    EXPECT_THAT(twice.err, HasSubstr("already approved by ffion"));
}

TEST_F(GuardTest, AnApprovalNoLongerMatchesOnceTheDataChanged) {
    writeSchool(kSchool, roll(1, 25));
    const std::int64_t first = num(runSchool("2025-10-02", 3), "run_id");
    ASSERT_EQ(misync({"approve", std::to_string(first)}).status, 0);
    // The extract changes before the next run: it is judged afresh, and held again.
    writeSchool(kSchool, roll(1, 24));
    const json::object again = runSchool("2025-10-02", 3);
    EXPECT_EQ(str(again, "outcome"), "held");
    EXPECT_FALSE(again.contains("approved_run"));
    EXPECT_TRUE(hasWarning(again, "held", "would deactivate 16 of 40"));
    EXPECT_EQ(active(), 40);
    // That run's plan can be approved in turn, and then applies.
    ASSERT_EQ(misync({"approve", std::to_string(num(again, "run_id"))}).status, 0);
    EXPECT_EQ(str(runSchool("2025-10-02", 0), "outcome"), "applied");
    EXPECT_EQ(active(), 24);
}

TEST_F(GuardTest, OnlyAHeldRunThatNothingSupersededCanBeApproved) {
    const std::int64_t applied = num(history(kSchool)[0], "run_id");
    Result notHeld = misync({"approve", std::to_string(applied)});
    EXPECT_EQ(notHeld.status, 2);
    EXPECT_THAT(notHeld.err, HasSubstr("S3: run " + std::to_string(applied) + " of " + kSchool +
                                       " was not held (outcome applied)"));
    Result unknown = misync({"approve", "999"});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_THAT(unknown.err, HasSubstr("no run 999"));

    writeSchool(kSchool, roll(1, 25));
    const std::int64_t held = num(runSchool("2025-10-02", 3), "run_id");
    writeSchool(kSchool, roll(1, 40));  // the extract is put right: the next run applies
    EXPECT_EQ(str(runSchool("2025-10-02", 0), "outcome"), "no_change");
    Result superseded = misync({"approve", std::to_string(held)});
    EXPECT_EQ(superseded.status, 2);
    EXPECT_THAT(superseded.err, HasSubstr("superseded by run"));
}

TEST_F(GuardTest, ADryRunSaysItWouldBeHeldAndSchoolPolicyCanAllowMore) {
    writeSchool(kSchool, roll(1, 25));
    Result plan = misync({"plan", "--json", "--as-of", "2025-10-02"});
    EXPECT_EQ(plan.status, 0);
    const json::object planned = runOf(parseJson(plan.out), kSchool);
    EXPECT_EQ(str(planned, "outcome"), "planned");
    EXPECT_TRUE(hasWarning(planned, "held", "a real run would be held"));

    writeConfig({{kSchool, "", "[school.policy]\nmax_deactivate_percent = 40\n"}});
    const json::object run = runSchool("2025-10-02", 0);
    EXPECT_EQ(str(run, "outcome"), "applied") << json::serialize(run);
    EXPECT_EQ(active(), 25);
}

TEST_F(GuardTest, AnUnchangedExtractGrowsStaleAndSaysSoEveryRun) {
    const auto old = fs::file_time_type::clock::now() - std::chrono::hours(72);
    for (const char* f : {"students.xml", "staff.xml", "groups.xml"}) {
        fs::last_write_time(schoolDir(kSchool) / f, old);
    }
    // The same content under an older file time: replayed without planning, and stale.
    const json::object run = runSchool("2025-10-02", 0);
    EXPECT_EQ(str(run, "outcome"), "no_change");
    EXPECT_TRUE(hasWarning(run, "stale_extract", "hours old")) << json::serialize(run);
    const json::object again = runSchool("2025-10-03", 0);
    EXPECT_TRUE(hasWarning(again, "stale_extract")) << json::serialize(again);
    Result status = misync({"status", "--json"});
    EXPECT_THAT(status.out, HasSubstr("\"stale\":true"));
    // The same content exported again today is a fresh extract.
    for (const char* f : {"students.xml", "staff.xml", "groups.xml"}) {
        fs::last_write_time(schoolDir(kSchool) / f, fs::file_time_type::clock::now());
    }
    const json::object fresh = runSchool("2025-10-04", 0);
    EXPECT_EQ(str(fresh, "outcome"), "no_change");
    EXPECT_FALSE(hasWarning(fresh, "stale_extract")) << json::serialize(fresh);
    EXPECT_FALSE(hasWarning(runSchool("2025-10-05", 0), "stale_extract"));
}

// R5 purge: after retention_days a deactivated account loses its personal data, keeps its
// username reserved for ever, and a newcomer with the same name gets another one (U3).
using PurgeTest = E2eTest;

TEST_F(PurgeTest, ALeaverIsPurgedAfterTheRetentionPeriodAndTheUsernameStaysTaken) {
    writeConfig({{kSchool, "", ""}}, "retention_days = 30\n");
    SchoolExtract x = roll(1, 12);
    x.students[0].forename = "Aled";
    x.students[0].surname = "Jones";
    writeSchool(kSchool, x);
    // Dates from today: the deactivation time is the wall clock's.
    const core::Date today = core::today();
    runJson(today.toString());
    x.students.erase(x.students.begin());  // Aled leaves (1 of 12: no guard)
    writeSchool(kSchool, x);
    const json::object left = runOf(runJson(today.toString()), kSchool);
    ASSERT_EQ(countOf(left, "deactivate"), 1) << json::serialize(left);

    // Nothing changes in the files; 29 days later nothing is due, 30 days later the purge is.
    EXPECT_EQ(countOf(runOf(runJson(today.addDays(29).toString()), kSchool), "purge"), 0);
    const json::object purged = runOf(runJson(today.addDays(30).toString()), kSchool);
    EXPECT_EQ(str(purged, "outcome"), "applied") << json::serialize(purged);
    EXPECT_EQ(countOf(purged, "purge"), 1);
    const auto acts = actionsOf(purged, "purge");
    ASSERT_EQ(acts.size(), 1u);
    EXPECT_EQ(str(acts[0], "username"), "jonesa");
    EXPECT_FALSE(acts[0].contains("changes")) << "the run keeps nothing of what was removed";
    const json::object a = showAccount("jonesa", true);
    EXPECT_EQ(str(a, "status"), "purged");
    EXPECT_EQ(str(a, "legal_forename"), "");
    EXPECT_EQ(str(a, "legal_surname"), "");
    EXPECT_EQ(str(a, "display_name"), "");
    EXPECT_EQ(str(a, "dob"), "");
    EXPECT_EQ(str(a, "reg_group"), "");
    EXPECT_EQ(str(a, "password"), "-");
    EXPECT_FALSE(a.at("password_available").as_bool());
    EXPECT_EQ(countOf(runOf(runJson(today.addDays(31).toString()), kSchool), "purge"), 0);

    // A newcomer called Aled Jones gets another username; the purged one stays reserved.
    x.students.push_back(pupil(50));
    x.students.back().forename = "Aled";
    x.students.back().surname = "Jones";
    writeSchool(kSchool, x);
    const json::object joined = runOf(runJson(today.addDays(32).toString()), kSchool);
    const auto created = actionsOf(joined, "create");
    ASSERT_EQ(created.size(), 1u);
    EXPECT_EQ(str(created[0], "username"), "jonesa1");
}

}  // namespace
}  // namespace misync::e2e
