// R8–R10 through the real binary: what administrators do in the portal survives every later
// sync — consent, Digital Champion, a password they set, a rename, a deactivation — and manual
// accounts are never touched by a sync, which reports a possible duplicate instead.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::Contains;
using testing::HasSubstr;
using testing::Not;

constexpr const char* kSchool = "6612001";

Student pupil(std::string id, int serial, std::string forename, std::string surname,
              std::string reg) {
    return Student{.id = std::move(id),
                   .upn = makeUpn(kSchool, serial),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = "Year 7",
                   .reg = std::move(reg),
                   .admissionDate = "2025-09-01"};
}

class PortalOwnedTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}}, "regenerate_username_on_rename = true\n");
        x_.students = {pupil("1001", 1, "Aled", "Jones", "7A"),
                       pupil("1002", 2, "Bethan", "Evans", "7A"),
                       pupil("1003", 3, "Carys", "Price", "7B")};
        x_.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen", .staffCode = "GO"},
                    {.id = "2002", .forename = "Huw", .surname = "Morgan", .staffCode = "HM"}};
        x_.groups = {{.group = "7A", .type = "Registration", .year = "7", .id = "1001"},
                     {.group = "7A", .type = "Registration", .year = "7", .id = "1002"},
                     {.group = "7B", .type = "Registration", .year = "7", .id = "1003"}};
        writeSchool(kSchool, x_);
        ASSERT_EQ(countOf(runOf(runJson("2025-10-01"), kSchool), "create"), 5);
    }

    void ok(std::vector<std::string> args) {
        Result r = misync(std::move(args));
        ASSERT_EQ(r.status, 0) << r.out << r.err;
    }

    SchoolExtract x_;
};

TEST_F(PortalOwnedTest, EveryPortalOwnedAttributeSurvivesLaterSyncs) {
    writeFile(dir() / "pw.txt", "GreenTrain47\n");
    ok({"consent", "confirm", "jonesa", "pricec"});
    ok({"accounts", "promote", "oweng"});
    ok({"accounts", "reset-password", "evansb", "--password-file", (dir() / "pw.txt").string()});
    ok({"accounts", "rename", "jonesa", "--surname", "Jones-Bowen"});
    ok({"accounts", "deactivate", "pricec"});

    // The MIS changes everything it owns: names (with regenerate_username_on_rename), groups,
    // staff codes. Two runs, so that the second one shows the first left nothing pending.
    x_.students[0].surname = "Jonas";  // the administrator renamed Aled: the MIS must not
    x_.students[0].reg = "7B";
    x_.students[1].surname = "Evans-Lloyd";  // R4: a new username, but Bethan's password stays
    x_.students[2].reg = "7A";
    x_.staff[0].staffCode = "GOW";
    x_.groups = {{.group = "7A", .type = "Registration", .year = "7", .id = "1002"},
                 {.group = "7A", .type = "Registration", .year = "7", .id = "1003"},
                 {.group = "7B", .type = "Registration", .year = "7", .id = "1001"}};
    writeSchool(kSchool, x_);
    const json::object run = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(str(run, "outcome"), "applied") << json::serialize(run);
    EXPECT_EQ(countOf(run, "reactivate"), 0);
    EXPECT_EQ(countOf(run, "deactivate"), 0);
    const json::object again = runOf(runJson("2025-10-03"), kSchool);
    EXPECT_EQ(str(again, "outcome"), "no_change") << json::serialize(again);

    // Consent and the administrator's rename (R9), with the MIS attributes updated.
    const json::object aled = showAccount("jonesa");
    EXPECT_TRUE(aled.at("consent").as_bool());
    EXPECT_EQ(str(aled, "legal_surname"), "Jones-Bowen");
    EXPECT_EQ(str(aled, "display_name"), "Aled Jones-Bowen");
    EXPECT_EQ(str(aled, "reg_group"), "7B");
    EXPECT_EQ(str(aled, "username"), "jonesa") << "no MIS rename, no new username";
    EXPECT_TRUE(aled.at("name_set_by_administrator").as_bool());

    // The administrator's password survives a regenerated username (R4, R9).
    const json::object bethan = showAccount("evansb", true);
    EXPECT_EQ(str(bethan, "username"), "evanslloydb");
    EXPECT_THAT(bethan.at("aliases").as_array(), Contains(json::value("evansb")));
    EXPECT_EQ(str(bethan, "password"), "GreenTrain47");
    EXPECT_TRUE(bethan.at("password_set_by_administrator").as_bool());

    // The administrator's deactivation holds while Carys is on roll, consent kept too.
    const json::object carys = showAccount("pricec");
    EXPECT_EQ(str(carys, "status"), "deactivated");
    EXPECT_TRUE(carys.at("deactivated_by_administrator").as_bool());
    EXPECT_TRUE(carys.at("consent").as_bool());
    EXPECT_EQ(str(carys, "reg_group"), "7A") << "MIS attributes still follow the MIS";
    EXPECT_THAT(membersOf(*groupOf(groups(), kSchool, "7A")), Not(Contains("pricec")))
        << "R11: a deactivated account is in no group";

    // The Digital Champion stays one.
    const json::object gwen = showAccount("oweng");
    EXPECT_TRUE(gwen.at("digital_champion").as_bool());
    EXPECT_EQ(str(gwen, "staff_code"), "GOW");

    // Until an administrator reactivates Carys: then the next sync keeps her active.
    ok({"accounts", "reactivate", "pricec"});
    const json::object after = runOf(runJson("2025-10-04"), kSchool);
    EXPECT_EQ(countOf(after, "deactivate"), 0) << json::serialize(after);
    EXPECT_EQ(str(showAccount("pricec"), "status"), "active");
    EXPECT_THAT(membersOf(*groupOf(groups(), kSchool, "7A")), Contains("pricec"));
}

TEST_F(PortalOwnedTest, ALeaverDeactivatedByAnAdministratorIsNotReactivatedWhenSheReturns) {
    ok({"accounts", "deactivate", "pricec"});
    x_.students[2].leavingDate = "2025-10-02";
    writeSchool(kSchool, x_);
    runJson("2025-10-03");
    x_.students[2].leavingDate.clear();
    x_.students[2].admissionDate = "2025-10-05";
    writeSchool(kSchool, x_);
    const json::object back = runOf(runJson("2025-10-06"), kSchool);
    EXPECT_EQ(countOf(back, "reactivate"), 0) << "R9: only an administrator undoes it";
    EXPECT_EQ(str(showAccount("pricec"), "status"), "deactivated");
}

TEST_F(PortalOwnedTest, ManualAccountsAreNeverTouchedAndANewNameMatchIsReported) {
    ok({"accounts", "add", "--school", kSchool, "--role", "non_mis", "--forename", "Dewi",
        "--surname", "Prys"});
    ok({"accounts", "add", "--school", kSchool, "--role", "governor", "--forename", "Rhian",
        "--surname", "Bevan"});
    const json::array before = accounts({"--school", kSchool, "--role", "non_mis"});
    // A complete roll that does not list them (no MIS does) deactivates nothing manual (R8); a
    // new learner with the same name as the non-MIS account is still created, with a warning.
    x_.students.push_back(pupil("1004", 4, "Dewi", "Prys", "7A"));
    writeSchool(kSchool, x_);
    const json::object run = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(countOf(run, "create"), 1);
    EXPECT_EQ(countOf(run, "deactivate"), 0);
    bool warned = false;
    for (const auto& w : run.at("warnings").as_array()) {
        if (str(w, "code") == "possible_duplicate") {
            warned = true;
            EXPECT_THAT(str(w, "message"), HasSubstr("prysd"));
        }
    }
    EXPECT_TRUE(warned) << json::serialize(run);
    EXPECT_EQ(json::serialize(accounts({"--school", kSchool, "--role", "non_mis"})),
              json::serialize(before));
    EXPECT_EQ(str(showAccount("bevanr"), "status"), "active");
}

}  // namespace
}  // namespace misync::e2e
