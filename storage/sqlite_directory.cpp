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

std::unique_ptr<Directory> Directory::open(const StoreOptions& options, OpenMode mode) {
    if (options.backend == "sqlite") {
        if (options.path.empty()) {
            throw core::StoreError("directory.path is empty");
        }
        return std::make_unique<SqliteDirectory>(options.path, mode);
    }
    if (options.backend == "postgresql") {
        // TODO(issue 2 follow-up): the PostgreSQL backend shares this store with its own dialect.
        throw core::StoreError(
            "directory backend 'postgresql' is not available in this build yet (known: sqlite)");
    }
    throw core::StoreError("unknown directory backend '" + options.backend + "' (known: sqlite)");
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
        SqliteStmt count(db(), "SELECT count(*) FROM usernames");
        count.step();
        registry.reserve(static_cast<std::size_t>(count.columnInt(0)) + 1024);
    }
    // The usernames_seq index makes a delta a short range scan.
    SqliteStmt st(db(), "SELECT name, seq FROM usernames WHERE seq > ?");
    st.integer(1, after);
    std::int64_t last = after;
    while (st.step()) {
        registry.add(st.columnText(0));
        last = std::max(last, st.columnInt(1));
    }
    return last;
}

SqliteStmt& SqliteDirectory::prepared(std::unique_ptr<SqliteStmt>& slot, const char* sql) {
    if (!slot) {
        slot = std::make_unique<SqliteStmt>(db(), sql);
    }
    slot->reset();  // also after a step that threw
    return *slot;
}

std::optional<std::int64_t> SqliteDirectory::latestUsernameSeq() {
    SqliteStmt st(db(), "SELECT max(seq) FROM usernames");
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
        SqliteStmt& st = prepared(usernameExists_, "SELECT 1 FROM usernames WHERE name = ?");
        st.text(1, name);
        const bool found = st.step();
        st.reset();
        return found;
    };
    lookup.withPrefix = [this](std::string_view prefix, std::vector<std::string>& out) {
        SqliteStmt& st =
            prepared(usernamesWithPrefix_,
                     "SELECT name FROM usernames WHERE name >= ?1 AND name < ?1 || char(127)");
        st.text(1, prefix);
        while (st.step()) {
            out.push_back(st.columnText(0));
        }
        st.reset();
    };
    return lookup;
}

namespace {

std::string idList(const std::set<std::int64_t>& ids, std::set<std::int64_t>::const_iterator& it,
                   std::size_t max) {
    std::string out;
    for (std::size_t n = 0; it != ids.end() && n < max; ++it, ++n) {
        out += (out.empty() ? "" : ",") + std::to_string(*it);
    }
    return out;
}

}  // namespace

sqlite3* SqliteDirectory::db() {
    return Poco::Data::SQLite::Utility::dbHandle(session_);
}

std::vector<AccountRow> SqliteDirectory::selectAccounts(const std::string& where,
                                                        const std::vector<std::string>& params) {
    SqliteStmt st(db(), "SELECT " + accountColumnList() + " FROM accounts " + where);
    int i = 1;
    for (const auto& p : params) {
        st.text(i++, p);
    }
    return readAccountRows(st);
}

reconcile::DirectoryView SqliteDirectory::loadView(const std::string& school,
                                                   const core::Snapshot& snapshot) {
    reconcile::DirectoryView view;
    view.school = school;
    {
        SqliteStmt own(db(), "SELECT " + accountColumnList() + " FROM accounts WHERE school = ?");
        own.text(1, school);
        appendAccounts(own, view.accounts);
    }
    std::set<std::int64_t> own;
    for (const auto& a : view.accounts) {
        own.insert(a.id);
    }
    // Accounts of other schools that this snapshot's persons match (R1, R7), looked up in the
    // database on every run so that accounts another process created are found too.
    std::set<std::int64_t> foreign;
    {
        std::vector<std::string> upns;
        std::vector<std::string> nationalIds;
        for (const auto& p : snapshot.persons) {
            if (p.role == core::Role::Learner && !p.upn.empty()) {
                upns.push_back(p.upn);
            } else if (p.role == core::Role::Staff && !p.nationalId.empty()) {
                nationalIds.push_back(p.nationalId);
            }
        }
        auto lookUp = [&](const std::vector<std::string>& keys, const char* where) {
            for (std::size_t at = 0; at < keys.size(); at += 500) {
                const std::size_t n = std::min<std::size_t>(500, keys.size() - at);
                std::string marks;
                for (std::size_t i = 0; i < n; ++i) {
                    marks += i == 0 ? "?" : ",?";
                }
                SqliteStmt q(db(), std::string("SELECT id FROM accounts WHERE ") + where + " IN (" +
                                       marks +
                                       ") AND source = 'mis' AND "
                                       "status <> 'purged' AND school <> ?");
                int k = 1;
                for (std::size_t i = 0; i < n; ++i) {
                    q.text(k++, keys[at + i]);
                }
                q.text(k, school);
                while (q.step()) {
                    foreign.insert(q.columnInt(0));
                }
            }
        };
        // The `<> ''` terms let SQLite use the partial indexes on upn and national_id.
        lookUp(upns, "role = 'learner' AND upn <> '' AND upn");
        lookUp(nationalIds, "role = 'staff' AND national_id <> '' AND national_id");
    }
    // Accounts this school has claimed (they may have moved on since).
    SqliteStmt claimed(db(), "SELECT account_id FROM claims WHERE school = ?");
    claimed.text(1, school);
    while (claimed.step()) {
        if (own.count(claimed.columnInt(0)) == 0) {
            foreign.insert(claimed.columnInt(0));
        }
    }
    std::map<std::int64_t, std::size_t> foreignPos;
    for (auto it = foreign.cbegin(); it != foreign.cend();) {
        std::string ids = idList(foreign, it, 500);
        {
            const std::size_t first = view.accounts.size();
            SqliteStmt st(
                db(), "SELECT " + accountColumnList() + " FROM accounts WHERE id IN (" + ids + ")");
            appendAccounts(st, view.accounts);
            for (std::size_t i = first; i < view.accounts.size(); ++i) {
                foreignPos[view.accounts[i].id] = i;
            }
        }
        // Their memberships, which a transfer takes away.
        SqliteStmt st(db(),
                      "SELECT m.account_id, g.school, g.code FROM memberships m JOIN groups g ON "
                      "g.id = m.group_id WHERE m.account_id IN (" +
                          ids + ")");
        while (st.step()) {
            if (auto p = foreignPos.find(st.columnInt(0)); p != foreignPos.end()) {
                view.accounts[p->second].memberOf.push_back({st.columnText(1), st.columnText(2)});
            }
        }
    }
    // Claims on every account in the view, and every claim this school made.
    std::set<std::pair<std::int64_t, std::string>> seen;
    auto readClaims = [&](SqliteStmt& st) {
        while (st.step()) {
            reconcile::Claim c;
            c.accountId = st.columnInt(0);
            c.school = st.columnText(1);
            if (!seen.insert({c.accountId, c.school}).second) {
                continue;
            }
            c.role = core::parseRole(st.columnText(2)).value_or(core::Role::Learner);
            decodeClaim(st.columnText(3), st.columnText(4), c);
            c.claimedAt = st.columnText(5);
            view.claims.push_back(std::move(c));
        }
    };
    const std::string claimColumns =
        "SELECT account_id, school, role, attrs, group_codes, claimed_at FROM claims ";
    {
        SqliteStmt st(db(), claimColumns +
                                "WHERE school = ?1 OR account_id IN (SELECT id FROM accounts "
                                "WHERE school = ?1)");
        st.text(1, school);
        readClaims(st);
    }
    for (auto it = foreign.cbegin(); it != foreign.cend();) {
        SqliteStmt st(db(),
                      claimColumns + "WHERE account_id IN (" + idList(foreign, it, 500) + ")");
        readClaims(st);
    }
    // The school's groups with their members.
    SqliteStmt groups(db(),
                      "SELECT g.id, g.code, g.type, g.subject, g.year_group, g.archived, "
                      "m.account_id FROM groups g LEFT JOIN memberships m ON m.group_id = g.id "
                      "WHERE g.school = ? ORDER BY g.id");
    groups.text(1, school);
    while (groups.step()) {
        const std::int64_t gid = groups.columnInt(0);
        if (view.groups.empty() || view.groups.back().id != gid) {
            reconcile::GroupState g;
            g.id = gid;
            g.school = school;
            g.code = groups.columnText(1);
            g.type = core::parseGroupType(groups.columnText(2)).value_or(core::GroupType::Class);
            g.subject = groups.columnText(3);
            g.yearGroup = groups.columnText(4);
            g.archived = groups.columnInt(5) != 0;
            view.groups.push_back(std::move(g));
        }
        if (!groups.columnIsNull(6)) {
            view.groups.back().members.push_back(groups.columnInt(6));
        }
    }
    completeView(view);
    return view;
}

}  // namespace misync::storage
