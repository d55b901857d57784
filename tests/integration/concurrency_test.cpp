// S7 with real processes: two `misync run` processes on one SQLite directory never run one
// school at the same time, a run that finds its school held waits for that run to end and then
// plans against its result, and usernames stay unique (U3) however the two interleave.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using namespace std::chrono_literals;

// Mostly Joneses, Davieses and Williamses with a handful of initials, so that the schools'
// newcomers compete for the same bases and suffixes (U3).
std::vector<Student> learners(const std::string& dfes, int from, int count) {
    static const std::vector<std::string> surnames{"Jones",  "Davies",   "Williams", "Jones",
                                                   "Davies", "Williams", "Jones",    "Evans",
                                                   "Thomas", "Jones"};
    static const std::vector<std::string> forenames{"Aled", "Anwen", "Bethan", "Bryn", "Ceri"};
    std::vector<Student> out;
    for (int i = from; i < from + count; ++i) {
        const auto k = static_cast<std::size_t>(i);
        out.push_back({.id = std::to_string(1000 + i),
                       .upn = makeUpn(dfes, i),
                       .forename = forenames[k % forenames.size()],
                       .surname = surnames[(k / forenames.size()) % surnames.size()],
                       .year = std::to_string(7 + i % 5),
                       .reg = std::to_string(7 + i % 5) + "A",
                       .admissionDate = "2024-09-01"});
    }
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

class ConcurrencyTest : public E2eTest {
  protected:
    // Every account has a username; no username or alias is given twice, whatever its case
    // (U3); no learner has two accounts (R1). Returns the accounts.
    json::array checkDirectory(std::size_t learnersExpected) {
        json::array all = accounts({"--status", "active"});
        json::array everyone = accounts();
        std::set<std::string> names;
        std::set<std::string> upns;
        for (const auto& a : everyone) {
            const std::string u = str(a, "username");
            EXPECT_FALSE(u.empty()) << json::serialize(a);
            EXPECT_TRUE(names.insert(lower(u)).second) << "username given twice: " << u;
            for (const auto& alias : a.as_object().at("aliases").as_array()) {
                EXPECT_TRUE(names.insert(lower(std::string(alias.as_string()))).second)
                    << "alias given twice: " << alias;
            }
            const std::string upn = str(a, "upn");
            EXPECT_TRUE(upns.insert(upn).second) << "learner with two accounts: " << upn;
        }
        EXPECT_EQ(all.size(), learnersExpected);
        return everyone;
    }
};

// Two processes over overlapping lists (one forwards, one backwards), started together, run a
// few times with newcomers and leavers in between.
TEST_F(ConcurrencyTest, TwoProcessesOnOverlappingSchoolsNeverFailAndNeverShareAUsername) {
    const std::vector<std::string> schools{"6610001", "6610002", "6610003",
                                           "6610004", "6610005", "6610006"};
    std::vector<SchoolConfig> config;
    for (const auto& s : schools) {
        config.push_back({s, "", ""});
    }
    writeConfig(config);
    ASSERT_EQ(misync({"db", "migrate"}).status, 0);  // the directory exists before the race

    std::vector<std::string> first{"run", "--json", "--as-of", "2025-01-15"};
    std::vector<std::string> second = first;
    for (std::size_t i = 0; i + 1 < schools.size(); ++i) {
        first.insert(first.end(), {"--school", schools[i]});                         // 1 … 5
        second.insert(second.end(), {"--school", schools[schools.size() - 1 - i]});  // 6 … 2
    }
    auto race = [&](const char* round) {
        Background a = misyncInBackground(first);
        Background b = misyncInBackground(second);
        std::vector<json::object> runs;
        for (Background* p : {&a, &b}) {
            Result r = finish(*p);
            EXPECT_EQ(r.status, 0) << round << "\nstderr: " << r.err;
            json::value v = parseJson(r.out);
            const json::value* list = v.is_object() ? v.as_object().if_contains("runs") : nullptr;
            EXPECT_TRUE(list != nullptr && list->is_array()) << r.out;
            if (list != nullptr && list->is_array()) {
                for (const auto& run : list->as_array()) {
                    runs.push_back(run.as_object());
                }
            }
        }
        EXPECT_EQ(runs.size(), 10u) << round;
        for (const auto& run : runs) {
            EXPECT_NE(str(run, "outcome"), "failed") << round << ": " << json::serialize(run);
        }
        return runs;
    };
    auto createsOf = [](const std::vector<json::object>& runs, const std::string& school) {
        std::int64_t n = 0;
        for (const auto& run : runs) {
            if (str(run, "school") == school) {
                n += countOf(run, "create");
            }
        }
        return n;
    };

    // Round 1: 150 newcomers per school. A school both processes run is created by one of them;
    // the other, running it after, plans against its result and creates nothing more.
    for (const auto& s : schools) {
        writeSchool(s, {.students = learners(s, 0, 150)});
    }
    auto runs = race("round 1");
    for (const auto& s : schools) {
        EXPECT_EQ(createsOf(runs, s), 150) << s;
    }
    checkDirectory(6 * 150);

    // Round 2: 40 more newcomers and 20 leavers (absent from the complete roll) per school.
    for (const auto& s : schools) {
        writeSchool(s, {.students = learners(s, 20, 170)});
    }
    runs = race("round 2");
    for (const auto& s : schools) {
        EXPECT_EQ(createsOf(runs, s), 40) << s;
    }
    json::array all = checkDirectory(6 * 170);
    EXPECT_EQ(all.size(), 6u * 190);

    // Round 3: newcomers again, the lists swapped between the processes.
    std::swap(first, second);
    for (const auto& s : schools) {
        writeSchool(s, {.students = learners(s, 20, 200)});
    }
    runs = race("round 3");
    for (const auto& s : schools) {
        EXPECT_EQ(createsOf(runs, s), 30) << s;
    }
    checkDirectory(6 * 200);

    // Round 4: the same files again: every run of either process plans nothing (R12).
    runs = race("round 4");
    for (const auto& run : runs) {
        EXPECT_EQ(str(run, "outcome"), "no_change") << json::serialize(run);
        EXPECT_EQ(totalCounts(run), 0) << json::serialize(run);
    }
    checkDirectory(6 * 200);
}

// Two runs of one school wait while the school is held elsewhere (here by the test itself,
// through the lock file), and are seen waiting for that byte of it; once it is free they run one
// after the other, and the second plans against what the first wrote.
TEST_F(ConcurrencyTest, ARunWaitsForTheSchoolsHolderAndThenPlansAgainstItsResult) {
    const std::string school = "6610001";
    writeConfig({{school, "", ""}});
    writeSchool(school, {.students = learners(school, 0, 150)});
    ASSERT_EQ(misync({"db", "migrate"}).status, 0);

    HeldSchool held = holdSchool(school);
    std::vector<std::string> args{"run", "--json", "--as-of", "2025-01-15", "--school", school};
    Background a = misyncInBackground(args);
    Background b = misyncInBackground(args);
    EXPECT_TRUE(awaitLeaseWaiters(school, 2)) << "the runs did not wait for the school";
    EXPECT_FALSE(hasEnded(a));
    EXPECT_FALSE(hasEnded(b));
    EXPECT_TRUE(accounts().empty());  // nothing ran while the school was held
    held.release();

    std::vector<json::object> runs;
    for (Background* p : {&a, &b}) {
        Result r = finish(*p);
        ASSERT_EQ(r.status, 0) << r.err;
        runs.push_back(runOf(parseJson(r.out), school));
    }
    std::sort(runs.begin(), runs.end(),
              [](const auto& x, const auto& y) { return num(x, "run_id") < num(y, "run_id"); });
    EXPECT_EQ(str(runs[0], "outcome"), "applied");
    EXPECT_EQ(countOf(runs[0], "create"), 150);
    EXPECT_EQ(str(runs[1], "outcome"), "no_change") << json::serialize(runs[1]);
    EXPECT_EQ(totalCounts(runs[1]), 0);
    // One after the other: the second started its work only when the first had finished.
    EXPECT_LE(str(runs[0], "finished_at"), str(runs[1], "finished_at"));
    checkDirectory(150);
}

// U3 across processes, step by step: a process that has given usernames and then waits for a
// school sees, when it goes on, the names another process gave meanwhile, and allocates after
// them instead of failing on the directory's UNIQUE constraint.
TEST_F(ConcurrencyTest, AProcessSeesTheUsernamesAnotherProcessGaveWhileItWaited) {
    const std::vector<std::string> schools{"6610001", "6610002", "6610003"};
    std::vector<SchoolConfig> config;
    for (const auto& s : schools) {
        config.push_back({s, "", ""});
        writeSchool(s, {.students = learners(s, 0, 50)});
    }
    writeConfig(config);
    ASSERT_EQ(misync({"db", "migrate"}).status, 0);

    HeldSchool held = holdSchool(schools[1]);
    Background a = misyncInBackground(
        {"run", "--json", "--as-of", "2025-01-15", "--school", schools[0], "--school", schools[1]});
    // A has run school 1 (committed before it waits: it never waits holding the write lock).
    ASSERT_TRUE(awaitLeaseWaiters(schools[1], 1));
    EXPECT_EQ(accounts({"--school", schools[0]}).size(), 50u);
    // Meanwhile another process gives the next Jones, Davies … suffixes to school 3.
    json::value third = runJson("2025-01-15", {"--school", schools[2]});
    EXPECT_EQ(countOf(runOf(third, schools[2]), "create"), 50);
    held.release();

    Result r = finish(a);
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    json::object second = runOf(parseJson(r.out), schools[1]);
    EXPECT_EQ(str(second, "outcome"), "applied") << json::serialize(second);
    EXPECT_EQ(countOf(second, "create"), 50);
    checkDirectory(150);
}

// A dry run takes no lease: it plans from a consistent snapshot while the school is held.
TEST_F(ConcurrencyTest, ADryRunDoesNotWaitForAHeldSchool) {
    const std::string school = "6610001";
    writeConfig({{school, "", ""}});
    writeSchool(school, {.students = learners(school, 0, 20)});
    ASSERT_EQ(misync({"db", "migrate"}).status, 0);

    HeldSchool held = holdSchool(school);
    Background p = misyncInBackground({"plan", "--json", "--as-of", "2025-01-15"});
    Result r = finish(p, 120s);
    held.release();
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(countOf(runOf(parseJson(r.out), school), "create"), 20);
    EXPECT_TRUE(accounts().empty());
}

}  // namespace
}  // namespace misync::e2e
