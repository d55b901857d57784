// The change log on SQLite (SPEC §9.2): rows are appended inside the transaction of the change
// (R14), so seq — the rowid, SQLite having one writer at a time — is the commit order. Schema 4
// keeps a run's consecutive membership changes of one group in one row (issue 8: three million
// rows on a national initial load); the feed expands them, one CHANGE and one seq per member.
#include <stdexcept>

#include "core/errors.h"
#include "storage/sql_directory.h"

namespace misync::storage {

namespace {

// Schema 4: consecutive membership changes of one run to one group share a row (at most this
// many members a row, so that a feed page never expands one huge row).
constexpr std::size_t kMembersPerRow = 500;

bool compactable(const reconcile::ChangeEvent& e) {
    return (e.kind == "membership.added" || e.kind == "membership.removed") &&
           e.fromSchool.empty() && e.fields.empty() && e.role &&
           e.username.find('\n') == std::string::npos;
}

bool sameRow(const reconcile::ChangeEvent& a, const reconcile::ChangeEvent& b) {
    return a.kind == b.kind && a.school == b.school && a.group == b.group;
}

// Splits `text` at newlines.
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t from = 0;
    for (;;) {
        const std::size_t nl = text.find('\n', from);
        out.push_back(text.substr(from, nl == std::string::npos ? std::string::npos : nl - from));
        if (nl == std::string::npos) {
            return out;
        }
        from = nl + 1;
    }
}

}  // namespace

void SqlDirectory::writeChanges(const std::vector<reconcile::ChangeEvent>& events,
                                std::optional<std::int64_t> runId, const std::string& actor,
                                const std::string& at,
                                const std::vector<std::string>* encodedFields) {
    if (encodedFields != nullptr && encodedFields->size() != events.size()) {
        throw std::logic_error("writeChanges: encoded fields do not match the events");
    }
    if (events.empty()) {
        return;
    }
    std::int64_t seq = 0;
    {
        Stmt last(statements_, "SELECT coalesce(max(seq), 0) FROM changes");
        last.step();
        seq = last.columnInt(0);
    }
    Stmt ins(statements_,
             "INSERT INTO changes (seq, at, school, from_school, run_id, actor, kind, "
             "username, role, group_code, fields, members) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    std::string usernames;
    std::string roles;
    for (std::size_t i = 0; i < events.size();) {
        const auto& e = events[i];
        std::size_t n = 1;
        if (compactable(e)) {
            while (i + n < events.size() && n < kMembersPerRow && compactable(events[i + n]) &&
                   sameRow(e, events[i + n])) {
                ++n;
            }
        }
        // One role for all the row's members, or one per line when they differ.
        const std::string firstRole = e.role ? core::toString(*e.role) : "";
        usernames = e.username;
        roles = firstRole;
        bool oneRole = true;
        for (std::size_t k = 1; k < n; ++k) {
            const auto& m = events[i + k];
            usernames += '\n';
            usernames += m.username;
            roles += '\n';
            roles += core::toString(*m.role);
            oneRole = oneRole && m.role == e.role;
        }
        if (oneRole) {
            roles = firstRole;
        }
        seq += static_cast<std::int64_t>(n);
        ins.integer(1, seq).text(2, at).text(3, e.school).text(4, e.fromSchool);
        if (runId) {
            ins.integer(5, *runId);
        } else {
            ins.null(5);
        }
        ins.text(6, actor)
            .text(7, e.kind)
            .text(8, usernames)
            .text(9, roles)
            .text(10, e.group)
            .text(11, encodedFields != nullptr ? (*encodedFields)[i] : encodeChangeFields(e.fields))
            .integer(12, static_cast<std::int64_t>(n))
            .exec();
        i += n;
    }
}

std::vector<ChangeRow> SqlDirectory::changesSince(std::int64_t since, int limit,
                                                  const std::string& school) {
    // A row holds the changes seq - members + 1 … seq: every row with a change after `since`
    // has seq > since, and only the first of them can also hold changes up to `since`.
    std::string sql =
        "SELECT seq, at, school, from_school, run_id, actor, kind, username, role, group_code, "
        "fields, members FROM changes WHERE seq > ?1";
    if (!school.empty()) {
        sql += " AND (school = ?2 OR from_school = ?2)";
    }
    sql += " ORDER BY seq";
    Stmt q(statements_, sql);
    q.integer(1, since);
    if (!school.empty()) {
        q.text(2, school);
    }
    const std::size_t want = limit > 0 ? static_cast<std::size_t>(limit) : 1000;
    std::vector<ChangeRow> out;
    while (out.size() < want && q.step()) {
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
        r.event.group = q.columnText(9);
        r.event.fields = decodeChangeFields(q.columnText(10));
        const std::int64_t members = q.columnInt(11);
        if (members <= 1) {
            r.event.username = q.columnText(7);
            if (auto role = core::parseRole(q.columnText(8))) {
                r.event.role = *role;
            }
            out.push_back(std::move(r));
            continue;
        }
        const auto names = lines(q.columnText(7));
        const auto roles = lines(q.columnText(8));
        if (names.size() != static_cast<std::size_t>(members) ||
            (roles.size() != 1 && roles.size() != names.size())) {
            throw core::StoreError(where_ + ": change log row " + std::to_string(r.seq) +
                                   " lists " + std::to_string(names.size()) + " members, not " +
                                   std::to_string(members));
        }
        const std::int64_t first = r.seq - members + 1;
        for (std::size_t k = 0; k < names.size() && out.size() < want; ++k) {
            if (first + static_cast<std::int64_t>(k) <= since) {
                continue;
            }
            ChangeRow c = r;
            c.seq = first + static_cast<std::int64_t>(k);
            c.event.username = names[k];
            if (auto role = core::parseRole(roles[roles.size() == 1 ? 0 : k])) {
                c.event.role = *role;
            }
            out.push_back(std::move(c));
        }
    }
    return out;
}

}  // namespace misync::storage
