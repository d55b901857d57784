// An in-memory directory that behaves as the SQLite store does for the planner: loadView()
// builds a school's DirectoryView as storage/sqlite_directory.cpp loadView does, and apply()
// writes a Plan as storage/sqlite_apply.cpp does. With it: a summary of a directory compared
// modulo what R13 allows, and the invariants every run must keep. Used by the R13 test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "reconcile/admin.h"
#include "reconcile/planner.h"

namespace misync::reconcile::testing {

struct SimGroup {
    GroupState state;  // members unused: see `members`
    std::set<std::int64_t> members;
};

class DirectorySim {
  public:
    std::map<std::int64_t, Account> accounts;       // memberOf always empty here
    std::map<std::int64_t, std::string> passwords;  // the last password set (P3)
    std::map<std::int64_t, int> passwordSets;       // how many times one was set
    std::set<std::string> usernameTable;            // the store's usernames table (U3)
    std::map<std::pair<std::int64_t, std::string>, Claim> claims;    // (account, claimant)
    std::map<std::pair<std::string, std::string>, SimGroup> groups;  // (school, code)
    UsernameRegistry registry;  // the runner's process-wide registry
    std::int64_t nextAccountId = 1;
    std::int64_t nextGroupId = 1;
    int skippedMemberships = 0;  // membership changes naming a group that does not exist

    // As SqliteDirectory::loadView: the school's own accounts; accounts of other schools whose
    // UPN (learners) or national id (others) a snapshot person has, and accounts the school has
    // claimed, with their memberships in memberOf (own accounts that another school claims have
    // theirs too); claims by the school and on every account in the view; the school's groups
    // with their members. The store promises no row order, so
    // `shuffle` (when given) mixes the rows up.
    DirectoryView loadView(const std::string& school, const core::Snapshot& snapshot,
                           std::mt19937* shuffle = nullptr) const {
        DirectoryView v;
        v.school = school;
        std::set<std::int64_t> own;
        std::map<std::string, std::int64_t> upnIndex;
        std::map<std::string, std::int64_t> nationalIndex;
        for (const auto& [id, a] : accounts) {
            if (a.school == school) {
                v.accounts.push_back(a);
                own.insert(id);
            }
            if (a.source != AccountSource::Mis || a.status == AccountStatus::Purged) {
                continue;
            }
            if (a.role == core::Role::Learner && !a.attrs.upn.empty()) {
                upnIndex[a.attrs.upn] = id;
            }
            if (a.role == core::Role::Staff && !a.attrs.nationalId.empty()) {
                nationalIndex[a.attrs.nationalId] = id;
            }
        }
        std::set<std::int64_t> foreign;
        for (const auto& p : snapshot.persons) {
            const auto& index = p.role == core::Role::Learner ? upnIndex : nationalIndex;
            const std::string& key = p.role == core::Role::Learner ? p.upn : p.nationalId;
            if (key.empty()) {
                continue;
            }
            if (auto it = index.find(key); it != index.end() && own.count(it->second) == 0) {
                foreign.insert(it->second);
            }
        }
        for (const auto& [key, c] : claims) {
            if (c.school == school && own.count(c.accountId) == 0) {
                foreign.insert(c.accountId);
            }
        }
        auto memberOf = [this](std::int64_t id) {
            std::vector<GroupRef> out;
            for (const auto& [gk, g] : groups) {
                if (g.members.count(id) != 0) {
                    out.push_back({gk.first, gk.second});
                }
            }
            return out;
        };
        for (auto id : foreign) {
            Account a = accounts.at(id);
            a.memberOf = memberOf(id);
            v.accounts.push_back(std::move(a));
        }
        // The school's own accounts that another school claims carry their memberships too.
        for (auto& a : v.accounts) {
            if (own.count(a.id) == 0) {
                continue;
            }
            for (const auto& [key, c] : claims) {
                if (c.accountId == a.id && c.school != school) {
                    a.memberOf = memberOf(a.id);
                    break;
                }
            }
        }
        for (const auto& [key, c] : claims) {
            if (c.school == school || own.count(c.accountId) != 0 ||
                foreign.count(c.accountId) != 0) {
                v.claims.push_back(c);
            }
        }
        for (const auto& [gk, g] : groups) {
            if (gk.first == school) {
                GroupState s = g.state;
                s.members.assign(g.members.begin(), g.members.end());
                v.groups.push_back(std::move(s));
            }
        }
        if (shuffle != nullptr) {
            std::shuffle(v.accounts.begin(), v.accounts.end(), *shuffle);
            std::shuffle(v.claims.begin(), v.claims.end(), *shuffle);
            std::shuffle(v.groups.begin(), v.groups.end(), *shuffle);
            for (auto& g : v.groups) {
                std::shuffle(g.members.begin(), g.members.end(), *shuffle);
            }
        }
        return v;
    }

    // As SqliteDirectory::apply: accounts upserted (id 0 → the next id; created_at kept on
    // update; the sealed password kept when none is given), new names reserved, groups
    // inserted or updated, memberships added or removed by (school, code) — a missing group is
    // skipped —, claims inserted, replaced or deleted.
    void apply(const Plan& plan) {
        std::vector<std::int64_t> ids;
        for (const auto& w : plan.accounts) {
            Account a = w.account;
            a.memberOf.clear();
            if (a.id == 0) {
                a.id = nextAccountId++;
            } else {
                auto it = accounts.find(a.id);
                if (it == accounts.end()) {
                    ADD_FAILURE() << "plan updates unknown account " << a.id;
                    continue;
                }
                a.createdAt = it->second.createdAt;
            }
            for (const auto& [id, other] : accounts) {
                if (id != a.id && other.username == a.username) {
                    ADD_FAILURE() << "username " << a.username << " given twice (UNIQUE)";
                }
            }
            if (w.newPassword) {
                passwords[a.id] = *w.newPassword;
                ++passwordSets[a.id];
            }
            if (w.clearPassword) {
                passwords.erase(a.id);  // R5 purge
            }
            a.passwordAvailable = passwords.count(a.id) != 0;
            for (const auto& n : w.newNames) {
                if (!usernameTable.insert(n).second) {
                    ADD_FAILURE() << "username " << n << " reserved twice (PRIMARY KEY)";
                }
            }
            ids.push_back(a.id);
            accounts[a.id] = std::move(a);
        }
        for (const auto& gw : plan.groups) {
            const GroupState& g = gw.group;
            if (g.id == 0) {
                auto [it, inserted] = groups.try_emplace({g.school, g.code});
                if (!inserted) {
                    ADD_FAILURE() << "group " << g.school << "/" << g.code << " inserted twice";
                    continue;
                }
                it->second.state = g;
                it->second.state.id = nextGroupId++;
                it->second.state.members.clear();
                continue;
            }
            bool found = false;
            for (auto& [gk, sg] : groups) {
                if (sg.state.id == g.id) {
                    sg.state.type = g.type;
                    sg.state.subject = g.subject;
                    sg.state.yearGroup = g.yearGroup;
                    sg.state.archived = g.archived;
                    found = true;
                }
            }
            EXPECT_TRUE(found) << "group id " << g.id;
        }
        for (const auto& m : plan.memberships) {
            auto it = groups.find({m.school, m.groupCode});
            if (it == groups.end()) {
                ++skippedMemberships;
                continue;
            }
            std::int64_t id = m.accountWrite >= 0 ? ids.at(static_cast<std::size_t>(m.accountWrite))
                                                  : m.accountId;
            if (m.add) {
                it->second.members.insert(id);
            } else {
                it->second.members.erase(id);
            }
        }
        for (const auto& cw : plan.claims) {
            std::pair<std::int64_t, std::string> key{cw.claim.accountId, cw.claim.school};
            if (cw.remove) {
                claims.erase(key);
            } else {
                claims[key] = cw.claim;
            }
        }
    }

    // As SqliteDirectory::applyAdmin: the account rows as apply() writes them, then the
    // memberships of the accounts that leave their groups (R11). Passwords an administrator sets
    // are counted apart, so that the invariants can tell them from a sync's.
    void applyAdmin(const AdminChange& change) {
        Plan p;
        p.accounts = change.accounts;
        for (const auto& w : change.accounts) {
            if (w.newPassword && w.account.id != 0) {
                ++adminPasswordSets[w.account.id];
            }
        }
        apply(p);
        for (const auto& leave : change.leaveGroups) {
            for (auto& [gk, g] : groups) {
                g.members.erase(leave.accountId);
            }
        }
    }
    std::map<std::int64_t, int> adminPasswordSets;

    // One run as daemon/runner.cpp does it: view, plan, apply when it changes something, commit
    // the usernames.
    Plan run(const core::Snapshot& snapshot, const Policy& policy, core::Date asOf,
             const NameTransliterator& names, std::uint64_t passwordSeed,
             std::mt19937* shuffle = nullptr) {
        DirectoryView view = loadView(snapshot.school, snapshot, shuffle);
        UsernameAllocator allocator(registry, policy.usernameMaxLength);
        SeededPasswordGenerator generator(passwordSeed);
        PlanServices services{allocator, generator, names};
        PlanInput input{snapshot, view, policy, asOf, asOf.toString() + "T06:30:00Z"};
        Plan plan = makePlan(input, services);
        if (plan.changesDirectory()) {
            apply(plan);
            allocator.commit();
        }
        return plan;
    }
};

// ---- the directory compared modulo what R13 allows -----------------------------------------

inline std::string accountKey(const Account& a) {
    if (a.role == core::Role::Learner && !a.attrs.upn.empty()) {
        return "upn:" + a.attrs.upn;
    }
    return "mis:" + a.school + ":" + a.attrs.misId;  // staff never move here (manual transfer)
}

inline std::string usernameBaseOf(std::string name) {
    while (!name.empty() && name.back() >= '0' && name.back() <= '9') {
        name.pop_back();
    }
    return name;
}

struct AccountSummary {
    AccountStatus status = AccountStatus::Active;
    std::string school;
    Attributes attrs;
    std::string displayName;
    std::string base;
    std::set<std::string> groups;
};

struct DirectorySummary {
    std::map<std::string, std::vector<AccountSummary>> accounts;
    std::map<std::string, std::string> groups;  // school/code → type, archived, member keys
    std::set<std::string> claims;               // account key, claimant, content
};

inline DirectorySummary summarize(const DirectorySim& sim) {
    DirectorySummary out;
    std::map<std::int64_t, std::string> keyOf;
    for (const auto& [id, a] : sim.accounts) {
        keyOf[id] = accountKey(a);
    }
    std::map<std::int64_t, std::set<std::string>> groupsOf;
    for (const auto& [gk, g] : sim.groups) {
        std::set<std::string> members;
        for (auto id : g.members) {
            members.insert(keyOf[id]);
            groupsOf[id].insert(gk.first + "/" + gk.second);
        }
        std::string text = std::string(core::toString(g.state.type)) + " " + g.state.subject + " " +
                           g.state.yearGroup + (g.state.archived ? " archived" : "") + ":";
        for (const auto& m : members) {
            text += " " + m;
        }
        out.groups[gk.first + "/" + gk.second] = text;
    }
    for (const auto& [id, a] : sim.accounts) {
        out.accounts[keyOf[id]].push_back(
            {a.status, a.school, a.attrs, a.displayName, usernameBaseOf(a.username), groupsOf[id]});
    }
    for (const auto& [key, c] : sim.claims) {
        std::string text = keyOf[c.accountId] + " by " + c.school + " as " + c.attrs.misId + " " +
                           c.attrs.regGroup + " " + c.attrs.legalSurname;
        for (const auto& g : c.groupCodes) {
            text += " " + g;
        }
        out.claims.insert(text);
    }
    return out;
}

// R13: the same accounts in the same states, every active account with the same owner and
// attributes; usernames may differ in their numeric suffixes, and a deactivated account may be
// kept by either of the last two schools (then with that school's record of the learner).
inline void expectConverged(const DirectorySummary& x, const DirectorySummary& y,
                            const std::string& where) {
    SCOPED_TRACE(where);
    std::set<std::string> keys;
    for (const auto& [k, v] : x.accounts) {
        keys.insert(k);
    }
    for (const auto& [k, v] : y.accounts) {
        keys.insert(k);
    }
    for (const auto& k : keys) {
        auto xi = x.accounts.find(k);
        auto yi = y.accounts.find(k);
        if (xi == x.accounts.end() || yi == y.accounts.end()) {
            ADD_FAILURE() << k << " has an account in one order only";
            continue;
        }
        if (xi->second.size() != yi->second.size()) {
            ADD_FAILURE() << k << ": " << xi->second.size() << " vs " << yi->second.size()
                          << " accounts";
            continue;
        }
        for (std::size_t i = 0; i < xi->second.size(); ++i) {
            const AccountSummary& a = xi->second[i];
            const AccountSummary& b = yi->second[i];
            EXPECT_EQ(toString(a.status), std::string(toString(b.status))) << k;
            EXPECT_EQ(a.base, b.base) << k;
            if (a.status == AccountStatus::Active || a.school == b.school) {
                EXPECT_EQ(a.school, b.school) << k;
                EXPECT_TRUE(a.attrs == b.attrs) << k;
                EXPECT_EQ(a.displayName, b.displayName) << k;
                EXPECT_EQ(a.groups, b.groups) << k;
            }
        }
    }
    EXPECT_EQ(x.groups, y.groups);
    EXPECT_EQ(x.claims, y.claims);
}

// ---- invariants --------------------------------------------------------------------------

inline void expectInvariants(const DirectorySim& sim, const std::string& where) {
    SCOPED_TRACE(where);
    std::map<std::string, int> perUpn;
    for (const auto& [id, a] : sim.accounts) {
        if (a.role == core::Role::Learner && !a.attrs.upn.empty() &&
            a.status != AccountStatus::Purged) {
            EXPECT_EQ(++perUpn[a.attrs.upn], 1) << "two accounts for learner " << a.attrs.upn;
        }
        const int byAdmin = sim.adminPasswordSets.count(id) ? sim.adminPasswordSets.at(id) : 0;
        EXPECT_EQ(sim.passwordSets.count(id) ? sim.passwordSets.at(id) : 0, 1 + byAdmin)
            << a.username << ": a sync sets a password once, at creation";
    }
    for (const auto& [gk, g] : sim.groups) {
        if (g.state.archived) {
            EXPECT_TRUE(g.members.empty()) << gk.first << "/" << gk.second << " is archived";
        }
        for (auto id : g.members) {
            const Account& a = sim.accounts.at(id);
            // R7 dual registration: a guest member is claimed by the group's school.
            const bool guest = sim.claims.count({id, gk.first}) != 0;
            EXPECT_TRUE(a.status == AccountStatus::Active && (a.school == gk.first || guest))
                << a.username << " (" << toString(a.status) << " at " << a.school
                << ") is still in " << gk.first << "/" << gk.second;
        }
    }
    for (const auto& [key, c] : sim.claims) {
        auto it = sim.accounts.find(c.accountId);
        ASSERT_NE(it, sim.accounts.end());
        EXPECT_NE(it->second.school, c.school)
            << "school " << c.school << " claims its own account " << it->second.username;
    }
    EXPECT_EQ(sim.skippedMemberships, 0) << "memberships planned in groups that do not exist";
}

}  // namespace misync::reconcile::testing
