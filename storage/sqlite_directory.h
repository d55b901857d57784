// The SQLite directory (the default backend): the generic store on one SQLite file in WAL mode,
// with S7's school leases, turnstile and bell on a lock file beside it (storage/lock_file.h).
// Private to storage/.
#pragma once

#include <memory>
#include <string>

#include "storage/lock_file.h"
#include "storage/sql_directory.h"
#include "storage/sqlite_connection.h"

namespace misync::storage {

const SqlDialect& sqliteDialect();

// schoolStatuses()'s statement in SQLite's dialect (a test checks its query plan).
inline std::string schoolStatusSql(bool filtered) {
    return schoolStatusSql(sqliteDialect(), filtered);
}

class SqliteDirectory final : public SqlDirectory {
  public:
    SqliteDirectory(const std::string& path, OpenMode mode);
    ~SqliteDirectory() override;

    // S7 (sqlite_locks.cpp).
    SchoolLease lockSchool(const std::string& school) override;
    std::optional<SchoolLease> tryLockSchool(const std::string& school) override;
    std::uint64_t dataVersion() override;

  protected:
    void beginWrite() override;
    void beginRead() override;
    void endRead(bool commit) override;
    void transactionEnded() override { leases_->transactionEnded(); }
    bool someoneWaiting() override { return locks_.someoneWaiting(); }
    std::int64_t ownerKey(bool& fresh) override;
    bool ownerAlive(std::int64_t key) override;

  private:
    SqliteDirectory(std::unique_ptr<SqliteConnection> connection, const std::string& path,
                    OpenMode mode);
    SqliteConnection* sqlite_;  // the connection_ the base owns
    // S7: how long a writer waits for another process's write transaction before it fails.
    static constexpr int kBusyTimeoutMs = 60'000;
    LockFile locks_;                     // `<path>.lock`: schools, turnstile, bell
    std::shared_ptr<LeaseBook> leases_;  // leases handed out, and those waiting for a COMMIT
    LockFile::Hold owner_;               // RunMarkers: held from the first `running` row on
    std::int64_t ownerKey_ = 0;
    sqlite3* db() const { return sqlite_->db(); }
};

}  // namespace misync::storage
