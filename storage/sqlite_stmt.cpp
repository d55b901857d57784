#include "storage/sqlite_stmt.h"

#include "core/errors.h"

namespace misync::storage {

SqliteStmt::SqliteStmt(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
        fail("prepare");
    }
}

SqliteStmt::~SqliteStmt() {
    sqlite3_finalize(stmt_);
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
