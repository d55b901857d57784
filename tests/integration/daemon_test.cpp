// `misync daemon` end to end (SPEC §9.1, S7): drop folders and their settle time, one more run
// for files that arrive during a run, a schedule firing, `misync run` beside the daemon, and
// reload. Stop, systemd and notifications: daemon_stop_test.cpp, daemon_notify_test.cpp.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "daemon_fixture.h"

namespace misync::e2e {
namespace {

constexpr const char* kA = "6612345";
constexpr const char* kB = "6612346";

std::int64_t secondsOf(const std::string& iso) {
    std::tm tm{};
    ::strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return static_cast<std::int64_t>(::timegm(&tm));
}

// §9.1: the files of a drop folder give one run with trigger "file", once they have been
// quiet for settle_seconds.
TEST_F(DaemonTest, FilesInADropFolderGiveOneRunAfterTheSettleTime) {
    fs::create_directories(schoolDir(kA));
    writeConfig({{kA, "", "settle_seconds = 2\n"}});
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    EXPECT_EQ(history(kA).size(), 0u);  // an empty folder is not run at start-up

    writeSchool(kA, {someLearners(kA, 12), {}, {}});
    const auto written = static_cast<std::int64_t>(std::time(nullptr));
    json::array runs = awaitRunCount(kA, 1);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(str(runs[0], "trigger"), "file");
    EXPECT_EQ(str(runs[0], "outcome"), "applied");
    EXPECT_EQ(countOf(runs[0].as_object(), "create"), 12);
    // Not before the folder had been quiet for the settle time (times are whole seconds).
    EXPECT_GE(secondsOf(str(runs[0], "started_at")), written + 2 - 1);
    ASSERT_TRUE(awaitLog("idle: no run under way or waiting"));
    EXPECT_EQ(history(kA).size(), 1u);
    EXPECT_EQ(accounts({"--school", kA}).size(), 12u);
}

// §9.1, S7: files rewritten while the school's run is under way queue exactly one more run,
// which reads them; further triggers merge into it.
TEST_F(DaemonTest, FilesRewrittenDuringARunGiveExactlyOneMoreRun) {
    fs::create_directories(schoolDir(kA));
    writeConfig({{kA, "", "settle_seconds = 1\n"}});
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    HeldSchool held = holdSchool(kA);  // the daemon's run will wait for the lease

    writeSchool(kA, {someLearners(kA, 5), {}, {}});
    ASSERT_TRUE(awaitLog("school=6612345 trigger=file: run started"));
    ASSERT_TRUE(awaitWaiters(kA, 1));  // it read the five, and waits
    writeSchool(kA, {someLearners(kA, 8), {}, {}});
    ASSERT_TRUE(awaitLog("one more run queued after it"));
    writeSchool(kA, {someLearners(kA, 10), {}, {}});
    ASSERT_TRUE(awaitLog("merged into its queued run"));
    held.release();

    ASSERT_TRUE(awaitLog("idle: no run under way or waiting"));
    json::array runs = history(kA);
    ASSERT_EQ(runs.size(), 2u) << json::serialize(runs);
    for (const auto& r : runs) {
        EXPECT_EQ(str(r, "trigger"), "file");
        EXPECT_EQ(str(r, "outcome"), "applied");
    }
    EXPECT_EQ(countOf(runs[1].as_object(), "create"), 5);  // oldest: what it had read
    EXPECT_EQ(countOf(runs[0].as_object(), "create"), 5);  // the newest files: 10 in all
    EXPECT_EQ(accounts({"--school", kA}).size(), 10u);
    EXPECT_EQ(logCount("trigger=file: run started"), 2);
}

// §9.1: a schedule fires ("* * * * *": within the minute). The files were run before the daemon
// started, so the start-up check leaves them alone and the scheduled run changes nothing.
TEST_F(DaemonTest, AScheduleFires) {
    writeSchool(kA, {someLearners(kA, 3), {}, {}});
    writeConfig({{kA, "", "schedule = \"* * * * *\"\n"}});
    runJson("2025-01-15");
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    json::array runs = awaitRuns(
        kA,
        [](const json::array& r) {
            // Its outcome, not its `running` row (which the history shows while it runs).
            return !r.empty() && str(r[0], "trigger") == "schedule" &&
                   str(r[0], "outcome") != "running";
        },
        150s);
    ASSERT_EQ(runs.size(), 2u) << json::serialize(runs);
    EXPECT_EQ(str(runs[0], "outcome"), "no_change");
    EXPECT_EQ(str(runs[1], "trigger"), "manual");
}

// S7: `misync run` keeps working beside the daemon. With the school held, both the daemon's run
// and the manual one wait; a run of another school goes through meanwhile; once let go, one of
// the two creates the accounts and the other plans against its result.
TEST_F(DaemonTest, MisyncRunWorksBesideTheDaemon) {
    fs::create_directories(schoolDir(kA));
    writeSchool(kB, {someLearners(kB, 4, 500), {}, {}});
    writeConfig({{kA, "", "settle_seconds = 1\n"}, {kB, "", ""}});
    ASSERT_EQ(misync({"db", "migrate"}).status, 0);
    runJson("2025-01-15", {"--school", kB});
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 2 schools"));
    HeldSchool held = holdSchool(kA);

    writeSchool(kA, {someLearners(kA, 30), {}, {}});
    ASSERT_TRUE(awaitWaiters(kA, 1));  // the daemon's run
    Background manual = misyncInBackground({"run", "--json", "--school", kA});
    ASSERT_TRUE(awaitWaiters(kA, 2));  // and the manual one
    json::value other = runJson("2025-01-15", {"--school", kB});
    EXPECT_EQ(str(runOf(other, kB), "outcome"), "no_change");
    held.release();

    Result r = finish(manual);
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_TRUE(awaitLog("idle: no run under way or waiting"));
    json::array runs = history(kA);
    ASSERT_EQ(runs.size(), 2u) << json::serialize(runs);
    std::int64_t creates = 0;
    for (const auto& run : runs) {
        EXPECT_NE(str(run, "outcome"), "failed") << json::serialize(run);
        creates += countOf(run.as_object(), "create");
    }
    EXPECT_EQ(creates, 30);
    EXPECT_EQ(accounts({"--school", kA}).size(), 30u);
}

// §9.1 reload: a good new configuration is swapped in whole — a school added to it is watched
// and run (its files were there already: the start-up check runs it, later files run it again).
TEST_F(DaemonTest, ReloadWithAGoodConfigurationWatchesAndRunsANewSchool) {
    fs::create_directories(schoolDir(kA));
    writeConfig({{kA, "", "settle_seconds = 1\n"}});
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    writeSchool(kB, {someLearners(kB, 6), {}, {}});
    writeConfig({{kA, "", "settle_seconds = 1\n"}, {kB, "", "settle_seconds = 1\n"}});
    signalDaemon(SIGHUP);
    ASSERT_TRUE(awaitLog("reloaded"));
    EXPECT_TRUE(logCount("reloaded " + config().string() + ": 2 schools") == 1);
    json::array runs = awaitRunCount(kB, 1);
    EXPECT_EQ(str(runs[0], "trigger"), "file");
    EXPECT_EQ(countOf(runs[0].as_object(), "create"), 6);

    writeSchool(kB, {someLearners(kB, 9), {}, {}});
    runs = awaitRunCount(kB, 2);
    EXPECT_EQ(countOf(runs[0].as_object(), "create"), 3);
    EXPECT_EQ(history(kA).size(), 0u);
}

// §9.1 reload: a bad configuration is logged with its reason, and the old one keeps running.
TEST_F(DaemonTest, ReloadWithABadConfigurationKeepsTheOldOne) {
    fs::create_directories(schoolDir(kA));
    writeConfig({{kA, "", "settle_seconds = 1\n"}});
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    writeFile(config(), "[daemon]\nwrkers = 2\n");
    signalDaemon(SIGHUP);
    ASSERT_TRUE(awaitLog("refused; the previous configuration keeps running"));
    EXPECT_EQ(logCount("key 'daemon.wrkers': unknown key"), 1) << daemonLog();

    // The file on disk is bad, so the commands cannot read it: the daemon's log tells.
    writeSchool(kA, {someLearners(kA, 2), {}, {}});
    ASSERT_TRUE(awaitLog("school=6612345 run=1 outcome=applied trigger=file"));
    EXPECT_TRUE(daemonRunning());
}

// §9.1, S7: several workers run different schools at once; one school is never run twice at
// the same time (its second trigger waits for the first run).
TEST_F(DaemonTest, WorkersRunDifferentSchoolsAtOnce) {
    const std::vector<std::string> schools{"6610001", "6610002", "6610003"};
    std::vector<SchoolConfig> config;
    for (const auto& s : schools) {
        fs::create_directories(schoolDir(s));
        config.push_back({s, "", "settle_seconds = 1\n"});
    }
    writeConfigWith(config, "[daemon]\nworkers = 2\n");
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 3 schools, 2 workers"));
    HeldSchool held = holdSchool(schools[0]);
    writeSchool(schools[0], {someLearners(schools[0], 3), {}, {}});
    ASSERT_TRUE(awaitWaiters(schools[0], 1));  // one worker waits for the held school
    writeSchool(schools[1], {someLearners(schools[1], 3, 100), {}, {}});
    writeSchool(schools[2], {someLearners(schools[2], 3, 200), {}, {}});
    awaitRunCount(schools[1], 1);  // the other worker goes on with the rest
    awaitRunCount(schools[2], 1);
    EXPECT_EQ(history(schools[0]).size(), 0u);
    held.release();
    awaitRunCount(schools[0], 1);
}

}  // namespace
}  // namespace misync::e2e
