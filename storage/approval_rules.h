// S3: what may be approved, and the approval itself, shared by `misync approve RUN` (daemon/) and
// POST /api/v1/runs/{id}/approve (status/). Only a held run can be approved, once, and only while
// it is still the school's pending question: a later applied or no_change run supersedes it, and
// a later held run with another plan means the data changed (approve that one instead).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "storage/directory.h"

namespace misync::storage {

// Why `run` cannot be approved (a message naming S3), or "" when it can.
std::string approvalProblem(Directory& dir, const RunRecord& run);

struct ApproveResult {
    enum class Status {
        Approved,  // `approval` was recorded
        NoSuchRun,
        Hidden,   // the run exists but `visible` said no; nothing was recorded
        Refused,  // `problem` says why (approvalProblem)
    };
    Status status = Status::NoSuchRun;
    Approval approval;  // Approved: what was recorded
    std::string problem;
};

// In one write transaction (Directory::exclusive): reads run `runId`; unless `visible` (when
// given) refuses to let the caller see it, or approvalProblem() finds a reason, records an
// approval of it by `actor` at `at` (ISO-8601 UTC), bound to its plan digest.
ApproveResult approveHeldRun(Directory& dir, std::int64_t runId, const std::string& actor,
                             const std::string& at,
                             const std::function<bool(const RunRecord&)>& visible = nullptr);

}  // namespace misync::storage
