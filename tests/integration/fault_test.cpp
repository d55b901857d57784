// Faults (issue 9, docs/reliability.md "Faults"), each with the real binary on a real directory:
// a full disk (a small tmpfs), a read-only database (a read-only mount, a file of mode 0400),
// PostgreSQL restarted in the middle of a run, the server refusing connections, and the daemon
// through all of these. Each fails the run under way cleanly with a message that says what and
// where, leaves every school as before the run or as after it (R14), doubles no username or UPN
// (U3, R1), and the next run recovers without an operator.
//
// The SQLite faults need root for the mounts and to take the write permission away from the
// user misync runs as (CI runs as root); the PostgreSQL ones run in the PostgreSQL pass of the
// suite (MISYNC_TEST_BACKEND=postgresql), stopping and starting the binary's own server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "daemon_fixture.h"
#include "status/tokens.h"
#include "tests/support/pg_server.h"
#include "tests/unit/status/http_client.h"

namespace misync::e2e {
namespace {

using testsupport::PgEnvironment;

const std::vector<std::string> kSchools{"6613001", "6613002", "6613003",
                                        "6613004", "6613005", "6613006"};

// A mount that the test takes away again whatever happens.
class Mount {
  public:
    Mount() = default;
    Mount(const Mount&) = delete;
    Mount& operator=(const Mount&) = delete;
    ~Mount() { undo(); }
    // A tmpfs of `bytes` at `at`; "" or why not.
    std::string tmpfs(const fs::path& at, std::size_t bytes) {
        fs::create_directories(at);
        const std::string opts = "size=" + std::to_string(bytes) + ",mode=0700";
        if (::mount("tmpfs", at.c_str(), "tmpfs", 0, opts.c_str()) != 0) {
            return std::string("mount tmpfs: ") + std::strerror(errno);
        }
        at_ = at;
        return "";
    }
    // `at` again, read-only, over itself.
    std::string readOnly(const fs::path& at) {
        if (::mount(at.c_str(), at.c_str(), nullptr, MS_BIND, nullptr) != 0) {
            return std::string("bind mount: ") + std::strerror(errno);
        }
        at_ = at;
        if (::mount(nullptr, at.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
            return std::string("remount read-only: ") + std::strerror(errno);
        }
        return "";
    }
    void undo() {
        if (!at_.empty()) {
            ::umount2(at_.c_str(), MNT_DETACH);
            at_.clear();
        }
    }

  private:
    fs::path at_;
};

class FaultTest : public DaemonTest {
  protected:
    // `learners` learners in each of `schools` (distinct UPNs across schools).
    std::vector<SchoolConfig> writeSchools(const std::vector<std::string>& schools, int learners,
                                           std::string_view extra = "") {
        std::vector<SchoolConfig> configs;
        int from = 0;
        for (const auto& d : schools) {
            writeSchool(d, {someLearners(d, learners, from), {}, {}});
            configs.push_back({d, "", std::string(extra)});
            from += learners;
        }
        return configs;
    }
    // The configuration with the SQLite database moved to `db`.
    void moveDatabase(const fs::path& db) {
        std::ifstream in(config());
        std::string text((std::istreambuf_iterator<char>(in)), {});
        const std::string from = "path = \"" + database().string() + "\"";
        const auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << text;
        text.replace(at, from.size(), "path = \"" + db.string() + "\"");
        writeFile(config(), text);
    }
    // Each school's learners with an active account, by UPN.
    std::map<std::string, std::set<std::string>> activeUpns() {
        std::map<std::string, std::set<std::string>> out;
        for (const auto& a : accounts()) {
            if (str(a, "status") == "active" && !str(a, "upn").empty()) {
                out[str(a, "school")].insert(str(a, "upn"));
            }
        }
        return out;
    }
    // U3 and R1 over the whole directory: no username (or alias) and no UPN given twice.
    void expectNothingDoubled() {
        std::set<std::string> names;
        std::set<std::string> upns;
        for (const auto& a : accounts()) {
            EXPECT_TRUE(names.insert(str(a, "username")).second) << json::serialize(a);
            if (!str(a, "upn").empty()) {
                EXPECT_TRUE(upns.insert(str(a, "upn")).second) << json::serialize(a);
            }
        }
    }
    // R14 per school: as before the run, or as a complete run leaves it.
    void expectUntouchedOrComplete(const std::map<std::string, std::set<std::string>>& before,
                                   const std::map<std::string, std::set<std::string>>& complete) {
        auto now = activeUpns();
        for (const auto& [school, upns] : complete) {
            const auto b = before.find(school);
            const std::set<std::string> none;
            const auto& was = b == before.end() ? none : b->second;
            EXPECT_TRUE(now[school] == was || now[school] == upns)
                << "school " << school << " is half-written: " << now[school].size()
                << " active learners, before " << was.size() << ", complete " << upns.size();
        }
    }
    // Every school's expected learners, as the files now give them (one account each).
    std::map<std::string, std::set<std::string>> expected(const std::vector<std::string>& schools,
                                                          int learners) {
        std::map<std::string, std::set<std::string>> out;
        int from = 0;
        for (const auto& d : schools) {
            for (const auto& s : someLearners(d, learners, from)) {
                out[d].insert(s.upn);
            }
            from += learners;
        }
        return out;
    }
    // Runs every school twice more: the first converges, the second changes nothing.
    void expectRecovery(const std::map<std::string, std::set<std::string>>& complete) {
        json::value again = runJson("2026-09-10");
        EXPECT_EQ(activeUpns(), complete);
        json::value third = runJson("2026-09-10");
        for (const auto& r : third.at("runs").as_array()) {
            EXPECT_EQ(str(r, "outcome"), "no_change") << json::serialize(r);
        }
        expectNothingDoubled();
    }
    void skipUnlessSqliteAndRoot() {
        if (onPostgresql()) {
            GTEST_SKIP() << "a fault of the SQLite database file";
        }
        if (::geteuid() != 0) {
            GTEST_SKIP() << "needs root, for the mount (CI runs as root)";
        }
    }
    // The PostgreSQL pass's own server, which a test may stop and start; null on SQLite.
    static testsupport::PgServer* pgServer() {
        return onPostgresql() ? PgEnvironment::server() : nullptr;
    }
};

TEST_F(FaultTest, AFullDiskFailsTheRunAndTheNextRunRecovers) {
    skipUnlessSqliteAndRoot();
    if (IsSkipped()) {
        return;
    }
    const fs::path small = dir() / "small";
    Mount mount;
    const std::string why = mount.tmpfs(small, 8u << 20);
    if (!why.empty()) {
        GTEST_SKIP() << why;
    }
    const fs::path db = small / "directory.db";
    // One school's first run, with room to spare.
    writeConfig(writeSchools({kSchools[0]}, 20));
    moveDatabase(db);
    runJson("2026-09-10");
    const auto before = activeUpns();
    ASSERT_EQ(before.at(kSchools[0]).size(), 20u);

    // The disk fills up: then five more schools, and a new learner for the first.
    struct statvfs vfs {};
    ASSERT_EQ(::statvfs(small.c_str(), &vfs), 0);
    const auto free = static_cast<std::size_t>(vfs.f_bavail) * vfs.f_frsize;
    ASSERT_GT(free, 200u << 10);
    {
        std::ofstream filler(small / "filler", std::ios::binary);
        filler << std::string(free - (96u << 10), 'x');
        ASSERT_TRUE(filler.good());
    }
    writeConfig(writeSchools(kSchools, 300));
    moveDatabase(db);
    Result full = misync({"run", "--as-of", "2026-09-10"});
    EXPECT_NE(full.status, 0) << full.out << full.err;
    EXPECT_NE((full.out + full.err).find("database or disk is full"), std::string::npos)
        << full.out << full.err;
    EXPECT_NE((full.out + full.err).find(db.string()), std::string::npos)
        << "the message names the file: " << full.err;
    Result integrity = execute("/usr/bin/sqlite3", {db.string(), "PRAGMA integrity_check"});
    EXPECT_EQ(integrity.out, "ok\n") << integrity.err;
    const auto complete = expected(kSchools, 300);
    expectUntouchedOrComplete(before, complete);
    expectNothingDoubled();

    // Room again: the next runs recover, without anyone touching the directory.
    fs::remove(small / "filler");
    expectRecovery(complete);
}

TEST_F(FaultTest, AReadOnlyMountFailsTheRunAndTheNextRunRecovers) {
    skipUnlessSqliteAndRoot();
    if (IsSkipped()) {
        return;
    }
    const fs::path folder = dir() / "db";
    fs::create_directories(folder);
    const fs::path db = folder / "directory.db";
    writeConfig(writeSchools({kSchools[0], kSchools[1]}, 10));
    moveDatabase(db);
    runJson("2026-09-10");
    const auto before = activeUpns();

    writeConfig(writeSchools({kSchools[0], kSchools[1]}, 12));
    moveDatabase(db);
    Mount mount;
    const std::string why = mount.readOnly(folder);
    ASSERT_EQ(why, "");
    Result ro = misync({"run", "--as-of", "2026-09-10"});
    EXPECT_EQ(ro.status, 1) << ro.out << ro.err;
    EXPECT_NE(ro.err.find("Read-only file system"), std::string::npos) << ro.err;
    EXPECT_NE(ro.err.find(folder.string()), std::string::npos) << ro.err;
    mount.undo();
    EXPECT_EQ(activeUpns(), before);

    expectRecovery(expected({kSchools[0], kSchools[1]}, 12));
}

// The database file alone is read-only to the user misync runs as (as root: a run as `nobody`,
// for whom the test's files are made over). misync refuses it at open with what to do, before
// SQLite makes -wal and -shm files that would copy its mode; put right, the next run recovers.
TEST_F(FaultTest, ADatabaseFileThatCannotBeWrittenIsRefusedWithWhatToDo) {
    if (onPostgresql()) {
        GTEST_SKIP() << "a fault of the SQLite database file";
    }
    writeConfig(writeSchools({kSchools[0]}, 10));
    const bool root = ::geteuid() == 0;
    auto asUser = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config().string()});
        if (!root) {
            return execute(MISYNC_BINARY, args);
        }
        args.insert(args.begin(),
                    {"--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", MISYNC_BINARY});
        return execute("/usr/bin/setpriv", args);
    };
    if (root) {
        ASSERT_EQ(execute("/bin/chown", {"-R", "nobody:nogroup", dir().string()}).status, 0);
        fs::permissions(dir(), fs::perms::owner_all, fs::perm_options::replace);
    }
    Result first = asUser({"run", "--as-of", "2026-09-10"});
    ASSERT_EQ(first.status, 0) << first.err;
    // Every connection closed: no -wal or -shm files are left.
    ASSERT_FALSE(fs::exists(database().string() + "-wal"));

    writeSchool(kSchools[0], {someLearners(kSchools[0], 11), {}, {}});
    fs::permissions(database(), fs::perms::owner_read, fs::perm_options::replace);
    Result refused = asUser({"run", "--as-of", "2026-09-10"});
    EXPECT_EQ(refused.status, 1) << refused.out << refused.err;
    EXPECT_NE(refused.err.find(database().string() +
                               ": the directory database is not writable by this user"),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("mode 0600"), std::string::npos) << refused.err;
    EXPECT_FALSE(fs::exists(database().string() + "-wal")) << "SQLite made a read-only -wal file";
    EXPECT_FALSE(fs::exists(database().string() + "-shm")) << "SQLite made a read-only -shm file";

    fs::permissions(database(), fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    Result recovered = asUser({"run", "--as-of", "2026-09-10"});
    EXPECT_EQ(recovered.status, 0) << recovered.err;
    if (root) {  // the rest reads as the test's own user
        ASSERT_EQ(execute("/bin/chown", {"-R", "root:root", dir().string()}).status, 0);
    }
    EXPECT_EQ(activeUpns(), expected({kSchools[0]}, 11));
}

// PostgreSQL is restarted while a national run's second school is inside its transaction
// (waiting for the write lock, which the test holds): that run fails, naming the directory and
// the lost connection, and is recorded; the schools before it are complete, and the ones after
// it run on a connection made again.
TEST_F(FaultTest, APostgresqlRestartFailsOnlyTheRunUnderWay) {
    testsupport::PgServer* pg = pgServer();
    if (pg == nullptr) {
        GTEST_SKIP() << "runs in the PostgreSQL pass of the suite";
    }
    auto& server = *pg;
    writeConfig(writeSchools(kSchools, 8));
    const std::string first = kSchools[1];
    // The run comes to wait for the second school's lease (its start-up and the first school
    // done), then, once the test holds the write lock and lets the school go, for the write lock
    // inside the school's transaction.
    auto lease = std::make_unique<HeldSchool>(holdSchool(first));
    Background run = misyncInBackground({"run", "--json", "--as-of", "2026-09-10"});
    ASSERT_TRUE(awaitLeaseWaiters(first, 1));
    std::atomic<bool> inside{false};
    std::atomic<bool> letGo{false};
    auto holder = directory().open();
    std::thread writer([&] {
        try {
            holder->exclusive([&] {
                inside = true;
                while (!letGo) {
                    std::this_thread::sleep_for(20ms);
                }
            });
        } catch (const std::exception&) {
            // its connection went with the restart: nothing of it was written
        }
    });
    while (!inside) {
        std::this_thread::sleep_for(20ms);
    }
    lease.reset();
    // pg_advisory_xact_lock(0x6d6973796e63), the store's write lock: classid and objid are its
    // high and low 32 bits.
    const std::string waitingForWrites =
        "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'advisory' AND "
        "classid = 28009 AND objid = 1937337955 AND database = (SELECT oid FROM pg_database "
        "WHERE datname = current_database())";
    bool waiting = false;
    for (int i = 0; i < 3000 && !waiting; ++i) {
        waiting = directory().scalar(waitingForWrites) == "1";
        if (!waiting) {
            std::this_thread::sleep_for(20ms);
        }
    }
    EXPECT_TRUE(waiting) << "the run never came to wait for the write lock";
    EXPECT_EQ(server.stop(), "");
    EXPECT_EQ(server.start(), "");
    letGo = true;
    writer.join();
    holder.reset();
    Result r = finish(run);
    ASSERT_TRUE(waiting);
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    ASSERT_FALSE(r.out.empty()) << r.err;
    json::value out = parseJson(r.out);
    for (const auto& d : kSchools) {
        json::object one = runOf(out, d);
        if (d == first) {
            EXPECT_EQ(str(one, "outcome"), "failed") << json::serialize(one);
            const std::string message = json::serialize(one.at("errors"));
            EXPECT_NE(message.find("PostgreSQL directory host=127.0.0.1 port="), std::string::npos)
                << message;
            EXPECT_NE(message.find("connection"), std::string::npos) << message;
        } else {
            EXPECT_EQ(str(one, "outcome"), "applied") << json::serialize(one);
        }
    }
    // The failed run is in the school's history; nothing of it was written.
    json::array history = runsOf(first);
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(str(history.front(), "outcome"), "failed");
    auto complete = expected(kSchools, 8);
    auto now = activeUpns();
    EXPECT_EQ(now.count(first), 0u);
    complete.erase(first);
    for (const auto& [d, upns] : complete) {
        EXPECT_EQ(now[d], upns) << d;
    }
    expectRecovery(expected(kSchools, 8));
}

// A run that waits for its school's lease (S7) holds nothing yet: across a restart it simply
// connects again and goes on waiting, then runs.
TEST_F(FaultTest, ARunWaitingForItsSchoolAcrossARestartWaitsAgainAndRuns) {
    testsupport::PgServer* pg = pgServer();
    if (pg == nullptr) {
        GTEST_SKIP() << "runs in the PostgreSQL pass of the suite";
    }
    auto& server = *pg;
    writeConfig(writeSchools(kSchools, 8));
    const std::string held = kSchools[3];
    Background run;
    {
        HeldSchool lease = holdSchool(held);
        ASSERT_TRUE(lease.held());
        run = misyncInBackground({"run", "--json", "--as-of", "2026-09-10"});
        ASSERT_TRUE(awaitLeaseWaiters(held, 1));
        ASSERT_EQ(server.stop(), "");  // the test's lease goes with its connection
        ASSERT_EQ(server.start(), "");
    }
    Result r = finish(run);
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    json::value out = parseJson(r.out);
    for (const auto& d : kSchools) {
        EXPECT_EQ(str(runOf(out, d), "outcome"), "applied") << d;
    }
    EXPECT_EQ(activeUpns(), expected(kSchools, 8));
    expectNothingDoubled();
}

TEST_F(FaultTest, ARefusedConnectionFailsWithTheServerNamedAndTheNextRunRecovers) {
    testsupport::PgServer* pg = pgServer();
    if (pg == nullptr) {
        GTEST_SKIP() << "runs in the PostgreSQL pass of the suite";
    }
    auto& server = *pg;
    writeConfig(writeSchools({kSchools[0]}, 5));
    runJson("2026-09-10");
    writeConfig(writeSchools({kSchools[0]}, 6));
    ASSERT_EQ(server.stop(), "");
    Result refused = misync({"run", "--as-of", "2026-09-10"});
    const std::string message = refused.out + refused.err;
    ASSERT_EQ(server.start(), "");
    EXPECT_EQ(refused.status, 1) << message;
    EXPECT_NE(message.find("cannot connect to the PostgreSQL directory host=127.0.0.1 port=" +
                           std::to_string(server.port())),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("Connection refused"), std::string::npos) << message;
    std::ifstream pw(server.passwordFile());
    std::string password;
    std::getline(pw, password);
    ASSERT_FALSE(password.empty());
    EXPECT_EQ(message.find(password), std::string::npos) << "the password reached the output";
    expectRecovery(expected({kSchools[0]}, 6));
}

// The daemon lives through the server going away: the status endpoint answers 503 while it
// cannot read the directory, a run fails, and once the server is back both recover by
// themselves.
TEST_F(FaultTest, TheDaemonRecoversWhenPostgresqlComesBack) {
    testsupport::PgServer* pg = pgServer();
    if (pg == nullptr) {
        GTEST_SKIP() << "runs in the PostgreSQL pass of the suite";
    }
    auto& server = *pg;
    const std::string token = "fault-admin-Bearer-5e5e";
    writeFile(dir() / "tokens.toml", tokensToml({{"admin", "admin", token}}));
    const std::string d = kSchools[0];
    writeSchool(d, {someLearners(d, 5), {}, {}});
    writeConfigWith({{d, "", "settle_seconds = 1\n"}},
                    "[status]\nlisten = \"127.0.0.1:0\"\ntokens_file = \"" +
                        (dir() / "tokens.toml").string() + "\"\n");
    startDaemon();
    const unsigned short port = statusPort();
    awaitRunCount(d, 1);
    auto get = [&] {
        statustest::Client c(port);
        return c.get("/api/v1/schools", token);
    };
    auto first = get();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->result_int(), 200);

    ASSERT_EQ(server.stop(), "");
    auto down = get();
    ASSERT_TRUE(down);
    EXPECT_EQ(down->result_int(), 503) << down->body();
    EXPECT_NE(down->body().find("the directory is unavailable"), std::string::npos);
    writeSchool(d, {someLearners(d, 6), {}, {}});  // the drop folder changes: a run
    EXPECT_TRUE(awaitLog("outcome=failed", 1, 90s)) << daemonLog();
    ASSERT_EQ(server.start(), "");

    auto up = get();
    ASSERT_TRUE(up);
    EXPECT_EQ(up->result_int(), 200) << up->body();
    writeSchool(d, {someLearners(d, 7), {}, {}});
    json::array runs = awaitRuns(d, [](const json::array& r) {
        return !r.empty() && str(r.front(), "outcome") == "applied" && r.size() >= 2;
    });
    EXPECT_EQ(activeUpns()[d].size(), 7u);
    signalDaemon(SIGTERM);
    Result stopped = finishDaemon();
    EXPECT_EQ(stopped.status, 0) << stopped.err;
    EXPECT_EQ(daemonLog().find(token), std::string::npos);
}

}  // namespace
}  // namespace misync::e2e

namespace misync::e2e {
namespace {

// Issue 9 item 2, U3: the database's uniqueness is the final word. A name is given behind the
// daemon's back after its registry has seen the base (an alias row with an old sequence number,
// so that no delta brings it); the next run that wants that name is refused by the database and
// planned again, never failed.
TEST_F(FaultTest, ANameTakenBehindTheDaemonsBackIsPlannedAgainNotFailed) {
    const std::string a = kSchools[0];
    const std::string b = kSchools[1];
    Student aled{.id = "1",
                 .upn = makeUpn(a, 1),
                 .forename = "Aled",
                 .surname = "Jones",
                 .year = "7",
                 .reg = "7A",
                 .admissionDate = "2024-09-01"};
    Student ceri{.id = "2",
                 .upn = makeUpn(b, 2),
                 .forename = "Ceri",
                 .surname = "Evans",
                 .year = "7",
                 .reg = "7A",
                 .admissionDate = "2024-09-01"};
    writeSchool(a, {{aled}, {}, {}});
    writeSchool(b, {{ceri}, {}, {}});
    writeConfig({{a, "", "settle_seconds = 1\n"}, {b, "", "settle_seconds = 1\n"}});
    startDaemon();
    awaitRunCount(a, 1);
    awaitRunCount(b, 1);
    ASSERT_TRUE(byUsername(accounts(), "jonesa")) << "the base the test crowds";
    const std::string id = directory().scalar("SELECT id FROM accounts WHERE username = 'jonesa'");
    ASSERT_EQ(directory().exec("INSERT INTO usernames (name, account_id, is_alias, seq) VALUES "
                               "('jonesa1', " +
                               id + ", 1, 0)"),
              "");

    Student anwen{.id = "3",
                  .upn = makeUpn(b, 3),
                  .forename = "Anwen",
                  .surname = "Jones",
                  .year = "7",
                  .reg = "7A",
                  .admissionDate = "2024-09-01"};
    writeSchool(b, {{ceri, anwen}, {}, {}});
    json::array runs = awaitRunCount(b, 2);
    ASSERT_FALSE(runs.empty());
    EXPECT_EQ(str(runs.front(), "outcome"), "applied") << json::serialize(runs.front());
    auto anwenNow = byUpn(accounts(), anwen.upn);
    ASSERT_TRUE(anwenNow);
    EXPECT_EQ(str(*anwenNow, "username"), "jonesa2");
    EXPECT_EQ(logCount("a name was taken meanwhile; planning again"), 1) << daemonLog();
    signalDaemon(SIGTERM);
    EXPECT_EQ(finishDaemon().status, 0);
}

}  // namespace
}  // namespace misync::e2e
