// The SQLite implementation of Directory (private to storage/).
#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>

#include "storage/directory.h"
#include "storage/lock_file.h"
#include "storage/sqlite_stmt.h"

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

// What SqliteDirectory::metaMatches() confirmed inside the open write transaction
// (sqlite_meta.cpp): forgotten when that transaction commits or rolls back (SQLite's commit and
// rollback hooks).
struct MetaConfirmations {
    sqlite3* hooked = nullptr;  // the connection whose hooks point here
    std::set<std::pair<std::string, std::string>> pairs;
    MetaConfirmations() = default;
    MetaConfirmations(const MetaConfirmations&) = delete;
    MetaConfirmations& operator=(const MetaConfirmations&) = delete;
    ~MetaConfirmations();  // removes the hooks
};

class SqliteDirectory final : public Directory {
  public:
    SqliteDirectory(const std::string& path, OpenMode mode);

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
    // SecretStore (sqlite_meta.cpp)
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
    // S7 (sqlite_locks.cpp).
    SchoolLease lockSchool(const std::string& school) override;
    std::optional<SchoolLease> tryLockSchool(const std::string& school) override;
    void readSnapshot(const std::function<void()>& body) override;
    std::uint64_t dataVersion() override;
    ~SqliteDirectory() override;

  private:
    std::string path_;
    Poco::Data::Session session_;
    // Declared after session_, so its statements are finalized before the connection closes.
    StatementCache statements_;
    bool batching_ = false;
    bool inBatch_ = false;
    int depth_ = 0;  // open inTransaction() levels: inner ones are savepoints
    int batchRuns_ = 0;
    std::chrono::steady_clock::time_point batchStarted_;
    static constexpr int kBatchRuns = 250;
    static constexpr std::chrono::seconds kBatchTime{5};
    // Declared after session_, so destroyed (and unhooked) before the connection closes.
    MetaConfirmations confirmed_;
    // S7: how long a writer waits for another process's write transaction before it fails.
    static constexpr int kBusyTimeoutMs = 60'000;
    LockFile locks_;                     // `<path>.lock`: schools, turnstile, bell
    std::shared_ptr<LeaseBook> leases_;  // leases handed out, and those waiting for a COMMIT
    bool readOnly_ = false;              // inside readSnapshot()
    void inTransaction(const std::function<void()>& body);
    // The outermost BEGIN IMMEDIATE, through the turnstile (S7).
    void beginImmediate();
    void execOrThrow(const char* sql);
    std::vector<AccountRow> selectAccounts(const std::string& where,
                                           const std::vector<std::string>& params = {});
    sqlite3* db();
    void insertRun(RunRecord& record);
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
    // What loadView adds for R7 dual registration and R10 (sqlite_view.cpp): memberships of the
    // school's own accounts that other schools claim, and Digital Champion counts.
    void completeView(reconcile::DirectoryView& view);
    // The change log (sqlite_changes.cpp): appended inside the caller's transaction.
    void writeChanges(const std::vector<reconcile::ChangeEvent>& events,
                      std::optional<std::int64_t> runId, const std::string& actor,
                      const std::string& at);
};

// The one statement behind schoolStatuses() (sqlite_status.cpp); `filtered` binds ?1 to a JSON
// array of school numbers. Exposed so that a test can check its query plan.
std::string schoolStatusSql(bool filtered);

class SqliteStmt;
// Reads accounts from a statement that selected accountColumnList(), then resets it.
std::vector<AccountRow> readAccountRows(SqliteStmt& stmt);
// The same, without the sealed password and update stamp, appended to `out` (a school's view).
void appendAccounts(SqliteStmt& stmt, std::vector<reconcile::Account>& out);

// Claims keep the claimant's view of the person as JSON (attrs) and a JSON array of group codes.
std::string encodeAttributes(const reconcile::Attributes& a);
std::string encodeGroupCodes(const std::vector<std::string>& codes);
void decodeClaim(const std::string& attrs, const std::string& codes, reconcile::Claim& out);

// The text values of an account row in kAccountColumns order (id and integer flags excluded;
// see AccountBinding in account_codec.cpp).
struct AccountValues {
    Poco::Int64 id = 0;
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
    void bind(class SqliteStmt& st) const;
};

}  // namespace misync::storage
