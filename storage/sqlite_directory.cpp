#include "storage/sqlite_directory.h"

#include <spdlog/spdlog.h>

#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/errors.h"

namespace misync::storage {

namespace {

std::string jsonEach(int n) {
    return "(SELECT value FROM json_each(?" + std::to_string(n) + "))";
}

const SqlDialect kSqlite{
    "sqlite",
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
    "('schema_version', 'accounts')",
    jsonEach,
    jsonEach,
    "char(127)",
    "INDEXED BY accounts_champions",
    "",
};

#ifndef _WIN32
// Every command writes (a run, or a read's WAL index): a database this user may not write is
// refused at open with what to do, before SQLite makes -wal and -shm files that copy the
// database's mode and would keep the directory read-only after its own mode is put right.
void refuseReadOnly(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::string file = path + suffix;
        if (::access(file.c_str(), F_OK) == 0 && ::access(file.c_str(), W_OK) != 0) {
            const int err = errno;
            throw core::StoreError(
                file + ": the directory database is not writable by this user (" +
                std::strerror(err) +
                "): give it, and its -wal and -shm files if any, to the user misync runs as, "
                "mode 0600, or mount its folder read-write");
        }
    }
}
#endif

std::unique_ptr<SqliteConnection> openFile(const std::string& path) {
    if (path.empty()) {
        throw core::StoreError("directory.path is empty");
    }
    // SQLite's memory statistics take a process-wide mutex on every allocation: several percent
    // of a national run (issue 8). Only possible before SQLite initialises; later calls are no-ops.
    [[maybe_unused]] static const int noMemStatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    // The directory holds personal data: a new database is created owner-only, and SQLite gives
    // its -wal and -shm files the database file's permissions.
#ifndef _WIN32
    if (int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) {
        ::close(fd);
    }
    refuseReadOnly(path);
#endif  // Windows: the folder's ACLs protect it (docs/windows.md)
    return std::make_unique<SqliteConnection>(path);
}

}  // namespace

const SqlDialect& sqliteDialect() {
    return kSqlite;
}

SqliteDirectory::SqliteDirectory(const std::string& path, OpenMode mode)
    : SqliteDirectory(openFile(path), path, mode) {}

SqliteDirectory::SqliteDirectory(std::unique_ptr<SqliteConnection> connection,
                                 const std::string& path, OpenMode mode)
    : SqlDirectory(std::move(connection), kSqlite, path),
      sqlite_(static_cast<SqliteConnection*>(&this->connection())),
      locks_(path + ".lock"),
      leases_(std::make_shared<LeaseBook>([this] { return inTransactionNow(); })) {
    auto pragma = [&](const char* sql) {
        try {
            connection_->exec(sql);
        } catch (const core::StoreError& e) {
            throw core::StoreError(where_ + ": not a usable SQLite database: " + e.what());
        }
    };
    // S7: generous, because a writer may have to wait for another process's whole run
    // (a batching process commits as soon as it hears someone wait, sqlite_locks.cpp).
    sqlite3_busy_timeout(db(), kBusyTimeoutMs);
    // Turning a new file to WAL needs it alone, and SQLite answers "locked" at once rather
    // than wait while another process is creating the same directory: retry for a while.
    for (int attempt = 0;; ++attempt) {
        const int rc = sqlite_->tryExec("PRAGMA journal_mode = WAL");
        if (rc == SQLITE_OK) {
            break;
        }
        if ((rc != SQLITE_LOCKED && rc != SQLITE_BUSY) || attempt == 200) {
            throw core::StoreError(where_ +
                                   ": not a usable SQLite database: " + sqlite3_errmsg(db()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pragma("PRAGMA synchronous = NORMAL");
    pragma("PRAGMA foreign_keys = OFF");
    // A national run touches every index once per school: a large page cache and less
    // frequent checkpoints keep those pages from being read and copied again and again
    // (docs/performance.md).
    pragma("PRAGMA cache_size = -131072");
    pragma("PRAGMA wal_autocheckpoint = 16384");
    // A statement journal in memory is truncated by walking its 1 KB chunks from the first one,
    // at the end of every statement inside a savepoint (issue 8): leave it to a file.
    pragma("PRAGMA temp_store = FILE");
    checkSchema(mode);
}

SqliteDirectory::~SqliteDirectory() {
    try {
        flush();  // the runs of an unfinished batch are complete: keep them
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
    }
}

std::uint64_t SqliteDirectory::dataVersion() {
    Stmt version(statements_, "PRAGMA data_version");
    version.step();
    // data_version changes when another connection commits; the change count when this one
    // writes (which data_version does not report).
    const auto others = static_cast<std::uint64_t>(version.columnInt(0));
    const auto own = static_cast<std::uint64_t>(sqlite3_total_changes64(db()));
    return (others << 32) ^ own;
}

}  // namespace misync::storage
