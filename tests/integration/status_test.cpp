// `misync status` through the binary (SPEC §8, §9 GET /api/v1/schools fields): every configured
// school in config order, never-run schools included, with the flags failed (S2), stale (S6, by
// the age of the last success against the school's stale_after_hours) and no_digital_champion
// (R10); and the human output of `misync run`/`plan` over many schools: one line of totals, and
// beyond a screenful only the schools that failed, were held or warned (`--verbose`: all).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <sstream>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;
using testing::StartsWith;

constexpr const char* kA = "6612001";
constexpr const char* kB = "6612002";
constexpr const char* kC = "6612003";

Student pupil(std::string_view school, std::string id, int serial, std::string forename,
              std::string surname) {
    return Student{.id = std::move(id),
                   .upn = makeUpn(school, serial),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = "Year 7",
                   .reg = "7A",
                   .admissionDate = "2025-09-01"};
}

SchoolExtract onePupil(std::string_view school) {
    SchoolExtract x;
    x.students = {pupil(school, "1001", 1, "Aled", "Jones")};
    x.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen"}};
    return x;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

std::vector<std::string> flagsOf(const json::value& school) {
    std::vector<std::string> out;
    for (const auto& f : school.at("flags").as_array()) {
        out.emplace_back(f.as_string());
    }
    return out;
}

class StatusTest : public E2eTest {
  protected:
    // `status --json` + args: the array of schools (exit status 0 always).
    json::array status(std::vector<std::string> args = {}) {
        args.insert(args.begin(), {"status", "--json"});
        Result r = misync(args);
        EXPECT_EQ(r.status, 0) << r.err;
        json::value v = parseJson(r.out);
        EXPECT_TRUE(v.is_array()) << r.out;
        return v.is_array() ? v.as_array() : json::array{};
    }
    json::object statusOf(std::string_view school) {
        for (const auto& s : status()) {
            if (str(s, "school") == school) {
                return s.as_object();
            }
        }
        ADD_FAILURE() << "no status for " << school;
        return {};
    }
    // Runs one statement on the directory database, as an administrator with sqlite3 or psql
    // would.
    void sql(const std::string& statement) {
        ASSERT_EQ(directory().exec(statement), "") << statement;
    }
    void breakStudents(std::string_view school) {
        writeFile(schoolDir(school) / "students.xml", "ID,UPN,Surname\n1001,garbage,Jones\n");
    }
};

TEST_F(StatusTest, EveryConfiguredSchoolInConfigOrderAlsoThoseThatNeverRan) {
    writeConfig({{kB, "Ysgol Bro", ""}, {kA, "Ysgol Aber", ""}, {kC, "Ysgol Cwm", ""}});
    writeSchool(kA, onePupil(kA));
    const json::object run = runOf(runJson("2025-10-01", {"--school", kA}), kA);

    const json::array all = status();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(str(all[0], "school"), kB);
    EXPECT_EQ(str(all[1], "school"), kA);
    EXPECT_EQ(str(all[2], "school"), kC);
    EXPECT_EQ(str(all[0], "name"), "Ysgol Bro");

    // Never run: no last run, nothing to be stale about, and (R10) no Digital Champion.
    const json::object& never = all[0].as_object();
    EXPECT_TRUE(never.at("last_run").is_null());
    EXPECT_TRUE(never.at("last_success_at").is_null());
    EXPECT_EQ(num(never, "consecutive_failures"), 0);
    EXPECT_TRUE(never.at("held_run").is_null());
    EXPECT_FALSE(never.at("stale").as_bool());
    EXPECT_EQ(num(never, "digital_champions"), 0);
    EXPECT_TRUE(never.at("next_run_at").is_null());
    EXPECT_EQ(flagsOf(never), std::vector<std::string>{"no_digital_champion"});

    // Applied just now.
    const json::object& a = all[1].as_object();
    const json::object& last = a.at("last_run").as_object();
    EXPECT_EQ(num(last, "run_id"), num(run, "run_id"));
    EXPECT_EQ(str(last, "outcome"), "applied");
    EXPECT_EQ(str(last, "as_of"), "2025-10-01");
    EXPECT_EQ(str(last, "started_at"), str(run, "started_at"));
    EXPECT_EQ(str(last, "finished_at"), str(run, "finished_at"));
    EXPECT_EQ(json::serialize(last.at("counts")), json::serialize(run.at("counts")));
    EXPECT_FALSE(last.contains("actions"));
    EXPECT_EQ(str(a, "last_success_at"), str(run, "finished_at"));
    EXPECT_EQ(num(a, "consecutive_failures"), 0);
    EXPECT_TRUE(a.at("held_run").is_null());
    EXPECT_FALSE(a.at("stale").as_bool());
    EXPECT_EQ(flagsOf(a), std::vector<std::string>{"no_digital_champion"});

    // --school keeps the named ones.
    const json::array one = status({"--school", kC});
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(str(one[0], "school"), kC);

    // Human output: one line per school in the same order, then the totals.
    Result r = misync({"status"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto out = lines(r.out);
    ASSERT_EQ(out.size(), 4u) << r.out;
    EXPECT_THAT(out[0], StartsWith(std::string(kB) + "  Ysgol Bro"));
    EXPECT_THAT(out[0], HasSubstr("never run"));
    EXPECT_THAT(out[0], HasSubstr("no Digital Champion"));
    EXPECT_THAT(out[1], StartsWith(std::string(kA) + "  Ysgol Aber"));
    EXPECT_THAT(out[1], HasSubstr("run " + std::to_string(num(run, "run_id")) + " applied " +
                                  str(run, "finished_at")));
    EXPECT_THAT(out[2], StartsWith(kC));
    EXPECT_EQ(out[3], "3 schools: 1 applied, 2 never run; flagged: 3 no Digital Champion");

    // A school that is not configured is a usage error naming it.
    Result unknown = misync({"status", "--school", "6619999"});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_THAT(unknown.err, HasSubstr("6619999"));
}

// R10: the flag goes when the school has an active Digital Champion, and comes back when the
// champion's account is no longer active.
TEST_F(StatusTest, NoDigitalChampionUntilAnActiveOneExists) {
    writeConfig({{kA, "", ""}});
    writeSchool(kA, onePupil(kA));
    runJson("2025-10-01");
    const json::array staff = accounts({"--role", "staff"});
    ASSERT_EQ(staff.size(), 1u);
    const std::string username = str(staff[0], "username");

    // '1': an integer or a boolean column takes it alike.
    sql("UPDATE accounts SET digital_champion = '1' WHERE username = '" + username + "'");
    json::object a = statusOf(kA);
    EXPECT_EQ(num(a, "digital_champions"), 1);
    EXPECT_TRUE(flagsOf(a).empty()) << json::serialize(a);
    Result r = misync({"status"});
    EXPECT_THAT(r.out, HasSubstr("  ok\n"));
    EXPECT_THAT(r.out, HasSubstr("1 school: 1 applied; no flags"));

    sql("UPDATE accounts SET status = 'deactivated' WHERE username = '" + username + "'");
    a = statusOf(kA);
    EXPECT_EQ(num(a, "digital_champions"), 0);
    EXPECT_EQ(flagsOf(a), std::vector<std::string>{"no_digital_champion"});
}

// S2: a broken students.xml fails the run; the failures are counted until a run succeeds, and
// the last success stays the one before them.
TEST_F(StatusTest, FailedRunsAreCountedUntilTheSchoolSucceedsAgain) {
    writeConfig({{kA, "", ""}});
    writeSchool(kA, onePupil(kA));
    const json::object ok = runOf(runJson("2025-10-01"), kA);

    breakStudents(kA);
    const json::object failed1 = runOf(runJson("2025-10-02", {}, 1), kA);
    ASSERT_EQ(str(failed1, "outcome"), "failed");
    json::object a = statusOf(kA);
    EXPECT_EQ(str(a.at("last_run"), "outcome"), "failed");
    EXPECT_EQ(num(a.at("last_run"), "run_id"), num(failed1, "run_id"));
    EXPECT_EQ(num(a, "consecutive_failures"), 1);
    EXPECT_EQ(str(a, "last_success_at"), str(ok, "finished_at"));
    EXPECT_EQ(flagsOf(a), (std::vector<std::string>{"failed", "no_digital_champion"}));

    runJson("2025-10-03", {}, 1);
    a = statusOf(kA);
    EXPECT_EQ(num(a, "consecutive_failures"), 2);
    EXPECT_EQ(str(a, "last_success_at"), str(ok, "finished_at"));
    Result r = misync({"status"});
    EXPECT_EQ(r.status, 0) << "status reports failures, it does not fail";
    EXPECT_THAT(r.out, HasSubstr("failed (2 in a row)"));
    EXPECT_THAT(r.out, HasSubstr("1 school: 1 failed; flagged: 1 failed, 1 no Digital Champion"));

    writeSchool(kA, onePupil(kA));
    const json::object again = runOf(runJson("2025-10-04"), kA);
    a = statusOf(kA);
    EXPECT_EQ(num(a, "consecutive_failures"), 0);
    EXPECT_EQ(str(a, "last_success_at"), str(again, "finished_at"));
    EXPECT_EQ(flagsOf(a), std::vector<std::string>{"no_digital_champion"});
}

// S6: a school whose last successful run finished more than its stale_after_hours ago is stale
// (the wall clock, not --as-of); [school.policy] overrides the default of 48 hours.
TEST_F(StatusTest, StaleWhenTheLastSuccessIsOlderThanStaleAfterHours) {
    writeConfig({{kA, "", ""}, {kB, "", "[school.policy]\nstale_after_hours = 100\n"}});
    writeSchool(kA, onePupil(kA));
    writeSchool(kB, onePupil(kB));
    runJson("2025-10-01");
    EXPECT_FALSE(statusOf(kA).at("stale").as_bool());

    {
        const std::time_t then = std::time(nullptr) - 72 * 3600;
        std::tm utc{};
        ::gmtime_r(&then, &utc);
        char at[32];
        std::strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &utc);
        sql("UPDATE runs SET finished_at = '" + std::string(at) + "'");
    }
    json::object a = statusOf(kA);
    EXPECT_TRUE(a.at("stale").as_bool());
    EXPECT_EQ(flagsOf(a), (std::vector<std::string>{"stale", "no_digital_champion"}));
    EXPECT_FALSE(statusOf(kB).at("stale").as_bool()) << "72 h is within B's 100 h";

    // A failed run since does not make the school fresh: its last success is still old.
    breakStudents(kA);
    runJson("2025-10-02", {"--school", kA}, 1);
    a = statusOf(kA);
    EXPECT_EQ(flagsOf(a), (std::vector<std::string>{"stale", "failed", "no_digital_champion"}));
    Result r = misync({"status", "--school", kA});
    EXPECT_THAT(r.out, HasSubstr("stale, failed, no Digital Champion"));
}

// ---- run output over many schools ----

class RunOutputTest : public E2eTest {
  protected:
    std::vector<std::string> writeSchools(int n) {
        std::vector<SchoolConfig> configs;
        std::vector<std::string> dfes;
        for (int i = 0; i < n; ++i) {
            const std::string d = std::to_string(6613001 + i);
            dfes.push_back(d);
            configs.push_back({d, "", ""});
            writeSchool(d, onePupil(d));
        }
        writeConfig(configs);
        return dfes;
    }
    // The schools whose run summary heads a line ("DFES NAME: outcome (run N), as of …").
    static std::vector<std::string> listed(const std::string& out,
                                           const std::vector<std::string>& schools) {
        std::vector<std::string> found;
        for (const auto& line : lines(out)) {
            for (const auto& d : schools) {
                if (line.rfind(d + " Ysgol " + d + ": ", 0) == 0) {
                    found.push_back(d);
                }
            }
        }
        return found;
    }
};

TEST_F(RunOutputTest, AFewSchoolsAreAllListedThenTheTotals) {
    const auto schools = writeSchools(2);
    Result r = misync({"run", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(listed(r.out, schools), schools);
    const auto out = lines(r.out);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back(),
              "2 schools: 2 applied; 4 created, 0 updated, 0 renamed, 0 transferred, "
              "0 deactivated, 0 reactivated, 0 purged; 0 rejected records, 0 warnings");
}

// Beyond a screenful (20) of schools only the failed, held or warned ones are listed.
TEST_F(RunOutputTest, ManySchoolsListOnlyTheTroubledOnesThenTheTotals) {
    const auto schools = writeSchools(25);
    const std::string broken = schools[7];
    writeFile(schoolDir(broken) / "students.xml", "ID,UPN,Surname\n1001,garbage,Jones\n");
    // One school with a rejected record (R15): counted in the totals, not a reason to list it.
    SchoolExtract rejecting = onePupil(schools[3]);
    rejecting.students.push_back(pupil(schools[3], "1002", 2, "Bethan", ""));
    writeSchool(schools[3], rejecting);

    Result r = misync({"run", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 1) << "exit statuses stay: a run failed";
    EXPECT_EQ(listed(r.out, schools), std::vector<std::string>{broken}) << r.out;
    EXPECT_THAT(r.out, HasSubstr("error "));
    auto out = lines(r.out);
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(out[out.size() - 2],
              "(24 schools without failures, holds or warnings not listed; --verbose lists every "
              "school)");
    EXPECT_EQ(out.back(),
              "25 schools: 24 applied, 1 failed; 48 created, 0 updated, 0 renamed, "
              "0 transferred, 0 deactivated, 0 reactivated, 0 purged; 1 rejected record, "
              "0 warnings");

    // --verbose lists every school; the second pass changes nothing but the broken school.
    r = misync({"run", "--as-of", "2025-10-01", "--verbose"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(listed(r.out, schools), schools);
    out = lines(r.out);
    EXPECT_EQ(out.back(),
              "25 schools: 24 no change, 1 failed; 0 created, 0 updated, 0 renamed, "
              "0 transferred, 0 deactivated, 0 reactivated, 0 purged; 1 rejected record, "
              "0 warnings");

    // plan lists the same way, and with --verbose every school.
    r = misync({"plan", "--as-of", "2025-10-02"});
    EXPECT_EQ(listed(r.out, schools), std::vector<std::string>{broken});
    EXPECT_THAT(lines(r.out).back(), StartsWith("25 schools: 24 planned, 1 failed; "));
    r = misync({"plan", "--as-of", "2025-10-02", "--verbose"});
    EXPECT_EQ(listed(r.out, schools), schools);

    // --json is unchanged: every run, no totals line.
    json::value v = runJson("2025-10-01", {}, 1);
    EXPECT_EQ(v.at("runs").as_array().size(), schools.size());
}

}  // namespace
}  // namespace misync::e2e
