#include "daemon/runner.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/errors.h"
#include "reconcile/planner.h"

namespace misync::daemon {

Runner::Runner(storage::Directory& directory, const connectors::ConnectorRegistry& connectors,
               const storage::SecretBox& box, reconcile::PasswordGenerator& passwords)
    : directory_(directory), connectors_(connectors), box_(box), passwords_(passwords) {}

storage::RunRecord Runner::run(const SchoolConfig& school, const RunOptions& options) {
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
    try {
        auto connector = connectors_.create(school.connector);
        connectors::SchoolSource src{school.dfes, school.source, school.complete, school.fields,
                                     school.files};
        snapshot = connector->read(src);
    } catch (const core::Error& e) {
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
            directory_.apply(plan, rec, box_);
            allocator.commit();
            dryRunUsernames_.reset();  // the next dry run starts from the names now taken
        } else {
            rec.outcome = "no_change";
            rec.finishedAt = core::nowIso();
            directory_.recordRun(rec);
        }
        spdlog::debug("school={} read_ms={} view_ms={} plan_ms={} write_ms={}", school.dfes, readMs,
                      viewMs, planMs, lap());
    } catch (const core::Error& e) {
        return fail("store_error", "", e.what());
    } catch (const std::exception& e) {
        return fail("internal_error", "", e.what());
    }
    spdlog::info("school={} run={} outcome={} actions={} warnings={} rejected={}", school.dfes,
                 rec.id, rec.outcome, rec.actions.size(), rec.warnings.size(), rec.errors.size());
    return rec;
}

}  // namespace misync::daemon
