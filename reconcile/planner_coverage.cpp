// What a snapshot speaks for (SPEC §6.3: OneRoster sends users, classes and enrollments in
// files of their own, each bulk, delta or absent): group and membership coverage (R11) and
// departures, persons named only to say that they are no longer on roll (R5, R7).
//
// With Coverage::Roll for both groups and memberships (every other connector) nothing here
// changes the plan.
#include <algorithm>

#include "reconcile/planner_impl.h"

namespace misync::reconcile::detail {

using core::Coverage;
using core::Role;

bool Planner::rollCoverage() const {
    return in_.snapshot.groupCoverage == Coverage::Roll &&
           in_.snapshot.membershipCoverage == Coverage::Roll;
}

// Called by index() once the snapshot's groups are in groupCodes_.
void Planner::indexCoverage() {
    const core::Snapshot& s = in_.snapshot;
    if (s.groupCoverage != Coverage::Roll) {
        // R11: a snapshot that lists only changes of groups, or none, archives no live group
        // it does not list: they stay the school's groups, as for a partial snapshot.
        std::set<std::string> removed;
        if (s.groupCoverage == Coverage::Changes) {
            removed.insert(s.removedGroups.begin(), s.removedGroups.end());
            for (const auto& g : s.groups) {
                removed.erase(g.code);  // listed and deleted: the record wins
            }
        }
        for (const auto& g : in_.view.groups) {
            if (!g.archived && removed.count(g.code) == 0) {
                groupCodes_.insert(g.code);
            }
        }
        for (const auto& code : removed) {
            groupCodes_.erase(code);
        }
    }
    if (s.membershipCoverage == Coverage::Changes) {
        for (const auto& m : s.removedMemberships) {
            removedByPerson_[{m.memberRole, m.memberMisId}].insert(m.groupCode);
        }
    }
    if (s.membershipCoverage != Coverage::Roll) {
        for (const auto& g : in_.view.groups) {
            for (auto id : g.members) {
                liveGroupsOf_[id].push_back(g.code);
            }
        }
    }
}

// The account a snapshot membership of person `k` names: placed here after the plan, a guest
// (R7 dual registration), or, for Coverage::Changes, a person the snapshot does not list whose
// own MIS account stays active here (a delta's enrollment of someone whose user did not change).
std::optional<Ref> Planner::memberRef(const PersonKey& k) const {
    if (auto it = placed_.find(k); it != placed_.end()) {
        return it->second;
    }
    if (auto g = guests_.find(k); g != guests_.end()) {
        return g->second;
    }
    if (in_.snapshot.membershipCoverage != Coverage::Changes || seen_.count(k) != 0) {
        return std::nullopt;  // a listed person who is not placed here is not a member
    }
    auto own = ownByMis_.find(k);
    if (own == ownByMis_.end() || held_.count(own->second->id) != 0) {
        return std::nullopt;  // R15: a rejected record changes nothing about its account
    }
    const Account& after = current(*own->second);
    if (after.school != school() || after.status != AccountStatus::Active) {
        return std::nullopt;
    }
    return Ref{own->second->id, -1};
}

// The existing account whose membership a removedMemberships entry of person `k` ends, found
// as memberRef() finds one, else this school's MIS account or claim for that MIS id.
std::optional<std::int64_t> Planner::endedAccount(const PersonKey& k) const {
    if (auto it = placed_.find(k); it != placed_.end()) {
        return it->second.id > 0 ? std::optional<std::int64_t>(it->second.id) : std::nullopt;
    }
    if (auto g = guests_.find(k); g != guests_.end()) {
        return g->second.id;
    }
    if (auto own = ownByMis_.find(k); own != ownByMis_.end()) {
        return own->second->id;
    }
    std::optional<std::int64_t> found;
    for (const auto& [id, c] : ownClaims_) {
        if (c->role == k.first && c->attrs.misId == k.second && (!found || id < *found)) {
            found = id;
        }
    }
    return found;
}

// Start of groups(): who is a guest member, and which existing memberships the snapshot ends.
void Planner::resolveEnded() {
    for (const auto& [k, ref] : guests_) {
        guestIds_.insert(ref.id);
    }
    for (const auto& [k, codes] : removedByPerson_) {
        if (auto id = endedAccount(k)) {
            for (const auto& code : codes) {
                ended_.insert({code, *id});
            }
        }
    }
}

// R5/R7/R11: whether an account stays a member of this school's groups after the plan, as far
// as its person goes: active here, or a guest whose claim stays (the rule a partial snapshot
// applies to the persons it does not list).
bool Planner::staysHere(std::int64_t id) const {
    if (guestIds_.count(id) != 0) {
        return true;
    }
    if (ownClaims_.count(id) != 0 && releasedClaims_.count(id) == 0 &&
        (claimedNow_.count(id) != 0 || !in_.snapshot.complete)) {
        return true;  // staleClaims() removes a claim a complete snapshot does not renew
    }
    auto it = byId_.find(id);
    if (it == byId_.end()) {
        return false;
    }
    const Account& after = current(*it->second);
    return after.school == school() && after.status == AccountStatus::Active;
}

// R7: the groups of this school a claim for person `k` on account `accountId` records. As the
// roll: the snapshot's memberships of the person. Otherwise the groups the claim or the account
// already has here, with the snapshot's additions and without its removals (Changes).
std::vector<std::string> Planner::claimGroups(const PersonKey& k, std::int64_t accountId) const {
    const auto listed = snapshotGroupsOf(k);
    if (in_.snapshot.membershipCoverage == Coverage::Roll) {
        return std::vector<std::string>(listed.begin(), listed.end());
    }
    std::set<std::string> codes;
    if (auto c = ownClaims_.find(accountId); c != ownClaims_.end()) {
        codes.insert(c->second->groupCodes.begin(), c->second->groupCodes.end());
    }
    if (auto g = liveGroupsOf_.find(accountId); g != liveGroupsOf_.end()) {
        codes.insert(g->second.begin(), g->second.end());
    }
    if (auto r = removedByPerson_.find(k); r != removedByPerson_.end()) {
        for (const auto& code : r->second) {
            codes.erase(code);
        }
    }
    codes.insert(listed.begin(), listed.end());
    std::vector<std::string> out;
    for (const auto& code : codes) {
        if (groupCodes_.count(code) != 0) {
            out.push_back(code);
        }
    }
    return out;
}

// This school's own MIS account for a departure: by (role, MIS id), or for a learner with a
// UPN by UPN when that account belongs to this school (R1).
const Account* Planner::ownAccountOf(const core::Departure& d) const {
    if (!d.misId.empty()) {
        if (auto it = ownByMis_.find({d.role, d.misId});
            it != ownByMis_.end() && it->second->status != AccountStatus::Purged) {
            return it->second;
        }
    }
    if (d.role == Role::Learner && !d.upn.empty()) {
        if (auto it = byUpn_.find(d.upn); it != byUpn_.end() && it->second->school == school()) {
            return it->second;
        }
    }
    return nullptr;
}

// R5: persons the extract names only to say that they are no longer on roll, in a fixed order
// (R13: the plan does not depend on the order of the records).
void Planner::departures() {
    std::vector<const core::Departure*> list;
    list.reserve(in_.snapshot.departures.size());
    for (const auto& d : in_.snapshot.departures) {
        list.push_back(&d);
    }
    std::sort(list.begin(), list.end(), [](const core::Departure* a, const core::Departure* b) {
        return std::tie(a->role, a->misId, a->upn) < std::tie(b->role, b->misId, b->upn);
    });
    for (const auto* d : list) {
        depart(*d);
    }
}

// One departure: this school's account is deactivated as a leaver's is (R5, with the R7
// hand-over to a claimant and R9's administrator deactivation), as of the run and with no
// attribute changes; a claim of this school on another school's account is released (R7).
void Planner::depart(const core::Departure& d) {
    if (d.role != Role::Learner && d.role != Role::Staff) {
        return;  // R8: non-MIS and governor accounts are never deactivated by a sync
    }
    const bool byUpn = d.role == Role::Learner && !d.upn.empty();
    if ((!d.misId.empty() && seen_.count({d.role, d.misId}) != 0) ||
        (byUpn && seenUpns_.count(d.upn) != 0)) {
        return;  // the snapshot also has a record of the person: the record wins
    }
    if (const Account* a = ownAccountOf(d)) {
        if (held_.count(a->id) != 0 || !matched_.insert(a->id).second) {
            return;  // R15: a rejected record holds it; or a record or departure had it already
        }
        const std::string why = "no longer on roll in the extract";
        if (a->status == AccountStatus::Active) {
            leave(*a, std::nullopt, why);  // no summer-leaver delay: a delta names them once
        } else if (a->status == AccountStatus::Deactivated && a->ownerOnRoll && hasClaims(a->id)) {
            leave(*a, std::nullopt, why);  // deactivated by an administrator, now let go (R7)
        } else if (a->ownerOnRoll) {
            touch(*a).account.ownerOnRoll = false;  // R9: stays deactivated, no longer on roll
        }
        return;
    }
    // R7: a dual registration guest here, or a learner awaiting transfer: this school lets go.
    for (const auto& [id, c] : ownClaims_) {
        auto acc = byId_.find(id);
        const bool upnMatches = byUpn && (c->attrs.upn == d.upn ||
                                          (acc != byId_.end() && acc->second->attrs.upn == d.upn));
        const bool same =
            c->role == d.role && ((!d.misId.empty() && c->attrs.misId == d.misId) || upnMatches);
        if (same && claimedNow_.count(id) == 0 &&
            (acc == byId_.end() || current(*acc->second).school != school())) {
            releasedClaims_.insert(id);
        }
    }
}

}  // namespace misync::reconcile::detail
