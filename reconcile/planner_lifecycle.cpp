// An account's life at its own school: updates and renames (R3, R4), leavers (R5), rejoiners
// (R6), purge after the retention period (R5), what the portal owns (R9) and the last Digital
// Champion (R10).
#include <algorithm>

#include "reconcile/planner_impl.h"

namespace misync::reconcile::detail {

using core::Role;

// Attributes the MIS may set on an account, keeping portal-owned ones (R9).
Attributes Planner::merged(const Account& a, Attributes fromMis) const {
    Attributes out = std::move(fromMis);
    if (a.nameLocked) {
        out.legalForename = a.attrs.legalForename;
        out.legalSurname = a.attrs.legalSurname;
        out.preferredForename = a.attrs.preferredForename;
        out.preferredSurname = a.attrs.preferredSurname;
    }
    // SPEC §6.3: where the snapshot's memberships are not a roll (a OneRoster delta or absent
    // enrollments) a learner's registration group is known only from a homeroom enrollment it
    // lists; without one, this school's account keeps the registration group it has.
    if (in_.snapshot.membershipCoverage != core::Coverage::Roll && out.regGroup.empty() &&
        a.school == school()) {
        out.regGroup = a.attrs.regGroup;
    }
    return out;
}

// R3/R4: brings an account's attributes in line; returns the changes.
std::vector<FieldChange> Planner::setAttributes(AccountWrite& w, const Attributes& target,
                                                bool& renamed) {
    Account& acc = w.account;
    auto changes = diffAttributes(acc.attrs, target);
    renamed = acc.attrs.legalForename != target.legalForename ||
              acc.attrs.legalSurname != target.legalSurname;
    const Attributes before = acc.attrs;
    acc.attrs = target;
    refreshDisplayName(acc, changes);
    if (renamed && in_.policy.regenerateUsernameOnRename) {
        std::string oldBase = usernameBase(svc_.names, before.legalSurname, before.legalForename);
        std::string newBase = usernameBase(svc_.names, target.legalSurname, target.legalForename);
        if (oldBase != newBase) {
            std::string name = svc_.usernames.allocate(newBase);
            changes.push_back({"username", acc.username, name});
            acc.aliases.push_back(acc.username);
            acc.username = name;
            w.newNames.push_back(name);
            // R9: a password an administrator set survives every sync, this one included.
            if (!acc.passwordByAdmin) {
                w.newPassword = svc_.passwords.generate(name);
                acc.passwordAvailable = true;
            }
        }
    }
    return changes;
}

// R3: the display name follows the attributes, and its change is recorded as theirs are.
void Planner::refreshDisplayName(Account& acc, std::vector<FieldChange>& changes) {
    std::string dn = displayName(acc.attrs);
    if (dn != acc.displayName) {
        changes.push_back({"display_name", acc.displayName, dn});
        acc.displayName = std::move(dn);
    }
}

bool Planner::wouldChange(const Account& a, const Attributes& target) const {
    return a.attrs != target || displayName(target) != a.displayName;
}

void Planner::owned(const core::Person& p, const Account& a, bool onRoll) {
    Attributes target = merged(a, attributesOf(p));
    if (auto c = ownClaims_.find(a.id); c != ownClaims_.end()) {
        plan_.claims.push_back({*c->second, true});  // we own it now: the claim is moot
    }
    if (onRoll) {
        ownedOnRoll(p, a, target);
    } else {
        ownedNotOnRoll(p, a, target);
    }
}

void Planner::ownedOnRoll(const core::Person& p, const Account& a, const Attributes& target) {
    // R7 dual registration: a subsidiary registration here gives way to a school whose
    // registration outranks it; this school keeps the learner in its groups as a guest.
    if (p.role == Role::Learner && p.enrolment == core::Enrolment::Subsidiary &&
        a.status == AccountStatus::Active) {
        if (auto it = claimsOn_.find(a.id); it != claimsOn_.end()) {
            for (const Claim* c : it->second) {
                if (outranks(c->attrs.enrolmentStatus, c->school, "S", school())) {
                    handOverToMain(p, a);
                    return;
                }
            }
        }
    }
    if (a.status == AccountStatus::Deactivated && a.adminDeactivated) {
        // R9: an administrator's deactivation holds while the person is on roll, until an
        // administrator reactivates the account. The MIS attributes stay current.
        if (wouldChange(a, target) || !a.ownerOnRoll) {
            AccountWrite& w = touch(a);
            bool renamed = false;
            auto changes = setAttributes(w, target, renamed);
            w.account.ownerOnRoll = true;
            if (!changes.empty()) {
                auto act = actionFor(renamed ? ActionKind::Rename : ActionKind::Update, w.account,
                                     "MIS attributes changed (deactivated by an administrator)");
                act.changes = std::move(changes);
                plan_.actions.push_back(std::move(act));
                ++plan_.counts[renamed ? "rename" : "update"];
            }
        }
        return;  // a deactivated account belongs to no group (R11)
    }
    if (a.status == AccountStatus::Deactivated || !a.ownerOnRoll) {
        AccountWrite& w = touch(a);
        bool renamed = false;
        auto changes = setAttributes(w, target, renamed);
        const bool wasDeactivated = a.status == AccountStatus::Deactivated;
        w.account.status = AccountStatus::Active;
        w.account.ownerOnRoll = true;
        w.account.deactivatedAt.clear();
        if (wasDeactivated) {  // R6: same username and password
            auto act = actionFor(ActionKind::Reactivate, w.account, "back on roll");
            act.changes = std::move(changes);
            plan_.actions.push_back(std::move(act));
            ++plan_.counts["reactivate"];
        } else if (!changes.empty()) {
            auto act = actionFor(renamed ? ActionKind::Rename : ActionKind::Update, w.account,
                                 renamed ? "legal name changed" : "MIS attributes changed");
            act.changes = std::move(changes);
            plan_.actions.push_back(std::move(act));
            ++plan_.counts[renamed ? "rename" : "update"];
        }
    } else if (wouldChange(a, target)) {
        AccountWrite& w = touch(a);
        bool renamed = false;
        auto changes = setAttributes(w, target, renamed);
        auto act = actionFor(renamed ? ActionKind::Rename : ActionKind::Update, w.account,
                             renamed ? "legal name changed" : "MIS attributes changed");
        act.changes = std::move(changes);
        plan_.actions.push_back(std::move(act));
        ++plan_.counts[renamed ? "rename" : "update"];
    }
    placed_[{p.role, p.misId}] = Ref{a.id, -1};
}

// Not on roll: a leaver by date, a guest, or not yet admitted.
void Planner::ownedNotOnRoll(const core::Person& p, const Account& a, const Attributes& target) {
    std::string why = p.leavingDate && *p.leavingDate <= in_.asOf
                          ? "left on " + p.leavingDate->toString()
                          : "not on roll";
    if (a.status == AccountStatus::Active) {
        leave(a, target, why);
        return;
    }
    if (a.status == AccountStatus::Deactivated && a.ownerOnRoll && hasClaims(a.id)) {
        leave(a, target, why);  // deactivated by an administrator, now let go: R7 hand-over
        return;
    }
    if (wouldChange(a, target) || a.ownerOnRoll) {
        AccountWrite& w = touch(a);
        w.account.ownerOnRoll = false;
        if (!wouldChange(a, target)) {
            return;
        }
        auto changes = diffAttributes(a.attrs, target);
        w.account.attrs = target;  // keep a leaver's record current; never a new username
        refreshDisplayName(w.account, changes);
        auto act = actionFor(ActionKind::Update, w.account, "MIS attributes changed (leaver)");
        act.changes = std::move(changes);
        plan_.actions.push_back(std::move(act));
        ++plan_.counts["update"];
    }
}

// R5 with the R7 hand-over: a claimed account goes to its claimant, else it is deactivated.
void Planner::leave(const Account& a, const std::optional<Attributes>& target,
                    const std::string& why) {
    auto claims = claimsOn_.find(a.id);
    if (claims != claimsOn_.end() && !claims->second.empty()) {
        const Claim* winner = pickClaim(claims->second, nullptr, a);
        handOver(a, *winner, why);
        return;
    }
    AccountWrite& w = touch(a);
    std::vector<FieldChange> changes;
    if (target && *target != w.account.attrs) {
        changes = diffAttributes(w.account.attrs, *target);
        w.account.attrs = *target;
        refreshDisplayName(w.account, changes);
    }
    if (w.account.status != AccountStatus::Active) {
        w.account.ownerOnRoll = false;  // already deactivated (by an administrator)
        return;
    }
    loseChampion(a);
    w.account.status = AccountStatus::Deactivated;
    w.account.ownerOnRoll = false;
    w.account.deactivatedAt = in_.now;
    auto act = actionFor(ActionKind::Deactivate, w.account, why);
    act.changes = std::move(changes);
    plan_.actions.push_back(std::move(act));
    ++plan_.counts["deactivate"];
}

// R5: accounts of this school that a complete roll no longer lists.
void Planner::absentees() {
    if (!in_.snapshot.complete) {
        return;
    }
    std::vector<const Account*> gone;
    for (const auto& a : in_.view.accounts) {
        if (held_.count(a.id) != 0) {
            continue;  // R15: its record was rejected, but the person is still there
        }
        const bool candidate = a.school == school() && a.source == AccountSource::Mis &&
                               matched_.count(a.id) == 0 &&
                               (a.role == Role::Learner || a.role == Role::Staff);
        // Active accounts leave; an administrator's deactivated account is let go (R7).
        if (candidate && (a.status == AccountStatus::Active ||
                          (a.status == AccountStatus::Deactivated && a.ownerOnRoll))) {
            gone.push_back(&a);
        }
    }
    std::sort(gone.begin(), gone.end(),
              [](const Account* x, const Account* y) { return x->username < y->username; });
    for (const auto* a : gone) {
        leave(*a, std::nullopt, "absent from the complete roll");
    }
}

// R5: a deactivated MIS account not reactivated within retention_days loses its personal data.
// An account an administrator deactivated while the person is still on roll is kept (R9).
// The action records no before values: the run history must not keep what the purge removes.
void Planner::purges() {
    for (const auto& a : in_.view.accounts) {
        if (a.school != school() || a.source != AccountSource::Mis) {
            continue;
        }
        const Account& cur = current(a);
        if (cur.school != school() || cur.status != AccountStatus::Deactivated || cur.ownerOnRoll ||
            cur.deactivatedAt.size() < 10) {
            continue;
        }
        auto since = core::parseIsoDate(cur.deactivatedAt.substr(0, 10));
        if (!since || since->addDays(static_cast<int>(in_.policy.retentionDays)) > in_.asOf) {
            continue;
        }
        AccountWrite& w = touch(a);
        Account& acc = w.account;
        using Field = std::string Attributes::*;
        for (Field field :
             {&Attributes::legalForename, &Attributes::legalSurname, &Attributes::preferredForename,
              &Attributes::preferredSurname, &Attributes::dob, &Attributes::gender,
              &Attributes::yearGroup, &Attributes::regGroup}) {
            (acc.attrs.*field).clear();
        }
        acc.displayName.clear();
        acc.status = AccountStatus::Purged;
        acc.purgedAt = in_.now;
        acc.passwordAvailable = false;
        w.clearPassword = true;
        w.newPassword.reset();
        auto act = actionFor(ActionKind::Purge, acc,
                             "deactivated on " + since->toString() + ", not reactivated within " +
                                 std::to_string(in_.policy.retentionDays) + " days");
        plan_.actions.push_back(std::move(act));
        ++plan_.counts["purge"];
    }
}

// R10: an active Digital Champion this plan deactivates or moves away from its school.
void Planner::loseChampion(const Account& before) {
    if (before.digitalChampion && before.status == AccountStatus::Active) {
        ++championsLost_[before.school];
    }
}

// R10: a run that takes away a school's last active Digital Champion says so, for this school
// (counted after the plan) and for a school a transfer took one from (counted from the view).
void Planner::championCheck() {
    for (const auto& [s, lost] : championsLost_) {
        bool left = false;
        if (s == school()) {
            for (const auto& a : in_.view.accounts) {
                const Account& after = current(a);
                left = left || (after.school == s && after.digitalChampion &&
                                after.status == AccountStatus::Active);
            }
        } else {
            auto it = in_.view.activeChampions.find(s);
            left = it != in_.view.activeChampions.end() && it->second > lost;
        }
        if (!left) {
            warn("no_digital_champion",
                 "this run leaves school " + s + " without an active Digital Champion");
        }
    }
}

}  // namespace misync::reconcile::detail
