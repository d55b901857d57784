#include "reconcile/planner.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/year_group.h"

namespace misync::reconcile {

namespace {

using core::Role;

using PersonKey = std::pair<Role, std::string>;  // (role, MIS id)

// Where a person's account ends up after the plan, for memberships.
struct Ref {
    std::int64_t id = 0;
    int write = -1;
    bool operator<(const Ref& o) const { return std::tie(id, write) < std::tie(o.id, o.write); }
};

bool isTemporaryUpn(std::string_view upn) {
    return upn.size() == 13 && (upn.back() < '0' || upn.back() > '9');
}

bool enrolmentIsMain(std::string_view status) {
    return status != "S";
}

class Planner {
  public:
    Planner(const PlanInput& in, PlanServices& svc) : in_(in), svc_(svc) {
        plan_.school = in.view.school;
        index();
    }

    Plan run() {
        rejects();
        std::vector<const core::Person*> persons;
        persons.reserve(in_.snapshot.persons.size());
        for (const auto& p : in_.snapshot.persons) {
            persons.push_back(&p);
        }
        // U6: new accounts get usernames in a deterministic order.
        std::sort(persons.begin(), persons.end(), [](const core::Person* a, const core::Person* b) {
            return std::tie(a->role, a->legalSurname, a->legalForename, a->misId) <
                   std::tie(b->role, b->legalSurname, b->legalForename, b->misId);
        });
        for (const auto* p : persons) {
            person(*p);
        }
        absentees();
        staleClaims();
        groups();
        championCheck();
        return std::move(plan_);
    }

  private:
    const PlanInput& in_;
    PlanServices& svc_;
    Plan plan_;

    std::unordered_map<std::int64_t, const Account*> byId_;
    std::unordered_map<std::string, const Account*> byUpn_;
    std::unordered_map<std::string, const Account*> byNational_;
    std::map<PersonKey, const Account*> ownByMis_;
    std::unordered_map<std::int64_t, std::vector<const Claim*>> claimsOn_;  // by other schools
    std::unordered_map<std::int64_t, const Claim*> ownClaims_;
    std::unordered_map<std::int64_t, std::size_t> writeIndex_;
    std::unordered_set<std::int64_t> matched_;
    // Accounts of this school whose person's record was rejected (R15): left as they are.
    std::unordered_set<std::int64_t> held_;
    std::unordered_set<std::int64_t> claimedNow_;
    std::unordered_set<std::int64_t> releasedClaims_;
    std::map<PersonKey, Ref>
        placed_;  // persons whose account is active at this school after the plan
    std::map<PersonKey, std::vector<std::string>> personGroups_;
    std::set<std::string> groupCodes_;
    std::set<std::string> unknownGroups_;
    std::set<PersonKey> seen_;
    std::set<std::string> seenUpns_;
    std::multimap<std::string, const Account*> manualByName_;
    std::vector<std::int64_t> championsLost_;

    const std::string& school() const { return in_.view.school; }

    void index() {
        for (const auto& a : in_.view.accounts) {
            byId_[a.id] = &a;
            if (a.status == AccountStatus::Purged) {
                continue;
            }
            if (a.role == Role::Learner && !a.attrs.upn.empty() && a.source == AccountSource::Mis) {
                byUpn_[a.attrs.upn] = &a;
            }
            if (a.role == Role::Staff && !a.attrs.nationalId.empty() &&
                a.source == AccountSource::Mis) {
                byNational_[a.attrs.nationalId] = &a;
            }
            if (a.school == school()) {
                if (a.source == AccountSource::Mis) {
                    ownByMis_[{a.role, a.attrs.misId}] = &a;
                } else if (a.status == AccountStatus::Active) {
                    manualByName_.emplace(nameKey(a.attrs.legalForename, a.attrs.legalSurname), &a);
                }
            }
        }
        for (const auto& c : in_.view.claims) {
            if (c.school == school()) {
                ownClaims_[c.accountId] = &c;
            } else {
                claimsOn_[c.accountId].push_back(&c);
            }
        }
        // R11: memberships count in the groups the school will have after the plan: the
        // snapshot's, and for a partial snapshot also the live groups it does not mention.
        for (const auto& g : in_.snapshot.groups) {
            groupCodes_.insert(g.code);
        }
        for (const auto& g : in_.view.groups) {
            if (!in_.snapshot.complete && !g.archived) {
                groupCodes_.insert(g.code);
            }
        }
        for (const auto& m : in_.snapshot.memberships) {
            if (groupCodes_.count(m.groupCode) == 0) {
                unknownGroups_.insert(m.groupCode);
                continue;
            }
            personGroups_[{m.memberRole, m.memberMisId}].push_back(m.groupCode);
        }
        for (auto& [k, codes] : personGroups_) {
            std::sort(codes.begin(), codes.end());
            codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
        }
        for (const auto& e : in_.snapshot.rejected) {
            if (!e.role) {
                continue;
            }
            const Account* a = nullptr;
            if (!e.upn.empty()) {
                if (auto it = byUpn_.find(e.upn); it != byUpn_.end()) {
                    a = it->second;
                }
            }
            if (a == nullptr && !e.misId.empty()) {
                if (auto it = ownByMis_.find({*e.role, e.misId}); it != ownByMis_.end()) {
                    a = it->second;
                }
            }
            if (a != nullptr && a->school == school()) {
                held_.insert(a->id);
            }
        }
    }

    std::string nameKey(std::string_view forename, std::string_view surname) const {
        return svc_.names.toAscii(forename) + "|" + svc_.names.toAscii(surname);
    }

    void rejects() {
        for (const auto& e : in_.snapshot.rejected) {
            plan_.errors.push_back(e);
            ++plan_.counts["rejected"];
        }
        for (const auto& w : in_.snapshot.warnings) {
            plan_.warnings.push_back(w);
        }
    }

    // The working copy of an existing account in the plan (copied on first change).
    AccountWrite& touch(const Account& a) {
        auto it = writeIndex_.find(a.id);
        if (it != writeIndex_.end()) {
            return plan_.accounts[it->second];
        }
        writeIndex_[a.id] = plan_.accounts.size();
        plan_.accounts.push_back(AccountWrite{a, std::nullopt, {}});
        return plan_.accounts.back();
    }
    // The account as the plan leaves it so far.
    const Account& current(const Account& a) const {
        auto it = writeIndex_.find(a.id);
        return it == writeIndex_.end() ? a : plan_.accounts[it->second].account;
    }

    Action actionFor(ActionKind kind, const Account& a, std::string reason) const {
        Action act;
        act.kind = kind;
        act.role = a.role;
        act.school = a.school;
        act.misId = a.attrs.misId;
        act.upn = a.attrs.upn;
        act.username = a.username;
        act.reason = std::move(reason);
        return act;
    }

    void warn(std::string code, std::string message) {
        plan_.warnings.push_back({std::move(code), std::move(message)});
    }

    const Account* match(const core::Person& p) const {
        if (p.role == Role::Learner) {
            if (!p.upn.empty()) {
                if (auto it = byUpn_.find(p.upn); it != byUpn_.end()) {
                    return it->second;
                }
            }
            // The same MIS id at this school: the learner gained a UPN, or a temporary UPN
            // (a letter in position 13) was replaced by the permanent one (R1, R3).
            auto it = ownByMis_.find({Role::Learner, p.misId});
            if (it != ownByMis_.end() &&
                (p.upn.empty() || it->second->attrs.upn.empty() ||
                 isTemporaryUpn(it->second->attrs.upn)) &&
                it->second->status != AccountStatus::Purged) {
                return it->second;
            }
            return nullptr;
        }
        auto it = ownByMis_.find({p.role, p.misId});
        if (it != ownByMis_.end() && it->second->status != AccountStatus::Purged) {
            return it->second;
        }
        if (in_.policy.staffTransfer == StaffTransfer::Automatic && !p.nationalId.empty()) {
            if (auto n = byNational_.find(p.nationalId); n != byNational_.end()) {
                return n->second;
            }
        }
        return nullptr;
    }

    void person(const core::Person& p) {
        const bool onRoll = isOnRoll(p, in_.asOf, in_.policy);
        const Account* a = match(p);
        if (a != nullptr && a->source == AccountSource::Manual) {
            a = nullptr;  // R8: a sync never touches manual accounts
        }
        // One record per person: a second one with the same MIS id or UPN, or matching the same
        // account, could otherwise give one learner two accounts.
        const bool repeated =
            !seen_.insert({p.role, p.misId}).second ||
            (p.role == Role::Learner && !p.upn.empty() && !seenUpns_.insert(p.upn).second);
        if (repeated || (a != nullptr && !matched_.insert(a->id).second)) {
            plan_.errors.push_back(
                {"duplicate_person", p.source.file, p.source.record,
                 "record has the MIS id or UPN of another record, or matches the same account (" +
                     (a != nullptr ? a->username : p.misId) + "); skipped"});
            ++plan_.counts["rejected"];
            return;
        }
        if (a == nullptr) {
            if (onRoll) {
                create(p);
            }
            return;
        }
        if (a->school == school()) {
            owned(p, *a, onRoll);
        } else {
            foreign(p, *a, onRoll);
        }
    }

    // R2
    void create(const core::Person& p) {
        Account acc;
        acc.role = p.role;
        acc.source = AccountSource::Mis;
        acc.school = school();
        acc.attrs = attributesOf(p);
        acc.displayName = displayName(acc.attrs);
        acc.status = AccountStatus::Active;
        acc.ownerOnRoll = true;
        acc.createdAt = in_.now;
        acc.username =
            svc_.usernames.allocate(usernameBase(svc_.names, p.legalSurname, p.legalForename));
        acc.passwordAvailable = true;
        possibleDuplicate(p, acc.username);
        AccountWrite w{acc, svc_.passwords.generate(acc.username), {acc.username}};
        plan_.actions.push_back(actionFor(ActionKind::Create, acc, "new on roll"));
        ++plan_.counts["create"];
        placed_[{p.role, p.misId}] = Ref{0, static_cast<int>(plan_.accounts.size())};
        plan_.accounts.push_back(std::move(w));
    }

    // R8
    void possibleDuplicate(const core::Person& p, const std::string& username) {
        if (manualByName_.empty()) {
            return;  // most schools: no manual account to compare with, no transliteration
        }
        auto [lo, hi] = manualByName_.equal_range(nameKey(p.legalForename, p.legalSurname));
        for (auto it = lo; it != hi; ++it) {
            const Account& m = *it->second;
            if (p.dob && !m.attrs.dob.empty() && m.attrs.dob != p.dob->toString()) {
                continue;
            }
            warn("possible_duplicate", "new MIS account " + username + " (MIS id " + p.misId +
                                           ") has the same name as manual account " + m.username);
        }
    }

    // Attributes the MIS may set on an account, keeping portal-owned ones (R9).
    Attributes merged(const Account& a, const Attributes& fromMis) const {
        Attributes out = fromMis;
        if (a.nameLocked) {
            out.legalForename = a.attrs.legalForename;
            out.legalSurname = a.attrs.legalSurname;
            out.preferredForename = a.attrs.preferredForename;
            out.preferredSurname = a.attrs.preferredSurname;
        }
        return out;
    }

    // R3/R4: brings an account's attributes in line; returns the changes.
    std::vector<FieldChange> setAttributes(AccountWrite& w, const Attributes& target,
                                           bool& renamed) {
        Account& acc = w.account;
        auto changes = diffAttributes(acc.attrs, target);
        renamed = acc.attrs.legalForename != target.legalForename ||
                  acc.attrs.legalSurname != target.legalSurname;
        const Attributes before = acc.attrs;
        acc.attrs = target;
        std::string dn = displayName(target);
        if (dn != acc.displayName) {
            changes.push_back({"display_name", acc.displayName, dn});
            acc.displayName = dn;
        }
        if (renamed && in_.policy.regenerateUsernameOnRename) {
            std::string oldBase =
                usernameBase(svc_.names, before.legalSurname, before.legalForename);
            std::string newBase =
                usernameBase(svc_.names, target.legalSurname, target.legalForename);
            if (oldBase != newBase) {
                std::string name = svc_.usernames.allocate(newBase);
                changes.push_back({"username", acc.username, name});
                acc.aliases.push_back(acc.username);
                acc.username = name;
                w.newNames.push_back(name);
                w.newPassword = svc_.passwords.generate(name);
                acc.passwordAvailable = true;
            }
        }
        return changes;
    }

    // R3: the display name follows the attributes, and its change is recorded as theirs are.
    static void refreshDisplayName(Account& acc, std::vector<FieldChange>& changes) {
        std::string dn = displayName(acc.attrs);
        if (dn != acc.displayName) {
            changes.push_back({"display_name", acc.displayName, dn});
            acc.displayName = std::move(dn);
        }
    }

    bool wouldChange(const Account& a, const Attributes& target) const {
        return a.attrs != target || displayName(target) != a.displayName;
    }

    void owned(const core::Person& p, const Account& a, bool onRoll) {
        Attributes target = merged(a, attributesOf(p));
        if (auto c = ownClaims_.find(a.id); c != ownClaims_.end()) {
            plan_.claims.push_back({*c->second, true});  // we own it now: the claim is moot
        }
        if (onRoll) {
            if (a.status == AccountStatus::Deactivated || !a.ownerOnRoll) {
                AccountWrite& w = touch(a);
                bool renamed = false;
                auto changes = setAttributes(w, target, renamed);
                const bool wasDeactivated = a.status == AccountStatus::Deactivated;
                w.account.status = AccountStatus::Active;
                w.account.ownerOnRoll = true;
                w.account.deactivatedAt.clear();
                if (wasDeactivated) {
                    auto act = actionFor(ActionKind::Reactivate, w.account, "back on roll");
                    act.changes = std::move(changes);
                    plan_.actions.push_back(std::move(act));
                    ++plan_.counts["reactivate"];
                } else if (!changes.empty()) {
                    auto act =
                        actionFor(renamed ? ActionKind::Rename : ActionKind::Update, w.account,
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
            return;
        }
        // Not on roll: a leaver by date, a guest, or not yet admitted.
        if (a.status == AccountStatus::Active) {
            std::string why = p.leavingDate && *p.leavingDate <= in_.asOf
                                  ? "left on " + p.leavingDate->toString()
                                  : "not on roll";
            leave(a, target, why);
        } else if (wouldChange(a, target)) {
            AccountWrite& w = touch(a);
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
    void leave(const Account& a, const std::optional<Attributes>& target, const std::string& why) {
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
        w.account.status = AccountStatus::Deactivated;
        w.account.ownerOnRoll = false;
        w.account.deactivatedAt = in_.now;
        auto act = actionFor(ActionKind::Deactivate, w.account, why);
        act.changes = std::move(changes);
        plan_.actions.push_back(std::move(act));
        ++plan_.counts["deactivate"];
        if (a.digitalChampion) {
            championsLost_.push_back(a.id);
        }
    }

    // R7 tie rule: main or single enrolment first, then the lowest school number.
    const Claim* pickClaim(const std::vector<const Claim*>& claims, const Claim* self,
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

    // Moves an account to the claimant with the claimant's recorded view (DESIGN.md hand-over).
    void handOver(const Account& a, const Claim& c, const std::string& why) {
        AccountWrite& w = touch(a);
        const std::string from = w.account.school;
        auto changes = diffAttributes(w.account.attrs, merged(a, c.attrs));
        w.account.attrs = merged(a, c.attrs);
        refreshDisplayName(w.account, changes);
        w.account.school = c.school;
        w.account.status = AccountStatus::Active;
        w.account.ownerOnRoll = true;
        w.account.deactivatedAt.clear();
        for (const auto& g : a.memberOf) {
            removeMembership(g.school, g.code, a.id);
        }
        for (const auto& code : c.groupCodes) {
            membership(c.school, code, Ref{a.id, -1}, true);
            ++plan_.counts["membership_add"];
        }
        plan_.claims.push_back({c, true});
        auto act = actionFor(ActionKind::Transfer, w.account,
                             (why.empty() ? "" : why + "; ") + "on roll at " + c.school);
        act.fromSchool = from;
        act.changes = std::move(changes);
        plan_.actions.push_back(std::move(act));
        ++plan_.counts["transfer"];
        if (a.digitalChampion && from == school()) {
            championsLost_.push_back(a.id);
        }
    }

    // A membership change, naming its member for the change log.
    void membership(const std::string& groupSchool, const std::string& code, Ref ref, bool add) {
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

    void removeMembership(const std::string& groupSchool, const std::string& code,
                          std::int64_t id) {
        if (groupSchool == school()) {
            return;  // this school's own groups are reconciled in groups()
        }
        membership(groupSchool, code, Ref{id, -1}, false);
        ++plan_.counts["membership_remove"];
    }

    Claim claimFor(const core::Person& p, const Account& a) const {
        Claim c;
        c.accountId = a.id;
        c.school = school();
        c.role = p.role;
        c.attrs = attributesOf(p);
        if (auto g = personGroups_.find({p.role, p.misId}); g != personGroups_.end()) {
            c.groupCodes = g->second;
        }
        c.claimedAt = in_.asOf.toString();
        return c;
    }

    // R7: the person is on roll here while another school owns the account.
    void foreign(const core::Person& p, const Account& a, bool onRoll) {
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
        const bool released = cur.status != AccountStatus::Active || !cur.ownerOnRoll;
        Claim mine = claimFor(p, a);
        if (released && cur.school == a.school) {
            std::vector<const Claim*> others;
            if (auto it = claimsOn_.find(a.id); it != claimsOn_.end()) {
                others = it->second;
            }
            const Claim* winner = pickClaim(others, &mine, a);
            if (winner == &mine) {
                takeOver(p, a, own);
                return;
            }
            handOver(a, *winner, "released by " + a.school);
            recordClaim(mine, own);
            return;
        }
        recordClaim(mine, own);
        if (p.enrolment == core::Enrolment::Subsidiary &&
            enrolmentIsMain(cur.attrs.enrolmentStatus)) {
            // TODO(issue 2 follow-up): dual registration joins this school's groups as a guest.
            warn("dual_registration", "UPN " + p.upn + " is a subsidiary registration here; " +
                                          "account " + a.username + " stays with " + a.school);
            return;
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

    void recordClaim(const Claim& mine, const Claim* own) {
        claimedNow_.insert(mine.accountId);
        if (own == nullptr || !own->sameContent(mine)) {
            plan_.claims.push_back({mine, false});
        }
    }

    void takeOver(const core::Person& p, const Account& a, const Claim* own) {
        AccountWrite& w = touch(a);
        Attributes target = merged(a, attributesOf(p));
        auto changes = diffAttributes(w.account.attrs, target);
        const std::string from = w.account.school;
        w.account.attrs = target;
        refreshDisplayName(w.account, changes);
        w.account.school = school();
        w.account.status = AccountStatus::Active;
        w.account.ownerOnRoll = true;
        w.account.deactivatedAt.clear();
        for (const auto& g : a.memberOf) {
            removeMembership(g.school, g.code, a.id);
        }
        if (own != nullptr) {
            plan_.claims.push_back({*own, true});
        }
        auto act = actionFor(ActionKind::Transfer, w.account, "on roll here; left " + from);
        act.fromSchool = from;
        act.changes = std::move(changes);
        plan_.actions.push_back(std::move(act));
        ++plan_.counts["transfer"];
        placed_[{p.role, p.misId}] = Ref{a.id, -1};
    }

    // R5: accounts of this school that a complete roll no longer lists.
    void absentees() {
        if (!in_.snapshot.complete) {
            return;
        }
        std::vector<const Account*> gone;
        for (const auto& a : in_.view.accounts) {
            if (held_.count(a.id) != 0) {
                continue;  // R15: its record was rejected, but the person is still there
            }
            if (a.school == school() && a.source == AccountSource::Mis &&
                a.status == AccountStatus::Active && matched_.count(a.id) == 0 &&
                (a.role == Role::Learner || a.role == Role::Staff)) {
                gone.push_back(&a);
            }
        }
        std::sort(gone.begin(), gone.end(),
                  [](const Account* x, const Account* y) { return x->username < y->username; });
        for (const auto* a : gone) {
            leave(*a, std::nullopt, "absent from the complete roll");
        }
    }

    // Claims this school made that its snapshot no longer supports.
    void staleClaims() {
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

    // R5/R11: a partial snapshot speaks only for the persons it lists, so an account that stays
    // active here keeps its memberships when such a snapshot does not mention the person.
    bool keepsMembership(std::int64_t id) const {
        if (held_.count(id) != 0) {
            return true;  // R15: a rejected record changes nothing about its account
        }
        if (in_.snapshot.complete || matched_.count(id) != 0) {
            return false;
        }
        auto it = byId_.find(id);
        if (it == byId_.end()) {
            return false;
        }
        const Account& after = current(*it->second);
        return after.school == school() && after.status == AccountStatus::Active;
    }

    void groups();
    void championCheck();
};

void Planner::groups() {
    std::map<std::string, const GroupState*> existing;
    for (const auto& g : in_.view.groups) {
        existing[g.code] = &g;
    }
    std::map<std::string, const core::Group*> wanted;
    for (const auto& g : in_.snapshot.groups) {
        wanted.emplace(g.code, &g);
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
    if (in_.snapshot.complete) {
        for (const auto& [code, ex] : existing) {
            if (wanted.count(code) == 0 && !ex->archived) {
                GroupState s = *ex;
                s.members.clear();
                s.archived = true;
                plan_.groups.push_back({s});
                Action act;
                act.kind = ActionKind::GroupArchive;
                act.school = school();
                act.group = code;
                act.reason = "absent from the complete snapshot";
                plan_.actions.push_back(std::move(act));
                ++plan_.counts["group_archive"];
            }
        }
    }
    // Memberships: wanted = snapshot memberships of persons active here after the plan.
    std::set<std::pair<std::string, Ref>> want;
    for (const auto& code : unknownGroups_) {
        warn("unknown_group",
             "memberships of group " + code + ", which the snapshot does not list, are ignored");
    }
    for (const auto& m : in_.snapshot.memberships) {
        auto it = placed_.find({m.memberRole, m.memberMisId});
        if (it != placed_.end() && groupCodes_.count(m.groupCode) != 0) {
            want.insert({m.groupCode, it->second});
        }
    }
    std::set<std::pair<std::string, Ref>> have;
    for (const auto& g : in_.view.groups) {
        for (auto id : g.members) {
            have.insert({g.code, Ref{id, -1}});
        }
    }
    for (const auto& [code, ref] : have) {
        if (want.count({code, ref}) == 0 && !keepsMembership(ref.id)) {
            membership(school(), code, ref, false);
            ++plan_.counts["membership_remove"];
        }
    }
    for (const auto& [code, ref] : want) {
        if (have.count({code, ref}) == 0) {
            membership(school(), code, ref, true);
            ++plan_.counts["membership_add"];
        }
    }
}

// R10: a run that takes away the school's last active Digital Champion says so.
void Planner::championCheck() {
    if (championsLost_.empty()) {
        return;
    }
    for (const auto& a : in_.view.accounts) {
        if (a.school == school() && a.digitalChampion && a.status == AccountStatus::Active) {
            const Account& after = current(a);
            if (after.school == school() && after.status == AccountStatus::Active) {
                return;
            }
        }
    }
    warn("no_digital_champion",
         "this run leaves school " + school() + " without an active Digital Champion");
}

}  // namespace

Plan makePlan(const PlanInput& input, PlanServices& services) {
    return Planner(input, services).run();
}

}  // namespace misync::reconcile
