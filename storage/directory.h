// The account directory: SQLite by default (WAL), or PostgreSQL shared by several daemons
// (SPEC §10). One generic SQL implementation with the dialects' differences in a table
// (storage/sql_directory.h, DESIGN.md pattern 4); the schema version is checked on open and
// `misync db migrate` applies the numbered scripts of schema/<dialect>/.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model.h"
#include "reconcile/account.h"
#include "reconcile/plan.h"
#include "storage/change_log.h"
#include "storage/run_record.h"
#include "storage/school_lock.h"
#include "storage/school_status.h"

namespace misync::reconcile {
class UsernameRegistry;
struct UsernameLookup;
struct AdminChange;
}  // namespace misync::reconcile

namespace misync::storage {

class SecretBox;

struct StoreOptions {
    std::string backend = "sqlite";
    std::string path;        // sqlite
    std::string connection;  // postgresql: libpq key=value pairs or a URI, with password_file
};

enum class OpenMode {
    Use,      // create the schema in an empty database; refuse an outdated one
    Migrate,  // open any version, so that migrate() can bring it up to date
};

struct AccountRow {
    reconcile::Account account;
    std::string updatedAt;
    std::string passwordSealed;  // P3: sealed by SecretBox, never plain
};

struct AccountFilter {
    std::string school;
    std::string role;
    std::string status;
    std::string yearGroup;
    std::string regGroup;
    std::optional<bool> consent;
    std::string createdSince;  // YYYY-MM-DD
    std::string search;        // names, username, UPN
};

struct GroupRow {
    reconcile::GroupState group;
    std::vector<std::string> members;  // usernames
};

// What a school's last full run saw (schema 002), to recognise a run over unchanged input.
struct SchoolState {
    std::string school;
    std::string fingerprint;  // connector fingerprint + configuration digest
    std::string asOf;
    std::string nextChange;  // YYYY-MM-DD or empty: the first date the plan could differ
    bool dirty = false;      // another school's run changed something this school reads
    std::string files;       // the run's source files (JSON)
    std::string echo;        // what a re-run reports again: rejects, awaiting transfers (JSON)
};

// Small interfaces split by role (DESIGN.md pattern 2): callers take the one they need.

// The schema of the directory: its version and the numbered upgrade scripts.
class SchemaStore {
  public:
    virtual ~SchemaStore() = default;
    virtual int schemaVersion() = 0;
    virtual int latestSchemaVersion() const = 0;
    // Applies every numbered script above the current version; returns how many ran.
    virtual int migrate() = 0;
};

// What a school's run reads and writes (R1, R7, R14).
class SyncStore {
  public:
    virtual ~SyncStore() = default;
    // Every username and alias ever given (U3) whose sequence number is above `after` (-1: all
    // of them) into `registry`; returns the highest sequence number seen (`after` when none).
    // Every write gives the names it reserves the next numbers, so a caller that loads from
    // the last number it saw, inside its write transaction, knows every name taken (S7).
    virtual std::int64_t loadUsernames(reconcile::UsernameRegistry& registry,
                                       std::int64_t after = -1) = 0;
    // The highest name sequence number so far (names from before schema 3 have 0), or nothing
    // when no name was ever given: where a registry that starts empty and asks usernameLookup()
    // about older names takes its deltas from.
    virtual std::optional<std::int64_t> latestUsernameSeq() = 0;
    // Asks this directory, in the caller's transaction, about names a registry does not hold.
    virtual reconcile::UsernameLookup usernameLookup() = 0;
    // The part of the directory one school's run needs (R1: UPNs across the whole directory).
    virtual reconcile::DirectoryView loadView(const std::string& school,
                                              const core::Snapshot& snapshot) = 0;
    // R14: applies a plan and writes its run record and its change log entries (SPEC §9.2) in
    // one transaction; fills record.id. `state` (optional) is written in the same transaction.
    // Every other school whose plan could see the change is marked dirty.
    virtual void apply(const reconcile::Plan& plan, RunRecord& record, const SecretBox& box,
                       const SchoolState* state = nullptr) = 0;
    // Records a run that changes nothing else (no_change, planned, held, failed); fills id.
    virtual void recordRun(RunRecord& record, const SchoolState* state = nullptr) = 0;
    virtual std::optional<SchoolState> schoolState(const std::string& school) = 0;
    virtual void forgetSchoolState(const std::string& school) = 0;

    // Batching: while on, runs are written as savepoints inside one longer transaction that is
    // committed every few hundred runs or seconds and by flush() (R14 holds per run; a crash
    // loses the uncommitted runs whole). flush() throws core::StoreError if that commit fails.
    virtual void setBatching(bool on) = 0;
    virtual void flush() = 0;
    // Whether runs written since the last commit are still waiting for the batch to commit.
    virtual bool batchPending() const = 0;
    // Whether runs are batched now (setBatching(true) on a backend that batches).
    virtual bool batching() const = 0;
};

// Runs in flight and runs whose process died (issue 9, docs/reliability.md). A run's row is
// written with outcome `running` in a transaction of its own before the run's transaction
// begins, and that transaction gives the row its final outcome (apply() or recordRun() with the
// record's id: R14). The row names this directory's owner lock, which the process holds while it
// lives (SQLite: a byte of the lock file; PostgreSQL: a session advisory lock); a `running` row
// whose owner lock is free belongs to a process that died (kill -9, a machine that vanished).
class RunMarkers {
  public:
    virtual ~RunMarkers() = default;
    // Writes a `running` row for each record (school, trigger, connector, as_of and started_at
    // as given) in one transaction of its own, committing a pending batch first; fills each
    // record's id. Throws core::StoreError inside a transaction or a read snapshot.
    virtual void markRunning(const std::vector<RunRecord*>& records) = 0;
    // Every `running` row of `school` (of every school when empty) whose process is gone gets
    // outcome `interrupted`, finished_at now and an `interrupted` error (nothing of such a run was
    // committed, R14); returns those runs. Never touches a row whose process is alive.
    virtual std::vector<RunRecord> markInterrupted(const std::string& school = "") = 0;
};

// Accounts and groups as the portal's lists show them.
class AccountReader {
  public:
    virtual ~AccountReader() = default;
    virtual std::vector<AccountRow> listAccounts(const AccountFilter& filter) = 0;
    // By username or any alias (case-insensitive).
    virtual std::optional<AccountRow> findAccount(const std::string& username) = 0;
    virtual std::vector<GroupRow> listGroups(const std::string& school, const std::string& type,
                                             bool includeArchived) = 0;
};

// One run with one page of its actions (SPEC §9 GET /api/v1/runs/{id}).
struct RunPage {
    RunRecord run;                  // its actions: only those of the page
    std::int64_t totalActions = 0;  // how many actions the run has in all
};

// Run history (S1).
class RunLog {
  public:
    virtual ~RunLog() = default;
    // Newest first; `beforeId` > 0 lists only runs with a smaller id.
    virtual std::vector<RunRecord> listRuns(const std::string& school, int limit,
                                            std::int64_t beforeId = 0) = 0;
    virtual std::optional<RunRecord> getRun(std::int64_t id) = 0;
    // Run `id` with at most `limit` of its actions (0: none) from the `offset`-th (0-based, in
    // the run's order), and how many it has; nullopt when there is no such run.
    virtual std::optional<RunPage> getRunPage(std::int64_t id, std::int64_t offset, int limit) = 0;
    // The runs listRuns(school, limit, beforeId) gives, as the status endpoint serves them: each
    // run's JSON summary, byte for byte json::serialize(runToJson(run, false)), comma-separated,
    // appended to `out`; returns how many. The stored JSON columns (written by the same *ToJson
    // functions) are copied as they are, so a page costs one index range scan and no parsing.
    virtual int appendRunSummaries(const std::string& school, int limit, std::int64_t beforeId,
                                   std::string& out) = 0;
};

// The change log (SPEC §9.2), read in commit order.
class ChangeFeed {
  public:
    virtual ~ChangeFeed() = default;
    // Changes with seq > `since`, oldest first, at most `limit`. A non-empty `school` keeps only
    // that school's changes (a transfer belongs to both schools).
    virtual std::vector<ChangeRow> changesSince(std::int64_t since, int limit,
                                                const std::string& school = "") = 0;
};

// Per-school status (SPEC §9 GET /api/v1/schools, `misync status`: S2, S3, S6, R10).
class StatusQueries {
  public:
    virtual ~StatusQueries() = default;
    // One row per school that has runs or accounts, ordered by school; a non-empty `schools`
    // keeps only those of them named. Set-based: a few index seeks per school, never a scan of
    // the run history, and only the latest run of each school is decoded.
    virtual std::vector<SchoolStatusRow> schoolStatuses(
        const std::vector<std::string>& schools = {}) = 0;
};

// Write transactions that span reads and writes (S7, R14): everything `body` does through the
// directory is one transaction, committed when it returns and rolled back when it throws.
// Nested calls (and calls while batching) become savepoints of the enclosing transaction.
class Transactions {
  public:
    virtual ~Transactions() = default;
    virtual void exclusive(const std::function<void()>& body) = 0;
};

// S3: approvals of held runs, bound to the held run's plan digest.
struct Approval {
    std::int64_t runId = 0;  // the held run
    std::string school;
    std::string planDigest;
    std::string approvedBy;
    std::string approvedAt;
    std::optional<std::int64_t> spentByRun;  // the run that used it or found its plan changed
};

class ApprovalStore {
  public:
    virtual ~ApprovalStore() = default;
    // Records an approval of a held run (the caller checks that it may be approved).
    virtual void approve(const Approval& approval) = 0;
    virtual std::optional<Approval> approvalOf(std::int64_t runId) = 0;
    // The school's newest approval that no run has spent yet.
    virtual std::optional<Approval> pendingApproval(const std::string& school) = 0;
};

// Administrators' changes (SPEC §8), decided by reconcile/admin.h and written here as they are.
class AdminStore {
  public:
    virtual ~AdminStore() = default;
    // One transaction (a savepoint inside exclusive()): the account rows (new passwords sealed
    // with `box`, which may be null when no write sets one: P3), new usernames reserved for ever
    // (U3; a renamed account's old username becomes an alias), the memberships of
    // change.leaveGroups removed (R11, each with a membership.removed entry), the change log
    // rows with run_id null and `actor` (SPEC §9.2), and every school the change touches (the
    // accounts' schools, the groups' schools, claimants of the accounts) marked dirty so that
    // its next run plans again instead of replaying. Returns the written accounts' ids in order.
    virtual std::vector<std::int64_t> applyAdmin(const reconcile::AdminChange& change,
                                                 const std::string& actor,
                                                 const SecretBox* box) = 0;
};

// P3: what re-sealing the visible passwords under a new key did.
struct ResealReport {
    std::int64_t resealed = 0;
    // Accounts whose sealed value did not open under the old key (corrupt, or sealed under yet
    // another key): left as they were, never dropped in silence. Usernames only, never values.
    std::vector<std::string> unreadable;
};

// P3: the directory's side of the secret key. The key lives outside the directory
// (secrets.key_file); the directory keeps facts about itself (directory_meta, schema 3) such as
// the fingerprint of the key that sealed its passwords, and the sealed passwords. The rules
// built on this are in storage/directory_key.h.
class SecretStore {
  public:
    virtual ~SecretStore() = default;
    // A directory_meta value, or nullopt when none is recorded.
    virtual std::optional<std::string> metaValue(const std::string& key) = 0;
    // Records `value` under `key`, replacing any value.
    virtual void setMetaValue(const std::string& key, const std::string& value) = 0;
    // Whether `value` is recorded under `key`, recording it when nothing is (insert-if-absent,
    // then compare: concurrent writers agree on the first value). Meant to be called inside the
    // write transaction that depends on it, where no other process can change the value: asked
    // of the database once per transaction, then answered from memory.
    virtual bool metaMatches(const std::string& key, const std::string& value) = 0;
    // How many accounts hold a sealed visible password.
    virtual std::int64_t sealedPasswordCount() = 0;
    // Calls `visit(username, sealed)` for every account holding a sealed password, in id order.
    virtual void forEachSealedPassword(
        const std::function<void(const std::string&, const std::string&)>& visit) = 0;
    // Opens every sealed password with `from` and seals it again with `to`, all in one
    // transaction (a savepoint of an enclosing exclusive()); updated_at and the change log are
    // left alone, as no account changes. Throws core::StoreError, having changed nothing.
    virtual ResealReport resealPasswords(const SecretBox& from, const SecretBox& to) = 0;
    // For a key that is lost for good: clears every sealed password (shown as `-` from now on)
    // in one transaction, with an `account.updated` change (password_available false, R14) per
    // account by `actor` at `at`. Returns the usernames.
    virtual std::vector<std::string> forgetSealedPasswords(const std::string& actor,
                                                           const std::string& at) = 0;
};

// S7: only one run per school at a time, across the threads and processes sharing the
// directory. A run takes its school's lease before its write transaction begins, and a lease's
// school stays locked until what was written under it has committed (a batch: its flush()).
class SchoolLocks {
  public:
    virtual ~SchoolLocks() = default;
    // Waits until no other run holds `school` (a DfES number), then holds it. While batching, a
    // school held elsewhere first makes the batch commit, so that a wait never holds the write
    // lock or other leases. Throws core::StoreError inside a transaction, for a school this
    // directory already holds, and when it would have to wait while holding another school.
    virtual SchoolLease lockSchool(const std::string& school) = 0;
    // Holds `school` if no run holds it now (nullopt when one does, this directory's own
    // uncommitted runs included); never waits.
    virtual std::optional<SchoolLease> tryLockSchool(const std::string& school) = 0;
};

// A consistent read (S7, dry runs): everything `body` reads through the directory is one
// snapshot, unaffected by what other processes commit meanwhile; `body` may not write (a write
// throws core::StoreError). Inside a transaction, `body` simply runs in it.
class Snapshots {
  public:
    virtual ~Snapshots() = default;
    virtual void readSnapshot(const std::function<void()>& body) = 0;
    // A number that changes whenever a change to the directory is committed, through this
    // Directory or any other connection or process (SQLite: PRAGMA data_version and the
    // connection's own change count; PostgreSQL: a counter every write transaction raises). What a
    // reader derived from the directory stays true while it is the same (the status endpoint's page
    // cache).
    virtual std::uint64_t dataVersion() = 0;
};

class Directory : public SchemaStore,
                  public ApprovalStore,
                  public Transactions,
                  public SchoolLocks,
                  public Snapshots,
                  public SyncStore,
                  public RunMarkers,
                  public AccountReader,
                  public RunLog,
                  public ChangeFeed,
                  public StatusQueries,
                  public AdminStore,
                  public SecretStore {
  public:
    // Throws core::StoreError naming the database on failure or a schema version mismatch.
    static std::unique_ptr<Directory> open(const StoreOptions& options,
                                           OpenMode mode = OpenMode::Use);
    // Why open() would refuse `backend` before touching any database ("" when this build has
    // it): `misync check-config` says so too, as the daemon would refuse it at start-up.
    static std::string unavailableBackend(const std::string& backend);
    ~Directory() override = default;
};

}  // namespace misync::storage
