// The generic store's own parts: the schema version and its scripts (SPEC §10 `db migrate`),
// usernames (U3, S7), read snapshots, and the helpers every other sql_*.cpp uses.
#include "storage/sql_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/errors.h"
#include "reconcile/usernames.h"
#include "schema/schema.h"

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

SqlDirectory::SqlDirectory(std::unique_ptr<SqlConnection> connection, const SqlDialect& dialect,
                           std::string where)
    : where_(std::move(where)),
      connection_(std::move(connection)),
      statements_(*connection_),
      dialect_(dialect) {}

SqlDirectory::~SqlDirectory() = default;

void SqlDirectory::execOrThrow(const char* sql) {
    try {
        connection_->exec(sql);
    } catch (const core::StoreError& e) {
        throw core::StoreError(where_ + ": " + sql + ": " + e.what());
    }
}

void SqlDirectory::execQuietly(const char* sql) noexcept {
    try {
        connection_->exec(sql);
    } catch (const std::exception& e) {
        spdlog::debug("directory={} {}: {}", where_, sql, e.what());
    }
}

void SqlDirectory::checkSchema(OpenMode mode) {
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
        throw core::StoreError(where_ + ": directory schema version " + std::to_string(have) +
                               " is older than this misync's " + std::to_string(want) +
                               "; run `misync db migrate`");
    }
    if (have > want) {
        throw core::StoreError(where_ + ": directory schema version " + std::to_string(have) +
                               " is newer than this misync knows (" + std::to_string(want) +
                               "); upgrade misync");
    }
}

int SqlDirectory::schemaVersion() {
    try {
        // Both tables in one statement (one snapshot): checked one after the other, another
        // process's first migration could commit in between.
        bool hasVersion = false;
        bool hasAccounts = false;
        {
            Stmt q(statements_, dialect_.schemaTables);
            while (q.step()) {
                hasVersion = hasVersion || q.columnView(0) == "schema_version";
                hasAccounts = hasAccounts || q.columnView(0) == "accounts";
            }
        }
        if (!hasVersion) {
            if (hasAccounts) {
                throw core::StoreError(where_ + ": has tables but no schema_version");
            }
            return 0;
        }
        Stmt v(statements_, "SELECT coalesce(max(version), 0) FROM schema_version");
        v.step();
        return static_cast<int>(v.columnInt(0));
    } catch (const core::StoreError& e) {
        if (std::string_view(e.what()).find(where_) == 0) {
            throw;
        }
        throw core::StoreError(where_ + ": cannot read the schema version: " + e.what());
    }
}

int SqlDirectory::latestSchemaVersion() const {
    return schema::latestVersion(dialect_.name);
}

int SqlDirectory::migrate() {
    // All scripts in one transaction, taken with the write lock before the version is read
    // again: a process opening a new directory while another creates it sees either no schema
    // or the latest one, never a version in between.
    beginWrite();
    int ran = 0;
    int version = 0;
    try {
        const int have = schemaVersion();
        for (const auto& script : schema::scriptsFor(dialect_.name)) {
            if (script.version <= have) {
                continue;
            }
            try {
                connection_->exec(script.sql);
            } catch (const core::StoreError& e) {
                throw core::StoreError(where_ + ": schema script " + std::string(script.name) +
                                       " failed: " + e.what());
            }
            version = script.version;
            ++ran;
        }
        if (ran > 0) {
            execOrThrow("DELETE FROM schema_version");
            Stmt rec(statements_, "INSERT INTO schema_version (version) VALUES (?)");
            rec.integer(1, version).exec();
        }
        execOrThrow("COMMIT");
    } catch (...) {
        execQuietly("ROLLBACK");
        statements_.clear();  // statements prepared against the old schema
        transactionEnded();
        throw;
    }
    statements_.clear();
    transactionEnded();
    if (ran > 0) {
        spdlog::info("directory={} migrated to schema version {}", where_, version);
    }
    return ran;
}

std::int64_t SqlDirectory::loadUsernames(reconcile::UsernameRegistry& registry,
                                         std::int64_t after) {
    if (after < 0) {  // everything (names from before schema 3 have number 0)
        Stmt count(statements_, "SELECT count(*) FROM usernames");
        count.step();
        registry.reserve(static_cast<std::size_t>(count.columnInt(0)) + 1024);
    }
    // The usernames_seq index makes a delta a short range scan.
    Stmt st(statements_, "SELECT name, seq FROM usernames WHERE seq > ?");
    st.integer(1, after);
    std::int64_t last = after;
    while (st.step()) {
        registry.add(st.columnText(0));
        last = std::max(last, st.columnInt(1));
    }
    return last;
}

std::optional<std::int64_t> SqlDirectory::latestUsernameSeq() {
    Stmt st(statements_, "SELECT max(seq) FROM usernames");
    if (!st.step() || st.columnIsNull(0)) {
        return std::nullopt;
    }
    return st.columnInt(0);
}

reconcile::UsernameLookup SqlDirectory::usernameLookup() {
    // Point and range queries on the primary key of `usernames`, on this connection (so in the
    // caller's transaction), each prepared once. The lookup must not outlive this directory.
    reconcile::UsernameLookup lookup;
    lookup.exists = [this](std::string_view name) {
        Stmt st(statements_, "SELECT 1 FROM usernames WHERE name = ?");
        st.text(1, name);
        return st.step();
    };
    const std::string range =
        std::string("SELECT name FROM usernames WHERE name >= ?1 AND name < ") +
        "CAST(?1 AS TEXT) || " + dialect_.char127;
    lookup.withPrefix = [this, range](std::string_view prefix, std::vector<std::string>& out) {
        Stmt st(statements_, range);
        st.text(1, prefix);
        while (st.step()) {
            out.push_back(st.columnText(0));
        }
    };
    return lookup;
}

std::vector<AccountRow> SqlDirectory::selectAccounts(const std::string& where,
                                                     const std::vector<std::string>& params) {
    Stmt st(statements_, "SELECT " + accountColumnList() + " FROM accounts " + where);
    int i = 1;
    for (const auto& p : params) {
        st.text(i++, p);
    }
    return readAccountRows(st);
}

void SqlDirectory::readSnapshot(const std::function<void()>& body) {
    if (depth_ > 0 || inBatch_) {
        body();  // already one transaction: what it reads is consistent
        return;
    }
    beginRead();
    ++depth_;
    readOnly_ = true;
    auto end = [this](bool commit) {
        --depth_;
        readOnly_ = false;
        endRead(commit);
    };
    try {
        body();
    } catch (...) {
        end(false);
        throw;
    }
    end(true);
}

}  // namespace misync::storage
