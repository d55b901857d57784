#include "storage/sqlite_directory.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "core/errors.h"
#include "reconcile/usernames.h"
#include "schema/schema.h"

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

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
    Poco::Data::SQLite::Connector::registerConnector();
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    try {
        return Poco::Data::Session("SQLite", path);
    } catch (const Poco::Exception& e) {
        throw core::StoreError("cannot open directory database " + path + ": " + e.displayText());
    }
}

}  // namespace

SqliteDirectory::SqliteDirectory(const std::string& path, OpenMode mode)
    : path_(path), session_(openSession(path)) {
    try {
        session_ << "PRAGMA busy_timeout = 10000", now;
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
    int have = schemaVersion();
    int ran = 0;
    for (const auto& script : schema::scriptsFor("sqlite")) {
        if (script.version <= have) {
            continue;
        }
        // The write lock first, then the version again: two processes opening a new
        // directory at once must not both run a script (the second waits, then skips it).
        try {
            session_ << "BEGIN IMMEDIATE", now;
        } catch (const Poco::Exception& e) {
            throw core::StoreError(path_ + ": cannot start a transaction: " + e.displayText());
        }
        try {
            if (script.version <= schemaVersion()) {
                session_ << "ROLLBACK", now;
                have = script.version;
                continue;
            }
            // Poco prepares one statement at a time: split the script on ';' at line ends.
            std::string sql(script.sql);
            std::string stmt;
            std::size_t pos = 0;
            while (pos < sql.size()) {
                std::size_t end = sql.find(";\n", pos);
                if (end == std::string::npos) {
                    end = sql.size();
                }
                stmt = sql.substr(pos, end - pos);
                pos = end + 2;
                bool blank = true;
                std::string code;
                for (std::size_t i = 0; i < stmt.size();) {
                    std::size_t nl = stmt.find('\n', i);
                    std::string line = stmt.substr(i, nl == std::string::npos ? nl : nl - i);
                    i = nl == std::string::npos ? stmt.size() : nl + 1;
                    auto first = line.find_first_not_of(" \t\r");
                    if (first == std::string::npos || line.compare(first, 2, "--") == 0) {
                        continue;
                    }
                    blank = false;
                    code += line + "\n";
                }
                if (!blank) {
                    session_ << code, now;
                }
            }
            int v = script.version;
            session_ << "DELETE FROM schema_version", now;
            session_ << "INSERT INTO schema_version (version) VALUES (?)", use(v), now;
            session_ << "COMMIT", now;
        } catch (const Poco::Exception& e) {
            session_ << "ROLLBACK", now;
            throw core::StoreError(path_ + ": schema script " + std::string(script.name) +
                                   " failed: " + e.displayText());
        } catch (...) {
            session_ << "ROLLBACK", now;
            throw;
        }
        spdlog::info("directory={} migrated to schema version {}", path_, script.version);
        have = script.version;
        ++ran;
    }
    return ran;
}

void SqliteDirectory::loadUsernames(reconcile::UsernameRegistry& registry) {
    std::vector<std::string> names;
    session_ << "SELECT name FROM usernames", into(names), now;
    registry.reserve(names.size() + 1024);
    for (const auto& n : names) {
        registry.add(n);
    }
}

void SqliteDirectory::ensureIndex() {
    if (indexLoaded_) {
        return;
    }
    std::vector<std::string> keys;
    std::vector<Poco::Int64> ids;
    session_ << "SELECT upn, id FROM accounts WHERE upn <> '' AND role = 'learner' AND "
                "source = 'mis' AND status <> 'purged'",
        into(keys), into(ids), now;
    upnIndex_.reserve(keys.size() + 1024);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        upnIndex_[keys[i]] = ids[i];
    }
    keys.clear();
    ids.clear();
    session_ << "SELECT national_id, id FROM accounts WHERE national_id <> '' AND role = 'staff' "
                "AND source = 'mis' AND status <> 'purged'",
        into(keys), into(ids), now;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        nationalIndex_[keys[i]] = ids[i];
    }
    indexLoaded_ = true;
}

namespace {

std::string quoteText(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out + "'";
}

std::string idList(const std::set<std::int64_t>& ids, std::set<std::int64_t>::const_iterator& it,
                   std::size_t max) {
    std::string out;
    for (std::size_t n = 0; it != ids.end() && n < max; ++it, ++n) {
        out += (out.empty() ? "" : ",") + std::to_string(*it);
    }
    return out;
}

}  // namespace

std::vector<AccountRow> SqliteDirectory::selectAccounts(const std::string& where) {
    Statement st(session_);
    st << "SELECT " + accountColumnList() + " FROM accounts " + where;
    st.execute();
    return readAccountRows(st);
}

reconcile::DirectoryView SqliteDirectory::loadView(const std::string& school,
                                                   const core::Snapshot& snapshot) {
    ensureIndex();
    reconcile::DirectoryView view;
    view.school = school;
    const std::string q = quoteText(school);
    for (auto& row : selectAccounts("WHERE school = " + q)) {
        view.accounts.push_back(std::move(row.account));
    }
    std::set<std::int64_t> own;
    for (const auto& a : view.accounts) {
        own.insert(a.id);
    }
    // Accounts of other schools that this snapshot's persons match (R1, R7).
    std::set<std::int64_t> foreign;
    for (const auto& p : snapshot.persons) {
        const auto& index = p.role == core::Role::Learner ? upnIndex_ : nationalIndex_;
        const std::string& key = p.role == core::Role::Learner ? p.upn : p.nationalId;
        if (key.empty()) {
            continue;
        }
        if (auto it = index.find(key); it != index.end() && own.count(it->second) == 0) {
            foreign.insert(it->second);
        }
    }
    // Accounts this school has claimed (they may have moved on since).
    {
        std::vector<Poco::Int64> claimed;
        std::string s = school;
        session_ << "SELECT account_id FROM claims WHERE school = ?", use(s), into(claimed), now;
        for (auto id : claimed) {
            if (own.count(id) == 0) {
                foreign.insert(id);
            }
        }
    }
    std::map<std::int64_t, std::size_t> foreignPos;
    for (auto it = foreign.cbegin(); it != foreign.cend();) {
        std::string ids = idList(foreign, it, 500);
        for (auto& row : selectAccounts("WHERE id IN (" + ids + ")")) {
            foreignPos[row.account.id] = view.accounts.size();
            view.accounts.push_back(std::move(row.account));
        }
        // Their memberships, which a transfer takes away.
        Statement st(session_);
        st << "SELECT m.account_id, g.school, g.code FROM memberships m JOIN groups g ON "
              "g.id = m.group_id WHERE m.account_id IN (" +
                  ids + ")";
        st.execute();
        RecordSet rs(st);
        for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
            auto id = rs[0].convert<Poco::Int64>();
            if (auto p = foreignPos.find(id); p != foreignPos.end()) {
                view.accounts[p->second].memberOf.push_back(
                    {rs[1].convert<std::string>(), rs[2].convert<std::string>()});
            }
        }
    }
    // Claims on every account in the view, and every claim this school made.
    {
        Statement st(session_);
        st << "SELECT c.account_id, c.school, c.role, c.attrs, c.group_codes, c.claimed_at FROM "
              "claims c WHERE c.school = " +
                  q + " OR c.account_id IN (SELECT id FROM accounts WHERE school = " + q + ")";
        st.execute();
        RecordSet rs(st);
        std::set<std::pair<std::int64_t, std::string>> seen;
        auto add = [&](RecordSet& r) {
            reconcile::Claim c;
            c.accountId = r[0].convert<Poco::Int64>();
            c.school = r[1].convert<std::string>();
            if (!seen.insert({c.accountId, c.school}).second) {
                return;
            }
            c.role = core::parseRole(r[2].convert<std::string>()).value_or(core::Role::Learner);
            decodeClaim(r[3].convert<std::string>(), r[4].convert<std::string>(), c);
            c.claimedAt = r[5].convert<std::string>();
            view.claims.push_back(std::move(c));
        };
        for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
            add(rs);
        }
        for (auto it = foreign.cbegin(); it != foreign.cend();) {
            std::string ids = idList(foreign, it, 500);
            Statement fs(session_);
            fs << "SELECT account_id, school, role, attrs, group_codes, claimed_at FROM claims "
                  "WHERE account_id IN (" +
                      ids + ")";
            fs.execute();
            RecordSet frs(fs);
            for (bool more = frs.moveFirst(); more; more = frs.moveNext()) {
                add(frs);
            }
        }
    }
    // The school's groups with their members.
    {
        Statement st(session_);
        st << "SELECT g.id, g.code, g.type, g.subject, g.year_group, g.archived, m.account_id "
              "FROM groups g LEFT JOIN memberships m ON m.group_id = g.id WHERE g.school = " +
                  q + " ORDER BY g.id";
        st.execute();
        RecordSet rs(st);
        for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
            auto gid = rs[0].convert<Poco::Int64>();
            if (view.groups.empty() || view.groups.back().id != gid) {
                reconcile::GroupState g;
                g.id = gid;
                g.school = school;
                g.code = rs[1].convert<std::string>();
                g.type = core::parseGroupType(rs[2].convert<std::string>())
                             .value_or(core::GroupType::Class);
                g.subject = rs[3].convert<std::string>();
                g.yearGroup = rs[4].convert<std::string>();
                g.archived = rs[5].convert<int>() != 0;
                view.groups.push_back(std::move(g));
            }
            if (!rs[6].isEmpty()) {
                view.groups.back().members.push_back(rs[6].convert<Poco::Int64>());
            }
        }
    }
    return view;
}

}  // namespace misync::storage
