#include "storage/approval_rules.h"

namespace misync::storage {

std::string approvalProblem(Directory& dir, const RunRecord& run) {
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

ApproveResult approveHeldRun(Directory& dir, std::int64_t runId, const std::string& actor,
                             const std::string& at,
                             const std::function<bool(const RunRecord&)>& visible) {
    ApproveResult result;
    dir.exclusive([&] {
        // The run without its actions: a held run may have thousands, and none are needed here.
        auto page = dir.getRunPage(runId, 0, 0);
        if (!page) {
            result.status = ApproveResult::Status::NoSuchRun;
            return;
        }
        const RunRecord& run = page->run;
        if (visible && !visible(run)) {
            result.status = ApproveResult::Status::Hidden;
            return;
        }
        if (std::string why = approvalProblem(dir, run); !why.empty()) {
            result.status = ApproveResult::Status::Refused;
            result.problem = std::move(why);
            return;
        }
        result.approval = Approval{run.id, run.school, run.planDigest, actor, at, std::nullopt};
        dir.approve(result.approval);
        result.status = ApproveResult::Status::Approved;
    });
    return result;
}

}  // namespace misync::storage
