// R11: groups and memberships. Registration groups, year groups, classes and houses follow the
// snapshot; a group a complete snapshot no longer lists is archived. Memberships are those of
// the persons active here after the plan, plus the guests of a dual registration (R7). A
// snapshot whose groups or memberships are changes only, or absent (SPEC §6.3), is handled with
// the help of planner_coverage.cpp.
#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "reconcile/planner_impl.h"

namespace misync::reconcile::detail {

// A membership change, naming its member for the change log (SPEC §9.2).
void Planner::membership(const std::string& groupSchool, const std::string& code, Ref ref,
                         bool add) {
    MembershipChange m{groupSchool, code, ref.id, ref.write, add};
    if (ref.write >= 0) {
        const Account& acc = plan_.accounts[static_cast<std::size_t>(ref.write)].account;
        m.username = acc.username;
        m.role = acc.role;
    } else if (auto it = byId_.find(ref.id); it != byId_.end()) {
        m.username = current(*it->second).username;
        m.role = it->second->role;
    }
    plan_.memberships.push_back(std::move(m));
}

void Planner::removeMembership(const std::string& groupSchool, const std::string& code,
                               std::int64_t id) {
    if (groupSchool == school()) {
        return;  // this school's own groups are reconciled in groups()
    }
    membership(groupSchool, code, Ref{id, -1}, false);
    ++plan_.counts["membership_remove"];
}

// Whether an existing membership of this school's groups stays although this snapshot does not
// ask for it.
bool Planner::keepsMembership(const std::string& code, std::int64_t id) const {
    if (!rollCoverage() && groupCodes_.count(code) == 0) {
        return false;  // R11: its group is archived (an archived group has no members)
    }
    if (held_.count(id) != 0) {
        return true;  // R15: a rejected record changes nothing about its account
    }
    auto it = byId_.find(id);
    if (it != byId_.end() && it->second->source == AccountSource::Manual) {
        return true;  // R8: a sync never changes a manual account
    }
    if (in_.snapshot.membershipCoverage != core::Coverage::Roll) {
        // SPEC §6.3: a snapshot that carries only changes of memberships, or none, ends only
        // those it names, and those of accounts that do not stay here (R5, R7, R11).
        return ended_.count({code, id}) == 0 && staysHere(id);
    }
    if (in_.snapshot.complete || matched_.count(id) != 0) {
        return false;
    }
    // R5/R11: a partial snapshot speaks only for the persons it lists: an account that stays
    // active here, or a guest whose claim stays, keeps its memberships.
    if (ownClaims_.count(id) != 0 && releasedClaims_.count(id) == 0) {
        return true;
    }
    if (it == byId_.end()) {
        return false;
    }
    const Account& after = current(*it->second);
    return after.school == school() && after.status == AccountStatus::Active;
}

void Planner::archiveGroup(const GroupState& g, const char* reason) {
    GroupState s = g;
    s.members.clear();
    s.archived = true;
    plan_.groups.push_back({s});
    Action act;
    act.kind = ActionKind::GroupArchive;
    act.school = school();
    act.group = g.code;
    act.reason = reason;
    plan_.actions.push_back(std::move(act));
    ++plan_.counts["group_archive"];
}

void Planner::groups() {
    std::map<std::string, const GroupState*> existing;
    for (const auto& g : in_.view.groups) {
        existing[g.code] = &g;
    }
    std::map<std::string, const core::Group*> wanted;
    if (in_.snapshot.groupCoverage != core::Coverage::None) {
        for (const auto& g : in_.snapshot.groups) {
            wanted.emplace(g.code, &g);
        }
    }
    for (const auto& [code, g] : wanted) {
        auto it = existing.find(code);
        Action act;
        act.school = school();
        act.group = code;
        if (it == existing.end()) {
            GroupState s;
            s.school = school();
            s.code = code;
            s.type = g->type;
            s.subject = g->subject;
            s.yearGroup = g->yearGroup;
            plan_.groups.push_back({s});
            act.kind = ActionKind::GroupCreate;
            act.reason = std::string("new ") + core::toString(g->type) + " group";
            plan_.actions.push_back(std::move(act));
            ++plan_.counts["group_create"];
            continue;
        }
        const GroupState& ex = *it->second;
        std::vector<FieldChange> changes;
        auto cmp = [&changes](const char* f, const std::string& b, const std::string& a) {
            if (b != a) {
                changes.push_back({f, b, a});
            }
        };
        cmp("type", core::toString(ex.type), core::toString(g->type));
        cmp("subject", ex.subject, g->subject);
        cmp("year_group", ex.yearGroup, g->yearGroup);
        cmp("archived", ex.archived ? "true" : "false", "false");
        if (!changes.empty()) {
            GroupState s = ex;
            s.members.clear();
            s.type = g->type;
            s.subject = g->subject;
            s.yearGroup = g->yearGroup;
            s.archived = false;
            plan_.groups.push_back({s});
            act.kind = ActionKind::GroupUpdate;
            act.reason = ex.archived ? "back in the MIS" : "group attributes changed";
            act.changes = std::move(changes);
            plan_.actions.push_back(std::move(act));
            ++plan_.counts["group_update"];
        }
    }
    if (in_.snapshot.groupCoverage == core::Coverage::Roll && in_.snapshot.complete) {
        for (const auto& [code, ex] : existing) {
            if (wanted.count(code) == 0 && !ex->archived) {
                archiveGroup(*ex, "absent from the complete snapshot");
            }
        }
    } else if (in_.snapshot.groupCoverage == core::Coverage::Changes) {
        // SPEC §6.3 delta: only the groups the extract deletes are archived; a group it also
        // lists stays (the record wins).
        const std::set<std::string> removed(in_.snapshot.removedGroups.begin(),
                                            in_.snapshot.removedGroups.end());
        for (const auto& code : removed) {
            auto it = existing.find(code);
            if (wanted.count(code) == 0 && it != existing.end() && !it->second->archived) {
                archiveGroup(*it->second, "deleted in the extract");
            }
        }
    }
    // Memberships: wanted = snapshot memberships of persons active here after the plan. They
    // are compared as (group number, member) with the groups numbered in code order, so that
    // sorted keys run as (code, member) would: removals, then additions, by group and member.
    std::vector<std::string_view> codes;
    for (const auto& g : in_.view.groups) {
        codes.emplace_back(g.code);
    }
    codes.insert(codes.end(), groupCodes_.begin(), groupCodes_.end());
    sortUnique(codes);
    std::unordered_map<std::string_view, int> number;
    number.reserve(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
        number.emplace(codes[i], static_cast<int>(i));
    }
    struct Key {
        int group;
        Ref ref;
        auto tie() const { return std::tie(group, ref.id, ref.write); }
        bool operator<(const Key& o) const { return tie() < o.tie(); }
        bool operator==(const Key& o) const { return tie() == o.tie(); }
    };
    std::vector<Key> want;
    want.reserve(in_.snapshot.memberships.size());
    for (const auto& code : unknownGroups_) {
        warn("unknown_group",
             "memberships of group " + code + ", which the snapshot does not list, are ignored");
    }
    for (const auto& m : in_.snapshot.memberships) {
        if (in_.snapshot.membershipCoverage == core::Coverage::None) {
            break;
        }
        if (groupCodes_.count(m.groupCode) == 0) {
            continue;
        }
        // Placed here, a guest (R7 dual registration), or with Coverage::Changes also an
        // unlisted person whose own account stays active here.
        if (auto ref = memberRef({m.memberRole, m.memberMisId})) {
            want.push_back({number.at(m.groupCode), *ref});
        }
    }
    sortUnique(want);
    resolveEnded();
    std::vector<Key> have;
    std::size_t members = 0;
    for (const auto& g : in_.view.groups) {
        members += g.members.size();
    }
    have.reserve(members);
    for (const auto& g : in_.view.groups) {
        const int n = number.at(g.code);
        for (auto id : g.members) {
            have.push_back({n, Ref{id, -1}});
        }
    }
    sortUnique(have);
    // Both sorted and without repeats: one walk finds what only one of them holds (issue 8: a
    // binary search of the other for every key cost more than the rest of this function).
    std::vector<const Key*> onlyHave;
    std::vector<const Key*> onlyWant;
    for (auto h = have.begin(), w = want.begin(); h != have.end() || w != want.end();) {
        if (w == want.end() || (h != have.end() && *h < *w)) {
            onlyHave.push_back(&*h++);
        } else if (h == have.end() || *w < *h) {
            onlyWant.push_back(&*w++);
        } else {
            ++h;
            ++w;
        }
    }
    for (const Key* k : onlyHave) {
        const std::string code(codes[static_cast<std::size_t>(k->group)]);
        if (!keepsMembership(code, k->ref.id)) {
            membership(school(), code, k->ref, false);
            ++plan_.counts["membership_remove"];
        }
    }
    for (const Key* k : onlyWant) {
        membership(school(), std::string(codes[static_cast<std::size_t>(k->group)]), k->ref, true);
        ++plan_.counts["membership_add"];
    }
}

}  // namespace misync::reconcile::detail
