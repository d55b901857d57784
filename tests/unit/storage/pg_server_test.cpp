// The conformance fixture's own PostgreSQL side (tests/support/), which does not need the
// backend: the binary's one server makes databases that psql and pg_dump reach, knows one it
// has made, and drops them; a TestDirectory runs SQL on its database, prints rows as sqlite3
// does, empties it, and sees a session that waits for a lock. Named Postgresql* so that it runs in
// misync_storage_tests_postgresql beside the PostgreSQL instances of the store tests, on the same
// server.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/pg_server.h"
#include "tests/support/process.h"
#include "tests/support/test_directory.h"

using misync::testsupport::PgEnvironment;
using misync::testsupport::PgServer;
using misync::testsupport::TestDirectory;

namespace {

TEST(PostgresqlTestServer, MakesDatabasesThatPsqlAndPgDumpReachAndDropsThem) {
    PgServer* pg = PgEnvironment::server();
    ASSERT_NE(pg, nullptr);
    if (!pg->available()) {
        GTEST_SKIP() << pg->whyNot();
    }
    const std::string name = PgEnvironment::freshDatabaseName();
    EXPECT_NE(name, PgEnvironment::freshDatabaseName()) << "a name is given once";
    ASSERT_EQ(pg->createDatabase(name), "");
    EXPECT_NE(pg->createDatabase(name), "") << "it exists already";

    std::string out;
    ASSERT_EQ(pg->psql("CREATE TABLE t (k integer, v text); INSERT INTO t VALUES (1, 'a|b'), (2, "
                       "'Siân')",
                       &out, name),
              0)
        << out;
    ASSERT_EQ(pg->psql("SELECT k, v FROM t ORDER BY k", &out, name), 0) << out;
    EXPECT_EQ(out, "1|a|b\n2|Siân\n") << "unaligned, without headers, as sqlite3 prints rows";
    EXPECT_NE(pg->psql("SELECT nonsense FROM t", &out, name), 0);
    EXPECT_NE(out.find("nonsense"), std::string::npos) << out;

    ASSERT_EQ(pg->pgDump(name, &out), 0) << out;
    EXPECT_NE(out.find("Siân"), std::string::npos) << out;

    // The connection string names the database and the password file, never the password.
    const std::string conninfo = pg->conninfo(name);
    EXPECT_NE(conninfo.find("dbname=" + name + " "), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("port=" + std::to_string(pg->port())), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("password_file=" + pg->passwordFile().string()), std::string::npos);
    std::ifstream in(pg->passwordFile());
    std::string password;
    std::getline(in, password);
    EXPECT_FALSE(password.empty());
    EXPECT_EQ(conninfo.find(password), std::string::npos) << conninfo;

    EXPECT_EQ(pg->dropDatabase(name), "");
    EXPECT_NE(pg->psql("SELECT 1", &out, name), 0) << "dropped";
    EXPECT_EQ(pg->dropDatabase(name), "") << "dropping what is gone is no error";
}

TEST(PostgresqlTestDirectory, RunsSqlEmptiesItselfAndSeesWaitersOfItsOwnDatabase) {
    TestDirectory db(TestDirectory::EvenWithoutBackend{});
    if (!db.skipReason().empty()) {
        GTEST_SKIP() << db.skipReason();
    }
    ASSERT_EQ(db.error(), "");
    EXPECT_EQ(db.options().backend, "postgresql");
    EXPECT_EQ(db.options().connection, db.conninfo());
    EXPECT_EQ(db.exec("CREATE TABLE runs (id integer, counts text); "
                      "INSERT INTO runs VALUES (1, '{}'), (2, NULL)"),
              "");
    EXPECT_NE(db.exec("INSERT INTO nowhere VALUES (1)"), "");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM runs"), "2");
    EXPECT_EQ(db.query("SELECT id, counts FROM runs ORDER BY id"), "1|{}\n2|\n");
    const std::string dump = db.dump();
    EXPECT_NE(dump.find("runs"), std::string::npos) << dump;
    EXPECT_EQ(dump, db.dump()) << "the same while nothing changes";

    // A session holding an advisory lock, and one waiting for it.
    PgServer* pg = PgEnvironment::server();
    std::ifstream in(pg->passwordFile());
    std::string password;
    std::getline(in, password);
    const auto psql = [&](const std::string& sql, const std::string& stem) {
        return misync::testsupport::startInBackground(
            "/usr/bin/psql",
            {"-h", "127.0.0.1", "-p", std::to_string(pg->port()), "-U", pg->user(), "-d",
             db.pgDatabase(), "-X", "-q", "-c", sql},
            std::filesystem::temp_directory_path() / (db.pgDatabase() + stem),
            {{"PGPASSWORD", password}});
    };
    EXPECT_EQ(db.leaseWaiters("6612345"), 0);
    auto holder = psql("SELECT pg_advisory_lock(6612345); SELECT pg_sleep(60)", "-holder");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") !=
           "1") {
        ASSERT_LT(std::chrono::steady_clock::now(), until) << "the holder never got the lock";
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto waiter = psql("SELECT pg_advisory_lock(6612345)", "-waiter");
    EXPECT_TRUE(db.awaitLeaseWaiters("6612345", 1, std::chrono::seconds(30)));
    // The holder's session ends (killing the psql client would not end its pg_sleep on the
    // server), and the waiter gets the lock.
    EXPECT_EQ(db.exec("SELECT pg_terminate_backend(pid) FROM pg_locks "
                      "WHERE locktype = 'advisory' AND granted"),
              "");
    misync::testsupport::finish(holder, std::chrono::seconds(30));
    const auto waited = misync::testsupport::finish(waiter, std::chrono::seconds(30));
    EXPECT_EQ(waited.status, 0) << waited.err;
    EXPECT_EQ(db.leaseWaiters("6612345"), 0);
    for (const char* stem : {"-holder", "-waiter"}) {
        for (const char* ext : {".out", ".err"}) {
            std::filesystem::remove(std::filesystem::temp_directory_path() /
                                    (db.pgDatabase() + stem + ext));
        }
    }

    db.reset();
    EXPECT_NE(db.exec("SELECT 1 FROM runs"), "") << "empty again";
    EXPECT_EQ(db.exec("SELECT 1"), "") << "and there";
}

}  // namespace
