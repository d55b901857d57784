// A thin RAII wrapper over a prepared sqlite3 statement on the connection Poco opened. The hot
// paths (apply's row writes, a school's view) use it because Poco::Data's per-execution binding
// and Var conversions cost ~20 µs a row, which at national scale (3M memberships) is minutes;
// see docs/performance.md. Everything else stays on Poco::Data.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace misync::storage {

class SqliteStmt {
  public:
    SqliteStmt(sqlite3* db, std::string_view sql);
    ~SqliteStmt();
    SqliteStmt(const SqliteStmt&) = delete;
    SqliteStmt& operator=(const SqliteStmt&) = delete;

    // Parameters are 1-based. Text is copied by SQLite (safe for temporaries).
    SqliteStmt& text(int index, std::string_view value);
    SqliteStmt& integer(int index, std::int64_t value);
    SqliteStmt& null(int index);
    // Runs a statement that returns no rows, then resets it for the next use.
    void exec();
    // For queries: true while a row is available.
    bool step();
    void reset();
    std::string columnText(int index) const;
    // The column's text as SQLite holds it: valid until the next step() or reset().
    std::string_view columnView(int index) const;
    std::int64_t columnInt(int index) const;
    bool columnIsNull(int index) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    [[noreturn]] void fail(const char* what) const;
};

}  // namespace misync::storage
