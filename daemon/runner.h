// One run for one school: read → plan → apply → record (SPEC §1 "Run", S1, S2, R14).
// The runner owns the per-process state that makes national runs cheap: the username registry
// (U3) is loaded once and kept current after every applied run.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "connectors/connector.h"
#include "core/date.h"
#include "daemon/config.h"
#include "reconcile/passwords.h"
#include "reconcile/usernames.h"
#include "storage/directory.h"
#include "storage/run_record.h"
#include "storage/secret_box.h"

namespace misync::daemon {

struct RunOptions {
    core::Date asOf;
    bool dryRun = false;
    std::string trigger = "manual";
};

class Runner {
  public:
    Runner(storage::Directory& directory, const connectors::ConnectorRegistry& connectors,
           const storage::SecretBox& box, reconcile::PasswordGenerator& passwords);

    // Never throws for a school's own problems: a source that cannot be read, or a store
    // failure while applying, gives outcome "failed" with the reason in errors (R15, R14).
    // A dry run (outcome "planned") writes nothing at all, not even its run record.
    storage::RunRecord run(const SchoolConfig& school, const RunOptions& options);

  private:
    static std::string configDigest(const SchoolConfig& school);
    void forget(const std::string& dfes);
    std::optional<storage::SchoolState> stateAfter(const SchoolConfig& school,
                                                   const RunOptions& options,
                                                   const std::optional<std::string>& fingerprint,
                                                   const core::Snapshot& snapshot,
                                                   const reconcile::Plan& plan,
                                                   const storage::RunRecord& rec);
    bool replayUnchanged(const SchoolConfig& school, const RunOptions& options,
                         const std::string& fingerprint, const connectors::Connector& connector,
                         const connectors::SchoolSource& src, storage::RunRecord& rec);

    storage::Directory& directory_;
    const connectors::ConnectorRegistry& connectors_;
    const storage::SecretBox& box_;
    reconcile::PasswordGenerator& passwords_;
    reconcile::NameTransliterator names_;
    reconcile::UsernameRegistry usernames_;
    // Dry runs take their planned names from a copy, so that a dry run over several schools
    // plans what the real pass would give (U3) without reserving anything for real runs.
    std::optional<reconcile::UsernameRegistry> dryRunUsernames_;
    bool usernamesLoaded_ = false;
};

}  // namespace misync::daemon
