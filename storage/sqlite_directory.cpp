#include "storage/sqlite_directory.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "core/errors.h"
#include "reconcile/usernames.h"
#include "schema/schema.h"
#include "storage/sqlite_stmt.h"

using namespace Poco::Data::Keywords;

namespace misync::storage {

std::string accountColumnList(const char* prefix) {
    std::string out;
    for (const char* c : kAccountColumns) {
        if (!out.empty()) {
            out += ", ";
        }
        out += prefix;
        out += c;
    }
    return out;
}

std::string Directory::unavailableBackend(const std::string& backend) {
    if (backend == "sqlite") {
        return "";
    }
    if (backend == "postgresql") {
        // TODO(issue 9): the PostgreSQL backend shares this store with its own dialect.
        return "directory backend 'postgresql' is not available in this build yet (known: sqlite)";
    }
    return "unknown directory backend '" + backend + "' (known: sqlite)";
}

std::unique_ptr<Directory> Directory::open(const StoreOptions& options, OpenMode mode) {
    if (std::string why = unavailableBackend(options.backend); !why.empty()) {
        throw core::StoreError(why);
    }
    if (options.path.empty()) {
        throw core::StoreError("directory.path is empty");
    }
    return std::make_unique<SqliteDirectory>(options.path, mode);
}

namespace {

Poco::Data::Session openSession(const std::string& path) {
    // SQLite's memory statistics take a process-wide mutex on every allocation: several percent
    // of a national run (issue 8). Only possible before SQLite initialises; later calls are no-ops.
    [[maybe_unused]] static const int noMemStatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    Poco::Data::SQLite::Connector::registerConnector();
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    // The directory holds personal data: a new database is created owner-only, and SQLite gives
    // its -wal and -shm files the database file's permissions.
    if (int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) {
        ::close(fd);
    }
    try {
        return Poco::Data::Session("SQLite", path);
    } catch (const Poco::Exception& e) {
        throw core::StoreError("cannot open directory database " + path + ": " + e.displayText());
    }
}

}  // namespace

SqliteDirectory::~SqliteDirectory() {
    try {
        flush();  // the runs of an unfinished batch are complete: keep them
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
    }
}

SqliteDirectory::SqliteDirectory(const std::string& path, OpenMode mode)
    : path_(path),
      session_(openSession(path)),
      statements_(Poco::Data::SQLite::Utility::dbHandle(session_)),
      locks_(path + ".lock"),
      leases_(std::make_shared<LeaseBook>([this] { return inBatch_ || depth_ > 0; })) {
    try {
        // S7: generous, because a writer may have to wait for another process's whole run
        // (a batching process commits as soon as it hears someone wait, sqlite_locks.cpp).
        sqlite3_busy_timeout(db(), kBusyTimeoutMs);
        // Turning a new file to WAL needs it alone, and SQLite answers "locked" at once rather
        // than wait while another process is creating the same directory: retry for a while.
        for (int attempt = 0;; ++attempt) {
            try {
                session_ << "PRAGMA journal_mode = WAL", now;
                break;
            } catch (const Poco::Data::SQLite::DBLockedException&) {
                if (attempt == 200) {
                    throw;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        session_ << "PRAGMA synchronous = NORMAL", now;
        session_ << "PRAGMA foreign_keys = OFF", now;
        // A national run touches every index once per school: a large page cache and less
        // frequent checkpoints keep those pages from being read and copied again and again
        // (docs/performance.md).
        session_ << "PRAGMA cache_size = -131072", now;
        session_ << "PRAGMA wal_autocheckpoint = 16384", now;
        session_ << "PRAGMA temp_store = MEMORY", now;
    } catch (const Poco::Exception& e) {
        throw core::StoreError(path_ + ": not a usable SQLite database: " + e.displayText());
    }
    const int have = schemaVersion();
    const int want = latestSchemaVersion();
    if (mode == OpenMode::Migrate) {
        return;
    }
    if (have == 0) {
        migrate();  // a new, empty directory
        return;
    }
    if (have < want) {
        throw core::StoreError(path_ + ": directory schema version " + std::to_string(have) +
                               " is older than this misync's " + std::to_string(want) +
                               "; run `misync db migrate`");
    }
    if (have > want) {
        throw core::StoreError(path_ + ": directory schema version " + std::to_string(have) +
                               " is newer than this misync knows (" + std::to_string(want) +
                               "); upgrade misync");
    }
}

int SqliteDirectory::schemaVersion() {
    try {
        // Both tables in one statement (one snapshot): checked one after the other, another
        // process's first migration could commit in between.
        std::vector<std::string> tables;
        session_ << "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                    "('schema_version', 'accounts')",
            into(tables), now;
        auto has = [&](const char* t) {
            return std::find(tables.begin(), tables.end(), t) != tables.end();
        };
        if (!has("schema_version")) {
            if (has("accounts")) {
                throw core::StoreError(path_ + ": has tables but no schema_version");
            }
            return 0;
        }
        int v = 0;
        session_ << "SELECT coalesce(max(version), 0) FROM schema_version", into(v), now;
        return v;
    } catch (const Poco::Exception& e) {
        throw core::StoreError(path_ + ": cannot read the schema version: " + e.displayText());
    }
}

int SqliteDirectory::latestSchemaVersion() const {
    return schema::latestVersion("sqlite");
}

int SqliteDirectory::migrate() {
    auto exec = [this](const std::string& sql, const std::string& what) {
        char* msg = nullptr;
        if (sqlite3_exec(db(), sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
            std::string why = msg != nullptr ? msg : sqlite3_errmsg(db());
            sqlite3_free(msg);
            throw core::StoreError(path_ + ": " + what + ": " + why);
        }
    };
    // All scripts in one transaction, taken with the write lock before the version is read
    // again: a process opening a new directory while another creates it sees either no schema
    // or the latest one, never a version in between.
    beginImmediate();
    int ran = 0;
    int version = 0;
    try {
        const int have = schemaVersion();
        for (const auto& script : schema::scriptsFor("sqlite")) {
            if (script.version <= have) {
                continue;
            }
            exec(std::string(script.sql), "schema script " + std::string(script.name) + " failed");
            version = script.version;
            ++ran;
        }
        if (ran > 0) {
            exec("DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (" +
                     std::to_string(version) + ")",
                 "cannot record the schema version");
        }
        exec("COMMIT", "cannot commit the schema");
    } catch (...) {
        sqlite3_exec(db(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    if (ran > 0) {
        spdlog::info("directory={} migrated to schema version {}", path_, version);
    }
    return ran;
}

std::int64_t SqliteDirectory::loadUsernames(reconcile::UsernameRegistry& registry,
                                            std::int64_t after) {
    if (after < 0) {  // everything (names from before schema 3 have number 0)
        SqliteStmt count(statements_, "SELECT count(*) FROM usernames");
        count.step();
        registry.reserve(static_cast<std::size_t>(count.columnInt(0)) + 1024);
    }
    // The usernames_seq index makes a delta a short range scan.
    SqliteStmt st(statements_, "SELECT name, seq FROM usernames WHERE seq > ?");
    st.integer(1, after);
    std::int64_t last = after;
    while (st.step()) {
        registry.add(st.columnText(0));
        last = std::max(last, st.columnInt(1));
    }
    return last;
}

std::optional<std::int64_t> SqliteDirectory::latestUsernameSeq() {
    SqliteStmt st(statements_, "SELECT max(seq) FROM usernames");
    if (!st.step() || st.columnIsNull(0)) {
        return std::nullopt;
    }
    return st.columnInt(0);
}

reconcile::UsernameLookup SqliteDirectory::usernameLookup() {
    // Point and range queries on the primary key of `usernames`, on this connection (so in the
    // caller's transaction), each prepared once. The lookup must not outlive this directory.
    reconcile::UsernameLookup lookup;
    lookup.exists = [this](std::string_view name) {
        SqliteStmt st(statements_, "SELECT 1 FROM usernames WHERE name = ?");
        st.text(1, name);
        return st.step();
    };
    lookup.withPrefix = [this](std::string_view prefix, std::vector<std::string>& out) {
        SqliteStmt st(statements_,
                      "SELECT name FROM usernames WHERE name >= ?1 AND name < ?1 || char(127)");
        st.text(1, prefix);
        while (st.step()) {
            out.push_back(st.columnText(0));
        }
    };
    return lookup;
}

sqlite3* SqliteDirectory::db() {
    return Poco::Data::SQLite::Utility::dbHandle(session_);
}

std::vector<AccountRow> SqliteDirectory::selectAccounts(const std::string& where,
                                                        const std::vector<std::string>& params) {
    SqliteStmt st(statements_, "SELECT " + accountColumnList() + " FROM accounts " + where);
    int i = 1;
    for (const auto& p : params) {
        st.text(i++, p);
    }
    return readAccountRows(st);
}

}  // namespace misync::storage
