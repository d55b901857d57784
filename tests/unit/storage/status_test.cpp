// The per-school status query (StatusQueries, SPEC §9 GET /api/v1/schools) over run records and
// accounts written through the store API: the latest run, the last success (S2), consecutive
// failures, held runs until a later success supersedes them (S3), the stale_extract warning
// (S6) and active Digital Champions (R10); then the flags and the JSON view built from a row.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "core/errors.h"
#include "storage/directory.h"
#include "storage/school_status.h"
#include "storage/secret_box.h"
#include "storage/sqlite_directory.h"
#include "tests/support/test_directory.h"

using namespace misync;
namespace chr = std::chrono;

namespace {

constexpr const char* kA = "6612001";
constexpr const char* kB = "6612002";
constexpr const char* kC = "6612003";

class StatusQueryTest : public testsupport::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = open();
    }
    void TearDown() override {
        store_.reset();
        StoreTest::TearDown();
    }

    // Records a run of `school` with `outcome`, finished at 2026-11-DDT06:30:00Z; returns its id.
    std::int64_t run(const std::string& school, const std::string& outcome, int day = 1,
                     std::vector<core::Warning> warnings = {},
                     std::optional<std::int64_t> approvedRun = std::nullopt) {
        storage::RunRecord r = record(school, outcome, day);
        r.warnings = std::move(warnings);
        r.approvedRun = approvedRun;
        store_->recordRun(r, nullptr);
        return r.id;
    }

    static storage::RunRecord record(const std::string& school, const std::string& outcome,
                                     int day) {
        storage::RunRecord r;
        r.school = school;
        r.connector = "sims-xml";
        char date[16];
        std::snprintf(date, sizeof date, "2026-11-%02d", day);
        r.asOf = date;
        r.startedAt = std::string(date) + "T06:29:00Z";
        r.finishedAt = std::string(date) + "T06:30:00Z";
        r.outcome = outcome;
        return r;
    }

    static reconcile::Account staff(const std::string& school, const std::string& username,
                                    bool champion, reconcile::AccountStatus status) {
        reconcile::Account a;
        a.username = username;
        a.role = core::Role::Staff;
        a.school = school;
        a.attrs.misId = username + "-id";
        a.attrs.legalForename = "Gwen";
        a.attrs.legalSurname = "Owen";
        a.displayName = "Gwen Owen";
        a.status = status;
        a.digitalChampion = champion;
        a.createdAt = "2026-11-01T06:30:00Z";
        return a;
    }

    // Applies a plan of `school` that writes `accounts` (whatever school each belongs to).
    std::int64_t applyAccounts(const std::string& school,
                               const std::vector<reconcile::Account>& accounts) {
        reconcile::Plan p;
        p.school = school;
        for (const auto& a : accounts) {
            p.accounts.push_back({a, std::nullopt, {a.username}});
            reconcile::Action act;
            act.kind = reconcile::ActionKind::Create;
            act.role = a.role;
            act.school = a.school;
            act.username = a.username;
            act.reason = "new on roll";
            p.actions.push_back(act);
            ++p.counts["create"];
        }
        storage::RunRecord r = record(school, "applied", 1);
        r.counts = p.counts;
        r.actions = p.actions;
        store_->apply(p, r, box_, nullptr);
        return r.id;
    }

    storage::SchoolStatusRow only(const std::string& school) {
        auto rows = store_->schoolStatuses({school});
        EXPECT_EQ(rows.size(), 1u) << school;
        return rows.empty() ? storage::SchoolStatusRow{} : rows.front();
    }

    std::unique_ptr<storage::Directory> store_;
    storage::SecretBox box_{std::array<unsigned char, 32>{4, 5, 6}};
};

TEST_P(StatusQueryTest, AnEmptyDirectoryHasNoSchools) {
    EXPECT_TRUE(store_->schoolStatuses().empty());
    EXPECT_TRUE(store_->schoolStatuses({kA}).empty());
}

// S1/S2: the latest run of any outcome, and the finish time of the latest applied or no_change.
TEST_P(StatusQueryTest, LatestRunAndLastSuccess) {
    run(kA, "applied", 1);
    const std::int64_t ok = run(kA, "no_change", 2);
    const std::int64_t failed = run(kA, "failed", 3);
    run(kB, "applied", 4);  // another school's runs change nothing for A

    const auto row = only(kA);
    EXPECT_EQ(row.school, kA);
    ASSERT_TRUE(row.lastRun.has_value());
    EXPECT_EQ(row.lastRun->id, failed);
    EXPECT_EQ(row.lastRun->outcome, "failed");
    EXPECT_EQ(row.lastRun->asOf, "2026-11-03");
    EXPECT_EQ(row.lastRun->startedAt, "2026-11-03T06:29:00Z");
    EXPECT_EQ(row.lastRun->finishedAt, "2026-11-03T06:30:00Z");
    EXPECT_EQ(row.lastRun->connector, "sims-xml");
    EXPECT_EQ(row.lastSuccessAt, "2026-11-02T06:30:00Z") << "run " << ok;
    EXPECT_EQ(row.consecutiveFailures, 1);
}

TEST_P(StatusQueryTest, ASchoolThatOnlyFailedHasNoLastSuccess) {
    run(kA, "failed", 1);
    run(kA, "failed", 2);
    const auto row = only(kA);
    EXPECT_TRUE(row.lastSuccessAt.empty());
    EXPECT_EQ(row.consecutiveFailures, 2);
    EXPECT_FALSE(row.heldRun.has_value());
}

// Only the failures at the end of the history count; a held run ends a streak too.
TEST_P(StatusQueryTest, ConsecutiveFailuresAtTheEndOfTheHistory) {
    run(kA, "failed", 1);
    run(kA, "failed", 2);
    run(kA, "applied", 3);
    run(kA, "failed", 4);
    run(kA, "failed", 5);
    run(kA, "failed", 6);
    EXPECT_EQ(only(kA).consecutiveFailures, 3);
    run(kA, "held", 7);
    EXPECT_EQ(only(kA).consecutiveFailures, 0);
    run(kA, "failed", 8);
    EXPECT_EQ(only(kA).consecutiveFailures, 1);
    run(kA, "applied", 9);
    EXPECT_EQ(only(kA).consecutiveFailures, 0);
}

// S3: a held run stays pending through failures and other held runs until a later applied or
// no_change run of the school supersedes it; an approval used is such an applied run.
TEST_P(StatusQueryTest, AHeldRunIsPendingUntilALaterSuccess) {
    run(kA, "applied", 1);
    const std::int64_t held = run(kA, "held", 2);
    EXPECT_EQ(only(kA).heldRun, held);
    run(kA, "failed", 3);
    EXPECT_EQ(only(kA).heldRun, held);
    const std::int64_t heldAgain = run(kA, "held", 4);
    EXPECT_EQ(only(kA).heldRun, heldAgain) << "the latest held run is the one to approve";
    run(kA, "applied", 5, {}, heldAgain);  // its approval was used
    EXPECT_FALSE(only(kA).heldRun.has_value());
    const std::int64_t third = run(kA, "held", 6);
    EXPECT_EQ(only(kA).heldRun, third);
    run(kA, "no_change", 7);
    EXPECT_FALSE(only(kA).heldRun.has_value());
}

TEST_P(StatusQueryTest, AHeldRunOfAnotherSchoolIsNotThisOnes) {
    run(kA, "applied", 1);
    run(kB, "held", 2);
    run(kA, "applied", 3);
    EXPECT_FALSE(only(kA).heldRun.has_value());
    EXPECT_TRUE(only(kB).heldRun.has_value());
}

// S6: the warning counts on the latest run only; the latest run is decoded whole.
TEST_P(StatusQueryTest, StaleExtractWarningOfTheLatestRun) {
    run(kA, "applied", 1, {{"stale_extract", "extracted 72 hours before the run"}});
    auto row = only(kA);
    EXPECT_TRUE(row.staleWarning);
    ASSERT_TRUE(row.lastRun.has_value());
    ASSERT_EQ(row.lastRun->warnings.size(), 1u);
    EXPECT_EQ(row.lastRun->warnings[0].code, "stale_extract");

    run(kA, "applied", 2, {{"possible_duplicate", "jonesa and jonesa1"}});
    EXPECT_FALSE(only(kA).staleWarning);
}

// R10: accounts with digital_champion set and status active; a school with accounts but no runs
// of its own has a row too.
TEST_P(StatusQueryTest, ActiveDigitalChampionsPerSchool) {
    using S = reconcile::AccountStatus;
    applyAccounts(kA,
                  {staff(kA, "owena", true, S::Active), staff(kA, "owenb", true, S::Active),
                   staff(kA, "owenc", true, S::Deactivated), staff(kA, "owend", false, S::Active),
                   // written by A's run, owned by B (as a hand-over would)
                   staff(kB, "owene", false, S::Active)});
    EXPECT_EQ(only(kA).digitalChampions, 2);
    const auto b = only(kB);
    EXPECT_EQ(b.digitalChampions, 0);
    EXPECT_FALSE(b.lastRun.has_value()) << "B has accounts but never ran";
    EXPECT_EQ(b.consecutiveFailures, 0);
}

TEST_P(StatusQueryTest, EverySchoolWithRunsOrAccountsInSchoolOrder) {
    run(kC, "applied", 1);
    run(kA, "failed", 2);
    applyAccounts(kC, {staff(kB, "owenb", true, reconcile::AccountStatus::Active)});
    auto rows = store_->schoolStatuses();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].school, kA);
    EXPECT_EQ(rows[1].school, kB);
    EXPECT_EQ(rows[2].school, kC);
    EXPECT_EQ(rows[1].digitalChampions, 1);

    // Named schools: only those of them with runs or accounts, each once.
    auto named = store_->schoolStatuses({kC, "6699999", kC, kA});
    ASSERT_EQ(named.size(), 2u);
    EXPECT_EQ(named[0].school, kA);
    EXPECT_EQ(named[1].school, kC);
}

TEST_P(StatusQueryTest, AStoredRunThatDoesNotParseNamesTheRun) {
    const std::int64_t id = run(kA, "applied", 1);
    const std::string refused =
        database().exec("UPDATE runs SET counts = '{not json' WHERE id = " + std::to_string(id));
    if (!isSqlite() && !refused.empty()) {
        // A schema that types the column as JSON cannot hold such a run in the first place.
        GTEST_SKIP() << "the schema refuses a run's counts that are not JSON: " << refused;
    }
    ASSERT_EQ(refused, "");
    try {
        store_->schoolStatuses();
        FAIL() << "expected a StoreError";
    } catch (const core::StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("run " + std::to_string(id)), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("counts"), std::string::npos) << e.what();
    }
}

MISYNC_ON_EVERY_BACKEND(StatusQueryTest);

// SQLite only: EXPLAIN QUERY PLAN of SQLite's own statement (storage/sqlite_directory.h).
class SqliteStatusQueryTest : public StatusQueryTest {};
MISYNC_ON_SQLITE_ONLY(SqliteStatusQueryTest);

// With a year of daily runs of 1,500 schools (550k runs) a scan of the runs table, or of all
// accounts, would cost seconds: every step of the plan must be an index seek (or the partial
// index of Digital Champions).
TEST_P(SqliteStatusQueryTest, TheQueryNeverScansRunsOrAccounts) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(database().sqlitePath().c_str(), &db), SQLITE_OK);
    for (bool filtered : {false, true}) {
        const std::string sql = "EXPLAIN QUERY PLAN " + storage::schoolStatusSql(filtered);
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db);
        int steps = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const std::string detail = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
            ++steps;
            // Tables are aliased r_… (runs) and a_… (accounts) in the statement.
            const bool scan = detail.rfind("SCAN ", 0) == 0;
            const bool table = detail.find("SCAN runs") == 0 || detail.find("SCAN accounts") == 0 ||
                               detail.find("SCAN r_") == 0 || detail.find("SCAN a_") == 0;
            EXPECT_FALSE(scan && table && detail.find("accounts_champions") == std::string::npos)
                << (filtered ? "filtered: " : "all: ") << detail;
            if (detail.find(" r_") != std::string::npos && detail.rfind("SEARCH", 0) == 0) {
                EXPECT_TRUE(detail.find("runs_school") != std::string::npos ||
                            detail.find("PRIMARY KEY") != std::string::npos)
                    << detail;
            }
        }
        sqlite3_finalize(st);
        EXPECT_GT(steps, 5);
    }
    sqlite3_close(db);
}

// ---- flags and the JSON view (storage/school_status.h) ----

storage::SchoolStatusRow rowWith(const std::string& outcome, const std::string& lastSuccessAt) {
    storage::SchoolStatusRow row;
    row.school = kA;
    storage::RunRecord r;
    r.id = 17;
    r.school = kA;
    r.outcome = outcome;
    r.asOf = "2026-11-28";
    r.startedAt = "2026-11-28T06:30:00Z";
    r.finishedAt = "2026-11-28T06:31:00Z";
    r.counts["create"] = 3;
    row.lastRun = r;
    row.lastSuccessAt = lastSuccessAt;
    row.digitalChampions = 1;
    return row;
}

chr::system_clock::time_point at(const char* iso) {
    auto t = storage::parseTimestamp(iso);
    EXPECT_TRUE(t.has_value()) << iso;
    return t.value_or(chr::system_clock::time_point{});
}

TEST(StatusFlags, StaleByAgeOfTheLastSuccessOrByTheWarning) {
    const auto row = rowWith("applied", "2026-11-28T06:31:00Z");
    const chr::hours h48{48};
    EXPECT_FALSE(storage::statusFlags(row, h48, at("2026-11-30T06:31:00Z")).stale)
        << "48 h exactly";
    EXPECT_TRUE(storage::statusFlags(row, h48, at("2026-11-30T06:31:01Z")).stale);
    EXPECT_FALSE(storage::statusFlags(row, chr::hours{100}, at("2026-11-30T06:31:01Z")).stale);

    auto warned = row;
    warned.staleWarning = true;
    EXPECT_TRUE(storage::statusFlags(warned, h48, at("2026-11-28T07:00:00Z")).stale);

    auto never = row;
    never.lastRun.reset();
    never.lastSuccessAt.clear();
    EXPECT_FALSE(storage::statusFlags(never, h48, at("2027-01-01T00:00:00Z")).stale)
        << "never run is not stale";

    auto garbled = row;
    garbled.lastSuccessAt = "yesterday";
    EXPECT_TRUE(storage::statusFlags(garbled, h48, at("2026-11-28T07:00:00Z")).stale);
}

TEST(StatusFlags, HeldFailedAndNoDigitalChampion) {
    auto row = rowWith("failed", "2026-11-27T06:31:00Z");
    row.heldRun = 12;
    row.digitalChampions = 0;
    const auto f = storage::statusFlags(row, chr::hours{48}, at("2026-11-28T07:00:00Z"));
    EXPECT_TRUE(f.held);
    EXPECT_TRUE(f.failed);
    EXPECT_TRUE(f.noDigitalChampion);
    EXPECT_FALSE(f.stale);
    EXPECT_EQ(f.names(), (std::vector<std::string>{"held", "failed", "no_digital_champion"}));

    const auto fine = storage::statusFlags(rowWith("no_change", "2026-11-28T06:31:00Z"),
                                           chr::hours{48}, at("2026-11-28T07:00:00Z"));
    EXPECT_FALSE(fine.any());
    EXPECT_TRUE(fine.names().empty());
}

TEST(StatusJson, TheFieldsOfSpec9) {
    auto row = rowWith("held", "2026-11-27T06:31:00Z");
    row.heldRun = 17;
    row.consecutiveFailures = 0;
    const auto flags = storage::statusFlags(row, chr::hours{48}, at("2026-11-28T07:00:00Z"));
    const auto o = storage::schoolStatusToJson(row, "Ysgol Enghraifft", flags);
    EXPECT_EQ(o.at("school").as_string(), kA);
    EXPECT_EQ(o.at("name").as_string(), "Ysgol Enghraifft");
    const auto& last = o.at("last_run").as_object();
    EXPECT_EQ(last.at("run_id").as_int64(), 17);
    EXPECT_EQ(last.at("id").as_int64(), 17);  // SPEC §9's name for it
    EXPECT_EQ(last.at("outcome").as_string(), "held");
    EXPECT_EQ(last.at("as_of").as_string(), "2026-11-28");
    EXPECT_EQ(last.at("started_at").as_string(), "2026-11-28T06:30:00Z");
    EXPECT_EQ(last.at("finished_at").as_string(), "2026-11-28T06:31:00Z");
    EXPECT_EQ(last.at("counts").as_object().at("create").to_number<int>(), 3);
    EXPECT_EQ(last.at("counts").as_object().size(), reconcile::kCountKeys.size());
    EXPECT_FALSE(last.contains("actions"));
    EXPECT_EQ(o.at("last_success_at").as_string(), "2026-11-27T06:31:00Z");
    EXPECT_EQ(o.at("consecutive_failures").as_int64(), 0);
    EXPECT_EQ(o.at("held_run").as_int64(), 17);
    EXPECT_EQ(o.at("stale").as_bool(), false);
    EXPECT_EQ(o.at("digital_champions").as_int64(), 1);
    EXPECT_TRUE(o.at("next_run_at").is_null());
    EXPECT_EQ(boost::json::serialize(o.at("flags")), R"(["held"])");

    storage::SchoolStatusRow never;
    never.school = kB;
    const auto n = storage::schoolStatusToJson(
        never, "", storage::statusFlags(never, chr::hours{48}, at("2026-11-28T07:00:00Z")),
        "2026-11-29T06:30:00Z");
    EXPECT_TRUE(n.at("last_run").is_null());
    EXPECT_TRUE(n.at("last_success_at").is_null());
    EXPECT_TRUE(n.at("held_run").is_null());
    EXPECT_EQ(n.at("next_run_at").as_string(), "2026-11-29T06:30:00Z");
    EXPECT_EQ(boost::json::serialize(n.at("flags")), R"(["no_digital_champion"])");
}

TEST(Timestamp, ParsesWhatTheStoreWritesAndOffsets) {
    using chr::system_clock;
    const auto utc = storage::parseTimestamp("2026-11-28T06:30:00Z");
    ASSERT_TRUE(utc.has_value());
    EXPECT_EQ(chr::duration_cast<chr::seconds>(utc->time_since_epoch()).count(), 1795847400);
    EXPECT_EQ(storage::parseTimestamp("2026-11-28T07:30:00+01:00"), utc);
    EXPECT_EQ(storage::parseTimestamp("2026-11-28T05:30:00-0100"), utc);
    EXPECT_EQ(storage::parseTimestamp("2026-11-28 06:30:00.511Z"), utc);
    EXPECT_EQ(storage::parseTimestamp("2026-11-28T06:30:00"), utc);
    for (const char* bad : {"", "2026-11-28", "2026-11-28T25:00:00Z", "2026-02-30T06:30:00Z",
                            "2026-11-28T06:30:00Q", "2026-11-28T06:30:00.Z", "yesterday"}) {
        EXPECT_FALSE(storage::parseTimestamp(bad).has_value()) << bad;
    }
}

}  // namespace
