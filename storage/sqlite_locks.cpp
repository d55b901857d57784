// S7 on the SQLite directory: school leases, the turnstile in front of every write transaction,
// and read snapshots for dry runs. The protocol is described in docs/architecture.md ("Several
// processes on one directory").
#include <random>

#include "core/errors.h"
#include "core/school.h"
#include "storage/sqlite_directory.h"

namespace misync::storage {

namespace {

std::int64_t schoolOffset(const std::string& path, const std::string& school) {
    if (!core::isValidDfes(school)) {
        throw core::StoreError(path + ": cannot lock school '" + school +
                               "': not a 7-digit DfES number");
    }
    return static_cast<std::int64_t>(std::stol(school));
}

}  // namespace

SchoolLease SqliteDirectory::lockSchool(const std::string& school) {
    const std::int64_t at = schoolOffset(where_, school);
    if (depth_ > 0) {
        throw core::StoreError(where_ + ": school " + school +
                               " cannot be locked inside a transaction (S7: a run takes its "
                               "school before its transaction begins)");
    }
    if (leases_->holds(school)) {
        throw core::StoreError(where_ + ": school " + school + " is already held by this run");
    }
    if (batchPending() && locks_.someoneWaiting()) {
        flush();  // someone waits, perhaps for a school this batch keeps: let them in first
    }
    if (auto hold = locks_.tryLock(at)) {
        return leases_->add(school, std::move(*hold));
    }
    if (const std::string other = leases_->anyHeld(); !other.empty()) {
        throw core::StoreError(where_ + ": cannot wait for school " + school +
                               " while holding school " + other +
                               " (S7: a run waits for its school holding nothing else)");
    }
    // Never wait holding the write lock or other leases: commit the batch first, which lets go
    // of the write lock and of every school it kept (perhaps this one, run earlier in the batch).
    flush();
    return leases_->add(school, locks_.lock(at));
}

std::optional<SchoolLease> SqliteDirectory::tryLockSchool(const std::string& school) {
    const std::int64_t at = schoolOffset(where_, school);
    if (leases_->holds(school)) {
        return std::nullopt;
    }
    auto hold = locks_.tryLock(at);
    if (!hold) {
        return std::nullopt;
    }
    return leases_->add(school, std::move(*hold));
}

// RunMarkers: a random key whose byte nobody holds. The kernel drops the lock with the process
// (kill -9 included), which is what tells a dead run's `running` row from a live one's.
std::int64_t SqliteDirectory::ownerKey(bool& fresh) {
    fresh = false;
    if (owner_.held()) {
        return ownerKey_;
    }
    std::random_device seed;
    std::mt19937_64 random(seed());
    std::uniform_int_distribution<std::int64_t> keys(1, LockFile::kOwnerKeys - 1);
    for (int attempt = 0; attempt < 64; ++attempt) {
        const std::int64_t key = keys(random);
        if (auto hold = locks_.tryLock(LockFile::kOwners + key)) {
            owner_ = std::move(*hold);
            ownerKey_ = key;
            fresh = true;
            return key;
        }
    }
    throw core::StoreError(locks_.path() + ": cannot take an owner lock");
}

bool SqliteDirectory::ownerAlive(std::int64_t key) {
    if (owner_.held() && key == ownerKey_) {
        return true;
    }
    if (key <= 0 || key >= LockFile::kOwnerKeys) {
        return false;
    }
    // Taken at once and let go: nobody holds it, so its process is gone.
    return !locks_.tryLock(LockFile::kOwners + key).has_value();
}

// S7, no starvation. A process that batches its runs begins its next transaction right after
// each COMMIT, while a process waiting in SQLite's busy handler only looks again after a sleep,
// so it would hardly ever get in. Every outermost BEGIN therefore first takes the turnstile and
// lets go of it once it has begun: the batching process, back at the turnstile, queues behind
// the one already waiting there for the write lock. Whoever has to wait for the write lock
// rings the bell as well, and a batching process that hears it commits after its current run
// instead of a few seconds later (inTransaction).
void SqliteDirectory::beginWrite() {
    LockFile::Hold turn = locks_.lock(LockFile::kTurnstile);
    sqlite3_busy_timeout(db(), 0);
    int rc = sqlite3_exec(db(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_BUSY) {
        LockFile::Hold bell = locks_.ringBell();
        sqlite3_busy_timeout(db(), kBusyTimeoutMs);
        rc = sqlite3_exec(db(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    }
    sqlite3_busy_timeout(db(), kBusyTimeoutMs);
    if (rc != SQLITE_OK) {
        throw core::StoreError(
            where_ + ": cannot begin a write transaction: " + sqlite3_errmsg(db()) +
            (rc == SQLITE_BUSY ? " (another process kept the directory's write lock for "
                                 "longer than " +
                                     std::to_string(kBusyTimeoutMs / 1000) + " seconds)"
                               : std::string()));
    }
}

// A deferred BEGIN takes its snapshot at the first read and keeps it (WAL) until the end;
// query_only makes any write fail instead of upgrading to a write transaction.
void SqliteDirectory::beginRead() {
    execOrThrow("PRAGMA query_only = ON");
    try {
        execOrThrow("BEGIN");
    } catch (...) {
        sqlite_->tryExec("PRAGMA query_only = OFF");
        throw;
    }
}

void SqliteDirectory::endRead(bool commit) {
    sqlite_->tryExec(commit ? "COMMIT" : "ROLLBACK");
    sqlite_->tryExec("PRAGMA query_only = OFF");
}

}  // namespace misync::storage
