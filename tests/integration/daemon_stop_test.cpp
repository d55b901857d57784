// `misync daemon` stopping and starting (SPEC §9.1, §10, R14): SIGTERM lets a running run
// finish within stop_timeout_seconds and exits 0; at the bound a run is abandoned and nothing of
// it is committed; start-up errors exit non-zero with the reason logged; what systemd hears
// through NOTIFY_SOCKET (READY, RELOADING, STOPPING, WATCHDOG).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "daemon_fixture.h"

namespace misync::e2e {
namespace {

constexpr const char* kA = "6612345";

using Clock = std::chrono::steady_clock;

// SIGTERM while a run is under way (here: waiting for its lease, which the test holds): the run
// may finish, then the daemon exits 0; a run that was only queued is dropped.
TEST_F(DaemonTest, SigtermLetsARunningRunFinishWithinTheBound) {
    fs::create_directories(schoolDir(kA));
    fs::create_directories(schoolDir("6612346"));
    writeConfigWith({{kA, "", "settle_seconds = 1\n"}, {"6612346", "", "settle_seconds = 1\n"}},
                    "[daemon]\nstop_timeout_seconds = 60\n");
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 2 schools"));
    HeldSchool held = holdSchool(kA);
    writeSchool(kA, {someLearners(kA, 20), {}, {}});
    ASSERT_TRUE(awaitWaiters(kA, 1));
    writeSchool("6612346", {someLearners("6612346", 2, 300), {}, {}});
    ASSERT_TRUE(awaitLog("school=6612346 trigger=file: queued"));  // behind the one worker
    signalDaemon(SIGTERM);
    ASSERT_TRUE(awaitLog("SIGTERM received: stopping"));
    ASSERT_TRUE(awaitLog("school=6612346: its waiting run is dropped"));
    held.release();
    Result r = finishDaemon();
    EXPECT_EQ(r.status, 0) << r.err;
    json::array runs = history(kA);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(str(runs[0], "outcome"), "applied");
    EXPECT_EQ(accounts({"--school", kA}).size(), 20u);
    EXPECT_EQ(history("6612346").size(), 0u);
    EXPECT_NE(r.err.find("stopped"), std::string::npos);
}

// At stop_timeout_seconds the daemon exits 0 regardless, abandoning a run that has not
// finished: nothing of it is committed (R14), the directory is as before it.
TEST_F(DaemonTest, SigtermAtTheBoundAbandonsTheRunAndExitsZero) {
    fs::create_directories(schoolDir(kA));
    writeConfigWith({{kA, "", "settle_seconds = 1\n"}}, "[daemon]\nstop_timeout_seconds = 2\n");
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    HeldSchool held = holdSchool(kA);
    writeSchool(kA, {someLearners(kA, 20), {}, {}});
    ASSERT_TRUE(awaitWaiters(kA, 1));
    const auto signalled = Clock::now();
    signalDaemon(SIGTERM);
    Result r = finishDaemon();
    const auto took = Clock::now() - signalled;
    held.release();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_GE(took, std::chrono::milliseconds(1900));
    EXPECT_LT(took, std::chrono::seconds(2 + 10));  // the bound, and generous slack
    EXPECT_NE(r.err.find("school=6612345: run abandoned at the stop bound"), std::string::npos)
        << r.err;
    EXPECT_EQ(history(kA).size(), 0u);
    EXPECT_EQ(accounts().size(), 0u);
}

// SIGTERM in the middle of a big run, with a short bound: whether it finished or was abandoned,
// the directory is either before that run (but for the run's `running` row) or after it (R14),
// never between.
TEST_F(DaemonTest, SigtermDuringABigRunLeavesTheDirectoryBeforeOrAfterIt) {
    constexpr int kLearners = 50000;
    fs::create_directories(schoolDir(kA));
    writeConfigWith({{kA, "", "settle_seconds = 1\n"}}, "[daemon]\nstop_timeout_seconds = 1\n");
    ASSERT_EQ(misync({"db", "migrate"}).status, 0);
    startDaemon();
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    writeSchool(kA, {someLearners(kA, kLearners), {}, {}});
    ASSERT_TRUE(awaitLog("school=6612345 trigger=file: run started", 1, 120s));
    const auto signalled = Clock::now();
    signalDaemon(SIGTERM);
    Result r = finishDaemon(120s);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_LT(Clock::now() - signalled, std::chrono::seconds(1 + 10));
    const std::size_t accountCount = accounts().size();
    json::array runs = history(kA);
    if (accountCount == 0) {
        // Abandoned: nothing of it committed but its `running` row, which the next start marks
        // interrupted (docs/reliability.md); or it had not written even that.
        EXPECT_LE(runs.size(), 1u) << json::serialize(runs);
        if (!runs.empty()) {
            EXPECT_EQ(str(runs[0], "outcome"), "running") << json::serialize(runs);
            EXPECT_EQ(totalCounts(runs[0].as_object()), 0);
        }
        EXPECT_NE(r.err.find("run abandoned at the stop bound"), std::string::npos) << r.err;
    } else {
        EXPECT_EQ(accountCount, static_cast<std::size_t>(kLearners));
        ASSERT_EQ(runs.size(), 1u);
        EXPECT_EQ(str(runs[0], "outcome"), "applied");
        EXPECT_EQ(countOf(runs[0].as_object(), "create"), kLearners);
    }
}

// SPEC §10, Type=notify: READY=1 once serving, RELOADING=1 (with MONOTONIC_USEC) then READY=1
// around a reload, STOPPING=1 at SIGTERM, and WATCHDOG=1 pings when WATCHDOG_USEC asks.
TEST_F(DaemonTest, TellsSystemdReadyReloadingStoppingAndPingsTheWatchdog) {
    writeConfig({{kA, "", ""}});
    NotifySocket socket(dir() / "notify.sock");
    startDaemon({{"NOTIFY_SOCKET", socket.path().string()}, {"WATCHDOG_USEC", "1000000"}});
    const std::string ready = socket.await("READY=1");
    EXPECT_NE(ready.find("STATUS=1 school, 1 worker: 0 running, 0 waiting"), std::string::npos)
        << ready;
    EXPECT_NE(socket.await("WATCHDOG=1"), "");
    EXPECT_NE(socket.await("WATCHDOG=1"), "");  // again: it keeps pinging
    signalDaemon(SIGHUP);
    const std::string reloading = socket.await("RELOADING=1");
    EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
    EXPECT_NE(socket.await("READY=1"), "");
    signalDaemon(SIGTERM);
    EXPECT_NE(socket.await("STOPPING=1"), "");
    Result r = finishDaemon();
    EXPECT_EQ(r.status, 0) << r.err;
}

// Start-up errors are logged and exit non-zero: 2 for the configuration (the key named), 1 for a
// directory that cannot be opened; never a daemon that runs without them.
TEST_F(DaemonTest, StartUpErrorsAreLoggedAndExitNonZero) {
    writeFile(config(), "[daemon]\nworkers = 0\n");
    startDaemon();
    Result bad = finishDaemon();
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("cannot start: configuration error"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("key 'daemon.workers': must be between 1 and 64"), std::string::npos);

    writeFile(config(), directoryToml() + "[secrets]\nkey_file = \"credential:misync-key\"\n");
    startDaemon();
    Result credential = finishDaemon();
    EXPECT_EQ(credential.status, 2);
    EXPECT_NE(credential.err.find("needs $CREDENTIALS_DIRECTORY"), std::string::npos)
        << credential.err;

    // A directory that cannot be opened: not a SQLite database, or a PostgreSQL database that
    // does not exist.
    std::string unusable;
    if (onPostgresql()) {
        std::string conninfo = directory().conninfo();
        const std::string name = "dbname=" + directory().pgDatabase();
        conninfo.replace(conninfo.find(name), name.size(), "dbname=misync_no_such_database");
        unusable = "[directory]\nbackend = \"postgresql\"\nconnection = \"" + conninfo + "\"\n";
    } else {
        writeFile(dir() / "garbage.db", std::string(4096, '\x7f'));
        unusable = "[directory]\npath = \"" + (dir() / "garbage.db").string() + "\"\n";
    }
    writeFile(config(),
              unusable + "[secrets]\nkey_file = \"" + (dir() / "secret.key").string() + "\"\n");
    startDaemon();
    Result store = finishDaemon();
    EXPECT_EQ(store.status, 1) << store.err;
    EXPECT_NE(store.err.find("cannot start"), std::string::npos) << store.err;
}

// The key as a systemd credential (LoadCredential=): the daemon reads it from
// $CREDENTIALS_DIRECTORY and runs with it.
TEST_F(DaemonTest, TheKeyMayBeASystemdCredential) {
    fs::create_directories(dir() / "credentials");
    writeFile(dir() / "credentials" / "misync-key", std::string(64, 'c') + "\n");
    fs::permissions(dir() / "credentials" / "misync-key", fs::perms::owner_read);
    fs::create_directories(schoolDir(kA));
    writeFile(config(), "[status]\nlisten = \"127.0.0.1:0\"\n" + directoryToml() +
                            "[secrets]\nkey_file = \"credential:misync-key\"\n"
                            "[[school]]\ndfes = \"6612345\"\nconnector = \"sims-xml\"\n"
                            "source = \"" +
                            schoolDir(kA).string() + "\"\nsettle_seconds = 1\n");
    const std::map<std::string, std::string> env{
        {"CREDENTIALS_DIRECTORY", (dir() / "credentials").string()}};
    startDaemon(env);
    ASSERT_TRUE(awaitLog("serving: 1 school"));
    writeSchool(kA, {someLearners(kA, 3), {}, {}});
    ASSERT_TRUE(awaitLog("school=6612345 run=1 outcome=applied trigger=file"));
    signalDaemon(SIGTERM);
    EXPECT_EQ(finishDaemon().status, 0);
    // Commands run by hand read the same file: they need the credential too.
    EXPECT_EQ(misync({"history", "--school", kA}).status, 2);
    Result h = misync({"history", "--school", kA, "--json"}, env);
    ASSERT_EQ(h.status, 0) << h.err;
    EXPECT_EQ(str(runOf(parseJson(h.out), kA), "outcome"), "applied");
}

}  // namespace
}  // namespace misync::e2e
