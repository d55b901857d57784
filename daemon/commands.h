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
// Who an administrator's change is recorded as when --actor is not given: the OS user.
std::string defaultActor();
// Per configured school (or the named ones): last run, outcome and the flags held, stale, failed
// and no_digital_champion (commands_status.cpp).
int cmdStatus(const GlobalOptions& g, const std::vector<std::string>& schools, Io io);
int cmdDbMigrate(const GlobalOptions& g, Io io);
int cmdCheckConfig(const GlobalOptions& g, Io io);
int cmdVersion(const GlobalOptions& g, Io io);

}  // namespace misync::daemon
