// A throwaway PostgreSQL 15 server for tests (DEVELOPERS.md: real components on loopback):
// initdb into a temporary folder, a free port on 127.0.0.1, password authentication over TCP,
// stopped and removed by the destructor. As root (CI) the server runs as the `postgres` user,
// since PostgreSQL refuses to run as root.
//
// A test binary shares one server (PgEnvironment): each test that needs a directory makes its
// own database on it (createDatabase), which costs milliseconds where initdb costs seconds.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace misync::testsupport {

class PgServer {
  public:
    // Starts the server with superuser `user` and password `password`; available() says whether
    // it could (PostgreSQL 15's binaries not installed: the tests that need it are skipped).
    PgServer(std::string user, std::string password);
    ~PgServer();
    PgServer(const PgServer&) = delete;
    PgServer& operator=(const PgServer&) = delete;

    bool available() const { return port_ != 0; }
    const std::string& whyNot() const { return whyNot_; }
    unsigned short port() const { return port_; }
    const std::string& user() const { return user_; }
    // A file (mode 0600) holding the superuser's password and nothing else.
    std::filesystem::path passwordFile() const { return dir_ / "pw"; }

    // Runs SQL through psql as the superuser on `database`; returns psql's exit status (its
    // output, unaligned and without headers, is in `output`).
    int psql(const std::string& sql, std::string* output = nullptr,
             const std::string& database = "postgres") const;
    // A libpq keyword string for `database` as misync takes it (SPEC §7): the password not in
    // it but in `password_file=`.
    std::string conninfo(const std::string& database) const;
    // pg_dump of `database`'s data (its output in `output`); returns its exit status.
    int pgDump(const std::string& database, std::string* output) const;
    // CREATE DATABASE / DROP DATABASE … WITH (FORCE); "" or psql's message.
    std::string createDatabase(const std::string& name) const;
    std::string dropDatabase(const std::string& name) const;

    // Faults (issue 9): stops the server as an administrator's `pg_ctl stop -m fast` would
    // (sessions are ended, new connections refused) and starts it again on the same port; ""
    // or pg_ctl's message. A test that stops the binary's shared server starts it again before
    // it ends: the tests of a binary run one after another.
    std::string stop();
    std::string start();

  private:
    std::filesystem::path dir_;
    std::string user_;
    std::string password_;
    unsigned short port_ = 0;
    std::string whyNot_;
    bool asPostgres_ = false;
    // pg_ctl with `args`, as the server's user.
    Result pgCtl(std::vector<std::string> args) const;
    std::vector<std::string> startArgs(unsigned short port) const;
};

// The one PostgreSQL server of a test binary, registered by tests/support/test_main.cpp: started
// on first use (a binary or a filter that never asks for it never starts one) and stopped in
// TearDown, after the last test and before static destruction.
class PgEnvironment : public ::testing::Environment {
  public:
    PgEnvironment();
    ~PgEnvironment() override;
    void TearDown() override;
    // The shared server, started if it is not yet (see PgServer::available()); null when no
    // PgEnvironment is registered (a binary with its own main).
    static PgServer* server();
    // A database name not given before by this process ("misync_t<pid>_<n>").
    static std::string freshDatabaseName();

  private:
    std::unique_ptr<PgServer> server_;
    int databases_ = 0;
};

}  // namespace misync::testsupport
