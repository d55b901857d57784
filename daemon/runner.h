// One run for one school: read → plan → apply → record (SPEC §1 "Run", S1, S2, R14).
// S7: a run reads its files first, then takes its school's lease, and checks for unchanged
// input, loads its view, plans and writes inside one write transaction, so that what it plans
// against is what it writes against, whatever other processes did before. The runner owns the
// per-process state that makes national runs cheap: the username registry (U3) holds the names
// this process has met, takes, inside each run's transaction, the names reserved since (by any
// process), and asks the directory about any other.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

// A school's sources being read ahead on another thread: reading needs no directory, so the
// next schools are parsed while this one is planned and written (docs/performance.md).
// The files' digests when they were hashed first to find out whether they changed at all, and
// the snapshot unless they show the same content (Connector::readIfChanged).
using ReadAhead = connectors::Connector::Reading;
struct PrefetchedRead {
    std::string dfes;
    // The sources' stat fingerprint taken before they were read, so that a file rewritten
    // after the read is never recorded as already seen.
    std::optional<std::string> fingerprint;
    std::future<ReadAhead> result;  // a read error is rethrown by get()
    // Ready once the read has ended, whether or not it succeeded: the next read ahead waits for
    // it, so that reads ahead run one at a time, in order (issue 8).
    std::shared_future<void> finished;
};

// At start-up (`misync run`, `misync daemon`): every `running` row, of any school, whose process
// is gone is marked interrupted (storage::RunMarkers); returns those runs, each logged. A store
// error is logged, never thrown: the runs go on.
std::vector<storage::RunRecord> markInterruptedRuns(storage::Directory& directory);

class Runner {
  public:
    Runner(storage::Directory& directory, const connectors::ConnectorRegistry& connectors,
           const storage::SecretBox& box, reconcile::PasswordGenerator& passwords);

    // Never throws for a school's own problems: a source that cannot be read, or a store
    // failure while applying, gives outcome "failed" with the reason in errors (R15, R14).
    // A dry run (outcome "planned") writes nothing at all, not even its run record.
    // Throws core::BatchLostError when batching and the batch's earlier runs were undone with
    // this one (a commit or the database failed): those runs must not be reported as written.
    // `read`, when given, is this school's prefetched sources.
    storage::RunRecord run(const SchoolConfig& school, const RunOptions& options,
                           std::optional<PrefetchedRead> read = std::nullopt);

    // Records `running` rows for the coming real runs of these schools in one transaction
    // (storage::RunMarkers), when the directory batches: a batch's own runs are invisible until
    // it commits, so its markers are committed before it opens. Each school's run() then finishes
    // its row. Does nothing for a dry run or a directory that does not batch (a run that commits
    // on its own writes its marker itself, holding its lease). A store error is logged: the runs
    // go on without markers.
    void announce(const std::vector<const SchoolConfig*>& schools, const RunOptions& options);

    // Starts reading a school's sources on another thread, unless its last full run saw the
    // same files (then the run will most likely be replayed without reading them). `after`,
    // when valid, is the previous read ahead's `finished`: this read starts once that one ends.
    std::optional<PrefetchedRead> prefetch(const SchoolConfig& school,
                                           std::shared_future<void> after = {});

    // Whether the school's sources look as its last full run saw them (same stat fingerprint
    // and configuration, nothing marked dirty): a hint only, as in prefetch(). The daemon's
    // start-up check runs a school whose drop folder changed while no daemon watched it.
    bool sourcesLookUnchanged(const SchoolConfig& school);

    // Called on the run's thread for each run of a school found interrupted when its lease was
    // taken (docs/reliability.md): the daemon counts and notifies it as those found at start-up.
    using OnInterrupted = std::function<void(const storage::RunRecord&)>;
    void onInterrupted(OnInterrupted f) { onInterrupted_ = std::move(f); }

  private:
    struct Input;                    // a run's sources: what was read before the lease
    enum class Step { Done, Read };  // Read: the files must be read after all
    struct Failure {
        std::string code;
        std::string file;
        std::string message;
    };

    static std::string configDigest(const SchoolConfig& school);
    void forget(const std::string& dfes);
    void prepare(const SchoolConfig& school, std::optional<PrefetchedRead> read, Input& in);
    static void readSources(Input& in);
    // Inside the run's transaction (a read snapshot for a dry run).
    Step underLease(const SchoolConfig& school, const RunOptions& options, Input& in,
                    storage::RunRecord& rec);
    void planAndRecord(const SchoolConfig& school, const RunOptions& options, Input& in,
                       storage::RunRecord& rec);
    void recordPlan(const SchoolConfig& school, const RunOptions& options, const Input& in,
                    const reconcile::DirectoryView& view, const reconcile::Plan& plan,
                    reconcile::UsernameAllocator& allocator, storage::RunRecord& rec);
    reconcile::UsernameRegistry& syncUsernames(bool dryRun);
    std::optional<storage::SchoolState> stateAfter(const SchoolConfig& school,
                                                   const RunOptions& options,
                                                   const std::optional<std::string>& fingerprint,
                                                   const core::Snapshot& snapshot,
                                                   const reconcile::DirectoryView& view,
                                                   const reconcile::Plan& plan,
                                                   const storage::RunRecord& rec);
    // R12 without the work: the school's saved state when a re-run would plan nothing again.
    std::optional<storage::SchoolState> replayable(const SchoolConfig& school,
                                                   const RunOptions& options, Input& in,
                                                   bool& rewritten);
    bool replayUnchanged(const SchoolConfig& school, const RunOptions& options, Input& in,
                         storage::RunRecord& rec);

    // Holding the school's lease: marks its dead runs interrupted, and returns the `running` row
    // written now for `rec` (0 when it was announced, when batching, or when none could be).
    std::int64_t markRunning(const SchoolConfig& school, const storage::RunRecord& rec);

    storage::Directory& directory_;
    const connectors::ConnectorRegistry& connectors_;
    std::map<std::string, std::int64_t> announced_;  // school → its `running` row
    const storage::SecretBox& box_;
    reconcile::PasswordGenerator& passwords_;
    OnInterrupted onInterrupted_;
    reconcile::NameTransliterator names_;
    // At most this many names are held between runs (about 64 MB); beyond that they are let go
    // and asked for again, so memory does not grow with the country (issue 8).
    static constexpr std::size_t kHeldUsernames = 1'000'000;
    reconcile::UsernameRegistry usernames_;
    std::int64_t usernamesSeq_ = -1;
    // Times a run is planned again after the database refused one of its names (U3).
    static constexpr int kConflictRetries =
        3;  // the highest name sequence number loaded; -1: none yet
    // Dry runs take their planned names from a copy, so that a dry run over several schools
    // plans what the real pass would give (U3) without reserving anything for real runs.
    std::optional<reconcile::UsernameRegistry> dryRunUsernames_;
    std::int64_t dryRunSeq_ = -1;
};

}  // namespace misync::daemon
