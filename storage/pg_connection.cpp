#include "storage/pg_connection.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/errors.h"

namespace misync::storage {

std::string numberParameters(std::string_view sql, int* count) {
    std::string out;
    out.reserve(sql.size() + 16);
    int highest = 0;
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote != 0) {
            out += c;
            if (c == quote) {
                quote = 0;  // a doubled quote closes and opens again: the same result
            }
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out += c;
            continue;
        }
        if (c != '?') {
            out += c;
            continue;
        }
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') {
            ++j;
        }
        int n = 0;
        if (j > i + 1) {
            std::from_chars(sql.data() + i + 1, sql.data() + j, n);
        } else {
            n = highest + 1;
        }
        highest = std::max(highest, n);
        out += '$';
        out += std::to_string(n);
        i = j - 1;
    }
    if (count != nullptr) {
        *count = highest;
    }
    return out;
}

namespace {

// libpq's conninfo grammar: key = value, the value bare or in single quotes with backslash
// escapes.
std::vector<std::pair<std::string, std::string>> splitKeywords(const std::string& s) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    auto skipSpace = [&] {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            ++i;
        }
    };
    for (;;) {
        skipSpace();
        if (i >= s.size()) {
            return out;
        }
        std::size_t k = i;
        while (i < s.size() && s[i] != '=' && s[i] != ' ' && s[i] != '\t') {
            ++i;
        }
        std::string key = s.substr(k, i - k);
        skipSpace();
        if (i >= s.size() || s[i] != '=') {
            throw core::StoreError("directory.connection: expected key=value after '" + key + "'");
        }
        ++i;
        skipSpace();
        std::string value;
        if (i < s.size() && s[i] == '\'') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    value += s[i + 1];
                    i += 2;
                } else if (s[i] == '\'') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    value += s[i++];
                }
            }
            if (!closed) {
                throw core::StoreError("directory.connection: unterminated quoted value of '" +
                                       key + "'");
            }
        } else {
            while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
                value += s[i++];
            }
        }
        out.emplace_back(std::move(key), std::move(value));
    }
}

std::string readPasswordFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw core::StoreError("directory.connection: password_file " + path +
                               " cannot be read: " + std::strerror(errno));
    }
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
        line.pop_back();
    }
    if (line.empty()) {
        throw core::StoreError("directory.connection: password_file " + path + " is empty");
    }
    return line;
}

bool has(const std::vector<std::pair<std::string, std::string>>& p, std::string_view key) {
    for (const auto& [k, v] : p) {
        if (k == key) {
            return true;
        }
    }
    return false;
}

}  // namespace

PgConnInfo parseConnInfo(const std::string& connection) {
    PgConnInfo info;
    const bool uri =
        connection.rfind("postgresql://", 0) == 0 || connection.rfind("postgres://", 0) == 0;
    std::vector<std::pair<std::string, std::string>> given;
    if (uri) {
        // A URI is handed to libpq whole (expand_dbname); only its own parts are described.
        given.emplace_back("dbname", connection);
    } else {
        given = splitKeywords(connection);
    }
    std::string described;
    for (auto& [k, v] : given) {
        if (k == "password_file") {
            info.params.emplace_back("password", readPasswordFile(v));
            continue;
        }
        if (k == "host" || k == "hostaddr" || k == "port" || k == "dbname" || k == "user") {
            if (!(uri && k == "dbname")) {
                described += (described.empty() ? "" : " ") + k + "=" + v;
            }
        }
        info.params.emplace_back(k, v);
    }
    if (uri) {
        // user:password@ would be a secret: describe the URI without its credentials.
        std::string u = connection;
        const auto scheme = u.find("://") + 3;
        if (const auto at = u.find('@', scheme); at != std::string::npos) {
            u.erase(scheme, at + 1 - scheme);
        }
        if (const auto q = u.find('?'); q != std::string::npos) {
            u.erase(q);
        }
        described = u;
    }
    // Defaults a service wants, unless given: fail fast when the server is away, and let the
    // server notice a vanished client (S7: its school leases go with its connection).
    const std::pair<const char*, const char*> defaults[] = {
        {"connect_timeout", "10"}, {"application_name", "misync"}, {"keepalives", "1"},
        {"keepalives_idle", "10"}, {"keepalives_interval", "5"},   {"keepalives_count", "3"},
    };
    for (const auto& [k, v] : defaults) {
        if (!has(info.params, k)) {
            info.params.emplace_back(k, v);
        }
    }
    info.described = described.empty() ? "(libpq defaults)" : described;
    return info;
}

PgConnection::PgConnection(const std::string& connection)
    : info_(parseConnInfo(connection)),
      describe_("PostgreSQL directory " + info_.described),
      pq_(Libpq::load()) {
    connect();
}

PgConnection::~PgConnection() {
    if (conn_ != nullptr) {
        pq_->finish(conn_);
    }
}

void PgConnection::connect() {
    if (conn_ != nullptr) {
        pq_->finish(conn_);
        conn_ = nullptr;
    }
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [k, v] : info_.params) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = pq_->connectdbParams(keys.data(), values.data(), 1);
    if (conn_ == nullptr || pq_->status(conn_) != CONNECTION_OK) {
        const std::string why = conn_ != nullptr ? lastError() : "out of memory";
        throw core::StoreError("cannot connect to the " + describe_ + ": " + why);
    }
    ++generation_;
    pipelining_ = false;
    pending_ = 0;
    deallocate_.clear();
    // Quiet NOTICEs (e.g. "relation already exists, skipping") instead of libpq's stderr.
    pq_->setNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    // The server side of the keepalives (a vanished client's leases end within about 25 s,
    // S7); ignored on a Unix socket.
    PGresult* r = pq_->exec(conn_,
                            "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; "
                            "SET tcp_keepalives_count = 3; SET client_min_messages = warning");
    pq_->clear(r);
}

namespace {

std::string trimmed(std::string m) {
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) {
        m.pop_back();
    }
    return m;
}

// Why `r` (possibly null) failed: the server's message with its SQLSTATE, or the connection's.
std::string failureOf(const PGresult* r, const PgConnection& c) {
    std::string why = r != nullptr ? trimmed(c.pq().resultErrorMessage(r)) : "";
    if (why.empty()) {
        why = c.lastError();
    }
    if (const char* state = r != nullptr ? c.pq().resultErrorField(r, PG_DIAG_SQLSTATE) : nullptr) {
        why += std::string(" (SQLSTATE ") + state + ")";
    }
    return why;
}

}  // namespace

bool PgConnection::transactionOpen() const {
    if (pipelining_) {
        return true;  // only ever inside a transaction
    }
    const auto status = pq_->transactionStatus(conn_);
    return status == PQTRANS_ACTIVE || status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

std::string PgConnection::lastError() const {
    return trimmed(pq_->errorMessage(conn_));
}

void PgConnection::ensureUsable() {
    if (pq_->status(conn_) == CONNECTION_OK) {
        return;
    }
    if (mayReconnect_ && !mayReconnect_()) {
        throw core::StoreError(describe_ +
                               ": the connection was lost in the middle of a run (nothing of "
                               "it was committed)");
    }
    reconnect();
}

bool PgConnection::lostAndMayReconnect() const {
    return pq_->status(conn_) != CONNECTION_OK && (!mayReconnect_ || mayReconnect_());
}

void PgConnection::reconnect() {
    using namespace std::chrono_literals;
    const auto now = std::chrono::steady_clock::now();
    // A restart (pg_ctl restart, a failover) takes a few seconds: about 8 s of attempts.
    const bool failedJustNow =
        lastReconnectFailed_.time_since_epoch().count() != 0 && now - lastReconnectFailed_ < 30s;
    const std::chrono::milliseconds waits[] = {200ms, 500ms, 1000ms, 2000ms, 4000ms};
    for (std::size_t attempt = 0;; ++attempt) {
        try {
            connect();
            lastReconnectFailed_ = {};
            spdlog::info("{}: connected again", describe_);
            return;
        } catch (const core::StoreError&) {
            if (failedJustNow) {
                throw;  // one attempt: the server was not back a moment ago
            }
            if (attempt == std::size(waits)) {
                lastReconnectFailed_ = std::chrono::steady_clock::now();
                throw;
            }
        }
        std::this_thread::sleep_for(waits[attempt]);
    }
}

std::unique_ptr<SqlCursor> PgConnection::prepare(std::string_view sql) {
    drain();
    ensureUsable();
    try {
        return std::make_unique<PgCursor>(*this, sql);
    } catch (const core::StoreError&) {
        if (!lostAndMayReconnect()) {
            throw;
        }
    }
    reconnect();  // preparing changes nothing: prepare again on the new connection
    return std::make_unique<PgCursor>(*this, sql);
}

void PgConnection::exec(std::string_view sql) {
    const std::string text(sql);
    const bool rollback = text.rfind("ROLLBACK", 0) == 0;
    if (rollback) {
        // What is rolled back may have failed: that failure was or is about to be reported.
        try {
            drain();
        } catch (const core::StoreError& e) {
            spdlog::debug("{}: before {}: {}", describe_, text, e.what());
        }
    } else {
        drain();
    }
    if (pq_->status(conn_) != CONNECTION_OK &&
        (rollback || text.rfind("COMMIT", 0) == 0 || text.rfind("RELEASE", 0) == 0)) {
        // The transaction went with the session: a new connection has nothing to end.
        if (text == "ROLLBACK") {
            return;
        }
        throw core::StoreError(describe_ + ": " + text +
                               ": the connection was lost (nothing of the transaction was "
                               "committed)");
    }
    ensureUsable();
    for (int attempt = 0;; ++attempt) {
        PGresult* r = pq_->exec(conn_, text.c_str());
        const auto status = pq_->resultStatus(r);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            pq_->clear(r);
            return;
        }
        std::string why = failureOf(r, *this);
        pq_->clear(r);
        // A BEGIN on a connection found broken has done nothing: begin on a new one.
        if (attempt > 0 || text.rfind("BEGIN", 0) != 0 || !lostAndMayReconnect()) {
            throw core::StoreError(why);
        }
        reconnect();
    }
}

PgCursor::PgCursor(PgConnection& connection, std::string_view sql)
    : connection_(connection), pq_(&connection.pq()), sql_(sql) {
    int count = 0;
    numbered_ = numberParameters(sql_, &count);
    values_.resize(static_cast<std::size_t>(count));
    isNull_.assign(static_cast<std::size_t>(count), 1);
    prepareOnServer();
}

PgCursor::~PgCursor() {
    pq_->clear(result_);
    if (preparedIn_ != connection_.generation()) {
        return;  // the server forgot it with the old connection
    }
    if (connection_.pipelining()) {
        connection_.deallocateLater(name_);  // no waiting here: drain() may throw
    } else if (!connection_.isClosing() && pq_->status(connection_.raw()) == CONNECTION_OK) {
        pq_->clear(pq_->exec(connection_.raw(), ("DEALLOCATE " + name_).c_str()));
    }
}

namespace {

[[noreturn]] void failWith(PGresult* r, const PgConnection& c, const char* what) {
    std::string why = failureOf(r, c);
    const char* state = r != nullptr ? c.pq().resultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const bool unique = state != nullptr && std::string_view(state) == "23505";
    c.pq().clear(r);
    if (unique) {
        throw core::ConflictError(c.describe() + ": " + what + ": " + why);
    }
    throw core::StoreError(c.describe() + ": " + what + ": " + why);
}

}  // namespace

bool PgConnection::canPipeline() const {
    return pipelining_ || (pq_->status(conn_) == CONNECTION_OK &&
                           pq_->transactionStatus(conn_) == PQTRANS_INTRANS);
}

void PgConnection::pipeline(const std::string& name, const std::vector<const char*>& params) {
    if (!pipelining_) {
        if (pq_->enterPipelineMode(conn_) != 1) {
            throw core::StoreError(describe_ + ": cannot enter pipeline mode: " + lastError());
        }
        pipelining_ = true;
    }
    if (pq_->sendQueryPrepared(conn_, name.c_str(), static_cast<int>(params.size()), params.data(),
                               nullptr, nullptr, 0) != 1) {
        const std::string why = lastError();
        pipelining_ = false;  // the connection is broken; a new one starts without a pipeline
        pending_ = 0;
        throw core::StoreError(describe_ + ": step: " + why);
    }
    if (++pending_ >= kPipelineDepth) {
        drain();
    }
}

void PgConnection::drain() {
    if (!pipelining_) {
        return;
    }
    const std::size_t sent = pending_;
    pipelining_ = false;
    pending_ = 0;
    PGresult* failure = nullptr;  // the first statement that failed; those after it are skipped
    std::string lost;
    if (pq_->pipelineSync(conn_) != 1) {
        lost = lastError();
    }
    for (std::size_t i = 0; i < sent && lost.empty(); ++i) {
        PGresult* r = pq_->getResult(conn_);
        if (r == nullptr || pq_->status(conn_) != CONNECTION_OK) {
            pq_->clear(r);
            lost = lastError();
            break;
        }
        if (pq_->resultStatus(r) == PGRES_FATAL_ERROR && failure == nullptr) {
            failure = r;
        } else {
            pq_->clear(r);
        }
        pq_->clear(pq_->getResult(conn_));  // the null that ends each statement's results
    }
    if (lost.empty()) {
        PGresult* sync = pq_->getResult(conn_);
        if (pq_->resultStatus(sync) != PGRES_PIPELINE_SYNC) {
            lost = lastError();
        }
        pq_->clear(sync);
    }
    if (lost.empty() && pq_->exitPipelineMode(conn_) != 1) {
        lost = lastError();
    }
    if (lost.empty()) {
        for (const auto& name : deallocate_) {
            pq_->clear(pq_->exec(conn_, ("DEALLOCATE " + name).c_str()));
        }
    }
    deallocate_.clear();
    if (failure != nullptr) {
        failWith(failure, *this, "step");
    }
    if (!lost.empty()) {
        throw core::StoreError(describe_ + ": the connection was lost with " +
                               std::to_string(sent) + " statements sent ahead: " + lost +
                               " (nothing of the transaction was committed)");
    }
}

void PgCursor::prepareOnServer() {
    name_ = connection_.nextStatementName();
    PGresult* r = pq_->prepare(connection_.raw(), name_.c_str(), numbered_.c_str(), 0, nullptr);
    if (pq_->resultStatus(r) != PGRES_COMMAND_OK) {
        failWith(r, connection_, "prepare");
    }
    pq_->clear(r);
    preparedIn_ = connection_.generation();
}

void PgCursor::bind(int index, std::string value, bool null) {
    if (index < 1 || static_cast<std::size_t>(index) > values_.size()) {
        throw core::StoreError("PostgreSQL bind: no parameter " + std::to_string(index) + " in " +
                               sql_);
    }
    values_[static_cast<std::size_t>(index - 1)] = std::move(value);
    isNull_[static_cast<std::size_t>(index - 1)] = null ? 1 : 0;
}

void PgCursor::bindText(int index, std::string_view value) {
    bind(index, std::string(value), false);
}

void PgCursor::bindInt(int index, std::int64_t value) {
    bind(index, std::to_string(value), false);
}

void PgCursor::bindNull(int index) {
    bind(index, std::string(), true);
}

bool PgCursor::step() {
    if (result_ == nullptr) {
        connection_.drain();
        connection_.ensureUsable();
        if (preparedIn_ != connection_.generation()) {
            prepareOnServer();  // the connection was made again: the server forgot it
        }
        result_ = run();
        rows_ = pq_->ntuples(result_);
        row_ = -1;
    }
    if (row_ + 1 < rows_) {
        ++row_;
        return true;
    }
    row_ = rows_;
    return false;
}

namespace {

// A statement that only reads (the store writes nothing through WITH).
bool isQuery(std::string_view sql) {
    const auto start = sql.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) {
        return false;
    }
    sql.remove_prefix(start);
    return sql.rfind("SELECT", 0) == 0 || sql.rfind("WITH", 0) == 0;
}

}  // namespace

std::vector<const char*> PgCursor::parameters() const {
    std::vector<const char*> params(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
        params[i] = isNull_[i] != 0 ? nullptr : values_[i].c_str();
    }
    return params;
}

// Inside a transaction: into the pipeline (libpq copies the values at once).
void PgCursor::execute() {
    if (!connection_.canPipeline() || preparedIn_ != connection_.generation()) {
        SqlCursor::execute();  // waits for its answer
        return;
    }
    rewind();
    connection_.pipeline(name_, parameters());
}

PGresult* PgCursor::run() {
    for (int attempt = 0;; ++attempt) {
        const std::vector<const char*> params = parameters();
        PGresult* r =
            pq_->execPrepared(connection_.raw(), name_.c_str(), static_cast<int>(params.size()),
                              params.data(), nullptr, nullptr, 0);
        const auto status = pq_->resultStatus(r);
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            return r;
        }
        // A query outside any transaction, on a connection found broken, read nothing and
        // wrote nothing (the session it might have locked for went with the connection).
        if (attempt > 0 || !isQuery(sql_) || !connection_.lostAndMayReconnect()) {
            failWith(r, connection_, "step");
        }
        pq_->clear(r);
        connection_.ensureUsable();
        prepareOnServer();
    }
}

void PgCursor::rewind() {
    pq_->clear(result_);
    result_ = nullptr;
    row_ = -1;
    rows_ = 0;
}

void PgCursor::reset() {
    rewind();
    for (std::size_t i = 0; i < values_.size(); ++i) {
        values_[i].clear();
        isNull_[i] = 1;
    }
}

std::string_view PgCursor::columnView(int index) const {
    if (result_ == nullptr || row_ < 0 || row_ >= rows_ || pq_->getisnull(result_, row_, index)) {
        return {};
    }
    return {pq_->getvalue(result_, row_, index),
            static_cast<std::size_t>(pq_->getlength(result_, row_, index))};
}

std::int64_t PgCursor::columnInt(int index) const {
    const std::string_view v = columnView(index);
    if (v == "t") {
        return 1;  // a boolean in text form
    }
    std::int64_t n = 0;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
}

bool PgCursor::columnIsNull(int index) const {
    return result_ == nullptr || row_ < 0 || row_ >= rows_ ||
           pq_->getisnull(result_, row_, index) != 0;
}

}  // namespace misync::storage
