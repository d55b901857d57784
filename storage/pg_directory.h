// The PostgreSQL directory (SPEC §10 scale-out, issue 9): the generic store on a PostgreSQL
// database that several misync processes, on several machines, may share. S7 there:
//  - one writer at a time: every write transaction first takes one transaction-level advisory
//    lock, so that the store's reasoning (ids and change log numbers taken under the write lock,
//    a run that plans against everything committed before it) holds as on SQLite;
//  - a school's lease is a session-level advisory lock on the directory's connection: the
//    server drops it when the connection ends, so a daemon that dies (kill -9, a machine that
//    vanishes: TCP keepalives, about 25 s) frees its schools for the others.
// Private to storage/.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "storage/pg_connection.h"
#include "storage/sql_directory.h"

namespace misync::storage {

const SqlDialect& postgresqlDialect();

class PgDirectory final : public SqlDirectory {
  public:
    // `connection` as directory.connection gives it (libpq key=value pairs or a URI, with
    // password_file). Throws core::StoreError naming the server, never the password.
    PgDirectory(const std::string& connection, OpenMode mode);
    ~PgDirectory() override;

    int migrate() override;
    SchoolLease lockSchool(const std::string& school) override;
    std::optional<SchoolLease> tryLockSchool(const std::string& school) override;
    std::uint64_t dataVersion() override;

    // The advisory lock keys (documented in docs/postgresql.md, for operators who look at
    // pg_locks): the write lock is the one-bigint key kWriteLock; a school's lease is the
    // two-int key (kSchoolLocks, DfES number).
    static constexpr std::int64_t kWriteLock = 0x6d6973796e63;  // "misync"
    static constexpr int kSchoolLocks = 0x6d697379;             // "misy"
    // RunMarkers' owner lock of a live directory: the two-int key (kOwnerLocks, owner key).
    static constexpr int kOwnerLocks = 0x6d69736f;  // "miso"

  protected:
    void beginWrite() override;
    void beginRead() override;
    void endRead(bool commit) override;
    void transactionEnded() override;
    bool canBatch() const override { return false; }
    std::int64_t ownerKey(bool& fresh) override;
    bool ownerAlive(std::int64_t key) override;

  private:
    PgDirectory(std::unique_ptr<PgConnection> connection, OpenMode mode);
    PgConnection* pg_;        // the connection_ the base owns
    bool versioned_ = false;  // directory_version exists (after the schema check)
    // S7: schools this connection holds, and released ones waiting for the transaction to end.
    struct Leases {
        std::set<std::string> held;
        std::vector<std::string> afterCommit;
        std::uint64_t generation = 0;  // the connection generation they were taken in
    };
    std::shared_ptr<Leases> leases_ = std::make_shared<Leases>();
    SchoolLease leaseFor(const std::string& school);
    // RunMarkers: this connection's owner key, and the connection generation it was taken in
    // (a new connection has lost it, and takes a new one).
    std::int64_t ownerKey_ = 0;
    std::uint64_t ownerGeneration_ = 0;
    // The advisory lock (`space`, `key`) if no session holds it (never waits).
    bool tryAdvisoryLock(int key, int space = kSchoolLocks);
    void unlock(const std::string& school);
    // After a write: ANALYZE the tables that have more than doubled since their last analysis.
    void analyzeGrownTables();
    std::chrono::steady_clock::time_point lastAnalyzeCheck_{};
};

}  // namespace misync::storage
