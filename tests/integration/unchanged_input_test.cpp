// A run over unchanged input is recognised without re-reading it (docs/performance.md), but
// only when that cannot change the outcome: R12 (nothing planned, the same reports), R5 dates
// that come due, and R7 hand-overs made by another school's run must all still be honoured.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

constexpr const char* kA = "6612010";
constexpr const char* kB = "6612020";

Student pupil(std::string_view school, std::string id, int serial, std::string forename,
              std::string surname) {
    return Student{.id = std::move(id),
                   .upn = makeUpn(school, serial),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = "Year 9",
                   .reg = "9A",
                   .admissionDate = "2023-09-01"};
}

class UnchangedInputTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kA, "", ""}, {kB, "", ""}});
    }
};

TEST_F(UnchangedInputTest, SecondRunReportsWhatAFullRunWould) {
    SchoolExtract a;
    a.students = {pupil(kA, "1", 1, "Aled", "Jones"), pupil(kA, "2", 2, "Bethan", "Evans")};
    a.students[1].upn = withWrongCheckLetter(a.students[1].upn);  // rejected every run (R15)
    writeSchool(kA, a);
    writeSchool(kB, {});
    const json::object first = runOf(runJson("2025-10-01"), kA);
    ASSERT_EQ(str(first, "outcome"), "applied");
    const json::object second = runOf(runJson("2025-10-01"), kA);
    EXPECT_EQ(str(second, "outcome"), "no_change");
    EXPECT_EQ(countOf(second, "rejected"), 1);
    EXPECT_EQ(second.at("errors"), first.at("errors"));
    EXPECT_EQ(second.at("source"), first.at("source"));  // files and their sha256
    EXPECT_EQ(totalCounts(second), 1);
}

TEST_F(UnchangedInputTest, RewrittenFilesAreComparedByContent) {
    SchoolExtract a;
    a.students = {pupil(kA, "1", 1, "Aled", "Jones")};
    writeSchool(kA, a);
    writeSchool(kB, {});
    runJson("2025-10-01");
    writeSchool(kA, a);  // the nightly export rewrites the same content
    const json::object same = runOf(runJson("2025-10-02"), kA);
    EXPECT_EQ(str(same, "outcome"), "no_change");
    a.students[0].reg = "9B";  // same size, other content
    writeSchool(kA, a);
    const json::object changed = runOf(runJson("2025-10-03"), kA);
    EXPECT_EQ(str(changed, "outcome"), "applied");
    EXPECT_EQ(countOf(changed, "update"), 1);
}

// The second school of a run is read ahead while the first is planned and written: the same
// outcomes hold for it (identical rewrite → no change; changed content → applied).
TEST_F(UnchangedInputTest, ASchoolReadAheadGivesTheSameOutcomes) {
    SchoolExtract a;
    a.students = {pupil(kA, "1", 1, "Aled", "Jones")};
    SchoolExtract b;
    b.students = {pupil(kB, "2", 2, "Bethan", "Evans")};
    writeSchool(kA, a);
    writeSchool(kB, b);
    runJson("2025-10-01");
    writeSchool(kA, a);
    writeSchool(kB, b);
    json::value same = runJson("2025-10-02");
    EXPECT_EQ(str(runOf(same, kB), "outcome"), "no_change");
    b.students[0].reg = "9B";
    writeSchool(kB, b);
    json::value changed = runJson("2025-10-03");
    EXPECT_EQ(str(runOf(changed, kA), "outcome"), "no_change");
    EXPECT_EQ(str(runOf(changed, kB), "outcome"), "applied");
    EXPECT_EQ(countOf(runOf(changed, kB), "update"), 1);
    // A broken file in the school read ahead fails that school alone, naming the file.
    writeFile(schoolDir(kB) / "staff.xml", "<SuperStarReport><Record>");
    json::value broken = runJson("2025-10-04", {}, 1);
    EXPECT_EQ(str(runOf(broken, kB), "outcome"), "failed");
    EXPECT_EQ(str(runOf(broken, kB).at("errors").as_array().front(), "file"), "staff.xml");
    EXPECT_EQ(str(runOf(broken, kA), "outcome"), "no_change");
}

TEST_F(UnchangedInputTest, ALeavingDateThatComesDueIsStillApplied) {
    SchoolExtract a;
    a.students = {pupil(kA, "1", 1, "Aled", "Jones")};
    a.students[0].leavingDate = "2025-10-05";
    writeSchool(kA, a);
    writeSchool(kB, {});
    ASSERT_EQ(countOf(runOf(runJson("2025-10-01"), kA), "create"), 1);
    EXPECT_EQ(str(runOf(runJson("2025-10-04"), kA), "outcome"), "no_change");
    const json::object due = runOf(runJson("2025-10-05"), kA);  // same files, date reached (R5)
    EXPECT_EQ(countOf(due, "deactivate"), 1);
}

TEST_F(UnchangedInputTest, AHandOverByAnotherSchoolIsSeen) {
    // Day 1: both schools list the learner: B waits (R7).
    SchoolExtract a;
    a.students = {pupil(kA, "1", 1, "Aled", "Jones")};
    SchoolExtract b;
    b.students = {pupil(kA, "77", 1, "Aled", "Jones")};  // same UPN, B's own MIS id
    writeSchool(kA, a);
    writeSchool(kB, b);
    runJson("2025-10-01");
    const json::object waiting = runOf(runJson("2025-10-01", {"--school", kB}), kB);
    EXPECT_EQ(countOf(waiting, "awaiting_transfer"), 1);
    // Day 2: A records the leaver and hands the account over in its own run; B's files are
    // untouched, but B's next run must see that it owns the learner now.
    a.students[0].leavingDate = "2025-10-01";
    writeSchool(kA, a);
    const json::object handOver = runOf(runJson("2025-10-02", {"--school", kA}), kA);
    ASSERT_EQ(countOf(handOver, "transfer"), 1);
    const json::object after = runOf(runJson("2025-10-02", {"--school", kB}), kB);
    EXPECT_EQ(countOf(after, "awaiting_transfer"), 0);
    EXPECT_TRUE(after.at("warnings").as_array().empty());
    auto acc = byUpn(accounts(), makeUpn(kA, 1));
    ASSERT_TRUE(acc);
    EXPECT_EQ(str(*acc, "school"), kB);
}

TEST_F(UnchangedInputTest, AChangedConfigurationIsARealRun) {
    SchoolExtract a;
    a.students = {pupil(kA, "1", 1, "Aled", "Jones")};
    writeSchool(kA, a);
    writeSchool(kB, {});
    runJson("2025-10-01");
    // The files stay as they are; the school now maps its registration group to another column.
    writeConfig({{kA, "", "[school.fields]\nreg_group = \"Year\""}, {kB, "", ""}});
    const json::object r = runOf(runJson("2025-10-01"), kA);
    EXPECT_EQ(str(r, "outcome"), "applied");
    EXPECT_EQ(countOf(r, "update"), 1);
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1"), "reg_group"), "Year 9");
}

}  // namespace
}  // namespace misync::e2e
