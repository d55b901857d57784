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

}  // namespace misync::storage
