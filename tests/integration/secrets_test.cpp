// Scenario 10 (P3, P4): generated passwords appear only in the credential export and in
// `accounts show --show-password`; never in logs (even at debug level), run output, run
// records, history, or in plain text anywhere in the directory database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::Contains;
using testing::HasSubstr;

constexpr const char* kSchool = "6612001";

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class SecretsTest : public E2eTest {
  protected:
    // Everything printed or stored that must not hold a password, with where it came from.
    std::vector<std::pair<std::string, std::string>> seen;

    Result debug(std::vector<std::string> args) {
        Result r = misync(std::move(args), {{"SPDLOG_LEVEL", "debug"}});
        seen.emplace_back("stdout", r.out);
        seen.emplace_back("stderr", r.err);
        return r;
    }
    // A query's rows on the directory, as the sqlite3 command line prints them.
    std::string sql(const std::string& statement) { return directory().query(statement); }
};

TEST_F(SecretsTest, PasswordsNeverLeakIntoLogsRunsOrTheDatabase) {
    writeConfig({{kSchool, "", ""}}, "regenerate_username_on_rename = true");
    SchoolExtract x;
    x.students = {{.id = "1001",
                   .upn = makeUpn(kSchool, 1),
                   .forename = "Aled",
                   .surname = "Jones",
                   .year = "8",
                   .reg = "8A",
                   .admissionDate = "2024-09-01"},
                  {.id = "1002",
                   .upn = makeUpn(kSchool, 2),
                   .forename = "Bethan",
                   .surname = "Evans",
                   .year = "8",
                   .reg = "8A",
                   .admissionDate = "2024-09-01"}};
    x.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen"}};
    writeSchool(kSchool, x);

    Result day1 = debug({"run", "--json", "--as-of", "2025-03-01"});
    ASSERT_EQ(day1.status, 0) << day1.err;
    EXPECT_THAT(day1.err, HasSubstr("school=" + std::string(kSchool))) << "logs are captured";
    // P3: the key lives outside the database, readable by its owner only.
    struct stat key {};
    ASSERT_EQ(::stat((dir() / "secret.key").c_str(), &key), 0);
    EXPECT_EQ(key.st_mode & 0777, 0600u);
    std::map<std::string, std::string> passwords;  // username → password
    for (const char* role : {"learner", "staff"}) {
        for (auto& [user, row] : credentials(kSchool, role)) {
            passwords[user] = row["Password"];
        }
    }
    ASSERT_EQ(passwords.size(), 3u);

    // Day 2: a legal surname change with regenerate_username_on_rename (R4): a new username,
    // the old one kept as an alias, and a new visible password.
    x.students[1].surname = "Prys";
    writeSchool(kSchool, x);
    Result day2 = debug({"run", "--json", "--as-of", "2025-03-02"});
    ASSERT_EQ(day2.status, 0) << day2.err;
    const json::object run2 = runOf(parseJson(day2.out), kSchool);
    EXPECT_EQ(countOf(run2, "rename"), 1);
    json::object renamed = showAccount("prysb", true);
    EXPECT_EQ(str(renamed, "username"), "prysb");
    EXPECT_THAT(renamed.at("aliases").as_array(), Contains(json::value("evansb")));
    EXPECT_EQ(str(showAccount("evansb"), "username"), "prysb") << "an alias finds the account";
    const std::string newPassword = str(renamed, "password");
    EXPECT_NE(newPassword, passwords["evansb"]);
    auto exported = credentials(kSchool, "learner");
    EXPECT_EQ(exported["prysb"]["Password"], newPassword);
    passwords["prysb"] = newPassword;

    // P3: `accounts show --show-password` gives what the export gives; without it, nothing.
    EXPECT_EQ(str(showAccount("jonesa", true), "password"), passwords["jonesa"]);
    EXPECT_FALSE(showAccount("jonesa").contains("password"));

    // Everything else that may be read: runs, history, accounts, groups, status, human output.
    debug({"run", "--as-of", "2025-03-02"});
    debug({"history", "--school", kSchool, "--json"});
    debug({"history", "--school", kSchool});
    for (std::int64_t id = 1; id <= 3; ++id) {
        debug({"show-run", std::to_string(id), "--json"});
        debug({"show-run", std::to_string(id)});
    }
    debug({"accounts", "list", "--json"});
    debug({"accounts", "list"});
    debug({"accounts", "show", "jonesa"});
    debug({"groups", "list", "--json"});
    seen.emplace_back("runs table", sql("SELECT * FROM runs"));
    seen.emplace_back("run_actions table", sql("SELECT * FROM run_actions"));
    seen.emplace_back("the directory's dump", directory().dump());
    // The raw bytes of the database and its write-ahead log (SQLite).
    for (const char* suffix : {"", "-wal"}) {
        const fs::path p = database().string() + suffix;
        if (fs::exists(p)) {
            seen.emplace_back(p.filename().string(), readAll(p));
        }
    }
    EXPECT_EQ(sql("SELECT count(*) FROM runs"), "3\n");

    for (const auto& [user, password] : passwords) {
        ASSERT_GE(password.size(), 8u) << user;
        for (const auto& [where, text] : seen) {
            EXPECT_EQ(text.find(password), std::string::npos)
                << "password of " << user << " found in " << where;
        }
    }
}

}  // namespace
}  // namespace misync::e2e
