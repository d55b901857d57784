// R7: transfers between schools without order dependence (DESIGN.md: claims hand-over), and
// dual registration: a subsidiary (S) registration while another school has the learner as
// main or single keeps one account at the main school, a guest member of the subsidiary
// school's groups, whichever school runs first (R13).
#include <algorithm>

#include "reconcile/planner_impl.h"

namespace misync::reconcile::detail {

using core::Role;

bool Planner::hasClaims(std::int64_t id) const {
    auto it = claimsOn_.find(id);
    return it != claimsOn_.end() && !it->second.empty();
}

bool Planner::claimedBy(std::int64_t id, const std::string& s) const {
    if (keptGuests_.count({id, s}) != 0) {
        return true;
    }
    auto it = claimsOn_.find(id);
    if (it == claimsOn_.end()) {
        return false;
    }
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const Claim* c) { return c->school == s; });
}

// R7 tie rule: main or single enrolment first, then the lowest school number.
const Claim* Planner::pickClaim(const std::vector<const Claim*>& claims, const Claim* self,
                                const Account& a) {
    std::vector<const Claim*> all = claims;
    if (self != nullptr) {
        all.push_back(self);
    }
    std::sort(all.begin(), all.end(), [](const Claim* x, const Claim* y) {
        bool mx = enrolmentIsMain(x->attrs.enrolmentStatus);
        bool my = enrolmentIsMain(y->attrs.enrolmentStatus);
        if (mx != my) {
            return mx;
        }
        return x->school < y->school;
    });
    if (all.size() > 1) {
        std::string names;
        for (const auto* c : all) {
            names += (names.empty() ? "" : ", ") + c->school;
        }
        warn("transfer_conflict", "account " + a.username + " (UPN " + a.attrs.upn +
                                      ") is claimed by schools " + names + "; it goes to " +
                                      all.front()->school);
    }
    return all.front();
}

void Planner::moveAccount(AccountWrite& w, const Account& a, const std::string& to,
                          std::vector<FieldChange>& changes) {
    Account& acc = w.account;
    const std::string from = acc.school;
    acc.school = to;
    acc.ownerOnRoll = true;
    if (a.adminDeactivated) {
        // R9: an administrator's deactivation moves with the account.
        warn("admin_deactivated", "account " + acc.username + " moves from " + from + " to " + to +
                                      " deactivated, as an administrator left it; reactivate "
                                      "it with `misync accounts reactivate " +
                                      acc.username + "`");
    } else {
        acc.status = AccountStatus::Active;
        acc.deactivatedAt.clear();
    }
    if (acc.digitalChampion) {
        // R10: Digital Champion is a role at a school: it stays behind.
        loseChampion(a);
        acc.digitalChampion = false;
        changes.push_back({"digital_champion", "true", "false"});
    }
    // The groups of schools that neither own the account now nor keep it as a guest (R11).
    for (const auto& g : a.memberOf) {
        if (g.school != to && !claimedBy(a.id, g.school)) {
            removeMembership(g.school, g.code, a.id);
        }
    }
}

// Moves an account to the claimant with the claimant's recorded view (DESIGN.md hand-over).
void Planner::handOver(const Account& a, const Claim& c, const std::string& why) {
    AccountWrite& w = touch(a);
    const std::string from = w.account.school;
    const Attributes target = merged(a, c.attrs);
    auto changes = diffAttributes(w.account.attrs, target);
    w.account.attrs = target;
    refreshDisplayName(w.account, changes);
    moveAccount(w, a, c.school, changes);
    std::set<std::string> present;  // guest memberships it already has there
    for (const auto& g : a.memberOf) {
        if (g.school == c.school) {
            present.insert(g.code);
        }
    }
    if (w.account.status == AccountStatus::Active) {
        for (const auto& code : c.groupCodes) {
            if (present.count(code) == 0) {
                membership(c.school, code, Ref{a.id, -1}, true);
                ++plan_.counts["membership_add"];
            }
        }
    }
    plan_.claims.push_back({c, true});
    auto act = actionFor(ActionKind::Transfer, w.account,
                         (why.empty() ? "" : why + "; ") + "on roll at " + c.school);
    act.fromSchool = from;
    act.changes = std::move(changes);
    plan_.actions.push_back(std::move(act));
    ++plan_.counts["transfer"];
}

// R7 dual registration, this school's side: the account is ours but our registration is
// subsidiary and a claimant's outranks it, so it goes to the claimant and we keep a claim and
// its place in our groups.
void Planner::handOverToMain(const core::Person& p, const Account& a) {
    std::vector<const Claim*> ahead;
    for (const Claim* c : claimsOn_.at(a.id)) {
        if (outranks(c->attrs.enrolmentStatus, c->school, "S", school())) {
            ahead.push_back(c);
        }
    }
    const Claim* winner = pickClaim(ahead, nullptr, a);
    handOver(a, *winner, "subsidiary registration here, main at " + winner->school);
    recordClaim(claimFor(p, a), nullptr);
    guests_[{p.role, p.misId}] = Ref{a.id, -1};
}

Claim Planner::claimFor(const core::Person& p, const Account& a) const {
    Claim c;
    c.accountId = a.id;
    c.school = school();
    c.role = p.role;
    c.attrs = attributesOf(p);
    c.groupCodes = claimGroups({p.role, p.misId}, a.id);
    c.claimedAt = in_.asOf.toString();
    return c;
}

// R7: the person is on roll here while another school owns the account.
void Planner::foreign(const core::Person& p, const Account& a, bool onRoll) {
    const Claim* own = nullptr;
    if (auto c = ownClaims_.find(a.id); c != ownClaims_.end()) {
        own = c->second;
    }
    if (!onRoll) {
        if (own != nullptr) {
            releasedClaims_.insert(a.id);
        }
        return;
    }
    const Account& cur = current(a);
    // Let go by its school: not on roll there, or deactivated by a sync (an administrator's
    // deactivation of a learner still on roll there does not release it, R9).
    const bool released =
        !cur.ownerOnRoll || (cur.status != AccountStatus::Active && !cur.adminDeactivated);
    Claim mine = claimFor(p, a);
    if (released && cur.school == a.school) {
        std::vector<const Claim*> others;
        if (auto it = claimsOn_.find(a.id); it != claimsOn_.end()) {
            others = it->second;
        }
        const Claim* winner = pickClaim(others, &mine, a);
        if (winner == &mine) {
            takeOver(p, a, own, false);
            return;
        }
        handOver(a, *winner, "released by " + a.school);
        recordClaim(mine, own);
        return;
    }
    const bool learner = p.role == Role::Learner && cur.school == a.school;
    const bool active = cur.status == AccountStatus::Active;
    if (learner && active &&
        outranks(mine.attrs.enrolmentStatus, school(), cur.attrs.enrolmentStatus, cur.school)) {
        takeOver(p, a, own, true);  // our main registration outranks the owner's subsidiary one
        return;
    }
    recordClaim(mine, own);
    if (learner && p.enrolment == core::Enrolment::Subsidiary) {
        if (active) {
            guests_[{p.role, p.misId}] = Ref{a.id, -1};  // a guest member of our groups
        }
        return;  // a dual registration, not a transfer to wait for
    }
    auto act = actionFor(ActionKind::AwaitingTransfer, cur,
                         "on roll here and still on roll at " + cur.school);
    act.school = school();
    act.fromSchool = cur.school;
    plan_.actions.push_back(act);
    ++plan_.counts["awaiting_transfer"];
    warn("awaiting_transfer",
         "UPN " + a.attrs.upn + " (" + a.username + ") is on roll here and at " + cur.school +
             "; no account created, waiting for " + cur.school + " to record the leaver");
}

void Planner::recordClaim(const Claim& mine, const Claim* own) {
    claimedNow_.insert(mine.accountId);
    if (own == nullptr || !own->sameContent(mine)) {
        plan_.claims.push_back({mine, false});
    }
}

// The account comes here. With `ownerBecomesGuest` the owner still has the learner on roll as a
// subsidiary registration: it keeps a claim with its own view (the account's attributes and its
// groups there), exactly as its own run would have recorded it, and the learner stays a guest
// member of its groups.
void Planner::takeOver(const core::Person& p, const Account& a, const Claim* own,
                       bool ownerBecomesGuest) {
    AccountWrite& w = touch(a);
    const Attributes target = merged(a, attributesOf(p));
    auto changes = diffAttributes(w.account.attrs, target);
    const std::string from = w.account.school;
    if (ownerBecomesGuest) {
        Claim guest;
        guest.accountId = a.id;
        guest.school = from;
        guest.role = a.role;
        guest.attrs = w.account.attrs;
        for (const auto& g : a.memberOf) {
            if (g.school == from) {
                guest.groupCodes.push_back(g.code);
            }
        }
        std::sort(guest.groupCodes.begin(), guest.groupCodes.end());
        guest.claimedAt = in_.asOf.toString();
        plan_.claims.push_back({guest, false});
        keptGuests_.insert({a.id, from});
    }
    w.account.attrs = target;
    refreshDisplayName(w.account, changes);
    moveAccount(w, a, school(), changes);
    if (own != nullptr) {
        plan_.claims.push_back({*own, true});
    }
    auto act = actionFor(
        ActionKind::Transfer, w.account,
        ownerBecomesGuest ? "main registration here; " + from + " keeps a subsidiary registration"
                          : "on roll here; left " + from);
    act.fromSchool = from;
    act.changes = std::move(changes);
    plan_.actions.push_back(std::move(act));
    ++plan_.counts["transfer"];
    if (w.account.status == AccountStatus::Active) {
        placed_[{p.role, p.misId}] = Ref{a.id, -1};
    }
}

// Claims this school made that its snapshot no longer supports.
void Planner::staleClaims() {
    for (const auto& [id, c] : ownClaims_) {
        if (claimedNow_.count(id) != 0 || byId_.count(id) == 0) {
            continue;
        }
        // Ours now (matched, or taken over in this plan): handled there.
        if (current(*byId_.at(id)).school == school()) {
            continue;
        }
        if (in_.snapshot.complete || releasedClaims_.count(id) != 0) {
            plan_.claims.push_back({*c, true});
        }
    }
}

}  // namespace misync::reconcile::detail
