// The commands behind the CLI; each returns an exit status (see cli.h).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/date.h"
#include "storage/directory.h"

namespace misync::daemon {

struct GlobalOptions {
    std::string configFile = "/etc/misync/misync.toml";
    std::string asOf;  // YYYY-MM-DD, empty = today
    bool json = false;
};

struct Io {
    std::ostream& out;
    std::ostream& err;
};

// `verbose`: print every school's summary, not only the failed, held or warned ones beyond a
// screenful of schools; the human output always ends with one line of totals.
int cmdRun(const GlobalOptions& g, const std::vector<std::string>& schools, bool dryRun, Io io,
           bool verbose = false);
int cmdAccountsList(const GlobalOptions& g, const storage::AccountFilter& filter, Io io);
int cmdAccountsShow(const GlobalOptions& g, const std::string& username, bool showPassword, Io io);
int cmdGroupsList(const GlobalOptions& g, const std::string& school, const std::string& type,
                  bool archived, Io io);
int cmdExportCredentials(const GlobalOptions& g, const std::string& school, const std::string& role,
                         const std::string& outFile, Io io);
int cmdHistory(const GlobalOptions& g, const std::string& school, int limit, Io io);
int cmdShowRun(const GlobalOptions& g, std::int64_t runId, Io io);
// SPEC §9.2: the change log after `since`, at most `limit` (default 1000, at most 10000).
int cmdChanges(const GlobalOptions& g, std::int64_t since, int limit, Io io);
// S3: approves held run `runId`; `actor` "" means the OS user.
int cmdApprove(const GlobalOptions& g, std::int64_t runId, const std::string& actor, Io io);
// SPEC §8: who an administrator's change is recorded as: `given` (trimmed), or when that is
// empty the OS user (then $USER) (actor.cpp).
std::string actorName(const std::string& given);
// Per configured school (or the named ones): last run, outcome and the flags held, stale, failed
// and no_digital_champion (commands_status.cpp).
int cmdStatus(const GlobalOptions& g, const std::vector<std::string>& schools, Io io);
int cmdDbMigrate(const GlobalOptions& g, Io io);

// The administrator commands of SPEC §8 (commands_admin.cpp). Each reads, checks its rule and
// writes in one exclusive transaction; a refusal changes nothing and exits 2 with
// "misync: RULE: what is wrong" on stderr. `actor` is recorded with every change (empty: the OS
// user). `showPassword` prints the new visible passwords (P3).
struct AdminOptions {
    std::string actor;
    bool showPassword = false;
};
struct AddAccountOptions {
    std::string school;
    std::string role;  // non_mis or governor
    std::string forename;
    std::string surname;
    std::string dob;  // YYYY-MM-DD or empty
};
int cmdAccountsAdd(const GlobalOptions& g, const AdminOptions& admin, const AddAccountOptions& add,
                   Io io);
int cmdAccountsDeactivate(const GlobalOptions& g, const AdminOptions& admin,
                          const std::string& username, bool reactivate, Io io);
struct ResetPasswordOptions {
    std::string username;  // one account, or
    std::string school;    // every active learner of this registration group
    std::string regGroup;
    std::optional<std::string> password;  // typed (P1); generated when neither is given
    std::string passwordFile;             // "-" = standard input
};
int cmdAccountsResetPassword(const GlobalOptions& g, const AdminOptions& admin,
                             const ResetPasswordOptions& reset, Io io);
struct RenameOptions {
    std::string username;
    std::optional<std::string> forename;
    std::optional<std::string> surname;
    bool newUsername = false;
};
int cmdAccountsRename(const GlobalOptions& g, const AdminOptions& admin,
                      const RenameOptions& rename, Io io);
int cmdAccountsChampion(const GlobalOptions& g, const AdminOptions& admin,
                        const std::string& username, bool promote, Io io);
int cmdConsent(const GlobalOptions& g, const AdminOptions& admin,
               const std::vector<std::string>& usernames, bool confirm, Io io);
// P3: re-seals every visible password under a new secret key (commands_secrets.cpp). With
// `keyLost`, for a key gone for good: gives up the sealed passwords and starts a new key;
// `actor` (default the OS user) is recorded with the changes.
int cmdSecretsRotate(const GlobalOptions& g, bool keyLost, const std::string& actor, Io io);
int cmdCheckConfig(const GlobalOptions& g, Io io);
int cmdVersion(const GlobalOptions& g, Io io);

}  // namespace misync::daemon
