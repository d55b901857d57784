// A school's DirectoryView: its accounts, the accounts of other schools its snapshot's persons
// match, claims, groups and memberships (loadView), and what R7's dual registration and R10's
// Digital Champion check add (completeView).
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "storage/sql_directory.h"

namespace misync::storage {

namespace {

// A JSON array of strings, for `IN` SqlDialect::textList: one statement, prepared once, whatever
// the number of keys (issue 8).
void appendJsonString(std::string& out, std::string_view s) {
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += ch;
        }
    }
    out += '"';
}

std::string jsonArray(const std::vector<std::string_view>& keys) {
    std::string out = "[";
    for (const auto& k : keys) {
        if (out.size() > 1) {
            out += ',';
        }
        appendJsonString(out, k);
    }
    return out + "]";
}

std::string jsonArray(const std::set<std::int64_t>& ids) {
    std::string out = "[";
    for (const auto id : ids) {
        if (out.size() > 1) {
            out += ',';
        }
        out += std::to_string(id);
    }
    return out + "]";
}

}  // namespace

reconcile::DirectoryView SqlDirectory::loadView(const std::string& school,
                                                const core::Snapshot& snapshot) {
    static const std::string kAccounts = "SELECT " + accountColumnList() + " FROM accounts ";
    reconcile::DirectoryView view;
    view.school = school;
    {
        Stmt own(statements_, kAccounts + "WHERE school = ?");
        own.text(1, school);
        appendAccounts(own, view.accounts);
    }
    std::set<std::int64_t> own;
    // UPNs the school's own MIS learner accounts carry. A UPN is one learner's across the
    // directory (R1): no other school's account can carry it, so these are not looked up again
    // (issue 8: in a daily run nearly every learner's UPN is one of them).
    std::unordered_set<std::string_view> ownUpns;
    for (const auto& a : view.accounts) {
        own.insert(a.id);
        if (a.role == core::Role::Learner && a.source == reconcile::AccountSource::Mis &&
            a.status != reconcile::AccountStatus::Purged && !a.attrs.upn.empty()) {
            ownUpns.insert(a.attrs.upn);
        }
    }
    // Accounts of other schools that this snapshot's persons match (R1, R7), looked up in the
    // database on every run so that accounts another process created are found too.
    std::set<std::int64_t> foreign;
    {
        std::vector<std::string_view> upns;
        std::vector<std::string_view> nationalIds;
        for (const auto& p : snapshot.persons) {
            if (p.role == core::Role::Learner && !p.upn.empty() && ownUpns.count(p.upn) == 0) {
                upns.push_back(p.upn);
            } else if (p.role == core::Role::Staff && !p.nationalId.empty()) {
                nationalIds.push_back(p.nationalId);
            }
        }
        auto lookUp = [&](const std::vector<std::string_view>& keys, const std::string& sql) {
            if (keys.empty()) {
                return;
            }
            Stmt q(statements_, sql);
            q.text(1, jsonArray(keys)).text(2, school);
            while (q.step()) {
                foreign.insert(q.columnInt(0));
            }
        };
        // The `<> ''` terms let SQLite use the partial indexes on upn and national_id.
        lookUp(upns, "SELECT id FROM accounts WHERE role = 'learner' AND upn <> '' AND upn IN " +
                         dialect_.textList(1) +
                         " AND source = 'mis' AND status <> 'purged' AND school <> ?2");
        lookUp(nationalIds,
               "SELECT id FROM accounts WHERE role = 'staff' AND national_id <> '' AND "
               "national_id IN " +
                   dialect_.textList(1) +
                   " AND source = 'mis' AND status <> 'purged' AND school <> ?2");
    }
    // Accounts this school has claimed (they may have moved on since).
    {
        Stmt claimed(statements_, "SELECT account_id FROM claims WHERE school = ?");
        claimed.text(1, school);
        while (claimed.step()) {
            if (own.count(claimed.columnInt(0)) == 0) {
                foreign.insert(claimed.columnInt(0));
            }
        }
    }
    const std::string foreignIds = foreign.empty() ? std::string() : jsonArray(foreign);
    if (!foreign.empty()) {
        std::map<std::int64_t, std::size_t> foreignPos;
        const std::size_t first = view.accounts.size();
        {
            Stmt st(statements_, kAccounts + "WHERE id IN " + dialect_.idList(1));
            st.text(1, foreignIds);
            appendAccounts(st, view.accounts);
        }
        for (std::size_t i = first; i < view.accounts.size(); ++i) {
            foreignPos[view.accounts[i].id] = i;
        }
        // Their memberships, which a transfer takes away.
        Stmt st(statements_,
                "SELECT m.account_id, g.school, g.code FROM memberships m JOIN groups g ON "
                "g.id = m.group_id WHERE m.account_id IN " +
                    dialect_.idList(1));
        st.text(1, foreignIds);
        while (st.step()) {
            if (auto p = foreignPos.find(st.columnInt(0)); p != foreignPos.end()) {
                view.accounts[p->second].memberOf.push_back({st.columnText(1), st.columnText(2)});
            }
        }
    }
    // Claims on every account in the view, and every claim this school made.
    std::set<std::pair<std::int64_t, std::string>> seen;
    auto readClaims = [&](Stmt& st) {
        while (st.step()) {
            reconcile::Claim c;
            c.accountId = st.columnInt(0);
            c.school = st.columnText(1);
            if (!seen.insert({c.accountId, c.school}).second) {
                continue;
            }
            c.role = core::parseRole(st.columnText(2)).value_or(core::Role::Learner);
            decodeClaim(st.columnText(3), st.columnText(4), c);
            c.claimedAt = st.columnText(5);
            view.claims.push_back(std::move(c));
        }
    };
    {
        Stmt st(statements_,
                "SELECT account_id, school, role, attrs, group_codes, claimed_at FROM claims "
                "WHERE school = ?");
        st.text(1, school);
        readClaims(st);
    }
    {
        // Claims on the school's accounts: one probe of the claims' key per account, read off
        // the school index (issue 8: `OR account_id IN (SELECT …)` built a temporary index of
        // the school's account ids first, about 1 M instructions a school).
        Stmt st(statements_,
                "SELECT c.account_id, c.school, c.role, c.attrs, c.group_codes, c.claimed_at "
                "FROM accounts a JOIN claims c ON c.account_id = a.id WHERE a.school = ?");
        st.text(1, school);
        readClaims(st);
    }
    if (!foreign.empty()) {
        Stmt st(statements_,
                "SELECT account_id, school, role, attrs, group_codes, claimed_at FROM claims "
                "WHERE account_id IN " +
                    dialect_.idList(1));
        st.text(1, foreignIds);
        readClaims(st);
    }
    // The school's groups, then their members, both in the order of the (school, code) index,
    // so that SQLite needs no sort (ordering by id made it sort every membership of the school).
    // Two statements rather than one join: a membership row is then two integers, not the
    // group's text columns again (issue 8).
    {
        Stmt groups(statements_,
                    "SELECT id, code, type, subject, year_group, archived FROM groups "
                    "WHERE school = ? ORDER BY school, code");
        groups.text(1, school);
        while (groups.step()) {
            reconcile::GroupState& g = view.groups.emplace_back();
            g.id = groups.columnInt(0);
            g.school = school;
            g.code = groups.columnView(1);
            g.type = core::parseGroupType(groups.columnView(2)).value_or(core::GroupType::Class);
            g.subject = groups.columnView(3);
            g.yearGroup = groups.columnView(4);
            g.archived = groups.columnInt(5) != 0;
        }
    }
    if (!view.groups.empty()) {
        Stmt members(statements_,
                     "SELECT m.group_id, m.account_id FROM groups g JOIN memberships m ON "
                     "m.group_id = g.id WHERE g.school = ? ORDER BY g.school, g.code, "
                     "m.account_id");
        members.text(1, school);
        std::size_t at = 0;  // rows arrive group by group, in the groups' order
        std::unordered_map<std::int64_t, std::size_t> position;
        while (members.step()) {
            const std::int64_t gid = members.columnInt(0);
            if (view.groups[at].id != gid) {
                if (at + 1 < view.groups.size() && view.groups[at + 1].id == gid) {
                    ++at;
                } else {  // not the next group (a group without members is skipped)
                    if (position.empty()) {
                        for (std::size_t i = 0; i < view.groups.size(); ++i) {
                            position.emplace(view.groups[i].id, i);
                        }
                    }
                    auto it = position.find(gid);
                    if (it == position.end()) {
                        continue;  // a group created since the first statement (not in a run)
                    }
                    at = it->second;
                }
            }
            view.groups[at].members.push_back(members.columnInt(1));
        }
    }
    completeView(view);
    return view;
}

void SqlDirectory::completeView(reconcile::DirectoryView& view) {
    // R7: the school's own accounts that another school claims carry their memberships, so
    // that a hand-over keeps a guest's memberships instead of adding them again.
    std::map<std::int64_t, reconcile::Account*> claimed;
    for (const auto& c : view.claims) {
        if (c.school == view.school) {
            continue;
        }
        for (auto& a : view.accounts) {
            if (a.id == c.accountId && a.school == view.school && a.memberOf.empty()) {
                claimed[a.id] = &a;
            }
        }
    }
    if (!claimed.empty()) {
        Stmt q(statements_,
               "SELECT g.school, g.code FROM memberships m JOIN groups g ON g.id = "
               "m.group_id WHERE m.account_id = ? ORDER BY g.school, g.code");
        for (auto& [id, a] : claimed) {
            q.integer(1, id);
            while (q.step()) {
                a->memberOf.push_back({q.columnText(0), q.columnText(1)});
            }
            q.reset();
        }
    }
    // R10: active Digital Champions of this school and of every school owning a Champion in
    // the view (a staff transfer may take one away).
    std::set<std::string> schools{view.school};
    for (const auto& a : view.accounts) {
        if (a.digitalChampion) {
            schools.insert(a.school);
        }
    }
    Stmt count(statements_,
               "SELECT count(*) FROM accounts WHERE school = ? AND digital_champion = 1 "
               "AND status = 'active'");
    for (const auto& s : schools) {
        count.text(1, s);
        if (count.step()) {
            view.activeChampions[s] = static_cast<int>(count.columnInt(0));
        }
        count.reset();
    }
}

}  // namespace misync::storage
