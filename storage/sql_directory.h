// The one generic SQL implementation of Directory (DESIGN.md pattern 4), private to storage/:
// every query and write is written once here, on the driver layer of storage/sql_stmt.h, and
// the few places where the dialects differ are the SqlDialect table. SqliteDirectory
// (sqlite_directory.h) and PgDirectory (pg_directory.h) add what is the backend's own: opening
// the database, beginning a write transaction, school leases (S7) and read snapshots.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "storage/directory.h"
#include "storage/sql_stmt.h"

namespace misync::storage {

// Account columns in the order every SELECT and INSERT uses (accounts table, schemas 001, 003).
inline constexpr std::array<const char*, 36> kAccountColumns = {"id",
                                                                "username",
                                                                "role",
                                                                "source",
                                                                "school",
                                                                "mis_id",
                                                                "upn",
                                                                "admission_number",
                                                                "staff_code",
                                                                "national_id",
                                                                "legal_forename",
                                                                "legal_surname",
                                                                "preferred_forename",
                                                                "preferred_surname",
                                                                "dob",
                                                                "gender",
                                                                "year_group",
                                                                "reg_group",
                                                                "admission_date",
                                                                "leaving_date",
                                                                "enrolment_status",
                                                                "staff_role",
                                                                "title",
                                                                "display_name",
                                                                "status",
                                                                "owner_on_roll",
                                                                "consent",
                                                                "digital_champion",
                                                                "name_locked",
                                                                "password_sealed",
                                                                "created_at",
                                                                "updated_at",
                                                                "deactivated_at",
                                                                "admin_deactivated",
                                                                "password_by_admin",
                                                                "purged_at"};

std::string accountColumnList(const char* prefix = "");

// Where the SQL of the two dialects differs (everything else is written once).
struct SqlDialect {
    const char* name;  // "sqlite" or "postgresql": the schema/ folder of its scripts
    // The tables among schema_version and accounts (one column of names), in one statement.
    const char* schemaTables;
    // A subquery of one column `value`: the elements of the JSON array bound to parameter N,
    // strings and integers (`x IN <list>`, or a derived table).
    std::string (*textList)(int n);
    std::string (*idList)(int n);
    // The character after every character a username holds (a prefix range's upper end).
    const char* char127;
    // What makes schoolStatuses() count Digital Champions on the accounts_champions index.
    const char* championsIndexHint;
    // Many membership adds in one statement (issue 9 item 4): parameter 1 the group ids, 2 the
    // account ids, each as the literal of an array of integers (`{1,2,3}`); "" where one
    // prepared INSERT a row costs no more (SQLite, in the process).
    const char* membershipsAdd;
};

class SqlDirectory : public Directory {
  public:
    int schemaVersion() override;
    int latestSchemaVersion() const override;
    int migrate() override;
    std::int64_t loadUsernames(reconcile::UsernameRegistry& registry, std::int64_t after) override;
    std::optional<std::int64_t> latestUsernameSeq() override;
    reconcile::UsernameLookup usernameLookup() override;
    reconcile::DirectoryView loadView(const std::string& school,
                                      const core::Snapshot& snapshot) override;
    void apply(const reconcile::Plan& plan, RunRecord& record, const SecretBox& box,
               const SchoolState* state) override;
    void recordRun(RunRecord& record, const SchoolState* state) override;
    std::optional<SchoolState> schoolState(const std::string& school) override;
    void forgetSchoolState(const std::string& school) override;
    std::vector<AccountRow> listAccounts(const AccountFilter& filter) override;
    std::optional<AccountRow> findAccount(const std::string& username) override;
    std::vector<GroupRow> listGroups(const std::string& school, const std::string& type,
                                     bool includeArchived) override;
    std::vector<RunRecord> listRuns(const std::string& school, int limit,
                                    std::int64_t beforeId) override;
    std::optional<RunRecord> getRun(std::int64_t id) override;
    std::optional<RunPage> getRunPage(std::int64_t id, std::int64_t offset, int limit) override;
    int appendRunSummaries(const std::string& school, int limit, std::int64_t beforeId,
                           std::string& out) override;
    std::vector<ChangeRow> changesSince(std::int64_t since, int limit,
                                        const std::string& school) override;
    std::vector<SchoolStatusRow> schoolStatuses(const std::vector<std::string>& schools) override;
    void exclusive(const std::function<void()>& body) override;
    void approve(const Approval& approval) override;
    std::optional<Approval> approvalOf(std::int64_t runId) override;
    std::optional<Approval> pendingApproval(const std::string& school) override;
    std::vector<std::int64_t> applyAdmin(const reconcile::AdminChange& change,
                                         const std::string& actor, const SecretBox* box) override;
    // SecretStore (sql_meta.cpp)
    std::optional<std::string> metaValue(const std::string& key) override;
    void setMetaValue(const std::string& key, const std::string& value) override;
    bool metaMatches(const std::string& key, const std::string& value) override;
    std::int64_t sealedPasswordCount() override;
    void forEachSealedPassword(
        const std::function<void(const std::string&, const std::string&)>& visit) override;
    ResealReport resealPasswords(const SecretBox& from, const SecretBox& to) override;
    std::vector<std::string> forgetSealedPasswords(const std::string& actor,
                                                   const std::string& at) override;
    void setBatching(bool on) override;
    void flush() override;
    bool batchPending() const override { return inBatch_; }
    bool batching() const override { return batching_; }
    // RunMarkers (sql_runs.cpp)
    void markRunning(const std::vector<RunRecord*>& records) override;
    std::vector<RunRecord> markInterrupted(const std::string& school) override;
    void readSnapshot(const std::function<void()>& body) override;
    ~SqlDirectory() override;

  protected:
    // `where` names the directory in every message (a SQLite path; a PostgreSQL description
    // without its password).
    SqlDirectory(std::unique_ptr<SqlConnection> connection, const SqlDialect& dialect,
                 std::string where);
    // After the derived constructor has set the connection up: creates the schema in an empty
    // database, or refuses a version other than this binary's (Use), or leaves it (Migrate).
    void checkSchema(OpenMode mode);

    // The backend's own parts.
    // The outermost BEGIN of a write transaction (S7: one writer at a time).
    virtual void beginWrite() = 0;
    // A read-only transaction with one snapshot for everything it reads, and its end.
    virtual void beginRead() = 0;
    virtual void endRead(bool commit) = 0;
    // The outermost transaction has ended (committed or rolled back).
    virtual void transactionEnded() {}
    // Whether another process waits for this directory's write lock or a school (batching
    // commits early then).
    virtual bool someoneWaiting() { return false; }
    // Whether runs may be batched into one transaction (setBatching).
    virtual bool canBatch() const { return true; }
    // RunMarkers' owner lock: this directory's owner key, taking its lock first when it holds
    // none (then `fresh` is true, and any `running` row with that key is a dead process's).
    virtual std::int64_t ownerKey(bool& fresh) = 0;
    // Whether some live process holds owner key `key` (this directory's own key included).
    virtual bool ownerAlive(std::int64_t key) = 0;

    SqlConnection& connection() { return *connection_; }
    bool inTransactionNow() const { return depth_ > 0 || inBatch_; }
    // Runs SQL without results; throws core::StoreError naming the directory.
    void execOrThrow(const char* sql);
    // The same, ignoring failure (a ROLLBACK on an error path).
    void execQuietly(const char* sql) noexcept;

    std::string where_;
    std::unique_ptr<SqlConnection> connection_;
    // Declared after connection_, so its statements are finalized before the connection closes.
    StatementCache statements_;
    const SqlDialect& dialect_;
    int depth_ = 0;  // open inTransaction() levels: inner ones are savepoints

  private:
    bool batching_ = false;
    bool inBatch_ = false;
    int batchRuns_ = 0;
    std::chrono::steady_clock::time_point batchStarted_;
    static constexpr int kBatchRuns = 250;
    static constexpr std::chrono::seconds kBatchTime{5};
    // What metaMatches() confirmed inside the open write transaction: forgotten when it ends.
    std::set<std::pair<std::string, std::string>> confirmed_;
    bool readOnly_ = false;  // inside readSnapshot()
    void inTransaction(const std::function<void()>& body);
    void endTransaction();
    // Inside a catch block: ends a batch whose transaction a failing run took with it, and
    // throws core::BatchLostError when earlier runs were in it.
    void batchLost();
    std::vector<AccountRow> selectAccounts(const std::string& where,
                                           const std::vector<std::string>& params = {});
    // A record with an id (RunMarkers) rewrites that row; one without gets a new row.
    // `actionBodies`, when given, are its actions as run_actions holds them (DerivedRows).
    void insertRun(RunRecord& record, std::optional<std::int64_t> owner = std::nullopt,
                   const std::vector<std::string>* actionBodies = nullptr);
    void writeSchoolState(const SchoolState& state);
    std::set<std::string> claimantsOfSchool(const std::string& school);
    void writeAccounts(const reconcile::Plan& plan, const SecretBox& box, const std::string& now,
                       std::vector<std::int64_t>& ids);
    // The account upsert behind writeAccounts and applyAdmin; `box` may be null when no write
    // sets a password.
    void writeAccountRows(const std::vector<reconcile::AccountWrite>& writes, const SecretBox* box,
                          const std::string& now, std::vector<std::int64_t>& ids);
    void writeGroupsAndMemberships(const reconcile::Plan& plan,
                                   const std::vector<std::int64_t>& ids);
    void writeClaims(const reconcile::Plan& plan);
    // What loadView adds for R7 dual registration and R10 (sql_view.cpp): memberships of the
    // school's own accounts that other schools claim, and Digital Champion counts.
    void completeView(reconcile::DirectoryView& view);
    // The change log (sql_changes.cpp): appended inside the caller's transaction.
    // `encodedFields`, when given, holds encodeChangeFields() of each event (DerivedRows).
    void writeChanges(const std::vector<reconcile::ChangeEvent>& events,
                      std::optional<std::int64_t> runId, const std::string& actor,
                      const std::string& at,
                      const std::vector<std::string>* encodedFields = nullptr);
};

// The one statement behind schoolStatuses() (sqlite_status.cpp); `filtered` binds ?1 to a JSON
// array of school numbers. Exposed so that a test can check its query plan.
std::string schoolStatusSql(const SqlDialect& dialect, bool filtered);

// Reads accounts from a statement that selected accountColumnList(), then resets it.
std::vector<AccountRow> readAccountRows(Stmt& stmt);
// The same, without the sealed password and update stamp, appended to `out` (a school's view).
void appendAccounts(Stmt& stmt, std::vector<reconcile::Account>& out);

// Claims keep the claimant's view of the person as JSON (attrs) and a JSON array of group codes.
std::string encodeAttributes(const reconcile::Attributes& a);
std::string encodeGroupCodes(const std::vector<std::string>& codes);
void decodeClaim(const std::string& attrs, const std::string& codes, reconcile::Claim& out);

// The text values of an account row in kAccountColumns order (id and integer flags excluded;
// see AccountBinding in account_codec.cpp).
struct AccountValues {
    std::int64_t id = 0;
    std::array<std::string, 24> text;  // username … display_name, status
    int ownerOnRoll = 1;
    int consent = 0;
    int digitalChampion = 0;
    int nameLocked = 0;
    std::string passwordSealed;
    std::string createdAt;
    std::string updatedAt;
    std::string deactivatedAt;
    int adminDeactivated = 0;
    int passwordByAdmin = 0;
    std::string purgedAt;

    void load(const reconcile::Account& a, const std::string& sealed, const std::string& updated);
    // Binds every column, in kAccountColumns order (parameters 1…36).
    void bind(Stmt& st) const;
};

}  // namespace misync::storage
