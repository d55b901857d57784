#include "storage/sqlite_connection.h"

#include "core/errors.h"

namespace misync::storage {

SqliteCursor::SqliteCursor(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
    if (sqlite3_prepare_v2(db_, sql_.data(), static_cast<int>(sql_.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
        sqlite3_finalize(stmt_);
        stmt_ = nullptr;
        fail("prepare");
    }
}

SqliteCursor::~SqliteCursor() {
    sqlite3_finalize(stmt_);
}

void SqliteCursor::fail(const char* what) const {
    // Named by its file: "attempt to write a readonly database" alone does not say which.
    const char* file = sqlite3_db_filename(db_, "main");
    std::string message = (file != nullptr && *file != '\0' ? std::string(file) + ": " : "") +
                          "SQLite " + what + ": " + sqlite3_errmsg(db_);
    const int code = sqlite3_extended_errcode(db_);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        throw core::ConflictError(message);
    }
    throw core::StoreError(message);
}

void SqliteCursor::bindText(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
        fail("bind");
    }
}

void SqliteCursor::bindInt(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
        fail("bind");
    }
}

void SqliteCursor::bindNull(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) {
        fail("bind");
    }
}

bool SqliteCursor::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc != SQLITE_DONE) {
        sqlite3_reset(stmt_);
        fail("step");
    }
    return false;
}

void SqliteCursor::rewind() {
    sqlite3_reset(stmt_);
}

void SqliteCursor::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string_view SqliteCursor::columnView(int index) const {
    const auto* p = sqlite3_column_text(stmt_, index);
    const int n = sqlite3_column_bytes(stmt_, index);
    return p == nullptr
               ? std::string_view()
               : std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::int64_t SqliteCursor::columnInt(int index) const {
    return sqlite3_column_int64(stmt_, index);
}

bool SqliteCursor::columnIsNull(int index) const {
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

SqliteConnection::SqliteConnection(const std::string& path) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw core::StoreError("cannot open directory database " + path + ": " + why);
    }
    sqlite3_extended_result_codes(db_, 0);
}

SqliteConnection::~SqliteConnection() {
    if (owned_) {
        sqlite3_close_v2(db_);
    }
}

std::unique_ptr<SqlCursor> SqliteConnection::prepare(std::string_view sql) {
    return std::make_unique<SqliteCursor>(db_, sql);
}

void SqliteConnection::exec(std::string_view sql) {
    const std::string text(sql);
    char* msg = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string why = msg != nullptr ? msg : sqlite3_errmsg(db_);
        sqlite3_free(msg);
        throw core::StoreError(why);
    }
}

int SqliteConnection::tryExec(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
}

}  // namespace misync::storage
