#include "storage/sqlite_stmt.h"

#include "core/errors.h"

namespace misync::storage {

SqliteStmt::SqliteStmt(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
        fail("prepare");
    }
}

SqliteStmt::SqliteStmt(StatementCache& cache, std::string_view sql)
    : db_(cache.db()), stmt_(cache.take(sql)), cache_(&cache) {
    if (stmt_ == nullptr) {
        fail("prepare");
    }
}

SqliteStmt::~SqliteStmt() {
    if (cache_ != nullptr) {
        cache_->give(stmt_);
    } else {
        sqlite3_finalize(stmt_);
    }
}

StatementCache::~StatementCache() {
    for (auto& [sql, stmts] : idle_) {
        for (auto* st : stmts) {
            sqlite3_finalize(st);
        }
    }
}

sqlite3_stmt* StatementCache::take(std::string_view sql) {
    if (auto it = idle_.find(sql); it != idle_.end() && !it->second.empty()) {
        sqlite3_stmt* st = it->second.back();
        it->second.pop_back();
        return st;
    }
    sqlite3_stmt* st = nullptr;
    ++prepares_;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr) !=
        SQLITE_OK) {
        sqlite3_finalize(st);
        return nullptr;
    }
    return st;
}

void StatementCache::give(sqlite3_stmt* stmt) {
    if (stmt == nullptr) {
        return;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    // sqlite3_sql() is the text the statement was prepared from, as take() was given it.
    const char* sql = sqlite3_sql(stmt);
    auto it = idle_.find(std::string_view(sql));
    if (it == idle_.end()) {
        if (idle_.size() >= kMaxTexts) {
            sqlite3_finalize(stmt);
            return;
        }
        it = idle_.emplace(sql, std::vector<sqlite3_stmt*>{}).first;
    }
    it->second.push_back(stmt);
}

void SqliteStmt::fail(const char* what) const {
    throw core::StoreError(std::string("SQLite ") + what + ": " + sqlite3_errmsg(db_));
}

SqliteStmt& SqliteStmt::text(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
        fail("bind");
    }
    return *this;
}

SqliteStmt& SqliteStmt::integer(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
        fail("bind");
    }
    return *this;
}

SqliteStmt& SqliteStmt::null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) {
        fail("bind");
    }
    return *this;
}

void SqliteStmt::exec() {
    int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sqlite3_reset(stmt_);
        fail("step");
    }
    sqlite3_reset(stmt_);
}

bool SqliteStmt::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc != SQLITE_DONE) {
        sqlite3_reset(stmt_);
        fail("step");
    }
    return false;
}

void SqliteStmt::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string SqliteStmt::columnText(int index) const {
    const auto* p = sqlite3_column_text(stmt_, index);
    int n = sqlite3_column_bytes(stmt_, index);
    return p == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::string_view SqliteStmt::columnView(int index) const {
    const auto* p = sqlite3_column_text(stmt_, index);
    const int n = sqlite3_column_bytes(stmt_, index);
    return p == nullptr
               ? std::string_view()
               : std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::int64_t SqliteStmt::columnInt(int index) const {
    return sqlite3_column_int64(stmt_, index);
}

bool SqliteStmt::columnIsNull(int index) const {
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

}  // namespace misync::storage
