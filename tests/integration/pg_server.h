// A throwaway PostgreSQL 15 server for tests (DEVELOPERS.md: real components on loopback):
// initdb into a temporary folder, a free port on 127.0.0.1, password authentication over TCP,
// stopped and removed by the destructor. As root (CI) the server runs as the `postgres` user,
// since PostgreSQL refuses to run as root.
#pragma once

#include <filesystem>
#include <string>

namespace misync::e2e {

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
    // Runs SQL through psql as the superuser on database `postgres`; returns psql's exit status
    // (its output is in `output`).
    int psql(const std::string& sql, std::string* output = nullptr) const;

  private:
    std::filesystem::path dir_;
    std::string user_;
    std::string password_;
    unsigned short port_ = 0;
    std::string whyNot_;
    bool asPostgres_ = false;
};

}  // namespace misync::e2e
