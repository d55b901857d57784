// S3 approvals on SQLite (schema 3, table approvals).
#include "storage/sql_directory.h"

namespace misync::storage {

namespace {

constexpr const char* kApprovalColumns =
    "SELECT run_id, school, plan_digest, approved_by, approved_at, spent_by_run FROM approvals ";

Approval readApproval(const Stmt& q) {
    Approval a;
    a.runId = q.columnInt(0);
    a.school = q.columnText(1);
    a.planDigest = q.columnText(2);
    a.approvedBy = q.columnText(3);
    a.approvedAt = q.columnText(4);
    if (!q.columnIsNull(5)) {
        a.spentByRun = q.columnInt(5);
    }
    return a;
}

}  // namespace

void SqlDirectory::approve(const Approval& a) {
    inTransaction([&] {
        Stmt ins(statements_,
                 "INSERT INTO approvals (run_id, school, plan_digest, approved_by, "
                 "approved_at) VALUES (?, ?, ?, ?, ?)");
        ins.integer(1, a.runId)
            .text(2, a.school)
            .text(3, a.planDigest)
            .text(4, a.approvedBy)
            .text(5, a.approvedAt)
            .exec();
    });
}

std::optional<Approval> SqlDirectory::approvalOf(std::int64_t runId) {
    Stmt q(statements_, std::string(kApprovalColumns) + "WHERE run_id = ?");
    q.integer(1, runId);
    if (!q.step()) {
        return std::nullopt;
    }
    return readApproval(q);
}

std::optional<Approval> SqlDirectory::pendingApproval(const std::string& school) {
    Stmt q(statements_,
           std::string(kApprovalColumns) +
               "WHERE school = ? AND spent_by_run IS NULL ORDER BY run_id DESC LIMIT 1");
    q.text(1, school);
    if (!q.step()) {
        return std::nullopt;
    }
    return readApproval(q);
}

}  // namespace misync::storage
