// The odbc connector end to end (SPEC §6.5) over real drivers under unixODBC: the SQLite ODBC
// driver on a database file made by the test, and the PostgreSQL driver on a PostgreSQL 15
// server the test starts on loopback (tests/support/pg_server.h) with a password read from
// `source_file`. Queries bind the school's DfES number to `?` and name their columns with the
// canonical field names; the roll is complete (R5); a query missing a required column fails
// the run naming the query and the column; the connection string never reaches the run record,
// the output or the log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "e2e_fixture.h"
#include "tests/support/pg_server.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;
using testing::Not;
using testsupport::PgServer;

constexpr const char* kA = "6612001";
constexpr const char* kB = "6612002";

// The same three queries work on both drivers: the view a school's database would give.
std::string queriesToml(const std::string& learnersSql = "") {
    const std::string learners =
        learnersSql.empty()
            ? "SELECT id AS mis_id, upn, forename AS legal_forename, surname AS legal_surname, "
              "year AS year_group, reg AS reg_group, admitted AS admission_date FROM pupils "
              "WHERE school = ? ORDER BY id"
            : learnersSql;
    return "[school.queries]\nlearners = \"" + learners +
           "\"\nstaff = \"SELECT id AS mis_id, forename AS legal_forename, surname AS "
           "legal_surname, role AS staff_role FROM staff WHERE school = ?\"\n"
           "memberships = \"SELECT code AS group_code, kind AS group_type, year AS year_group, "
           "member AS member_id, member_kind AS member_type FROM memberships WHERE school = ?\"\n";
}

const char* kSchema =
    "CREATE TABLE pupils (school TEXT, id TEXT, upn TEXT, forename TEXT, surname TEXT, "
    "year TEXT, reg TEXT, admitted TEXT);"
    "CREATE TABLE staff (school TEXT, id TEXT, forename TEXT, surname TEXT, role TEXT);"
    "CREATE TABLE memberships (school TEXT, code TEXT, kind TEXT, year TEXT, member TEXT, "
    "member_kind TEXT);";

std::string pupilRow(const char* school, const std::string& id, int serial,
                     const std::string& forename, const std::string& surname,
                     const std::string& admitted = "2025-09-01") {
    return "INSERT INTO pupils VALUES ('" + std::string(school) + "', '" + id + "', '" +
           makeUpn(school, serial) + "', '" + forename + "', '" + surname + "', 'Year 7', '7A', '" +
           admitted + "');";
}

std::string rows() {
    return pupilRow(kA, "1001", 1, "Aled", "Jones") + pupilRow(kA, "1002", 2, "Siân", "Ó Briain") +
           pupilRow(kA, "1003", 3, "Cai", "Parry", "4/9/2025") +  // D/M/YYYY (SPEC §6)
           pupilRow(kB, "1001", 1, "Dewi", "Hughes") +            // another school's row
           "INSERT INTO staff VALUES ('" + kA + "', 'T1', 'Gwen', 'Owen', 'Teacher');" +
           "INSERT INTO memberships VALUES ('" + kA +
           "', '7A', 'Registration', '7', '1001', "
           "'Pupil');" +
           "INSERT INTO memberships VALUES ('" + kA +
           "', '7A', 'Registration', '7', 'T1', "
           "'Staff');";
}

class OdbcTest : public E2eTest {
  protected:
    void expectNoSecret(const Result& r, const std::string& secret) {
        EXPECT_THAT(r.out, Not(HasSubstr(secret)));
        EXPECT_THAT(r.err, Not(HasSubstr(secret)));
        Result h = misync({"history", "--school", kA, "--json"});
        EXPECT_THAT(h.out, Not(HasSubstr(secret)));
        if (!h.out.empty()) {
            const json::value history = parseJson(h.out);
            for (const auto& run : history.at("runs").as_array()) {
                Result shown = misync({"show-run", std::to_string(num(run, "run_id")), "--json"});
                EXPECT_THAT(shown.out, Not(HasSubstr(secret)));
            }
        }
    }
};

TEST_F(OdbcTest, SqliteDriverReadsTheSchoolsRowsAndACompleteRoll) {
    const fs::path db = dir() / "mis.sqlite";
    Result made = execute("/usr/bin/sqlite3", {db.string(), std::string(kSchema) + rows()});
    ASSERT_EQ(made.status, 0) << made.err;
    writeConfig({{kA, "", queriesToml(), "odbc", "Driver=SQLite3;Database=" + db.string()}});

    const json::object first = runOf(runJson("2025-10-01"), kA);
    EXPECT_EQ(str(first, "outcome"), "applied");
    EXPECT_EQ(countOf(first, "create"), 4);  // three learners of A (not B's), one teacher
    EXPECT_EQ(countOf(first, "rejected"), 0);
    const json::array all = accounts();
    EXPECT_EQ(all.size(), 4u);
    EXPECT_EQ(str(*byMisId(all, kA, "1003"), "admission_date"), "2025-09-04");
    EXPECT_EQ(str(*byMisId(all, kA, "1001"), "reg_group"), "7A");
    EXPECT_EQ(str(*byMisId(all, kA, "1002"), "legal_forename"), "Siân");  // UTF-8 kept
    EXPECT_EQ(str(*byMisId(all, kA, "1002"), "legal_surname"), "Ó Briain");
    EXPECT_FALSE(byMisId(all, kB, "1001"));

    // A learner gone from the view is a leaver (complete roll, R5); run it again: no change.
    ASSERT_EQ(
        execute("/usr/bin/sqlite3", {db.string(), "DELETE FROM pupils WHERE id = '1002';"}).status,
        0);
    const json::object second = runOf(runJson("2025-10-02"), kA);
    EXPECT_EQ(countOf(second, "deactivate"), 1);
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1002"), "status"), "deactivated");
    EXPECT_EQ(str(runOf(runJson("2025-10-03"), kA), "outcome"), "no_change");
}

TEST_F(OdbcTest, AQueryWithoutARequiredColumnFailsNamingIt) {
    const fs::path db = dir() / "mis.sqlite";
    ASSERT_EQ(execute("/usr/bin/sqlite3", {db.string(), std::string(kSchema) + rows()}).status, 0);
    writeConfig({{kA, "",
                  queriesToml("SELECT id AS mis_id, forename AS first_name, surname AS "
                              "legal_surname FROM pupils WHERE school = ?"),
                  "odbc", "Driver=SQLite3;Database=" + db.string()}});
    Result r = misync({"run", "--json", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 1);
    const json::object run = runOf(parseJson(r.out), kA);
    EXPECT_EQ(str(run, "outcome"), "failed");
    const std::string errors = json::serialize(run.at("errors"));
    EXPECT_THAT(errors, HasSubstr("learners query"));
    EXPECT_THAT(errors, HasSubstr("no column legal_forename"));
    EXPECT_TRUE(accounts().empty());
}

TEST_F(OdbcTest, PostgresqlDriverWithAPasswordFromSourceFile) {
    const std::string password = "s3cret-Pg_pass";
    PgServer pg("misync", password);
    if (!pg.available()) {
        GTEST_SKIP() << pg.whyNot();
    }
    std::string out;
    ASSERT_EQ(pg.psql(std::string(kSchema) + rows(), &out), 0) << out;
    const std::string connection =
        "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=" + std::to_string(pg.port()) +
        ";Database=postgres;Uid=misync;Pwd=" + password + ";";
    writeFile(dir() / "mis.conn", connection + "\n");
    fs::permissions(dir() / "mis.conn", fs::perms::owner_read | fs::perms::owner_write);
    writeConfig(
        {{kA, "", "source_file = \"" + (dir() / "mis.conn").string() + "\"\n" + queriesToml(),
          "odbc", "-"}});
    // A school with source_file has no source: take the fixture's line out.
    {
        std::ifstream in(config());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto at = text.find("source = \"-\"\n");
        ASSERT_NE(at, std::string::npos);
        text.erase(at, std::string("source = \"-\"\n").size());
        writeFile(config(), text);
    }
    Result r = misync({"run", "--json", "--as-of", "2025-10-01"});
    ASSERT_EQ(r.status, 0) << r.err;
    const json::object run = runOf(parseJson(r.out), kA);
    EXPECT_EQ(countOf(run, "create"), 4);
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1003"), "admission_date"), "2025-09-04");
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1002"), "legal_forename"), "Siân");  // UTF-8 kept
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1002"), "legal_surname"), "Ó Briain");
    expectNoSecret(r, password);

    // A wrong password fails the run; the message is the driver's, without the secret.
    writeFile(dir() / "mis.conn",
              connection.substr(0, connection.find("Pwd=")) + "Pwd=wrong-" + password + ";\n");
    Result bad = misync({"run", "--json", "--as-of", "2025-10-02"});
    EXPECT_EQ(bad.status, 1);
    EXPECT_THAT(json::serialize(runOf(parseJson(bad.out), kA).at("errors")),
                HasSubstr("cannot connect"));
    expectNoSecret(bad, password);
    expectNoSecret(bad, "wrong-" + password);
}

}  // namespace
}  // namespace misync::e2e
