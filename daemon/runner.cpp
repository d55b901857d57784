#include "daemon/runner.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>

#include "core/errors.h"
#include "reconcile/planner.h"

namespace misync::daemon {

Runner::Runner(storage::Directory& directory, const connectors::ConnectorRegistry& connectors,
               const storage::SecretBox& box, reconcile::PasswordGenerator& passwords)
    : directory_(directory), connectors_(connectors), box_(box), passwords_(passwords) {}

namespace {
bool sameContent(const std::vector<core::SourceFile>& a, const std::vector<core::SourceFile>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].name != b[i].name || a[i].sha256 != b[i].sha256) {
            return false;
        }
    }
    return true;
}
}  // namespace

std::optional<PrefetchedRead> Runner::prefetch(const SchoolConfig& school) {
    try {
        auto connector = connectors_.create(school.connector);
        connectors::SchoolSource src{school.dfes, school.source, school.complete, school.fields,
                                     school.files};
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
        auto task = [c = std::move(connector), src, known]() {
            ReadAhead r;
            if (known) {  // rewritten files: hash them before paying for a parse
                r.digests = c->digests(src);
                if (r.digests && sameContent(*r.digests, *known)) {
                    return r;
                }
            }
            r.snapshot = c->read(src);
            return r;
        };
        return PrefetchedRead{school.dfes, fp, std::async(std::launch::async, std::move(task))};
    } catch (const core::Error&) {
        return std::nullopt;  // run() reads it again and reports what is wrong
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

    auto fail = [&](std::string code, std::string file, std::string message) {
        rec.outcome = "failed";
        rec.errors.push_back({std::move(code), std::move(file), 0, std::move(message)});
        rec.actions.clear();
        rec.counts = {};
        rec.finishedAt = core::nowIso();
        spdlog::error("school={} outcome=failed: {}", school.dfes, rec.errors.back().message);
        if (!options.dryRun) {
            try {
                directory_.recordRun(rec);
            } catch (const core::StoreError& e) {
                spdlog::error("school={} could not record the failed run: {}", school.dfes,
                              e.what());
            }
        }
        return rec;
    };

    using Clock = std::chrono::steady_clock;
    auto mark = Clock::now();
    auto lap = [&mark] {
        auto now = Clock::now();
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - mark).count();
        mark = now;
        return ms;
    };
    core::Snapshot snapshot;
    std::optional<std::string> fingerprint;
    try {
        auto connector = connectors_.create(school.connector);
        connectors::SchoolSource src{school.dfes, school.source, school.complete, school.fields,
                                     school.files};
        std::optional<ReadAhead> ahead;
        if (read && read->dfes == school.dfes) {
            fingerprint = read->fingerprint;  // taken before the read
            ahead = read->result.get();
        } else {
            fingerprint = connector->fingerprint(src);  // before reading, for the same reason
        }
        if (fingerprint) {
            *fingerprint += "|" + configDigest(school);
            // Rewritten files are compared by content: from the read ahead when there is one.
            DigestSource digests = [&]() -> std::optional<std::vector<core::SourceFile>> {
                if (ahead && ahead->digests) {
                    return ahead->digests;
                }
                if (ahead && ahead->snapshot) {
                    return ahead->snapshot->files;
                }
                return connector->digests(src);
            };
            if (replayUnchanged(school, options, *fingerprint, digests, rec)) {
                return rec;
            }
        }
        snapshot = ahead && ahead->snapshot ? std::move(*ahead->snapshot) : connector->read(src);
    } catch (const core::ConnectorError& e) {
        if (!options.dryRun) {
            forget(school.dfes);
        }
        return fail("source_unreadable", e.file().empty() ? school.source : e.file(), e.what());
    } catch (const core::Error& e) {
        if (!options.dryRun) {
            forget(school.dfes);
        }
        return fail("source_unreadable", school.source, e.what());
    }
    rec.files = snapshot.files;
    rec.extractedAt = snapshot.extractedAt;
    const auto readMs = lap();

    try {
        if (!usernamesLoaded_) {
            directory_.loadUsernames(usernames_);
            usernamesLoaded_ = true;
        }
        if (options.dryRun && !dryRunUsernames_) {
            dryRunUsernames_ = usernames_;
        }
        reconcile::UsernameRegistry& registry = options.dryRun ? *dryRunUsernames_ : usernames_;
        reconcile::DirectoryView view = directory_.loadView(school.dfes, snapshot);
        const auto viewMs = lap();
        reconcile::UsernameAllocator allocator(registry, school.policy.usernameMaxLength);
        reconcile::PlanServices services{allocator, passwords_, names_};
        reconcile::PlanInput input{snapshot, view, school.policy, options.asOf, rec.startedAt};
        reconcile::Plan plan = reconcile::makePlan(input, services);
        rec.counts = plan.counts;
        rec.actions = plan.actions;
        rec.warnings = plan.warnings;
        rec.errors = plan.errors;
        rec.planDigest = plan.digest();
        const auto planMs = lap();
        if (options.dryRun) {
            rec.outcome = "planned";
            rec.finishedAt = core::nowIso();
            allocator.commit();  // into the dry-run copy only
        } else if (plan.changesDirectory()) {
            rec.outcome = "applied";
            rec.finishedAt = core::nowIso();
            auto state = stateAfter(school, options, fingerprint, snapshot, plan, rec);
            directory_.apply(plan, rec, box_, state ? &*state : nullptr);
            allocator.commit();
            dryRunUsernames_.reset();  // the next dry run starts from the names now taken
        } else {
            rec.outcome = "no_change";
            rec.finishedAt = core::nowIso();
            auto state = stateAfter(school, options, fingerprint, snapshot, plan, rec);
            directory_.recordRun(rec, state ? &*state : nullptr);
        }
        spdlog::debug("school={} read_ms={} view_ms={} plan_ms={} write_ms={}", school.dfes, readMs,
                      viewMs, planMs, lap());
    } catch (const core::Error& e) {
        if (!options.dryRun) {
            forget(school.dfes);
        }
        return fail("store_error", "", e.what());
    } catch (const std::exception& e) {
        return fail("internal_error", "", e.what());
    }
    spdlog::info("school={} run={} outcome={} actions={} warnings={} rejected={}", school.dfes,
                 rec.id, rec.outcome, rec.actions.size(), rec.warnings.size(), rec.errors.size());
    return rec;
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
                    (s.complete ? (*s.complete ? "1" : "0") : "-") + "\x1f";
    for (const auto& [k, v] : s.fields) {
        d += k + "=" + v + ";";
    }
    d += "\x1f";
    for (const auto& [k, v] : s.files) {
        d += k + "=" + v + ";";
    }
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
    const core::Snapshot& snapshot, const reconcile::Plan& plan, const storage::RunRecord& rec) {
    if (!fp || options.dryRun) {
        return std::nullopt;
    }
    namespace json = boost::json;
    json::array warnings;
    for (const auto& w : plan.warnings) {
        if (w.code == "unknown_member" || w.code == "awaiting_transfer" ||
            w.code == "dual_registration" || w.code == "unknown_group") {
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
    auto next = reconcile::nextDateChange(snapshot, options.asOf, school.policy);
    return storage::SchoolState{school.dfes,
                                *fp,
                                options.asOf.toString(),
                                next ? next->toString() : std::string(),
                                false,
                                json::serialize(storage::filesToJson(rec.files)),
                                json::serialize(echo)};
}

// R12 without the work: when the sources were not rewritten, the configuration is the same,
// no date in the extract has come due, and no other school's run has changed anything this
// school reads, the plan would be empty again. Record the run from what the last one saw.
bool Runner::replayUnchanged(const SchoolConfig& school, const RunOptions& options,
                             const std::string& fingerprint, const DigestSource& digests,
                             storage::RunRecord& rec) {
    auto st = directory_.schoolState(school.dfes);
    const std::string asOf = options.asOf.toString();
    if (!st || st->dirty || asOf < st->asOf ||
        (!st->nextChange.empty() && asOf >= st->nextChange)) {
        return false;
    }
    namespace json = boost::json;
    auto files = storage::filesFromJson(json::parse(st->files));
    const std::string configPart = fingerprint.substr(fingerprint.find('|'));
    const bool sameConfig = st->fingerprint.size() >= configPart.size() &&
                            st->fingerprint.compare(st->fingerprint.size() - configPart.size(),
                                                    configPart.size(), configPart) == 0;
    if (!sameConfig) {
        return false;
    }
    bool rewritten = false;
    if (st->fingerprint != fingerprint) {
        // Rewritten files (a nightly export does that): compare their content.
        auto now = digests();
        if (!now || now->size() != files.size()) {
            return false;
        }
        if (!sameContent(*now, files)) {
            return false;
        }
        rewritten = true;
    }
    json::value echo = json::parse(st->echo);
    rec.files = std::move(files);
    rec.errors = storage::errorsFromJson(echo.at("errors"));
    rec.warnings = storage::warningsFromJson(echo.at("warnings"));
    for (const auto& a : echo.at("actions").as_array()) {
        rec.actions.push_back(storage::actionFromJson(a.as_object()));
    }
    rec.extractedAt = std::string(echo.at("extracted_at").as_string());
    rec.counts["rejected"] = rec.errors.size();
    rec.counts["awaiting_transfer"] = rec.actions.size();
    rec.outcome = options.dryRun ? "planned" : "no_change";
    rec.finishedAt = core::nowIso();
    if (!options.dryRun) {
        if (rewritten) {
            st->fingerprint = fingerprint;  // the same content under a new file time
        }
        directory_.recordRun(rec, rewritten ? &*st : nullptr);
    }
    spdlog::debug("school={} run={} outcome={} (unchanged input, not re-planned)", school.dfes,
                  rec.id, rec.outcome);
    return true;
}

}  // namespace misync::daemon
