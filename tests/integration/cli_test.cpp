// Scenarios 9 and 11: exit statuses and option placement (SPEC §8), and the housekeeping
// commands (`db migrate`, `check-config`, `version`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;

constexpr const char* kSchool = "6612001";

class CliTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "Ysgol Prawf", ""}});
        SchoolExtract x;
        x.students = {{.id = "1001",
                       .upn = makeUpn(kSchool, 1),
                       .forename = "Aled",
                       .surname = "Jones",
                       .year = "3",
                       .admissionDate = "2024-09-01"}};
        writeSchool(kSchool, x);
    }
    Result raw(const std::vector<std::string>& args) { return execute(MISYNC_BINARY, args); }
};

TEST_F(CliTest, SuccessIsZero) {
    Result r = misync({"run", "--as-of", "2025-01-10"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(kSchool));
    EXPECT_THAT(r.out, HasSubstr("applied"));
}

// SPEC §10: `misync service …` is the Windows service's; on Linux it is a usage error that
// points to systemd, whatever follows it, and touches nothing.
TEST_F(CliTest, ServiceCommandsAreWindowsOnlyAndPointToSystemd) {
    for (const auto& args : std::vector<std::vector<std::string>>{{"service", "install"},
                                                                  {"service", "uninstall"},
                                                                  {"service", "reload"},
                                                                  {"service"}}) {
        Result r = misync(args);
        EXPECT_EQ(r.status, 2) << args.back();
        EXPECT_THAT(r.err, HasSubstr("only on Windows"));
        EXPECT_THAT(r.err, HasSubstr("systemctl"));
    }
}

TEST_F(CliTest, GlobalOptionsBeforeOrAfterTheCommand) {
    const std::string cfg = config().string();
    const std::vector<std::vector<std::string>> spellings{
        {"run", "--config", cfg, "--json", "--as-of", "2025-01-10"},
        {"--config", cfg, "--json", "--as-of", "2025-01-11", "run"},
        {"--json", "run", "--school", kSchool, "--as-of", "2025-01-12", "--config", cfg},
        {"--as-of", "2025-01-13", "run", "--dry-run", "--config", cfg, "--json"},
    };
    int day = 10;
    for (const auto& args : spellings) {
        Result r = raw(args);
        ASSERT_EQ(r.status, 0) << r.err;
        const json::object run = runOf(parseJson(r.out), kSchool);
        EXPECT_EQ(str(run, "as_of"), "2025-01-" + std::to_string(day++));
    }
    // After the command's own arguments too.
    Result hist = raw({"history", "--school", kSchool, "--config", cfg, "--json"});
    ASSERT_EQ(hist.status, 0) << hist.err;
    EXPECT_EQ(parseJson(hist.out).at("runs").as_array().size(), 3u);  // the dry run is not kept
}

TEST_F(CliTest, UsageAndConfigurationErrorsAreTwo) {
    // An unknown key in the configuration names the key.
    std::string text = directoryToml() + "colour = \"blue\"\n";
    writeFile(dir() / "bad.toml", text);
    for (const char* command : {"check-config", "run"}) {
        Result r = execute(MISYNC_BINARY, {"--config", (dir() / "bad.toml").string(), command});
        EXPECT_EQ(r.status, 2) << command << ": " << r.err;
        EXPECT_THAT(r.err, HasSubstr("colour")) << command;
    }
    // A configuration file that does not exist.
    EXPECT_EQ(execute(MISYNC_BINARY, {"--config", (dir() / "none.toml").string(), "run"}).status,
              2);
    // A school that is not configured, or not a DfES number.
    Result unknown = misync({"run", "--school", "6619999", "--as-of", "2025-01-10"});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_THAT(unknown.err, HasSubstr("6619999"));
    EXPECT_EQ(misync({"run", "--school", "12345"}).status, 2);
    // A bad --as-of.
    EXPECT_EQ(misync({"run", "--as-of", "2025-13-01"}).status, 2);
    EXPECT_EQ(misync({"run", "--as-of", "yesterday"}).status, 2);
    EXPECT_EQ(misync({"run", "--as-of", "2025-02-30"}).status, 2);
    // An unknown command, a missing command, an unknown option.
    EXPECT_EQ(misync({"frobnicate"}).status, 2);
    EXPECT_EQ(misync({}).status, 2);
    EXPECT_EQ(misync({"run", "--no-such-option"}).status, 2);
    // A mistyped command is named, with the commands of its level; a missing one is not
    // mistaken for one.
    Result typo = misync({"stauts"});
    EXPECT_EQ(typo.status, 2);
    EXPECT_THAT(typo.err, HasSubstr("unknown command 'stauts' for misync;"));
    EXPECT_THAT(typo.err, HasSubstr("status"));
    Result nested = misync({"accounts", "lst"});
    EXPECT_EQ(nested.status, 2);
    EXPECT_THAT(nested.err, HasSubstr("unknown command 'lst' for misync accounts;"));
    EXPECT_THAT(nested.err, HasSubstr("list, show"));
    Result none = misync({"db"});
    EXPECT_EQ(none.status, 2);
    EXPECT_THAT(none.err, HasSubstr("A subcommand is required"));
    // None of these ran anything.
    EXPECT_TRUE(history(kSchool).empty());
    EXPECT_TRUE(accounts().empty());
}

TEST_F(CliTest, DbMigrateOnAFreshPathAndWhenUpToDate) {
    // SQLite: a directory path in a folder that does not exist yet. PostgreSQL: the test's
    // empty database.
    const fs::path fresh = dir() / "state" / "fresh.db";
    testsupport::TestDirectory sqliteFresh(testsupport::Backend::Sqlite, fresh);
    const testsupport::TestDirectory& db = onPostgresql() ? directory() : sqliteFresh;
    std::string text =
        (onPostgresql() ? directoryToml() : "[directory]\npath = \"" + fresh.string() + "\"\n") +
        "[secrets]\nkey_file = \"" + (dir() / "k").string() + "\"\n";
    writeFile(dir() / "fresh.toml", text);
    const std::vector<std::string> cfg{"--config", (dir() / "fresh.toml").string()};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), cfg.begin(), cfg.end());
        return execute(MISYNC_BINARY, args);
    };
    Result first = with({"db", "migrate", "--json"});
    ASSERT_EQ(first.status, 0) << first.err;
    json::value v = parseJson(first.out);
    EXPECT_EQ(num(v, "previous_version"), 0);
    EXPECT_GE(num(v, "applied"), 1);
    const std::int64_t version = num(v, "schema_version");
    EXPECT_GE(version, 1);
    if (!onPostgresql()) {
        ASSERT_TRUE(fs::exists(fresh));
    }
    EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_version"), std::to_string(version));
    for (const char* table :
         {"accounts", "groups", "memberships", "runs", "run_actions", "usernames"}) {
        EXPECT_EQ(db.exec(std::string("SELECT count(*) FROM ") + table), "") << table;
    }

    Result again = with({"db", "migrate"});
    EXPECT_EQ(again.status, 0) << again.err;
    EXPECT_THAT(again.out, HasSubstr("up to date"));
    EXPECT_THAT(again.out, HasSubstr(std::to_string(version)));
    Result againJson = with({"db", "migrate", "--json"});
    json::value w = parseJson(againJson.out);
    EXPECT_EQ(num(w, "applied"), 0);
    EXPECT_EQ(num(w, "schema_version"), version);

    // A directory newer than this binary is refused, not used.
    ASSERT_EQ(db.exec("UPDATE schema_version SET version = version + 100"), "");
    Result newer = with({"accounts", "list"});
    EXPECT_NE(newer.status, 0);
    EXPECT_THAT(newer.err, HasSubstr("newer"));
}

TEST_F(CliTest, CheckConfigAndVersion) {
    Result ok = misync({"check-config"});
    EXPECT_EQ(ok.status, 0) << ok.err;
    EXPECT_THAT(ok.out, HasSubstr("valid"));
    Result js = misync({"check-config", "--json"});
    ASSERT_EQ(js.status, 0);
    json::value v = parseJson(js.out);
    EXPECT_TRUE(v.at("valid").as_bool());
    ASSERT_EQ(v.at("schools").as_array().size(), 1u);
    EXPECT_EQ(str(v.at("schools").as_array()[0], "school"), kSchool);
    EXPECT_EQ(str(v.at("schools").as_array()[0], "connector"), "sims-xml");
    // check-config never touches the directory.
    if (onPostgresql()) {
        EXPECT_EQ(directory().scalar("SELECT count(*) FROM information_schema.tables "
                                     "WHERE table_schema = 'public'"),
                  "0");
    } else {
        EXPECT_FALSE(fs::exists(database()));
    }
    // A PostgreSQL directory is checked without connecting, and its connection string (which may
    // hold a password) is not printed.
    writeFile(dir() / "pg.toml",
              "[directory]\nbackend = \"postgresql\"\nconnection = \"host=127.0.0.1 dbname=x "
              "password=sesame\"\n");
    Result pg = execute(MISYNC_BINARY, {"--config", (dir() / "pg.toml").string(), "check-config"});
    EXPECT_EQ(pg.status, 0) << pg.out << pg.err;
    EXPECT_THAT(pg.out + pg.err, testing::Not(HasSubstr("sesame")));

    Result ver = raw({"version"});
    EXPECT_EQ(ver.status, 0);
    EXPECT_THAT(ver.out, testing::MatchesRegex("misync [0-9]+\\.[0-9]+\\.[0-9]+.*\n"));
    Result verJson = raw({"version", "--json"});
    EXPECT_EQ(verJson.status, 0);
    EXPECT_FALSE(str(parseJson(verJson.out), "version").empty());
}

// Several processes opening a new directory at once (a daemon and a CLI command at first
// start): one creates the schema, the others wait for it and use it.
TEST_F(CliTest, ConcurrentFirstOpenOfANewDirectory) {
    const std::vector<std::vector<std::string>> commands{{"db", "migrate"},
                                                         {"accounts", "list"},
                                                         {"run", "--as-of", "2025-01-10"},
                                                         {"groups", "list"}};
    for (int round = 0; round < 6; ++round) {
        dropDirectory();
        std::vector<Result> results(commands.size());
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < commands.size(); ++i) {
            threads.emplace_back([&, i] { results[i] = misync(commands[i]); });
        }
        for (auto& t : threads) {
            t.join();
        }
        for (std::size_t i = 0; i < commands.size(); ++i) {
            EXPECT_EQ(results[i].status, 0)
                << "round " << round << " " << commands[i][0] << ": " << results[i].err;
        }
    }
}

}  // namespace
}  // namespace misync::e2e
