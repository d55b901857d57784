// The generic store conformance fixture (DESIGN.md pattern 5, Kea's GenericLeaseMgrTest): every
// storage test that is not about one backend's files runs once per backend, each time on a
// fresh, empty directory. SQLite: a database file in a temporary folder. PostgreSQL: a database
// made for the test (CREATE DATABASE) on the binary's one server (PgEnvironment), dropped after.
// While this build has no PostgreSQL backend (storage::Directory::unavailableBackend), every
// PostgreSQL instance skips with that reason; the same tests run once the backend lands.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/directory.h"

namespace misync::testsupport {

enum class Backend { Sqlite, Postgresql };

// "sqlite" or "postgresql", as StoreOptions::backend and schema::scriptsFor() name them.
std::string backendName(Backend b);

class PgServer;

// One fresh, empty directory database of `backend`, removed by the destructor.
class TestDirectory {
  public:
    explicit TestDirectory(Backend backend);
    // SQLite at `sqlitePath` (left in place by the destructor: its folder is the caller's).
    TestDirectory(Backend backend, std::filesystem::path sqlitePath);
    // A PostgreSQL database even while this build has no backend: the fixture's own test only.
    struct EvenWithoutBackend {};
    explicit TestDirectory(EvenWithoutBackend);
    ~TestDirectory();
    TestDirectory(const TestDirectory&) = delete;
    TestDirectory& operator=(const TestDirectory&) = delete;

    Backend backend() const { return backend_; }
    bool isSqlite() const { return backend_ == Backend::Sqlite; }
    // Why the test cannot run on this backend here ("" when it can): the backend is not in this
    // build, or PostgreSQL 15 is not installed.
    const std::string& skipReason() const { return skipReason_; }
    // What went wrong making the database ("" when nothing did): a failure, not a skip.
    const std::string& error() const { return error_; }

    storage::StoreOptions options() const;
    std::unique_ptr<storage::Directory> open(storage::OpenMode mode = storage::OpenMode::Use) const;

    // SQLite: the database file (the lock file is this + ".lock").
    const std::filesystem::path& sqlitePath() const { return sqlitePath_; }
    // PostgreSQL: the database's name and its connection string as misync takes it.
    const std::string& pgDatabase() const { return pgDatabase_; }
    std::string conninfo() const;

    // Runs SQL on the database behind misync's back, as an administrator would (sqlite3, psql);
    // "" when it succeeded, else the database's message.
    std::string exec(const std::string& sql) const;
    // The first column of the first row of a query, as text (a failure fails the test).
    std::string scalar(const std::string& sql) const;
    // Every row of a query as the sqlite3 and psql -A -t command lines print them: columns
    // joined by '|', each row ending in a newline (a failure fails the test).
    std::string query(const std::string& sql) const;
    // Everything the directory holds, as text that is the same while nothing changes (SQLite:
    // sqlite3 .dump; PostgreSQL: pg_dump of the data).
    std::string dump() const;

    // S7: how many runs wait for `school`'s lease. SQLite: blocked open file description locks
    // on the school's byte of the lock file (/proc/locks). PostgreSQL: sessions of this database
    // waiting on a lock (pg_stat_activity wait_event_type 'Lock': an advisory lock or a lease
    // row), whatever the school, as each test has a database of its own.
    int leaseWaiters(const std::string& school) const;
    // Polls until at least `count` wait; false after `timeout`.
    bool awaitLeaseWaiters(const std::string& school, int count,
                           std::chrono::seconds timeout = std::chrono::seconds(60)) const;

    // Drops everything: the directory is empty again (the next open() creates the schema).
    void reset();

  private:
    void makePgDatabase(bool evenWithoutBackend);

    Backend backend_;
    std::string skipReason_;
    std::string error_;
    std::filesystem::path tempDir_;
    std::filesystem::path sqlitePath_;
    std::string pgDatabase_;
    PgServer* server_ = nullptr;
};

// A value-parameterised fixture over the backends: SetUp makes the test's directory (or skips).
// Subclasses that override SetUp call StoreTest::SetUp() first and return when
// IsSkipped() || HasFatalFailure().
class StoreTest : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override;
    void TearDown() override;

    TestDirectory& database() { return *db_; }
    bool isSqlite() const { return GetParam() == Backend::Sqlite; }
    std::unique_ptr<storage::Directory> open(storage::OpenMode mode = storage::OpenMode::Use) {
        return db_->open(mode);
    }
    storage::StoreOptions options() const { return db_->options(); }

  private:
    std::unique_ptr<TestDirectory> db_;
};

// gtest's parameter name: the backend's name.
std::string backendParamName(const ::testing::TestParamInfo<Backend>& info);

}  // namespace misync::testsupport

// Runs the TEST_Ps of `Suite` on every backend: Sqlite/Suite.Test/sqlite and
// Postgresql/Suite.Test/postgresql.
#define MISYNC_ON_EVERY_BACKEND(Suite)                                                      \
    INSTANTIATE_TEST_SUITE_P(Sqlite, Suite,                                                 \
                             ::testing::Values(::misync::testsupport::Backend::Sqlite),     \
                             ::misync::testsupport::backendParamName);                      \
    INSTANTIATE_TEST_SUITE_P(Postgresql, Suite,                                             \
                             ::testing::Values(::misync::testsupport::Backend::Postgresql), \
                             ::misync::testsupport::backendParamName)

// Runs the TEST_Ps of `Suite` on SQLite only: tests of SQLite's own files and statements (each
// such suite says why in a comment).
#define MISYNC_ON_SQLITE_ONLY(Suite)                                                    \
    INSTANTIATE_TEST_SUITE_P(Sqlite, Suite,                                             \
                             ::testing::Values(::misync::testsupport::Backend::Sqlite), \
                             ::misync::testsupport::backendParamName)
