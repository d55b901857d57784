// The SQLite driver of the generic store (storage/sql_stmt.h): a connection opened with
// sqlite3_open_v2 and its prepared statements. Private to storage/.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "storage/sql_stmt.h"

namespace misync::storage {

class SqliteCursor final : public SqlCursor {
  public:
    // Throws core::StoreError with SQLite's reason when `sql` does not prepare.
    SqliteCursor(sqlite3* db, std::string_view sql);
    ~SqliteCursor() override;
    SqliteCursor(const SqliteCursor&) = delete;
    SqliteCursor& operator=(const SqliteCursor&) = delete;

    const std::string& sql() const override { return sql_; }
    void bindText(int index, std::string_view value) override;
    void bindInt(int index, std::int64_t value) override;
    void bindNull(int index) override;
    bool step() override;
    void rewind() override;
    void reset() override;
    std::string_view columnView(int index) const override;
    std::int64_t columnInt(int index) const override;
    bool columnIsNull(int index) const override;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string sql_;
    [[noreturn]] void fail(const char* what) const;
};

class SqliteConnection final : public SqlConnection {
  public:
    // Opens (creating) the database file; throws core::StoreError naming it on failure.
    explicit SqliteConnection(const std::string& path);
    // Borrows a connection someone else opened and closes (tests).
    explicit SqliteConnection(sqlite3* borrowed) : db_(borrowed), owned_(false) {}
    ~SqliteConnection() override;
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    sqlite3* db() const { return db_; }
    std::unique_ptr<SqlCursor> prepare(std::string_view sql) override;
    void exec(std::string_view sql) override;
    bool transactionOpen() const override { return sqlite3_get_autocommit(db_) == 0; }
    // sqlite3_exec's result code, without throwing (ROLLBACK on an error path).
    int tryExec(const char* sql);

  private:
    sqlite3* db_ = nullptr;
    bool owned_ = true;
};

}  // namespace misync::storage
