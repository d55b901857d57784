// `misync approve RUN` (SPEC §8, S3): an administrator approves a held run. The approval binds
// to that run's plan digest: the school's next run applies if its plan is the same, and is
// judged afresh if the data changed.
#include <boost/json.hpp>

#include "core/errors.h"
#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/context.h"

namespace misync::daemon {

namespace json = boost::json;

namespace {

// Why `run` cannot be approved, or "" when it can.
std::string approvalProblem(storage::Directory& dir, const storage::RunRecord& run) {
    const std::string id = std::to_string(run.id);
    if (run.outcome != "held") {
        return "S3: run " + id + " of " + run.school + " was not held (outcome " + run.outcome +
               "); only a held run can be approved";
    }
    if (auto a = dir.approvalOf(run.id)) {
        return "S3: run " + id + " was already approved by " + a->approvedBy + " at " +
               a->approvedAt;
    }
    for (const auto& later : dir.listRuns(run.school, 1)) {
        if (later.id <= run.id) {
            break;
        }
        if (later.outcome == "applied" || later.outcome == "no_change") {
            return "S3: run " + id + " was superseded by run " + std::to_string(later.id) + " (" +
                   later.outcome + "): there is nothing left to approve";
        }
        if (later.outcome == "held" && later.planDigest != run.planDigest) {
            return "S3: the data of " + run.school + " changed since run " + id + ": run " +
                   std::to_string(later.id) + " is held with another plan; approve run " +
                   std::to_string(later.id) + " instead";
        }
    }
    return {};
}

}  // namespace

int cmdApprove(const GlobalOptions& g, std::int64_t runId, const std::string& actor, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        storage::Directory& dir = ctx.directory();
        int status = kExitOk;
        storage::Approval approval;
        dir.exclusive([&] {
            auto run = dir.getRun(runId);
            if (!run) {
                io.err << "misync: no run " << runId << "\n";
                status = kExitUsage;
                return;
            }
            if (std::string why = approvalProblem(dir, *run); !why.empty()) {
                io.err << "misync: " << why << "\n";
                status = kExitUsage;
                return;
            }
            approval = storage::Approval{run->id,          run->school,    run->planDigest,
                                         actorName(actor), core::nowIso(), std::nullopt};
            dir.approve(approval);
        });
        if (status != kExitOk) {
            return status;
        }
        if (g.json) {
            io.out << json::serialize(json::object{{"run_id", approval.runId},
                                                   {"school", approval.school},
                                                   {"plan_digest", approval.planDigest},
                                                   {"approved_by", approval.approvedBy},
                                                   {"approved_at", approval.approvedAt}})
                   << "\n";
        } else {
            io.out << "Approved held run " << approval.runId << " of " << approval.school
                   << " (plan " << approval.planDigest.substr(0, 12) << "…) as "
                   << approval.approvedBy << ".\nThe next run of " << approval.school
                   << " applies it if its plan is still the same; if the data changed, that run "
                      "is judged afresh.\n";
        }
        return kExitOk;
    });
}

}  // namespace misync::daemon
