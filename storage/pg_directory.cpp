#include "storage/pg_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <random>

#include "core/errors.h"
#include "core/school.h"

namespace misync::storage {

namespace {

std::string jsonTexts(int n) {
    return "(SELECT json_array_elements_text(CAST(?" + std::to_string(n) + " AS json)) AS value)";
}

std::string jsonIds(int n) {
    return "(SELECT CAST(json_array_elements_text(CAST(?" + std::to_string(n) +
           " AS json)) AS bigint) AS value)";
}

const SqlDialect kPostgresql{
    "postgresql",
    "SELECT CAST(table_name AS text) FROM information_schema.tables WHERE table_schema = "
    "current_schema() AND table_name IN ('schema_version', 'accounts')",
    jsonTexts,
    jsonIds,
    "chr(127)",
    "",
    "INSERT INTO memberships (group_id, account_id) SELECT * FROM unnest(CAST(?1 AS bigint[]), "
    "CAST(?2 AS bigint[])) ON CONFLICT DO NOTHING",
};

int schoolKey(const std::string& where, const std::string& school) {
    if (!core::isValidDfes(school)) {
        throw core::StoreError(where + ": cannot lock school '" + school +
                               "': not a 7-digit DfES number");
    }
    return std::stoi(school);
}

}  // namespace

const SqlDialect& postgresqlDialect() {
    return kPostgresql;
}

PgDirectory::PgDirectory(const std::string& connection, OpenMode mode)
    : PgDirectory(std::make_unique<PgConnection>(connection), mode) {}

PgDirectory::PgDirectory(std::unique_ptr<PgConnection> connection, OpenMode mode)
    : SqlDirectory(std::move(connection), kPostgresql, ""),
      pg_(static_cast<PgConnection*>(&this->connection())) {
    where_ = pg_->describe();
    leases_->generation = pg_->generation();
    std::weak_ptr<Leases> leases = leases_;
    pg_->setMayReconnect([this, leases] {
        auto l = leases.lock();
        return !inTransactionNow() && (!l || (l->held.empty() && l->afterCommit.empty()));
    });
    checkSchema(mode);
    versioned_ = schemaVersion() > 0;
}

PgDirectory::~PgDirectory() {
    pg_->closing();  // the server forgets the prepared statements with the connection
}

int PgDirectory::migrate() {
    const int ran = SqlDirectory::migrate();
    versioned_ = true;
    return ran;
}

void PgDirectory::beginWrite() {
    if (leases_->generation != pg_->generation()) {
        leases_->held.clear();  // the old connection's locks went with it
        leases_->generation = pg_->generation();
    }
    execOrThrow("BEGIN");
    try {
        // S7: one writer at a time, for the rest of this transaction.
        const std::string lock = "SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLock) + ")";
        execOrThrow(lock.c_str());
        if (versioned_) {
            execOrThrow("UPDATE directory_version SET version = version + 1");
        }
    } catch (...) {
        execQuietly("ROLLBACK");
        throw;
    }
}

void PgDirectory::beginRead() {
    execOrThrow("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

void PgDirectory::endRead(bool commit) {
    execQuietly(commit ? "COMMIT" : "ROLLBACK");
}

void PgDirectory::transactionEnded() {
    auto pending = std::move(leases_->afterCommit);
    leases_->afterCommit.clear();
    for (const auto& school : pending) {
        unlock(school);
    }
    analyzeGrownTables();
}

// The planner's statistics of tables that have grown a lot since they were last analysed are
// wrong by orders of magnitude (an initial load starts with none): a school's lookups by UPN
// were planned as a scan of every learner against the school's key list, 0.3 s a school at 10k
// learners and growing with the directory (docs/performance.md, "PostgreSQL"). Autovacuum
// catches up within a minute or so; until then every run pays. So after a write, at most once a
// second, the tables changed by more than 1,000 rows plus their size at the last analysis are
// analysed at once (their prepared plans are planned again): each time a table has doubled, so
// about ten times during a national load, never in a daily run.
void PgDirectory::analyzeGrownTables() {
    const auto now = std::chrono::steady_clock::now();
    if (now - lastAnalyzeCheck_ < std::chrono::seconds(1) || inTransactionNow() ||
        !pg_->connected()) {
        return;
    }
    lastAnalyzeCheck_ = now;
    try {
        std::vector<std::string> grown;
        {
            Stmt q(statements_,
                   "SELECT CAST(s.relname AS text) FROM pg_stat_user_tables s JOIN pg_class c ON "
                   "c.oid = s.relid WHERE s.schemaname = current_schema() AND "
                   "s.n_mod_since_analyze > 1000 + greatest(c.reltuples, 0) ORDER BY 1");
            while (q.step()) {
                grown.push_back(q.columnText(0));
            }
        }
        for (const auto& table : grown) {
            if (table.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos) {
                connection().exec("ANALYZE " + table);
                spdlog::debug("directory={}: analysed {}", where_, table);
            }
        }
    } catch (const std::exception& e) {
        // Only the plans' quality depends on it (autovacuum does it later, or an operator).
        spdlog::debug("directory={}: analysing grown tables: {}", where_, e.what());
    }
}

std::uint64_t PgDirectory::dataVersion() {
    Stmt q(statements_, "SELECT version FROM directory_version");
    return q.step() ? static_cast<std::uint64_t>(q.columnInt(0)) : 0;
}

void PgDirectory::unlock(const std::string& school) {
    if (leases_->generation != pg_->generation() || !pg_->connected()) {
        return;  // the server dropped it with the old connection
    }
    try {
        Stmt q(statements_, "SELECT pg_advisory_unlock(?, ?)");
        q.integer(1, kSchoolLocks).integer(2, schoolKey(where_, school));
        q.step();
    } catch (const std::exception& e) {
        spdlog::warn("directory={} school={}: could not release its lease: {}", where_, school,
                     e.what());
    }
}

bool PgDirectory::tryAdvisoryLock(int key, int space) {
    Stmt q(statements_, "SELECT pg_try_advisory_lock(?, ?)");
    q.integer(1, space).integer(2, key);
    return q.step() && q.columnInt(0) == 1;
}

// RunMarkers: a random key no session holds, as a session advisory lock, which the server drops
// with the session: a process killed, or a machine gone (TCP keepalives), frees it.
std::int64_t PgDirectory::ownerKey(bool& fresh) {
    fresh = false;
    if (ownerKey_ != 0 && ownerGeneration_ == pg_->generation()) {
        return ownerKey_;
    }
    std::random_device seed;
    std::mt19937 random(seed());
    std::uniform_int_distribution<int> keys(1, std::numeric_limits<int>::max());
    for (int attempt = 0; attempt < 64; ++attempt) {
        const int key = keys(random);
        if (tryAdvisoryLock(key, kOwnerLocks)) {
            ownerKey_ = key;
            ownerGeneration_ = pg_->generation();
            fresh = true;
            return key;
        }
    }
    throw core::StoreError(where_ + ": cannot take an owner lock");
}

bool PgDirectory::ownerAlive(std::int64_t key) {
    if (ownerKey_ != 0 && key == ownerKey_ && ownerGeneration_ == pg_->generation()) {
        return true;  // this session's own (a session may take its own advisory lock again)
    }
    if (key <= 0 || key > std::numeric_limits<int>::max()) {
        return false;
    }
    if (!tryAdvisoryLock(static_cast<int>(key), kOwnerLocks)) {
        return true;
    }
    Stmt q(statements_, "SELECT pg_advisory_unlock(?, ?)");
    q.integer(1, kOwnerLocks).integer(2, key);
    q.step();
    return false;
}

SchoolLease PgDirectory::leaseFor(const std::string& school) {
    leases_->held.insert(school);
    std::weak_ptr<Leases> book = leases_;
    return SchoolLease([this, book, school] {
        auto l = book.lock();
        if (!l || l->held.erase(school) == 0) {
            return;  // the directory is gone (and its connection with its locks)
        }
        if (inTransactionNow()) {
            l->afterCommit.push_back(school);  // free once what was written has committed
        } else {
            unlock(school);
        }
    });
}

SchoolLease PgDirectory::lockSchool(const std::string& school) {
    const int key = schoolKey(where_, school);
    if (inTransactionNow()) {
        throw core::StoreError(where_ + ": school " + school +
                               " cannot be locked inside a transaction (S7: a run takes its "
                               "school before its transaction begins)");
    }
    if (leases_->held.count(school) != 0) {
        throw core::StoreError(where_ + ": school " + school + " is already held by this run");
    }
    pg_->ensureUsable();
    leases_->generation = pg_->generation();
    if (tryAdvisoryLock(key)) {
        return leaseFor(school);
    }
    if (!leases_->held.empty()) {
        throw core::StoreError(where_ + ": cannot wait for school " + school +
                               " while holding school " + *leases_->held.begin() +
                               " (S7: a run waits for its school holding nothing else)");
    }
    Stmt wait(statements_, "SELECT pg_advisory_lock(?, ?)");
    wait.integer(1, kSchoolLocks).integer(2, key);
    wait.step();
    return leaseFor(school);
}

std::optional<SchoolLease> PgDirectory::tryLockSchool(const std::string& school) {
    const int key = schoolKey(where_, school);
    if (leases_->held.count(school) != 0 ||
        std::find(leases_->afterCommit.begin(), leases_->afterCommit.end(), school) !=
            leases_->afterCommit.end()) {
        return std::nullopt;  // held here (a session's advisory locks would let it in again)
    }
    if (!inTransactionNow()) {
        pg_->ensureUsable();
        leases_->generation = pg_->generation();
    }
    if (tryAdvisoryLock(key)) {
        return leaseFor(school);
    }
    return std::nullopt;
}

}  // namespace misync::storage
