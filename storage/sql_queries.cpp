#include <map>

#include "storage/sql_directory.h"

namespace misync::storage {

namespace json = boost::json;

std::vector<AccountRow> SqlDirectory::listAccounts(const AccountFilter& f) {
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
            " AND (lower(legal_forename) LIKE ?1s OR lower(legal_surname) LIKE ?1s OR "
            "lower(preferred_forename) LIKE ?1s OR lower(preferred_surname) LIKE ?1s OR "
            "lower(display_name) LIKE ?1s OR lower(username) LIKE ?1s OR lower(upn) LIKE ?1s OR "
            "lower(legal_forename || ' ' || legal_surname) LIKE ?1s)";
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
            where.replace(pos, 3, "lower(?) ESCAPE '\\'");
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
        Stmt q(statements_,
               "SELECT account_id, name FROM usernames WHERE is_alias = 1 ORDER BY name");
        while (q.step()) {
            if (auto it = pos.find(q.columnInt(0)); it != pos.end()) {
                rows[it->second].account.aliases.push_back(q.columnText(1));
            }
        }
    }
    return rows;
}

std::optional<AccountRow> SqlDirectory::findAccount(const std::string& username) {
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
    Stmt q(statements_,
           "SELECT name FROM usernames WHERE account_id = ? AND is_alias = 1 ORDER BY name");
    q.integer(1, row.account.id);
    while (q.step()) {
        row.account.aliases.push_back(q.columnText(0));
    }
    return row;
}

std::vector<GroupRow> SqlDirectory::listGroups(const std::string& school, const std::string& type,
                                               bool includeArchived) {
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
    Stmt st(statements_,
            "SELECT g.id, g.school, g.code, g.type, g.subject, g.year_group, g.archived, "
            "a.username FROM groups g LEFT JOIN memberships m ON m.group_id = g.id LEFT JOIN "
            "accounts a ON a.id = m.account_id " +
                where + " ORDER BY g.school, g.code, a.username");
    int i = 1;
    for (const auto& p : params) {
        st.text(i++, p);
    }
    std::vector<GroupRow> out;
    while (st.step()) {
        const std::int64_t id = st.columnInt(0);
        if (out.empty() || out.back().group.id != id) {
            GroupRow g;
            g.group.id = id;
            g.group.school = st.columnText(1);
            g.group.code = st.columnText(2);
            g.group.type = core::parseGroupType(st.columnView(3)).value_or(core::GroupType::Class);
            g.group.subject = st.columnText(4);
            g.group.yearGroup = st.columnText(5);
            g.group.archived = st.columnInt(6) != 0;
            out.push_back(std::move(g));
        }
        if (!st.columnIsNull(7)) {
            out.back().members.push_back(st.columnText(7));
        }
    }
    return out;
}

}  // namespace misync::storage
