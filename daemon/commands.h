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

int cmdRun(const GlobalOptions& g, const std::vector<std::string>& schools, bool dryRun, Io io);
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
int cmdDbMigrate(const GlobalOptions& g, Io io);
// P3: re-seals every visible password under a new secret key (commands_secrets.cpp). With
// `keyLost`, for a key gone for good: gives up the sealed passwords and starts a new key;
// `actor` (default the OS user) is recorded with the changes.
int cmdSecretsRotate(const GlobalOptions& g, bool keyLost, const std::string& actor, Io io);
int cmdCheckConfig(const GlobalOptions& g, Io io);
int cmdVersion(const GlobalOptions& g, Io io);

}  // namespace misync::daemon
