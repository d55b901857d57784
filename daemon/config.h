// The misync configuration file (SPEC §7), loaded by one pipeline (DESIGN.md pattern 6):
// parse TOML → check every key against the schema (an unknown key or a wrong type is an error
// naming the key and its line) → defaults → an immutable, validated Config. Reload builds a new
// Config and swaps it in only when loading succeeded. docs/configuration.md lists every key.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector.h"
#include "reconcile/policy.h"

namespace misync::daemon {

// [directory]: where accounts are stored. backend "sqlite" uses `path`; "postgresql" uses
// `connection` (or `connection_file`, read at load time: SPEC §7 secrets as files).
struct DirectoryConfig {
    std::string backend = "sqlite";
    std::string path = "/var/lib/misync/directory.db";  // absolute after loading
    std::string connection;                             // a secret: never log it
};

// [secrets]: the secret key that encrypts stored passwords (created mode 0600 if missing).
struct SecretsConfig {
    std::string keyFile = "/var/lib/misync/secret.key";
};

// [status]: the HTTP status endpoint (SPEC §9). Loopback by default; TLS only when both the
// certificate and the private key are given.
struct StatusConfig {
    std::string listen = "127.0.0.1:8750";
    std::string tokensFile;
    std::string tlsCertificate;
    std::string tlsPrivateKey;
};

// [daemon] (SPEC §9.1): the worker pool, the drop-folder settle time and the stop bound.
struct DaemonConfig {
    unsigned workers = 1;              // 1–64: runs of different schools at once
    unsigned settleSeconds = 5;        // 1–3600: a school's own settle_seconds overrides it
    unsigned stopTimeoutSeconds = 30;  // 1–3600: SIGTERM exits within this
};

// One [[notify]] (SPEC §9.1): where a run summary is POSTed when a run ends failed, held or
// stale. The URL may carry a secret in its path or query (webhook URLs often do): messages and
// logs name a target by origin() only.
struct NotifyConfig {
    std::string url;     // as written: http:// or https://
    std::string scheme;  // "http" or "https"
    std::string host;    // a name, an IPv4 address, or an IPv6 address without brackets
    std::string port;    // digits; 80 or 443 when the URL gives none
    std::string target;  // path and query, "/" when the URL gives none
    // Subset of "failed", "held", "stale" in that order (default all three).
    std::vector<std::string> on{"failed", "held", "stale"};
    std::string token;  // from token_file: sent as a bearer token; a secret, never logged

    // "scheme://host[:port]" — what logs and messages say.
    std::string origin() const;
    bool notifiesOn(std::string_view event) const;
};

// One [[school]] (SPEC §1, §6, §7). `dfes` is a valid DfES number, unique in the file; `connector`
// names a registered connector; `policy` is [policy] with [school.policy] merged over it.
struct SchoolConfig {
    std::string dfes;
    std::string name;
    std::string connector;
    // A folder, file or zip (made absolute), or for "odbc" a connection string kept as written
    // (a secret: never log it).
    std::string source;
    std::string schedule;          // "" (drop folder only), "daily HH:MM", "every N(m|h)", cron
    std::optional<bool> complete;  // overrides the connector's default (SPEC §6)
    bool incoming = false;         // ctf: also read files addressed to this school (SPEC §6.2)
    std::string org;               // oneroster: the org's sourcedId or identifier (SPEC §6.3)
    std::map<std::string, std::string> fields;   // canonical name → school's column (SPEC §6)
    std::map<std::string, std::string> files;    // "students"/"staff"/"groups"/… → file name
    std::map<std::string, std::string> queries;  // odbc: learners, staff, memberships (SPEC §6.5)
    reconcile::Policy policy;
    unsigned settleSeconds = 5;  // its own settle_seconds, else [daemon] settle_seconds (§9.1)
};

// A whole, validated configuration. Build it with loadConfig() and treat it as immutable
// (share it as std::shared_ptr<const Config>); a reload builds a new one.
struct Config {
    std::filesystem::path file;  // absolute path it was loaded from (for reload after chdir)
    DirectoryConfig directory;
    SecretsConfig secrets;
    StatusConfig status;
    DaemonConfig daemon;
    std::vector<NotifyConfig> notify;
    reconcile::Policy policy;  // [policy]; each school carries its merged copy
    std::vector<SchoolConfig> schools;

    // The school with this DfES number, or nullptr.
    const SchoolConfig* findSchool(std::string_view dfes) const;
    // The named schools in the order given (each once), or every school in file order when none
    // is named. Throws core::ConfigError naming a school that is not configured.
    std::vector<const SchoolConfig*> select(const std::vector<std::string>& dfes) const;
};

// What loading reads from the process environment, passed in so that tests can set it:
// $CREDENTIALS_DIRECTORY (set by systemd for a service with LoadCredential=), where a file key
// written `credential:NAME` finds the file NAME (docs/configuration.md, "Secrets as files").
struct ConfigEnvironment {
    std::optional<std::filesystem::path> credentialsDirectory;
    // For the commands other than `daemon` and `check-config`: without $CREDENTIALS_DIRECTORY,
    // a `credential:` in the keys only the daemon reads (status.tokens_file, status.tls_*, a
    // notify token_file) is kept as written, not looked up, so that `misync status` run by hand
    // works beside a service that gets those files from systemd.
    bool daemonCredentialsOptional = false;

    static ConfigEnvironment fromProcess();
    // fromProcess() with daemonCredentialsOptional.
    static ConfigEnvironment forCommands();
};

// Reads, parses and validates `file`. Throws core::ConfigError when anything is wrong; its
// message has one line per problem, in file order, each
//   FILE:LINE:COL: key 'school[2].policy.retention_days': must be at least 1
// (schools are numbered from 1). Secret values are never quoted in messages. Relative paths
// are resolved against the folder holding `file`.
Config loadConfig(const std::filesystem::path& file, const connectors::ConnectorRegistry& registry,
                  const ConfigEnvironment& environment = ConfigEnvironment::fromProcess());

// As loadConfig() for text already in memory; `sourceName` is used in messages and its folder
// for resolving relative paths.
Config parseConfig(std::string_view text, const std::filesystem::path& sourceName,
                   const connectors::ConnectorRegistry& registry,
                   const ConfigEnvironment& environment = ConfigEnvironment::fromProcess());

// Value rules of SPEC §7 that the loader applies, exposed for the scheduler and check-config.

// Why `schedule` is not one of "daily HH:MM", "every N(m|h)" (N ≥ 1, at most 24 hours) or a
// five-field cron expression (minute hour day-of-month month day-of-week: numbers, *, a-b,
// lists, /step; one that can never fire is refused), or nullopt when it is valid
// (daemon/schedule.h parses it).
std::optional<std::string> scheduleProblem(std::string_view schedule);
// U5: addresses are username@email_domain, so the domain needs a dot and no '@' or spaces.
bool isEmailDomain(std::string_view domain);
// "MM-DD" naming a day that occurs every year (so not "02-29"); nullopt otherwise.
std::optional<reconcile::MonthDay> parseMonthDay(std::string_view text);
// "HOST:PORT" or "[IPv6]:PORT" with a port from 0 to 65535 (0: the daemon takes any free port
// and logs which, for tests and for several daemons on one machine behind a discovery step).
bool isListenAddress(std::string_view address);

}  // namespace misync::daemon
