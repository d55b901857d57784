// The driver layer under the one generic SQL store (DESIGN.md pattern 4): a prepared statement
// of one connection (SqlCursor), a connection that prepares them (SqlConnection), a cache that
// prepares each SQL text once per connection and lends it out (StatementCache), and Stmt, the
// RAII handle the store's code uses. SQLite (sqlite_connection.h) and PostgreSQL
// (pg_connection.h) implement the first two; the store's SQL is written once with `?` or `?N`
// parameters, which the PostgreSQL driver numbers `$N`. Private to storage/.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace misync::storage {

// One prepared statement. Parameters are 1-based, columns 0-based. Failures throw
// core::StoreError with the driver's reason (never a connection secret).
class SqlCursor {
  public:
    virtual ~SqlCursor() = default;
    // The SQL text it was prepared from, exactly as given.
    virtual const std::string& sql() const = 0;
    virtual void bindText(int index, std::string_view value) = 0;
    virtual void bindInt(int index, std::int64_t value) = 0;
    virtual void bindNull(int index) = 0;
    // Runs the statement on the first call after a reset; true while a row is available.
    virtual bool step() = 0;
    // Runs a statement that returns no rows and rewinds it, keeping its bindings. A driver may
    // send it ahead without waiting for the server (PostgreSQL inside a transaction): then its
    // failure is thrown by the next call that waits for the server, at the latest the COMMIT.
    virtual void execute() {
        step();
        rewind();
    }
    // Ends the current execution, keeping the bindings for the next one.
    virtual void rewind() = 0;
    // Ends the current execution and clears the bindings.
    virtual void reset() = 0;
    // The current row's column as text: valid until the next step() or reset().
    virtual std::string_view columnView(int index) const = 0;
    virtual std::int64_t columnInt(int index) const = 0;
    virtual bool columnIsNull(int index) const = 0;
};

class SqlConnection {
  public:
    virtual ~SqlConnection() = default;
    // Throws core::StoreError when `sql` does not prepare.
    virtual std::unique_ptr<SqlCursor> prepare(std::string_view sql) = 0;
    // Runs SQL without parameters or results (one statement or, where the driver allows,
    // several separated by semicolons).
    virtual void exec(std::string_view sql) = 0;
    // Whether a transaction is open on the server side (SQLite rolls a whole transaction back
    // by itself after some errors, e.g. a full disk).
    virtual bool transactionOpen() const = 0;
    // Waits for every statement sent ahead (SqlCursor::execute) and throws the first one's
    // failure. A transaction's body ends with it, so that its failure is the body's.
    virtual void drain() {}
};

// The prepared statements of one connection, by SQL text (issue 8): a school's run prepares
// about twenty statements, and preparing them again for every school took a tenth of a
// national run's main thread. A statement is lent to one Stmt at a time: a nested use of the
// same text gets a second one. A statement that comes back is reset, so no lent statement keeps
// a read open past its use. Texts beyond kMaxTexts are prepared and dropped after use, so that
// SQL built from values (which should bind them instead) cannot grow the cache. Must be
// destroyed before its connection, and after every Stmt borrowed from it.
class StatementCache {
  public:
    explicit StatementCache(SqlConnection& connection) : connection_(connection) {}
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    SqlConnection& connection() const { return connection_; }
    // A statement for `sql`; throws core::StoreError when it does not prepare.
    std::unique_ptr<SqlCursor> take(std::string_view sql);
    // Back from a Stmt: reset, and kept for the next take() of its text or dropped.
    void give(std::unique_ptr<SqlCursor> cursor);
    // Drops every idle statement (a PostgreSQL connection that was reset lost them all).
    void clear() { idle_.clear(); }
    // Statements prepared since this cache was made (for tests).
    std::size_t prepares() const { return prepares_; }
    // Idle statements held (for tests).
    std::size_t idle() const;

    static constexpr std::size_t kMaxTexts = 256;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    SqlConnection& connection_;
    std::unordered_map<std::string, std::vector<std::unique_ptr<SqlCursor>>, Hash, std::equal_to<>>
        idle_;
    std::size_t prepares_ = 0;
};

// A statement borrowed from a cache for one use, given back on destruction.
class Stmt {
  public:
    Stmt(StatementCache& cache, std::string_view sql) : cache_(cache), cursor_(cache.take(sql)) {}
    ~Stmt() { cache_.give(std::move(cursor_)); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt& text(int index, std::string_view value) {
        cursor_->bindText(index, value);
        return *this;
    }
    Stmt& integer(int index, std::int64_t value) {
        cursor_->bindInt(index, value);
        return *this;
    }
    Stmt& null(int index) {
        cursor_->bindNull(index);
        return *this;
    }
    // Runs a statement that returns no rows, then rewinds it for the next use (its bindings
    // stay until rebound or reset()). Its failure may surface later (SqlCursor::execute).
    void exec() { cursor_->execute(); }
    bool step() { return cursor_->step(); }
    void reset() { cursor_->reset(); }
    std::string columnText(int index) const { return std::string(cursor_->columnView(index)); }
    std::string_view columnView(int index) const { return cursor_->columnView(index); }
    std::int64_t columnInt(int index) const { return cursor_->columnInt(index); }
    bool columnIsNull(int index) const { return cursor_->columnIsNull(index); }

  private:
    StatementCache& cache_;
    std::unique_ptr<SqlCursor> cursor_;
};

}  // namespace misync::storage
