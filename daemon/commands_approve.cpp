// `misync approve RUN` (SPEC §8, S3): an administrator approves a held run. The approval binds
// to that run's plan digest: the school's next run applies if its plan is the same, and is
// judged afresh if the data changed.
#include <boost/json.hpp>

#include "core/errors.h"
#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/context.h"
#include "storage/approval_rules.h"

namespace misync::daemon {

namespace json = boost::json;

int cmdApprove(const GlobalOptions& g, std::int64_t runId, const std::string& actor, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        const storage::ApproveResult result =
            storage::approveHeldRun(ctx.directory(), runId, actorName(actor), core::nowIso());
        if (result.status != storage::ApproveResult::Status::Approved) {
            if (result.status == storage::ApproveResult::Status::Refused) {
                io.err << "misync: " << result.problem << "\n";
            } else {
                io.err << "misync: no run " << runId << "\n";
            }
            return kExitUsage;
        }
        const storage::Approval& approval = result.approval;
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
