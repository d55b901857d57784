// Scenario 8: a dry run (`run --dry-run`, `plan`) shows the plan and changes nothing; the real
// run then does what was planned; a second run over the same input plans nothing (R12).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

constexpr const char* kSchool = "6612001";

Student pupil(std::string id, int serial, std::string forename, std::string surname,
              std::string reg) {
    return Student{.id = std::move(id),
                   .upn = makeUpn(kSchool, serial),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = "Year 9",
                   .reg = std::move(reg),
                   .admissionDate = "2023-09-01"};
}

GroupRow in(std::string group, std::string id) {
    return GroupRow{.group = std::move(group), .type = "Registration", .year = "9", .id = id};
}

// What identifies an action, without times.
std::vector<std::string> actionKeys(const json::object& run) {
    std::vector<std::string> out;
    for (const auto& a : run.at("actions").as_array()) {
        out.push_back(str(a, "action") + " " + str(a, "mis_id") + " " + str(a, "username") + " " +
                      str(a, "group"));
    }
    return out;
}

class DryRunTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}});
        SchoolExtract x;
        x.students = {pupil("1001", 1, "Aled", "Jones", "9A"),
                      pupil("1002", 2, "Bethan", "Evans", "9A"),
                      pupil("1003", 3, "Carwyn", "Hughes", "9A")};
        x.groups = {in("9A", "1001"), in("9A", "1002"), in("9A", "1003")};
        writeSchool(kSchool, x);
    }
    // Day 2: 1002 has gone, 1003 moved to 9B, 1004 joined.
    void writeDay2() {
        SchoolExtract x;
        x.students = {pupil("1001", 1, "Aled", "Jones", "9A"),
                      pupil("1003", 3, "Carwyn", "Hughes", "9B"),
                      pupil("1004", 4, "Dewi", "Jones", "9B")};
        x.groups = {in("9A", "1001"), in("9B", "1003"), in("9B", "1004")};
        writeSchool(kSchool, x);
    }
};

TEST_F(DryRunTest, PlanChangesNothingAndMatchesTheRun) {
    // A dry run on an empty directory plans the creates and creates nothing.
    const json::object first = runOf(runJson("2025-10-01", {"--dry-run"}), kSchool);
    EXPECT_EQ(str(first, "outcome"), "planned");
    EXPECT_EQ(countOf(first, "create"), 3);
    EXPECT_TRUE(accounts().empty());
    EXPECT_TRUE(history(kSchool).empty());

    const json::object day1 = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(str(day1, "outcome"), "applied");
    EXPECT_EQ(actionKeys(day1), actionKeys(first)) << "the dry run planned what the run did";

    writeDay2();
    const json::array accountsBefore = accounts();
    const json::array groupsBefore = groups();
    const json::array historyBefore = history(kSchool);

    const json::object dry = runOf(runJson("2025-10-02", {"--dry-run"}), kSchool);
    EXPECT_EQ(str(dry, "outcome"), "planned");
    EXPECT_EQ(countOf(dry, "create"), 1);
    EXPECT_EQ(countOf(dry, "deactivate"), 1);
    EXPECT_EQ(countOf(dry, "update"), 1);
    EXPECT_EQ(countOf(dry, "group_create"), 1);
    EXPECT_EQ(countOf(dry, "membership_remove"), 2);  // 1002 and 1003 leave 9A
    EXPECT_EQ(countOf(dry, "membership_add"), 2);     // 1003 and 1004 join 9B
    auto planned = actionsOf(dry, "create");
    ASSERT_EQ(planned.size(), 1u);
    EXPECT_EQ(str(planned[0], "username"), "jonesd");

    Result plan = misync({"plan", "--json", "--as-of", "2025-10-02"});
    EXPECT_EQ(plan.status, 0) << plan.err;
    const json::object planRun = runOf(parseJson(plan.out), kSchool);
    EXPECT_EQ(str(planRun, "outcome"), "planned");
    EXPECT_EQ(planRun.at("counts"), dry.at("counts"));
    EXPECT_EQ(actionKeys(planRun), actionKeys(dry));

    // Nothing changed.
    EXPECT_EQ(json::serialize(accounts()), json::serialize(accountsBefore));
    EXPECT_EQ(json::serialize(groups()), json::serialize(groupsBefore));
    EXPECT_EQ(json::serialize(history(kSchool)), json::serialize(historyBefore));

    // The run does what was planned.
    const json::object day2 = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(str(day2, "outcome"), "applied");
    EXPECT_EQ(day2.at("counts"), dry.at("counts"));
    EXPECT_EQ(actionKeys(day2), actionKeys(dry));

    // R12: the same input again plans nothing.
    const json::object again = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(str(again, "outcome"), "no_change");
    for (const auto& kv : again.at("counts").as_object()) {
        EXPECT_EQ(kv.value().to_number<std::int64_t>(), 0) << kv.key();
    }
    EXPECT_TRUE(again.at("actions").as_array().empty());
    const json::object dryAgain = runOf(runJson("2025-10-02", {"--dry-run"}), kSchool);
    EXPECT_EQ(str(dryAgain, "outcome"), "planned");
    EXPECT_EQ(totalCounts(dryAgain), 0);
    json::array hist = history(kSchool);
    ASSERT_EQ(hist.size(), 3u);
    EXPECT_EQ(str(hist[0], "outcome"), "no_change");
}

// A dry run over several schools shows the usernames the real pass gives: a name planned for
// one school is not free for the next (U3, U6).
TEST_F(DryRunTest, DryRunOverSeveralSchoolsPlansTheUsernamesTheRunGives) {
    const std::string other = "6612002";
    writeConfig({{kSchool, "", ""}, {other, "", ""}});
    SchoolExtract x;
    x.students = {Student{.id = "5001",
                          .upn = makeUpn(other, 1),
                          .forename = "Aled",
                          .surname = "Jones",
                          .year = "9",
                          .admissionDate = "2023-09-01"}};
    writeSchool(other, x);
    json::value plan = runJson("2025-10-01", {"--dry-run"});
    json::value run = runJson("2025-10-01");
    for (const std::string& s : {std::string(kSchool), other}) {
        EXPECT_EQ(actionKeys(runOf(plan, s)), actionKeys(runOf(run, s))) << s;
    }
    auto planned = actionsOf(runOf(plan, other), "create");
    ASSERT_EQ(planned.size(), 1u);
    EXPECT_EQ(str(planned[0], "username"), "jonesa1");  // jonesa goes to the first school
}

}  // namespace
}  // namespace misync::e2e
