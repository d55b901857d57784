// A thin RAII wrapper over a prepared sqlite3 statement on the connection Poco opened. The hot
// paths (apply's row writes, a school's view) use it because Poco::Data's per-execution binding
// and Var conversions cost ~20 µs a row, which at national scale (3M memberships) is minutes;
// see docs/performance.md. Everything else stays on Poco::Data.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace misync::storage {

class StatementCache;

class SqliteStmt {
  public:
    SqliteStmt(sqlite3* db, std::string_view sql);
    // Borrowed from `cache`, which prepares it on first use, and given back to it, reset and
    // with its bindings cleared, on destruction.
    SqliteStmt(StatementCache& cache, std::string_view sql);
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
    StatementCache* cache_ = nullptr;
    [[noreturn]] void fail(const char* what) const;
};

// The prepared statements of one connection, by SQL text (issue 8): a school's run prepares
// about twenty statements, and preparing them again for every school took a tenth of a
// national run's main thread. A statement is lent to one SqliteStmt at a time: a nested use of
// the same text gets a second one. A statement that comes back is reset, so no lent statement
// keeps a read open past its use. Texts beyond kMaxTexts are prepared and finalized as before,
// so that SQL built from values (which should bind them instead) cannot grow the cache. Must be
// destroyed before its connection closes, and after every SqliteStmt borrowed from it.
class StatementCache {
  public:
    explicit StatementCache(sqlite3* db) : db_(db) {}
    ~StatementCache();
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    sqlite3* db() const { return db_; }
    // A statement for `sql` (nullptr if preparing it failed: see sqlite3_errmsg(db())).
    sqlite3_stmt* take(std::string_view sql);
    // Back from a SqliteStmt: kept for the next take() of its text, or finalized.
    void give(sqlite3_stmt* stmt);
    // Statements prepared since this cache was made (for tests).
    std::size_t prepares() const { return prepares_; }

    static constexpr std::size_t kMaxTexts = 256;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    sqlite3* db_;
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>, Hash, std::equal_to<>> idle_;
    std::size_t prepares_ = 0;
};

}  // namespace misync::storage
