// The change log on SQLite (SPEC §9.2): rows are appended inside the transaction of the change
// (R14), so seq — the rowid, SQLite having one writer at a time — is the commit order.
#include "storage/sqlite_directory.h"
#include "storage/sqlite_stmt.h"

namespace misync::storage {

void SqliteDirectory::writeChanges(const std::vector<reconcile::ChangeEvent>& events,
                                   std::optional<std::int64_t> runId, const std::string& actor,
                                   const std::string& at) {
    if (events.empty()) {
        return;
    }
    SqliteStmt ins(db(),
                   "INSERT INTO changes (at, school, from_school, run_id, actor, kind, username, "
                   "role, group_code, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& e : events) {
        ins.text(1, at).text(2, e.school).text(3, e.fromSchool);
        if (runId) {
            ins.integer(4, *runId);
        } else {
            ins.null(4);
        }
        ins.text(5, actor)
            .text(6, e.kind)
            .text(7, e.username)
            .text(8, e.role ? core::toString(*e.role) : "")
            .text(9, e.group)
            .text(10, encodeChangeFields(e.fields))
            .exec();
    }
}

std::vector<ChangeRow> SqliteDirectory::changesSince(std::int64_t since, int limit,
                                                     const std::string& school) {
    std::string sql =
        "SELECT seq, at, school, from_school, run_id, actor, kind, username, role, group_code, "
        "fields FROM changes WHERE seq > ?";
    if (!school.empty()) {
        sql += " AND (school = ?3 OR from_school = ?3)";
    }
    sql += " ORDER BY seq LIMIT ?2";
    SqliteStmt q(db(), sql);
    q.integer(1, since).integer(2, limit > 0 ? limit : 1000);
    if (!school.empty()) {
        q.text(3, school);
    }
    std::vector<ChangeRow> out;
    while (q.step()) {
        ChangeRow r;
        r.seq = q.columnInt(0);
        r.at = q.columnText(1);
        r.event.school = q.columnText(2);
        r.event.fromSchool = q.columnText(3);
        if (!q.columnIsNull(4)) {
            r.runId = q.columnInt(4);
        }
        r.actor = q.columnText(5);
        r.event.kind = q.columnText(6);
        r.event.username = q.columnText(7);
        if (auto role = core::parseRole(q.columnText(8))) {
            r.event.role = *role;
        }
        r.event.group = q.columnText(9);
        r.event.fields = decodeChangeFields(q.columnText(10));
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace misync::storage
