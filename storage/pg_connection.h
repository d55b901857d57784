// The PostgreSQL driver of the generic store (storage/sql_stmt.h), on libpq: statements are
// prepared on the server once per connection (named m1, m2, …) with the store's `?`/`?N`
// parameters numbered `$N`, executed with text parameters, and their results read in text
// form. Private to storage/.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/pg_libpq.h"
#include "storage/sql_stmt.h"

namespace misync::storage {

// The store's SQL with its parameters as PostgreSQL numbers them: `?N` becomes `$N` and a bare
// `?` the next number after the highest so far (SQLite's rule); nothing inside quotes changes.
// `count` (optional) receives the highest parameter number.
std::string numberParameters(std::string_view sql, int* count = nullptr);

// A libpq connection string as misync's configuration gives it (`directory.connection`,
// SPEC §7): libpq's key=value pairs, or a postgresql:// URI, plus `password_file`, a file whose
// first line is the password (so that the password need not be in the configuration).
struct PgConnInfo {
    std::vector<std::pair<std::string, std::string>> params;  // what libpq is given
    std::string described;  // host, port, database and user: for messages, never the password
};
// Throws core::ConfigError-like core::StoreError naming the key when the string does not parse
// or the password file cannot be read.
PgConnInfo parseConnInfo(const std::string& connection);

class PgConnection final : public SqlConnection {
  public:
    // Connects; throws core::StoreError with libpq's reason (never the password).
    explicit PgConnection(const std::string& connection);
    ~PgConnection() override;
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // "PostgreSQL directory host=… port=… dbname=… user=…".
    const std::string& describe() const { return describe_; }
    std::unique_ptr<SqlCursor> prepare(std::string_view sql) override;
    void exec(std::string_view sql) override;
    bool transactionOpen() const override;

    // Connection loss (S7, issue 9): a connection found broken is connected again before the
    // next statement when `mayReconnect` says so (no transaction open and no school held: the
    // server lost both with the old connection); every statement is prepared again then.
    void setMayReconnect(std::function<bool()> mayReconnect) {
        mayReconnect_ = std::move(mayReconnect);
    }
    // Makes sure the connection is usable: reconnects if it is broken and may; throws
    // core::StoreError if it is broken and may not, or reconnecting fails. A server that is
    // restarting is given about 8 s of attempts, unless such a patient reconnection failed less
    // than 30 s ago: then one attempt, so that a long run of schools fails fast while the
    // server stays down.
    void ensureUsable();
    // After a statement failed: whether it failed because the connection broke and the
    // connection may be made again (see setMayReconnect). A statement without effect on the
    // database (prepare, BEGIN, a SELECT outside a transaction) is then simply tried again.
    bool lostAndMayReconnect() const;
    // How many times the connection was made (1 after the constructor): statements prepared
    // under an older generation are prepared again.
    std::uint64_t generation() const { return generation_; }
    PGconn* raw() const { return conn_; }
    bool connected() const { return pq_->status(conn_) == CONNECTION_OK; }
    // libpq's functions (storage/pg_libpq.h).
    const Libpq& pq() const { return *pq_; }
    // From now on statements are not deallocated one by one (the connection is about to close).
    void closing() { closing_ = true; }
    bool isClosing() const { return closing_; }
    std::string nextStatementName() { return "m" + std::to_string(++statements_); }
    // libpq's message for the last failure on this connection, trimmed.
    std::string lastError() const;

    // Pipelining (issue 9 item 4, libpq's pipeline mode): inside a transaction, statements
    // without rows are sent without waiting for each answer; drain() waits for them all and
    // throws the first failure (core::ConflictError for a uniqueness conflict). Every call that
    // needs the server's answer drains first. Outside a transaction each statement waits, so
    // that an autocommitted one is never undone by a later one's failure.
    bool canPipeline() const;
    // Sends an executed prepared statement into the pipeline (entering it if need be); drains
    // when kPipelineDepth statements are waiting, so that neither side's buffers fill.
    void pipeline(const std::string& name, const std::vector<const char*>& params);
    void drain() override;
    bool pipelining() const { return pipelining_; }
    // A statement dropped while the pipeline is open: deallocated after the next drain.
    void deallocateLater(std::string name) { deallocate_.push_back(std::move(name)); }
    static constexpr std::size_t kPipelineDepth = 512;

  private:
    PgConnInfo info_;
    std::string describe_;
    std::shared_ptr<const Libpq> pq_;
    PGconn* conn_ = nullptr;
    std::uint64_t generation_ = 0;
    std::uint64_t statements_ = 0;
    bool closing_ = false;
    std::function<bool()> mayReconnect_;
    std::chrono::steady_clock::time_point lastReconnectFailed_{};
    bool pipelining_ = false;
    std::size_t pending_ = 0;  // statements sent into the pipeline, answers not yet read
    std::vector<std::string> deallocate_;
    void connect();
    void reconnect();
};

class PgCursor final : public SqlCursor {
  public:
    PgCursor(PgConnection& connection, std::string_view sql);
    ~PgCursor() override;
    PgCursor(const PgCursor&) = delete;
    PgCursor& operator=(const PgCursor&) = delete;

    const std::string& sql() const override { return sql_; }
    void bindText(int index, std::string_view value) override;
    void bindInt(int index, std::int64_t value) override;
    void bindNull(int index) override;
    bool step() override;
    void execute() override;
    void rewind() override;
    void reset() override;
    std::string_view columnView(int index) const override;
    std::int64_t columnInt(int index) const override;
    bool columnIsNull(int index) const override;

  private:
    PgConnection& connection_;
    const Libpq* pq_;       // the connection's
    std::string sql_;       // as the store wrote it (the cache's key)
    std::string numbered_;  // as PostgreSQL reads it
    std::string name_;
    std::uint64_t preparedIn_ = 0;  // the connection generation it was prepared in
    std::vector<std::string> values_;
    std::vector<char> isNull_;
    PGresult* result_ = nullptr;
    int row_ = -1;
    int rows_ = 0;
    void prepareOnServer();
    std::vector<const char*> parameters() const;
    PGresult* run();
    void bind(int index, std::string value, bool null);
};

}  // namespace misync::storage
