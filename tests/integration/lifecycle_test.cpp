// On-roll rules over several days (R1, R2, R3, R5: admission and start dates, guests, future
// leaving dates, matching without a UPN) and the safety guards of S3/S4.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::UnorderedElementsAre;

constexpr const char* kSchool = "6612001";

Student pupil(std::string id, int serial, std::string forename, std::string surname) {
    return Student{.id = std::move(id),
                   .upn = makeUpn(kSchool, serial),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = "Year 7",
                   .reg = "7A",
                   .admissionDate = "2025-09-01"};
}

std::set<std::string> misIds(const std::vector<json::object>& actions) {
    std::set<std::string> out;
    for (const auto& a : actions) {
        out.insert(str(a, "mis_id"));
    }
    return out;
}

class LifecycleTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}});
    }
};

TEST_F(LifecycleTest, AdmissionStartAndLeavingDatesGuestsAndMissingUpns) {
    SchoolExtract x;
    x.students = {pupil("1001", 1, "Aled", "Jones"), pupil("1002", 2, "Bethan", "Evans"),
                  pupil("1003", 3, "Carwyn", "Hughes"), pupil("1004", 4, "Dylan", "Price")};
    x.students[0].upn.clear();  // matched by (school, MIS id) (R1)
    x.students[0].enrolmentStatus = "Single Registration";
    x.students[1].admissionDate = "2025-09-15";
    x.students[2].enrolmentStatus = "G";
    x.students[3].leavingDate = "2025-09-30";
    x.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen", .startDate = "2025-10-01"}};
    writeSchool(kSchool, x);

    // Day 1: only 1001 and 1004 are on roll (1002 not yet admitted, 1003 a guest, the
    // teacher not yet started; 1004's leaving date is still to come).
    const json::object d1 = runOf(runJson("2025-09-10"), kSchool);
    EXPECT_EQ(misIds(actionsOf(d1, "create")), (std::set<std::string>{"1001", "1004"}));
    EXPECT_EQ(countOf(d1, "rejected"), 0) << json::serialize(d1.at("errors"));

    // Day 2: 1001 gains a UPN and a preferred forename; 1002's admission date is today.
    x.students[0].upn = makeUpn(kSchool, 1);
    x.students[0].preferredForename = "Al";
    writeSchool(kSchool, x);
    const json::object d2 = runOf(runJson("2025-09-15"), kSchool);
    EXPECT_EQ(misIds(actionsOf(d2, "create")), (std::set<std::string>{"1002"}));
    EXPECT_EQ(misIds(actionsOf(d2, "update")), (std::set<std::string>{"1001"}));
    EXPECT_EQ(countOf(d2, "deactivate"), 0);
    json::array all = accounts();
    EXPECT_EQ(all.size(), 3u);
    auto aled = byMisId(all, kSchool, "1001");
    ASSERT_TRUE(aled);
    EXPECT_EQ(str(*aled, "username"), "jonesa");
    EXPECT_EQ(str(*aled, "upn"), makeUpn(kSchool, 1));
    EXPECT_EQ(str(*aled, "display_name"), "Al Jones");
    EXPECT_EQ(str(*aled, "legal_forename"), "Aled");
    EXPECT_FALSE(byMisId(all, kSchool, "1003")) << "a guest gets no account";

    // Day 3: 1004's leaving date has passed; the teacher has started.
    const json::object d3 = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(misIds(actionsOf(d3, "deactivate")), (std::set<std::string>{"1004"}));
    EXPECT_EQ(misIds(actionsOf(d3, "create")), (std::set<std::string>{"2001"}));
    EXPECT_EQ(str(*byMisId(accounts(), kSchool, "1004"), "status"), "deactivated");
    EXPECT_EQ(accounts({"--role", "staff", "--status", "active"}).size(), 1u);
}

// S4: a complete snapshot with no learners at all for a school with learner accounts is held.
TEST_F(LifecycleTest, ShrinkGuardHoldsAnEmptyRoll) {
    SchoolExtract x;
    x.students = {pupil("1001", 1, "Aled", "Jones"), pupil("1002", 2, "Bethan", "Evans"),
                  pupil("1003", 3, "Carwyn", "Hughes")};
    x.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen"}};
    writeSchool(kSchool, x);
    runJson("2025-10-01");
    const json::array before = accounts();

    x.students.clear();
    writeSchool(kSchool, x);
    Result r = misync({"run", "--json", "--as-of", "2025-10-02"});
    const json::object run = runOf(parseJson(r.out), kSchool);
    EXPECT_EQ(str(run, "outcome"), "held");
    EXPECT_EQ(r.status, 3);
    EXPECT_EQ(json::serialize(accounts()), json::serialize(before));
}

// S3: deactivating more than 20 % and more than 10 of the school's accounts is held.
TEST_F(LifecycleTest, DeactivationGuardHoldsAMassLeaving) {
    SchoolExtract x;
    for (int i = 1; i <= 40; ++i) {
        x.students.push_back(
            pupil(std::to_string(1000 + i), i, "Pupil", "Number" + std::to_string(i)));
    }
    writeSchool(kSchool, x);
    runJson("2025-10-01");
    const json::array before = accounts();

    x.students.resize(25);  // 15 of 40 gone: 37.5 % and more than 10
    writeSchool(kSchool, x);
    Result r = misync({"run", "--json", "--as-of", "2025-10-02"});
    const json::object run = runOf(parseJson(r.out), kSchool);
    EXPECT_EQ(str(run, "outcome"), "held");
    EXPECT_EQ(r.status, 3);
    EXPECT_EQ(json::serialize(accounts()), json::serialize(before));
}

// S6: an extract older than stale_after_hours (default 48) is applied with a warning.
TEST_F(LifecycleTest, StaleExtractIsAppliedWithAWarning) {
    SchoolExtract x;
    x.students = {pupil("1001", 1, "Aled", "Jones")};
    writeSchool(kSchool, x);
    const auto old = fs::file_time_type::clock::now() - std::chrono::hours(72);
    for (const char* f : {"students.xml", "staff.xml", "groups.xml"}) {
        fs::last_write_time(schoolDir(kSchool) / f, old);
    }
    const json::object run = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(str(run, "outcome"), "applied");
    EXPECT_EQ(countOf(run, "create"), 1);
    bool stale = false;
    for (const auto& w : run.at("warnings").as_array()) {
        stale = stale || str(w, "code") == "stale_extract";
    }
    EXPECT_TRUE(stale) << json::serialize(run);
}

// SPEC §1: a temporary UPN (a letter in position 13) is replaced by the permanent one in a
// later extract. The learner (same MIS id) is still on the complete roll, so R5's "absent"
// does not apply: the account must be kept, not replaced by a second one.
TEST_F(LifecycleTest, TemporaryUpnReplacedByThePermanentOne) {
    const std::string body = std::string(kSchool) + "1200A";
    const std::string temporary = std::string(1, upnCheckLetter(body)) + body;
    SchoolExtract x;
    x.students = {pupil("1001", 1, "Aled", "Jones")};
    x.students[0].upn = temporary;
    writeSchool(kSchool, x);
    const json::object d1 = runOf(runJson("2025-10-01"), kSchool);
    ASSERT_EQ(countOf(d1, "create"), 1) << json::serialize(d1.at("errors"));

    x.students[0].upn = makeUpn(kSchool, 1);
    writeSchool(kSchool, x);
    const json::object d2 = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(countOf(d2, "create"), 0);
    EXPECT_EQ(countOf(d2, "deactivate"), 0);
    json::array all = accounts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(str(all[0], "username"), "jonesa");
    EXPECT_EQ(str(all[0], "upn"), makeUpn(kSchool, 1));
    EXPECT_EQ(str(all[0], "status"), "active");
}

}  // namespace
}  // namespace misync::e2e
