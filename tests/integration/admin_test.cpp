// The administrator commands of SPEC §8 through the real binary, over a directory made by a real
// sync run: accounts add|deactivate|reactivate|reset-password|rename|promote|demote and consent
// confirm|withdraw — their effects, their refusals (exit 2, the rule named, nothing changed),
// their --json shapes, and the change log entries they leave (SPEC §9.2, P4).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

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

class AdminTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}});
        extract_.students = {
            pupil("1001", 1, "Aled", "Jones", "7A"), pupil("1002", 2, "Bethan", "Evans", "7A"),
            pupil("1003", 3, "Carys", "Price", "7B"), pupil("1004", 4, "Dafydd", "Hughes", "7A")};
        extract_.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen"},
                          {.id = "2002", .forename = "Huw", .surname = "Morgan"}};
        for (const char* id : {"1001", "1002", "1004"}) {
            extract_.groups.push_back(
                {.group = "7A", .type = "Registration", .year = "7", .id = id});
        }
        extract_.groups.push_back(
            {.group = "7B", .type = "Registration", .year = "7", .id = "1003"});
        extract_.groups.push_back({.group = "7A",
                                   .type = "Registration",
                                   .year = "7",
                                   .id = "2001",
                                   .memberType = "Staff"});
        writeSchool(kSchool, extract_);
        const json::object run = runOf(runJson("2025-10-01"), kSchool);
        ASSERT_EQ(countOf(run, "create"), 6) << json::serialize(run);
    }

    // Runs an administrator command that must succeed and returns its --json output.
    json::object admin(std::vector<std::string> args) {
        args.emplace_back("--json");
        Result r = misync(args);
        EXPECT_EQ(r.status, 0) << args[0] << " " << args[1] << "\nstdout: " << r.out
                               << "\nstderr: " << r.err;
        json::value v = parseJson(r.out);
        EXPECT_TRUE(v.is_object()) << r.out;
        if (!v.is_object()) {
            return {};
        }
        // The shape every administrator command prints (SPEC §8 --json).
        EXPECT_TRUE(v.as_object().contains("accounts")) << r.out;
        EXPECT_TRUE(v.as_object().at("accounts").is_array()) << r.out;
        EXPECT_TRUE(v.as_object().contains("warnings")) << r.out;
        return v.as_object();
    }

    // A refused command: exit 2, "misync: <rule>…" on stderr, the directory unchanged.
    void expectRefused(std::vector<std::string> args, const std::string& prefix) {
        const std::string before = misync({"accounts", "list", "--json"}).out;
        const std::string changesBefore = misync({"changes", "--json"}).out;
        Result r = misync(args);
        EXPECT_EQ(r.status, 2) << args[0] << " " << args[1] << "\n" << r.out << r.err;
        EXPECT_THAT(r.err, StartsWith("misync: " + prefix)) << args[1];
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(misync({"accounts", "list", "--json"}).out, before) << "nothing changed";
        EXPECT_EQ(misync({"changes", "--json"}).out, changesBefore) << "nothing logged";
    }

    std::vector<json::object> changesOf(std::string_view kind) {
        Result r = misync({"changes", "--json"});
        EXPECT_EQ(r.status, 0) << r.err;
        std::vector<json::object> out;
        json::value v = parseJson(r.out);
        for (const auto& c : v.as_object().at("changes").as_array()) {
            if (str(c, "kind") == kind) {
                out.push_back(c.as_object());
            }
        }
        return out;
    }

    static json::object first(const json::object& out) {
        const auto& a = out.at("accounts").as_array();
        EXPECT_FALSE(a.empty()) << json::serialize(out);
        return a.empty() ? json::object{} : a.front().as_object();
    }

    static std::vector<std::string> codes(const json::object& out) {
        std::vector<std::string> c;
        for (const auto& w : out.at("warnings").as_array()) {
            c.push_back(str(w, "code"));
        }
        return c;
    }

    SchoolExtract extract_;
};

TEST_F(AdminTest, AddCreatesAManualAccountWithANewUsernameAndAVisiblePassword) {
    json::object out = admin({"accounts", "add", "--school", kSchool, "--role", "non_mis",
                              "--forename", " Aled ", "--surname", "Jones", "--actor", "ffion"});
    json::object a = first(out);
    EXPECT_EQ(str(a, "username"), "jonesa1") << "U3: jonesa is taken by the MIS learner";
    EXPECT_EQ(str(a, "email"), "jonesa1@hwbcymru.net");
    EXPECT_EQ(str(a, "role"), "non_mis");
    EXPECT_EQ(str(a, "source"), "manual");
    EXPECT_EQ(str(a, "school"), kSchool);
    EXPECT_EQ(str(a, "status"), "active");
    EXPECT_EQ(str(a, "legal_forename"), "Aled");
    EXPECT_EQ(str(a, "display_name"), "Aled Jones");
    EXPECT_TRUE(a.at("password_available").as_bool());
    EXPECT_FALSE(a.contains("password")) << "P3: printed only with --show-password";
    EXPECT_THAT(codes(out), testing::ElementsAre("possible_duplicate")) << "R8";
    EXPECT_EQ(json::serialize(showAccount("jonesa1")), json::serialize(a));

    json::object gov =
        first(admin({"accounts", "add", "--school", kSchool, "--role", "governor", "--forename",
                     "Rhian", "--surname", "Bevan", "--dob", "1975-03-02", "--show-password"}));
    EXPECT_EQ(str(gov, "username"), "bevanr");
    EXPECT_EQ(str(gov, "dob"), "1975-03-02");
    EXPECT_EQ(str(gov, "password"), str(showAccount("bevanr", true), "password"));
    EXPECT_EQ(credentials(kSchool, "learner").count("bevanr"), 0u);

    auto created = changesOf("account.created");
    ASSERT_FALSE(created.empty());
    const json::object& c = created[created.size() - 2];
    EXPECT_EQ(str(c, "username"), "jonesa1");
    EXPECT_EQ(str(c, "actor"), "ffion");
    EXPECT_TRUE(c.at("run_id").is_null());
    EXPECT_EQ(str(c.at("fields"), "source"), "manual");
}

TEST_F(AdminTest, AddRefusesWhatItCannotCreate) {
    expectRefused({"accounts", "add", "--school", kSchool, "--role", "governor", "--forename", "  ",
                   "--surname", "Bevan"},
                  "R8: the forename cannot be empty");
    Result unconfigured = misync({"accounts", "add", "--school", "6612999", "--role", "governor",
                                  "--forename", "Rhian", "--surname", "Bevan"});
    EXPECT_EQ(unconfigured.status, 2);
    EXPECT_THAT(unconfigured.err, HasSubstr("6612999"));
    Result learner = misync({"accounts", "add", "--school", kSchool, "--role", "learner",
                             "--forename", "Rhian", "--surname", "Bevan"});
    EXPECT_EQ(learner.status, 2) << "learners come from the MIS only (R8)";
    EXPECT_EQ(accounts().size(), 6u);
}

TEST_F(AdminTest, DeactivateAndReactivate) {
    json::object out = admin({"accounts", "deactivate", "jonesa", "--actor", "ffion"});
    json::object a = first(out);
    EXPECT_EQ(str(a, "username"), "jonesa");
    EXPECT_EQ(str(a, "status"), "deactivated");
    EXPECT_FALSE(str(a, "deactivated_at").empty());
    EXPECT_EQ(str(showAccount("jonesa"), "status"), "deactivated");
    // R11: a deactivated account leaves the school's groups.
    auto g = groupOf(groups({"--school", kSchool}), kSchool, "7A");
    ASSERT_TRUE(g);
    EXPECT_THAT(membersOf(*g), Not(testing::Contains("jonesa")));
    EXPECT_THAT(membersOf(*g), testing::Contains("evansb"));
    auto removed = changesOf("membership.removed");
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(str(removed[0], "group"), "7A");
    EXPECT_EQ(str(removed[0], "username"), "jonesa");
    EXPECT_EQ(str(removed[0], "actor"), "ffion");
    EXPECT_TRUE(removed[0].at("run_id").is_null());

    // R9: the next sync plans again (the school was marked dirty) and keeps it deactivated.
    const json::object sync = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(countOf(sync, "reactivate"), 0) << json::serialize(sync);
    EXPECT_EQ(str(showAccount("jonesa"), "status"), "deactivated");

    expectRefused({"accounts", "deactivate", "jonesa"}, "R5: jonesa is already deactivated");
    expectRefused({"accounts", "deactivate", "nobody"},
                  "no account nobody (unknown username or alias)");

    a = first(admin({"accounts", "reactivate", "JONESA"}));
    EXPECT_EQ(str(a, "status"), "active");
    EXPECT_EQ(str(a, "deactivated_at"), "");
    expectRefused({"accounts", "reactivate", "jonesa"}, "R6: jonesa is already active");
    // The next sync puts the account back into its groups (R11).
    runJson("2025-10-03");
    EXPECT_THAT(membersOf(*groupOf(groups({"--school", kSchool}), kSchool, "7A")),
                testing::Contains("jonesa"));
    ASSERT_EQ(changesOf("account.deactivated").size(), 1u);
    ASSERT_EQ(changesOf("account.reactivated").size(), 1u);
}

TEST_F(AdminTest, AnMisLeaverCanBeReactivatedWithAWarning) {
    extract_.students[3].leavingDate = "2025-10-05";
    writeSchool(kSchool, extract_);
    ASSERT_EQ(countOf(runOf(runJson("2025-10-06"), kSchool), "deactivate"), 1);
    json::object out = admin({"accounts", "reactivate", "hughesd"});
    EXPECT_EQ(str(first(out), "status"), "active");
    EXPECT_THAT(codes(out), testing::ElementsAre("not_on_roll"));
}

TEST_F(AdminTest, DeactivatingTheLastDigitalChampionWarns) {
    admin({"accounts", "promote", "oweng"});
    json::object out = admin({"accounts", "deactivate", "oweng"});
    EXPECT_THAT(codes(out), testing::ElementsAre("no_digital_champion"));
}

TEST_F(AdminTest, ResetPasswordTypedFromAFileOrGenerated) {
    const std::string before = str(showAccount("evansb", true), "password");
    json::object out =
        admin({"accounts", "reset-password", "evansb", "--password", "GreenTrain47"});
    EXPECT_EQ(str(first(out), "username"), "evansb");
    EXPECT_FALSE(first(out).contains("password"));
    EXPECT_EQ(str(showAccount("evansb", true), "password"), "GreenTrain47");

    writeFile(dir() / "pw.txt", "BlueHarbour58\n");
    admin({"accounts", "reset-password", "evansb", "--password-file", (dir() / "pw.txt").string()});
    EXPECT_EQ(str(showAccount("evansb", true), "password"), "BlueHarbour58");

    out = admin({"accounts", "reset-password", "evansb", "--show-password"});
    const std::string generated = str(first(out), "password");
    EXPECT_EQ(str(showAccount("evansb", true), "password"), generated);
    EXPECT_NE(generated, before);
    EXPECT_NE(generated, "BlueHarbour58");
    EXPECT_EQ(credentials(kSchool, "learner").at("evansb").at("Password"), generated);

    // P1, naming the rule that failed and never the password (P4).
    for (const auto& [bad, why] : std::vector<std::pair<std::string, std::string>>{
             {"Password1", "block list"},
             {"short1A", "at least 8 characters"},
             {"nouppercase9", "upper-case"},
             {"MyEvansB2024", "must not contain the username"}}) {
        Result r = misync({"accounts", "reset-password", "evansb", "--password", bad});
        EXPECT_EQ(r.status, 2) << bad;
        EXPECT_THAT(r.err, StartsWith("misync: P1: ")) << bad;
        EXPECT_THAT(r.err, HasSubstr(why)) << bad;
        EXPECT_THAT(r.err, Not(HasSubstr(bad)));
    }
    expectRefused({"accounts", "reset-password", "evansb", "--password", "Welcome123"}, "P1: ");
    expectRefused({"accounts", "reset-password", "ghost"}, "no account ghost");
    EXPECT_EQ(str(showAccount("evansb", true), "password"), generated);
    Result empty = misync({"accounts", "reset-password", "evansb", "--password-file", "-"});
    EXPECT_EQ(empty.status, 2) << "standard input is /dev/null here";
    EXPECT_THAT(empty.err, HasSubstr("holds no password"));
    EXPECT_EQ(misync({"accounts", "reset-password"}).status, 2);
}

TEST_F(AdminTest, ResetPasswordsOfARegistrationGroupChangesExactlyItsActiveLearners) {
    admin({"accounts", "deactivate", "hughesd"});  // in 7A, but not active
    const auto learnersBefore = credentials(kSchool, "learner");
    const auto staffBefore = credentials(kSchool, "staff");
    const std::string hughesdBefore = str(showAccount("hughesd", true), "password");

    json::object out = admin({"accounts", "reset-password", "--school", kSchool, "--reg-group",
                              "7A", "--show-password", "--actor", "ffion"});
    std::set<std::string> reset;
    for (const auto& a : out.at("accounts").as_array()) {
        reset.insert(str(a, "username"));
    }
    EXPECT_EQ(reset, (std::set<std::string>{"jonesa", "evansb"}));

    const auto learnersAfter = credentials(kSchool, "learner");
    for (const auto& [username, row] : learnersAfter) {
        const std::string& was = learnersBefore.at(username).at("Password");
        if (reset.count(username) != 0) {
            EXPECT_NE(row.at("Password"), was) << username;
            EXPECT_NE(row.at("Password"), "-") << username;
        } else {
            EXPECT_EQ(row.at("Password"), was) << username;
        }
    }
    for (const auto& a : out.at("accounts").as_array()) {
        EXPECT_EQ(str(a, "password"), learnersAfter.at(str(a, "username")).at("Password"));
    }
    EXPECT_EQ(credentials(kSchool, "staff"), staffBefore) << "the teacher of 7A keeps theirs";
    EXPECT_EQ(str(showAccount("hughesd", true), "password"), hughesdBefore);
    auto resets = changesOf("account.password_reset");
    ASSERT_EQ(resets.size(), 2u);
    for (const auto& c : resets) {
        EXPECT_EQ(str(c, "actor"), "ffion");
        EXPECT_TRUE(c.at("fields").at("password_available").as_bool());
    }
    expectRefused({"accounts", "reset-password", "--school", kSchool, "--reg-group", "9Z"},
                  "R11: registration group 9Z of school 6612001 has no active learners");
}

TEST_F(AdminTest, RenameKeepsTheOldUsernameAsAnAliasThatNoNewcomerGets) {
    const std::string oldPassword = str(showAccount("jonesa", true), "password");
    json::object out = admin({"accounts", "rename", "jonesa", "--surname", "Price",
                              "--new-username", "--show-password"});
    json::object a = first(out);
    EXPECT_EQ(str(a, "username"), "pricea");
    EXPECT_EQ(str(a, "legal_surname"), "Price");
    EXPECT_EQ(str(a, "display_name"), "Aled Price");
    EXPECT_EQ(json::serialize(a.at("aliases")), R"(["jonesa"])");
    EXPECT_NE(str(a, "password"), oldPassword) << "R4: a new visible password";
    // The old username still finds the account (mail still arrives, R4).
    json::object shown = showAccount("jonesa", true);
    EXPECT_EQ(str(shown, "username"), "pricea");
    EXPECT_EQ(str(shown, "password"), str(a, "password"));

    auto renamed = changesOf("account.renamed");
    ASSERT_EQ(renamed.size(), 1u);
    EXPECT_EQ(str(renamed[0], "username"), "pricea");
    EXPECT_EQ(str(renamed[0].at("fields"), "legal_surname"), "Price");

    // Newcomers whose names give the old and the new base get neither name (U3).
    extract_.students.push_back(pupil("1005", 5, "Alys", "Jones", "7B"));
    extract_.students.push_back(pupil("1006", 6, "Aron", "Price", "7B"));
    writeSchool(kSchool, extract_);
    const json::object run = runOf(runJson("2025-10-02"), kSchool);
    std::set<std::string> created;
    for (const auto& c : actionsOf(run, "create")) {
        created.insert(str(c, "username"));
    }
    EXPECT_EQ(created, (std::set<std::string>{"jonesa1", "pricea1"}));
    // R9: the administrator's rename survives the sync, whose MIS still says Jones.
    EXPECT_EQ(countOf(run, "rename"), 0) << json::serialize(run);
    EXPECT_EQ(str(showAccount("pricea"), "legal_surname"), "Price");
}

TEST_F(AdminTest, RenameNamesWithoutANewUsername) {
    json::object a = first(admin({"accounts", "rename", "evansb", "--forename", "Beth"}));
    EXPECT_EQ(str(a, "username"), "evansb");
    EXPECT_EQ(str(a, "legal_forename"), "Beth");
    EXPECT_EQ(str(a, "display_name"), "Beth Evans");
    EXPECT_EQ(json::serialize(a.at("aliases")), "[]");
    expectRefused({"accounts", "rename", "evansb", "--surname", " "},
                  "R4: the surname cannot be empty");
    expectRefused({"accounts", "rename", "evansb"}, "R4: nothing to change");
    expectRefused({"accounts", "rename", "ghost", "--forename", "X"}, "no account ghost");
}

TEST_F(AdminTest, PromoteAndDemoteDigitalChampions) {
    admin({"accounts", "add", "--school", kSchool, "--role", "non_mis", "--forename", "Nia",
           "--surname", "Rees"});
    expectRefused({"accounts", "promote", "jonesa"},
                  "R10: Digital Champions are MIS staff only; jonesa is a learner account");
    expectRefused({"accounts", "promote", "reesn"},
                  "R10: Digital Champions are MIS staff only; reesn is a non-MIS account");
    json::object a = first(admin({"accounts", "promote", "oweng"}));
    EXPECT_TRUE(a.at("digital_champion").as_bool());
    EXPECT_TRUE(showAccount("oweng").at("digital_champion").as_bool());
    expectRefused({"accounts", "promote", "oweng"}, "R10: oweng is already a Digital Champion");
    expectRefused({"accounts", "demote", "oweng"},
                  "R10: oweng is the last active Digital Champion of 6612001; promote another "
                  "first");
    expectRefused({"accounts", "demote", "morganh"}, "R10: morganh is not a Digital Champion");
    admin({"accounts", "promote", "morganh"});
    expectRefused({"accounts", "demote", "oweng", "--actor", "oweng"},
                  "R10: you cannot demote yourself");
    a = first(admin({"accounts", "demote", "oweng", "--actor", "morganh"}));
    EXPECT_FALSE(a.at("digital_champion").as_bool());
    auto changed = changesOf("account.digital_champion_changed");
    ASSERT_EQ(changed.size(), 3u);
    EXPECT_EQ(str(changed[2], "actor"), "morganh");
    EXPECT_FALSE(changed[2].at("fields").at("digital_champion").as_bool());
    // R9: a sync keeps the portal's Digital Champion.
    runJson("2025-10-02");
    EXPECT_TRUE(showAccount("morganh").at("digital_champion").as_bool());
}

TEST_F(AdminTest, ConsentForSeveralLearnersAllOrNone) {
    expectRefused({"consent", "confirm", "jonesa", "nobody", "evansb", "ghost"},
                  "no account nobody, ghost (unknown username or alias)");
    expectRefused({"consent", "confirm", "jonesa", "oweng"},
                  "§8: consent is for learners only: oweng");
    EXPECT_EQ(accounts({"--consent", "yes"}).size(), 0u);

    json::object out = admin({"consent", "confirm", "jonesa", "evansb", "--actor", "ffion"});
    EXPECT_EQ(out.at("accounts").as_array().size(), 2u);
    EXPECT_EQ(json::serialize(out.at("unchanged")), "[]");
    EXPECT_TRUE(showAccount("jonesa").at("consent").as_bool());
    EXPECT_EQ(credentials(kSchool, "learner").at("evansb").at("Consent"), "Yes");

    out = admin({"consent", "confirm", "evansb", "pricec"});
    EXPECT_EQ(out.at("accounts").as_array().size(), 1u);
    EXPECT_EQ(str(first(out), "username"), "pricec");
    EXPECT_EQ(json::serialize(out.at("unchanged")), R"(["evansb"])");

    out = admin({"consent", "withdraw", "jonesa"});
    EXPECT_FALSE(first(out).at("consent").as_bool());
    EXPECT_EQ(accounts({"--consent", "yes"}).size(), 2u);
    auto changed = changesOf("account.consent_changed");
    ASSERT_EQ(changed.size(), 4u);
    EXPECT_EQ(str(changed[0], "actor"), "ffion");
    EXPECT_FALSE(changed[3].at("fields").at("consent").as_bool());
}

// P3: only a command that seals a password needs the secret key; without a usable key it fails,
// naming the key file, and changes nothing.
TEST_F(AdminTest, OnlyCommandsThatSealAPasswordNeedTheKey) {
    writeFile(dir() / "secret.key", "not a key\n");
    admin({"accounts", "promote", "oweng"});
    admin({"consent", "confirm", "jonesa"});
    admin({"accounts", "rename", "evansb", "--forename", "Beth"});
    const std::string before = misync({"accounts", "list", "--json"}).out;
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"accounts", "reset-password", "jonesa"},
          std::vector<std::string>{"accounts", "rename", "jonesa", "--new-username"},
          std::vector<std::string>{"accounts", "add", "--school", kSchool, "--role", "non_mis",
                                   "--forename", "Nia", "--surname", "Rees"}}) {
        Result r = misync(args);
        EXPECT_NE(r.status, 0) << args[1];
        EXPECT_THAT(r.err, HasSubstr("secret.key")) << args[1];
    }
    EXPECT_EQ(misync({"accounts", "list", "--json"}).out, before);
}

TEST_F(AdminTest, TheChangeLogRecordsTheActorAndNeverAPassword) {
    admin({"accounts", "reset-password", "jonesa", "--password", "SecretMoon83"});
    admin({"accounts", "rename", "evansb", "--forename", "Beth", "--new-username"});
    admin({"accounts", "add", "--school", kSchool, "--role", "governor", "--forename", "Rhian",
           "--surname", "Bevan"});
    // Without --actor the OS user is recorded.
    std::string osUser;
    if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr) {
        osUser = pw->pw_name;
    }
    ASSERT_FALSE(osUser.empty());
    Result log = misync({"changes", "--json"});
    ASSERT_EQ(log.status, 0) << log.err;
    std::size_t admins = 0;
    const json::value feed = parseJson(log.out);
    for (const auto& c : feed.at("changes").as_array()) {
        if (c.at("run_id").is_null()) {
            ++admins;
            EXPECT_EQ(str(c, "actor"), osUser) << json::serialize(c);
        }
    }
    EXPECT_EQ(admins, 4u) << "password_reset; renamed + password_reset; created";
    std::vector<std::string> secrets{"SecretMoon83"};
    for (const auto& [u, row] : credentials(kSchool, "learner")) {
        secrets.push_back(row.at("Password"));
    }
    secrets.push_back(str(showAccount("bevanr", true), "password"));
    Result human = misync({"changes"});
    for (const auto& s : secrets) {
        ASSERT_NE(s, "-");
        EXPECT_THAT(log.out, Not(HasSubstr(s))) << "P4";
        EXPECT_THAT(human.out, Not(HasSubstr(s))) << "P4";
    }
}

}  // namespace
}  // namespace misync::e2e
