#include <Poco/Data/RecordSet.h>

#include <map>

#include "storage/sqlite_directory.h"

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace misync::storage {

namespace json = boost::json;

std::vector<AccountRow> SqliteDirectory::listAccounts(const AccountFilter& f) {
    std::string where = "WHERE 1 = 1";
    std::vector<std::string> params;
    auto eq = [&](const char* col, const std::string& v) {
        if (!v.empty()) {
            where += std::string(" AND ") + col + " = ?";
            params.push_back(v);
        }
    };
    eq("school", f.school);
    eq("role", f.role);
    eq("status", f.status);
    eq("year_group", f.yearGroup);
    eq("reg_group", f.regGroup);
    if (f.consent) {
        where += *f.consent ? " AND consent = 1" : " AND consent = 0";
    }
    if (!f.createdSince.empty()) {
        where += " AND substr(created_at, 1, 10) >= ?";
        params.push_back(f.createdSince);
    }
    if (!f.search.empty()) {
        where +=
            " AND (legal_forename LIKE ?1s OR legal_surname LIKE ?1s OR preferred_forename LIKE "
            "?1s OR preferred_surname LIKE ?1s OR display_name LIKE ?1s OR username LIKE ?1s OR "
            "upn LIKE ?1s OR (legal_forename || ' ' || legal_surname) LIKE ?1s)";
        std::string like = "%";
        for (char c : f.search) {
            if (c == '%' || c == '_' || c == '\\') {
                like += '\\';
            }
            like += c;
        }
        like += "%";
        // One placeholder per use keeps the binding simple across dialects.
        for (int i = 0; i < 8; ++i) {
            params.push_back(like);
        }
        std::size_t pos = 0;
        while ((pos = where.find("?1s", pos)) != std::string::npos) {
            where.replace(pos, 3, "? ESCAPE '\\'");
            pos += 1;
        }
    }
    auto rows = selectAccounts(
        where + " ORDER BY school, role, legal_surname, legal_forename, username", params);
    // Aliases for the listed accounts.
    std::map<std::int64_t, std::size_t> pos;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        pos[rows[i].account.id] = i;
    }
    if (!rows.empty()) {
        std::vector<Poco::Int64> ids;
        std::vector<std::string> names;
        session_ << "SELECT account_id, name FROM usernames WHERE is_alias = 1 ORDER BY name",
            into(ids), into(names), now;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (auto it = pos.find(ids[i]); it != pos.end()) {
                rows[it->second].account.aliases.push_back(names[i]);
            }
        }
    }
    return rows;
}

std::optional<AccountRow> SqliteDirectory::findAccount(const std::string& username) {
    std::string name = username;
    for (char& c : name) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    // A username or any alias finds the account (mail to an alias still arrives, R4).
    auto rows =
        selectAccounts("WHERE id IN (SELECT account_id FROM usernames WHERE name = ?)", {name});
    if (rows.empty()) {
        return std::nullopt;
    }
    AccountRow row = std::move(rows.front());
    std::vector<std::string> aliases;
    Poco::Int64 id = row.account.id;
    session_ << "SELECT name FROM usernames WHERE account_id = ? AND is_alias = 1 ORDER BY name",
        use(id), into(aliases), now;
    row.account.aliases = aliases;
    return row;
}

std::vector<GroupRow> SqliteDirectory::listGroups(const std::string& school,
                                                  const std::string& type, bool includeArchived) {
    std::string where = "WHERE 1 = 1";
    std::vector<std::string> params;
    if (!school.empty()) {
        where += " AND g.school = ?";
        params.push_back(school);
    }
    if (!type.empty()) {
        where += " AND g.type = ?";
        params.push_back(type);
    }
    if (!includeArchived) {
        where += " AND g.archived = 0";
    }
    Statement st(session_);
    st << "SELECT g.id, g.school, g.code, g.type, g.subject, g.year_group, g.archived, "
          "a.username FROM groups g LEFT JOIN memberships m ON m.group_id = g.id LEFT JOIN "
          "accounts a ON a.id = m.account_id " +
              where + " ORDER BY g.school, g.code, a.username";
    for (auto& p : params) {
        st.addBind(use(p));
    }
    st.execute();
    RecordSet rs(st);
    std::vector<GroupRow> out;
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
        auto id = rs[0].convert<Poco::Int64>();
        if (out.empty() || out.back().group.id != id) {
            GroupRow g;
            g.group.id = id;
            g.group.school = rs[1].convert<std::string>();
            g.group.code = rs[2].convert<std::string>();
            g.group.type =
                core::parseGroupType(rs[3].convert<std::string>()).value_or(core::GroupType::Class);
            g.group.subject = rs[4].convert<std::string>();
            g.group.yearGroup = rs[5].convert<std::string>();
            g.group.archived = rs[6].convert<int>() != 0;
            out.push_back(std::move(g));
        }
        if (!rs[7].isEmpty()) {
            out.back().members.push_back(rs[7].convert<std::string>());
        }
    }
    return out;
}

namespace {

RunRecord runFromRow(RecordSet& rs) {
    RunRecord r;
    r.id = rs[0].convert<Poco::Int64>();
    r.school = rs[1].convert<std::string>();
    r.trigger = rs[2].convert<std::string>();
    r.connector = rs[3].convert<std::string>();
    r.asOf = rs[4].convert<std::string>();
    r.startedAt = rs[5].convert<std::string>();
    r.finishedAt = rs[6].convert<std::string>();
    r.outcome = rs[7].convert<std::string>();
    r.files = filesFromJson(json::parse(rs[8].convert<std::string>()));
    r.counts = countsFromJson(json::parse(rs[9].convert<std::string>()));
    r.warnings = warningsFromJson(json::parse(rs[10].convert<std::string>()));
    r.errors = errorsFromJson(json::parse(rs[11].convert<std::string>()));
    r.planDigest = rs[12].convert<std::string>();
    r.extractedAt = rs[13].convert<std::string>();
    if (!rs[14].isEmpty()) {
        r.approvedRun = rs[14].convert<Poco::Int64>();
    }
    return r;
}

constexpr const char* kRunColumns =
    "SELECT id, school, trigger, connector, as_of, started_at, finished_at, outcome, files, "
    "counts, warnings, errors, plan_digest, extracted_at, approved_run FROM runs ";

}  // namespace

std::vector<RunRecord> SqliteDirectory::listRuns(const std::string& school, int limit,
                                                 std::int64_t beforeId) {
    std::string s = school;
    int lim = limit > 0 ? limit : 20;
    Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
    Statement st(session_);
    st << std::string(kRunColumns) + "WHERE school = ? AND id < ? ORDER BY id DESC LIMIT ?", use(s),
        use(before), use(lim);
    st.execute();
    RecordSet rs(st);
    std::vector<RunRecord> out;
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
        out.push_back(runFromRow(rs));
    }
    return out;
}

std::optional<RunRecord> SqliteDirectory::getRun(std::int64_t id) {
    Poco::Int64 rid = id;
    Statement st(session_);
    st << std::string(kRunColumns) + "WHERE id = ?", use(rid);
    st.execute();
    RecordSet rs(st);
    if (!rs.moveFirst()) {
        return std::nullopt;
    }
    RunRecord r = runFromRow(rs);
    std::vector<std::string> bodies;
    session_ << "SELECT body FROM run_actions WHERE run_id = ? ORDER BY seq", use(rid),
        into(bodies), now;
    for (const auto& b : bodies) {
        r.actions.push_back(actionFromJson(json::parse(b).as_object()));
    }
    return r;
}

}  // namespace misync::storage
