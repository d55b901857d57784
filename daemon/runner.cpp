#include "daemon/runner.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>

#include "core/errors.h"
#include "reconcile/guard.h"
#include "reconcile/planner.h"

namespace misync::daemon {

Runner::Runner(storage::Directory& directory, const connectors::ConnectorRegistry& connectors,
               const storage::SecretBox& box, reconcile::PasswordGenerator& passwords)
    : directory_(directory), connectors_(connectors), box_(box), passwords_(passwords) {}

namespace {

// What the school's connector is told about it (SPEC §7 [[school]]).
connectors::SchoolSource sourceOf(const SchoolConfig& school) {
    return connectors::SchoolSource{school.dfes,  school.source,   school.complete, school.fields,
                                    school.files, school.incoming, school.queries,  school.org};
}
}  // namespace

std::optional<PrefetchedRead> Runner::prefetch(const SchoolConfig& school,
                                               std::shared_future<void> after) {
    try {
        auto connector = connectors_.create(school.connector);
        connectors::SchoolSource src = sourceOf(school);
        std::optional<std::vector<core::SourceFile>> known;
        auto fp = connector->fingerprint(src);
        if (fp) {
            auto st = directory_.schoolState(school.dfes);
            if (st && !st->dirty && st->fingerprint == *fp + "|" + configDigest(school)) {
                return std::nullopt;
            }
            if (st) {
                known = storage::filesFromJson(boost::json::parse(st->files));
            }
        }
        auto done = std::make_shared<std::promise<void>>();
        std::shared_future<void> finished = done->get_future().share();
        auto task = [c = std::move(connector), src, known, after = std::move(after), done]() {
            // Set however the read ends, so that a read waiting for this one always starts.
            struct Finish {
                std::promise<void>& p;
                ~Finish() { p.set_value(); }
            } finish{*done};
            if (after.valid()) {
                after.wait();
            }
            if (known) {  // rewritten files: hashed, and parsed only if their content changed
                return c->readIfChanged(src, *known);
            }
            ReadAhead r;
            r.snapshot = c->read(src);
            return r;
        };
        return PrefetchedRead{school.dfes, fp, std::async(std::launch::async, std::move(task)),
                              std::move(finished)};
    } catch (const core::Error&) {
        return std::nullopt;  // run() reads it again and reports what is wrong
    }
}

bool Runner::sourcesLookUnchanged(const SchoolConfig& school) {
    auto connector = connectors_.create(school.connector);
    connectors::SchoolSource src = sourceOf(school);
    auto fp = connector->fingerprint(src);
    if (!fp) {
        return false;
    }
    auto st = directory_.schoolState(school.dfes);
    return st && !st->dirty && st->fingerprint == *fp + "|" + configDigest(school);
}

// What a run knows about its school's sources. S7 lets the files be read before the lease is
// taken (and the next school's ahead of time); only what the directory says is read under it.
struct Runner::Input {
    std::unique_ptr<connectors::Connector> connector;
    connectors::SchoolSource src;
    // The sources' stat fingerprint plus the configuration digest, taken before any read, so
    // that a file rewritten after the read is never recorded as already seen.
    std::optional<std::string> fingerprint;
    std::optional<ReadAhead> ahead;
    std::optional<core::Snapshot> snapshot;
    // The files' sha256, computed at most once per run (from the read ahead or the snapshot
    // when there is one): the outer value is set once they were asked for. Files whose content
    // differs from `known` (the last run's) are parsed from the bytes hashed, into `snapshot`.
    std::optional<std::optional<std::vector<core::SourceFile>>> digests;

    const std::optional<std::vector<core::SourceFile>>& fileDigests(
        const std::vector<core::SourceFile>& known) {
        if (!digests) {
            if (ahead && ahead->digests) {
                digests = ahead->digests;
            } else if (snapshot) {
                digests = snapshot->files;
            } else {
                auto reading = connector->readIfChanged(src, known);
                digests = std::move(reading.digests);
                if (reading.snapshot) {
                    snapshot = std::move(reading.snapshot);
                }
            }
        }
        return *digests;
    }
};

void Runner::prepare(const SchoolConfig& school, std::optional<PrefetchedRead> read, Input& in) {
    in.connector = connectors_.create(school.connector);
    in.src = sourceOf(school);
    if (read && read->dfes == school.dfes) {
        in.fingerprint = read->fingerprint;  // taken before the read
        in.ahead = read->result.get();       // rethrows what the read threw
        if (in.ahead->snapshot) {
            in.snapshot = std::move(in.ahead->snapshot);
            in.ahead->snapshot.reset();
        }
    } else {
        in.fingerprint = in.connector->fingerprint(in.src);  // before reading, for the same reason
    }
    if (in.fingerprint) {
        *in.fingerprint += "|" + configDigest(school);
    }
}

void Runner::readSources(Input& in) {
    if (!in.snapshot) {
        in.snapshot = in.connector->read(in.src);
    }
}

storage::RunRecord Runner::run(const SchoolConfig& school, const RunOptions& options,
                               std::optional<PrefetchedRead> read) {
    storage::RunRecord rec;
    rec.school = school.dfes;
    rec.trigger = options.trigger;
    rec.connector = school.connector;
    rec.asOf = options.asOf.toString();
    rec.startedAt = core::nowIso();

    storage::SchoolLease lease;
    // The run's `running` row (storage::RunMarkers): every record written from here on finishes
    // it. One written under the lease keeps its id; one announced ahead of a batch is replaced by
    // the record (a new id, in commit order).
    std::int64_t marker = 0;
    if (!options.dryRun) {
        if (auto it = announced_.find(school.dfes); it != announced_.end()) {
            rec.replacesRun = it->second;
            announced_.erase(it);
        }
    }
    auto fail = [&](const Failure& f) {
        if (f.code == "store_error") {
            // Its transaction is gone, and on a lost PostgreSQL connection the lease with it: let
            // go, so that the failure can be recorded on a connection made again.
            lease.release();
        }
        if (!options.dryRun && f.code != "internal_error") {
            forget(school.dfes);
        }
        rec.id = marker;
        rec.outcome = "failed";
        rec.errors.push_back({f.code, f.file, 0, f.message});
        rec.actions.clear();
        rec.counts = {};
        rec.finishedAt = core::nowIso();
        spdlog::error("school={} outcome=failed: {}", school.dfes, f.message);
        if (!options.dryRun) {
            try {
                directory_.recordRun(rec);
            } catch (const core::BatchLostError&) {
                throw;  // the runs before it are undone: the command must not go on as if not
            } catch (const core::StoreError& e) {
                spdlog::error("school={} could not record the failed run: {}", school.dfes,
                              e.what());
            }
        }
        return rec;
    };
    auto unreadable = [&](const core::Error& e) {
        const auto* c = dynamic_cast<const core::ConnectorError*>(&e);
        return Failure{"source_unreadable",
                       c != nullptr && !c->file().empty() ? c->file()
                       : school.connector == "odbc"       ? std::string("odbc")  // a secret
                                                          : school.source,
                       e.what()};
    };

    // Outside any lock: the fingerprint, then the files, unless they look unchanged since the
    // school's last run (then most likely nothing needs reading; confirmed under the lease).
    Input in;
    std::optional<Failure> readFailure;
    try {
        prepare(school, std::move(read), in);
        bool rewritten = false;
        if (!in.snapshot && !(in.fingerprint && replayable(school, options, in, rewritten))) {
            readSources(in);
        }
    } catch (const core::Error& e) {
        readFailure = unreadable(e);
    } catch (const std::exception& e) {
        readFailure = Failure{"internal_error", "", e.what()};
    }

    // S7: a real run holds its school from here until what it wrote has committed; a dry run
    // takes no lease and reads one consistent snapshot.
    if (!options.dryRun) {
        try {
            lease = directory_.lockSchool(school.dfes);
        } catch (const core::BatchLostError&) {
            throw;  // a batch that had to commit first could not (see below)
        } catch (const core::Error& e) {
            return fail({"store_error", "", e.what()});
        }
        marker = markRunning(school, rec);
    }
    if (readFailure) {
        return fail(*readFailure);
    }
    int conflicts = 0;
    for (;;) {
        Step step = Step::Done;
        rec.id = marker;  // never the id of a row a rolled-back attempt wrote
        try {
            auto body = [&] { step = underLease(school, options, in, rec); };
            if (options.dryRun) {
                directory_.readSnapshot(body);
            } else {
                directory_.exclusive(body);
            }
        } catch (const core::ConnectorError& e) {
            return fail(unreadable(e));
        } catch (const core::ConflictError& e) {
            // U3 under concurrency: the database refused a name this process believed free (a
            // name given behind its back). Nothing of the run was written: plan it again with
            // a registry that asks the directory afresh.
            usernames_ = reconcile::UsernameRegistry();
            usernamesSeq_ = -1;
            dryRunUsernames_.reset();
            if (++conflicts <= kConflictRetries) {
                spdlog::warn("school={} a name was taken meanwhile; planning again ({})",
                             school.dfes, e.what());
                continue;
            }
            return fail({"store_error", "", e.what()});
        } catch (const core::BatchLostError&) {
            // The runs committed into the batch before this one are undone: reported as
            // written, they would not be, so the command stops (docs/reliability.md).
            usernamesSeq_ = -1;
            dryRunUsernames_.reset();
            throw;
        } catch (const core::Error& e) {
            // A rolled-back batch may have taken names past what was committed: start again
            // from the directory's numbers, so that those seen never run ahead of it.
            usernamesSeq_ = -1;
            dryRunUsernames_.reset();
            return fail({"store_error", "", e.what()});
        } catch (const std::exception& e) {
            return fail({"internal_error", "", e.what()});
        }
        if (step == Step::Done) {
            break;
        }
        // The files looked unchanged, but the directory said otherwise under the lease: read
        // them now (holding the school, but not the write lock) and try again.
        try {
            readSources(in);
        } catch (const core::Error& e) {
            return fail(unreadable(e));
        }
    }
    spdlog::info("school={} run={} outcome={} actions={} warnings={} rejected={}", school.dfes,
                 rec.id, rec.outcome, rec.actions.size(), rec.warnings.size(), rec.errors.size());
    return rec;
}

namespace {

void warnInterrupted(const storage::RunRecord& r) {
    spdlog::warn(
        "school={} run={} outcome=interrupted: its process ended before it finished "
        "(started {})",
        r.school, r.id, r.startedAt);
}

}  // namespace

std::vector<storage::RunRecord> markInterruptedRuns(storage::Directory& directory) {
    try {
        auto runs = directory.markInterrupted();
        for (const auto& r : runs) {
            warnInterrupted(r);
        }
        return runs;
    } catch (const core::Error& e) {
        spdlog::warn("could not look for interrupted runs: {}", e.what());
        return {};
    }
}

void Runner::announce(const std::vector<const SchoolConfig*>& schools, const RunOptions& options) {
    if (options.dryRun || !directory_.batching() || schools.empty()) {
        return;
    }
    std::vector<storage::RunRecord> records(schools.size());
    std::vector<storage::RunRecord*> pointers;
    for (std::size_t i = 0; i < schools.size(); ++i) {
        records[i].school = schools[i]->dfes;
        records[i].trigger = options.trigger;
        records[i].connector = schools[i]->connector;
        records[i].asOf = options.asOf.toString();
        records[i].startedAt = core::nowIso();
        pointers.push_back(&records[i]);
    }
    try {
        directory_.markRunning(pointers);
    } catch (const core::Error& e) {
        spdlog::warn("could not record the coming runs as running: {}", e.what());
        return;
    }
    for (const auto& r : records) {
        announced_[r.school] = r.id;
    }
}

// Holding the school's lease: a `running` row of this school whose process died is marked
// interrupted first (the lease shows that no live run of it is under way here, and the owner
// lock that its process is gone).
std::int64_t Runner::markRunning(const SchoolConfig& school, const storage::RunRecord& rec) {
    try {
        for (const auto& r : directory_.markInterrupted(school.dfes)) {
            warnInterrupted(r);
            if (onInterrupted_) {
                onInterrupted_(r);
            }
        }
        if (rec.replacesRun != 0 || directory_.batching()) {
            return 0;  // announced, or (not announced) written with its outcome
                       // (docs/reliability.md)
        }
        storage::RunRecord marker = rec;
        directory_.markRunning({&marker});
        return marker.id;
    } catch (const core::Error& e) {
        spdlog::warn("school={} could not record its run as running: {}", school.dfes, e.what());
        return 0;
    }
}

// Everything from here on happens inside the run's one transaction (a read snapshot for a dry
// run), so what it reads is what it writes against (S7).
Runner::Step Runner::underLease(const SchoolConfig& school, const RunOptions& options, Input& in,
                                storage::RunRecord& rec) {
    if (in.fingerprint && replayUnchanged(school, options, in, rec)) {
        return Step::Done;
    }
    if (!in.snapshot) {
        return Step::Read;
    }
    planAndRecord(school, options, in, rec);
    return Step::Done;
}

reconcile::UsernameRegistry& Runner::syncUsernames(bool dryRun) {
    // U3 across processes: the names reserved since the last load, by this process or any other.
    // The registry does not load the directory's names first (issue 8): it asks the directory
    // about the names it does not hold, in this run's transaction. A directory without names
    // needs no questions until this process has committed enough to let go of them.
    if (usernamesSeq_ < 0) {
        const std::optional<std::int64_t> latest = directory_.latestUsernameSeq();
        usernamesSeq_ = latest.value_or(0);
        if (latest) {
            usernames_.setLookup(directory_.usernameLookup());
        }
    } else {
        usernamesSeq_ = directory_.loadUsernames(usernames_, usernamesSeq_);
    }
    if (usernames_.size() > kHeldUsernames) {
        usernames_.setLookup(directory_.usernameLookup());
        usernames_.forgetNames();
    }
    if (!dryRun) {
        return usernames_;
    }
    if (!dryRunUsernames_) {
        dryRunUsernames_ = usernames_;
        dryRunSeq_ = usernamesSeq_;
    } else {
        dryRunSeq_ = directory_.loadUsernames(*dryRunUsernames_, dryRunSeq_);
    }
    return *dryRunUsernames_;
}

void Runner::planAndRecord(const SchoolConfig& school, const RunOptions& options, Input& in,
                           storage::RunRecord& rec) {
    using Clock = std::chrono::steady_clock;
    auto mark = Clock::now();
    auto lap = [&mark] {
        auto now = Clock::now();
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - mark).count();
        mark = now;
        return static_cast<double>(us) / 1000.0;
    };
    const core::Snapshot& snapshot = *in.snapshot;
    rec.files = snapshot.files;
    rec.extractedAt = snapshot.extractedAt;
    reconcile::DirectoryView view = directory_.loadView(school.dfes, snapshot);
    const auto viewMs = lap();
    // U3: the usernames reserved so far are loaded when the plan first allocates one, still
    // inside this run's transaction, so that they are as current as the view (S7).
    reconcile::UsernameAllocator allocator(
        [this, dryRun = options.dryRun]() -> reconcile::UsernameRegistry& {
            return syncUsernames(dryRun);
        },
        school.policy.usernameMaxLength);
    reconcile::PlanServices services{allocator, passwords_, names_};
    reconcile::PlanInput input{snapshot, view, school.policy, options.asOf, rec.startedAt};
    reconcile::Plan plan = reconcile::makePlan(input, services);
    rec.counts = plan.counts;
    rec.actions = plan.actions;
    rec.warnings = plan.warnings;
    rec.errors = plan.errors;
    rec.planDigest = plan.digest();
    if (auto stale = reconcile::staleExtract(rec.extractedAt, rec.startedAt, school.policy)) {
        rec.warnings.push_back(std::move(*stale));  // S6: applied all the same
    }
    const auto planMs = lap();
    recordPlan(school, options, in, view, plan, allocator, rec);
    spdlog::debug("school={} view_ms={} plan_ms={} write_ms={}", school.dfes, viewMs, planMs,
                  lap());
}

// The plan is computed; this decides what is written, still inside the run's transaction:
// S3/S4 hold a plan that would do damage (nothing applied, the plan recorded for show-run) unless
// the school's pending approval is for this very plan; the next run that plans spends it.
void Runner::recordPlan(const SchoolConfig& school, const RunOptions& options, const Input& in,
                        const reconcile::DirectoryView& view, const reconcile::Plan& plan,
                        reconcile::UsernameAllocator& allocator, storage::RunRecord& rec) {
    const core::Snapshot& snapshot = *in.snapshot;
    std::optional<core::Warning> hold;
    if (plan.changesDirectory()) {
        hold = reconcile::holdReason(plan, snapshot, view, school.policy);
    }
    if (options.dryRun) {
        if (hold) {  // a dry run never holds, but says what the real run would do
            rec.warnings.push_back({"held", "a real run would be held: " + hold->message});
        }
        rec.outcome = "planned";
        rec.finishedAt = core::nowIso();
        allocator.commit();  // into the dry-run copy only
        return;
    }
    if (auto approval = directory_.pendingApproval(school.dfes)) {
        rec.spendsApproval = approval->runId;
        if (hold && approval->planDigest == rec.planDigest) {
            rec.approvedRun = approval->runId;
            rec.warnings.push_back({"approved", "applied as approved by " + approval->approvedBy +
                                                    " at " + approval->approvedAt + " (held run " +
                                                    std::to_string(approval->runId) +
                                                    "): " + hold->message});
            hold.reset();
        }
    }
    if (hold) {
        rec.outcome = "held";
        rec.warnings.push_back(std::move(*hold));
        rec.finishedAt = core::nowIso();
        directory_.recordRun(rec);  // its plan, for show-run and approve; the school's state stays
        spdlog::warn("school={} run={} held: {}", school.dfes, rec.id, rec.warnings.back().message);
        return;
    }
    if (plan.changesDirectory()) {
        rec.outcome = "applied";
        rec.finishedAt = core::nowIso();
        auto state = stateAfter(school, options, in.fingerprint, snapshot, view, plan, rec);
        directory_.apply(plan, rec, box_, state ? &*state : nullptr);
        allocator.commit();
        dryRunUsernames_.reset();  // the next dry run starts from the names now taken
    } else {
        rec.outcome = "no_change";
        rec.finishedAt = core::nowIso();
        auto state = stateAfter(school, options, in.fingerprint, snapshot, view, plan, rec);
        directory_.recordRun(rec, state ? &*state : nullptr);
    }
}

void Runner::forget(const std::string& dfes) {
    try {
        directory_.forgetSchoolState(dfes);
    } catch (const core::Error& e) {
        spdlog::warn("school={} could not clear its saved state: {}", dfes, e.what());
    }
}

std::string Runner::configDigest(const SchoolConfig& s) {
    // Everything in the school's configuration that changes what a run reads or decides.
    std::string d = s.connector + "\x1f" + s.source + "\x1f" +
                    (s.complete ? (*s.complete ? "1" : "0") : "-") + (s.incoming ? "i" : "") +
                    "\x1f";
    for (const auto& [k, v] : s.fields) {
        d += k + "=" + v + ";";
    }
    d += "\x1f";
    for (const auto& [k, v] : s.files) {
        d += k + "=" + v + ";";
    }
    for (const auto& [k, v] : s.queries) {
        d += k + "=" + v + ";";
    }
    d += "\x1f" + s.org;
    const auto& p = s.policy;
    d += "\x1f" + p.emailDomain + ":" + std::to_string(p.usernameMaxLength) + ":" +
         (p.regenerateUsernameOnRename ? "1" : "0") + ":" +
         (p.staffTransfer == reconcile::StaffTransfer::Automatic ? "a" : "m") + ":" +
         std::to_string(p.summerLeaverUntil.month) + "-" + std::to_string(p.summerLeaverUntil.day);
    return d;
}

// What a re-run over the same input reports again: the rejected records, the warnings that come
// from the snapshot or from transfers still waiting, and the awaiting_transfer actions (R7).
std::optional<storage::SchoolState> Runner::stateAfter(
    const SchoolConfig& school, const RunOptions& options, const std::optional<std::string>& fp,
    const core::Snapshot& snapshot, const reconcile::DirectoryView& view,
    const reconcile::Plan& plan, const storage::RunRecord& rec) {
    if (!fp || options.dryRun) {
        return std::nullopt;
    }
    namespace json = boost::json;
    json::array warnings;
    for (const auto& w : plan.warnings) {
        if (w.code == "unknown_member" || w.code == "awaiting_transfer" ||
            w.code == "unknown_group") {
            warnings.push_back(json::object{{"code", w.code}, {"message", w.message}});
        }
    }
    json::array actions;
    for (const auto& a : plan.actions) {
        if (a.kind == reconcile::ActionKind::AwaitingTransfer) {
            actions.push_back(storage::actionToJson(a));
        }
    }
    json::object echo{{"errors", storage::errorsToJson(plan.errors)},
                      {"warnings", std::move(warnings)},
                      {"actions", std::move(actions)},
                      {"extracted_at", rec.extractedAt}};
    // The first day a re-run could plan something: a date in the extract, or a purge (R5).
    auto next = reconcile::nextDateChange(snapshot, options.asOf, school.policy);
    if (auto purge = reconcile::nextPurgeDate(view, plan, options.asOf, school.policy);
        purge && (!next || *purge < *next)) {
        next = purge;
    }
    return storage::SchoolState{school.dfes,
                                *fp,
                                options.asOf.toString(),
                                next ? next->toString() : std::string(),
                                false,
                                json::serialize(storage::filesToJson(rec.files)),
                                json::serialize(echo)};
}

// R12 without the work: when the sources were not rewritten (or rewritten with the same content),
// the configuration is the same, no date in the extract has come due, and no other school's run
// has changed anything this school reads, the plan would be empty again. Returns the state the
// replay records from; `rewritten` tells whether the files have a new stat fingerprint.
std::optional<storage::SchoolState> Runner::replayable(const SchoolConfig& school,
                                                       const RunOptions& options, Input& in,
                                                       bool& rewritten) {
    const std::string& fingerprint = *in.fingerprint;
    auto st = directory_.schoolState(school.dfes);
    const std::string asOf = options.asOf.toString();
    if (!st || st->dirty || asOf < st->asOf ||
        (!st->nextChange.empty() && asOf >= st->nextChange)) {
        return std::nullopt;
    }
    const std::string configPart = fingerprint.substr(fingerprint.find('|'));
    const bool sameConfig = st->fingerprint.size() >= configPart.size() &&
                            st->fingerprint.compare(st->fingerprint.size() - configPart.size(),
                                                    configPart.size(), configPart) == 0;
    if (!sameConfig) {
        return std::nullopt;
    }
    rewritten = st->fingerprint != fingerprint;
    if (rewritten) {
        // Rewritten files (a nightly export does that): compare their content.
        const auto known = storage::filesFromJson(boost::json::parse(st->files));
        const auto& now = in.fileDigests(known);
        if (!now || !connectors::sameFiles(*now, known)) {
            return std::nullopt;
        }
    }
    return st;
}

// Records the run from what the last one saw, when replayable() says a plan would be empty.
bool Runner::replayUnchanged(const SchoolConfig& school, const RunOptions& options, Input& in,
                             storage::RunRecord& rec) {
    bool rewritten = false;
    auto st = replayable(school, options, in, rewritten);
    if (!st || directory_.pendingApproval(school.dfes)) {
        return false;  // S3: a pending approval is spent by a run that plans
    }
    namespace json = boost::json;
    json::value echo = json::parse(st->echo);
    rec.files = storage::filesFromJson(json::parse(st->files));
    rec.errors = storage::errorsFromJson(echo.at("errors"));
    rec.warnings = storage::warningsFromJson(echo.at("warnings"));
    rec.actions.clear();
    for (const auto& a : echo.at("actions").as_array()) {
        rec.actions.push_back(storage::actionFromJson(a.as_object()));
    }
    rec.extractedAt = std::string(echo.at("extracted_at").as_string());
    if (rewritten) {
        // The same content exported again: a fresh extract (S6), remembered for later replays.
        if (auto at = in.connector->extractedAt(in.src)) {
            rec.extractedAt = *at;
            echo.as_object()["extracted_at"] = *at;
            st->echo = json::serialize(echo);
        }
    }
    if (auto stale = reconcile::staleExtract(rec.extractedAt, rec.startedAt, school.policy)) {
        rec.warnings.push_back(std::move(*stale));  // S6: unchanged files grow old
    }
    rec.counts = {};
    rec.counts["rejected"] = rec.errors.size();
    rec.counts["awaiting_transfer"] = rec.actions.size();
    rec.outcome = options.dryRun ? "planned" : "no_change";
    rec.finishedAt = core::nowIso();
    if (!options.dryRun) {
        if (rewritten) {
            st->fingerprint = *in.fingerprint;  // the same content under a new file time
        }
        directory_.recordRun(rec, rewritten ? &*st : nullptr);
    }
    spdlog::debug("school={} run={} outcome={} (unchanged input, not re-planned)", school.dfes,
                  rec.id, rec.outcome);
    return true;
}

}  // namespace misync::daemon
