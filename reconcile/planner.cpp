// The planner's run order, matching (R1), creating (R2), possible duplicates (R8) and rejected
// records (R15). See planner_impl.h for how the rest is split.
#include <algorithm>

#include "reconcile/planner_impl.h"

namespace misync::reconcile {

namespace detail {

using core::Role;

bool isTemporaryUpn(std::string_view upn) {
    return upn.size() == 13 && (upn.back() < '0' || upn.back() > '9');
}

bool enrolmentIsMain(std::string_view status) {
    return status != "S";
}

bool outranks(std::string_view mine, const std::string& mySchool, std::string_view theirs,
              const std::string& theirSchool) {
    const bool mainMine = enrolmentIsMain(mine);
    const bool mainTheirs = enrolmentIsMain(theirs);
    if (mainMine != mainTheirs) {
        return mainMine;
    }
    return !mainMine && mySchool < theirSchool;
}

Planner::Planner(const PlanInput& in, PlanServices& svc) : in_(in), svc_(svc) {
    plan_.school = in.view.school;
    index();
}

Plan Planner::run() {
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
    departures();  // R5: after the persons (a record wins), before the absentees
    absentees();
    staleClaims();
    purges();
    groups();
    championCheck();
    return std::move(plan_);
}

void Planner::index() {
    byId_.reserve(in_.view.accounts.size());
    byUpn_.reserve(in_.view.accounts.size());
    ownByMis_.reserve(in_.view.accounts.size());
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
    // snapshot's, and for a partial snapshot also the live groups it does not mention (for
    // group coverage other than Roll, see indexCoverage()).
    if (in_.snapshot.groupCoverage != core::Coverage::None) {
        for (const auto& g : in_.snapshot.groups) {
            groupCodes_.insert(g.code);
        }
    }
    for (const auto& g : in_.view.groups) {
        if (!in_.snapshot.complete && !g.archived) {
            groupCodes_.insert(g.code);
        }
    }
    indexCoverage();
    for (const auto& m : in_.snapshot.memberships) {
        if (in_.snapshot.membershipCoverage == core::Coverage::None) {
            break;  // no memberships from this snapshot (SPEC §6.3: enrollments absent)
        }
        if (groupCodes_.count(m.groupCode) == 0) {
            unknownGroups_.insert(m.groupCode);
        }
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

// R7: the snapshot's groups of person `k` that are groups here, sorted and unique. Only a claim
// needs them. Most schools make a handful of claims a day, so the first few scan the
// memberships; a school that makes more builds the person -> groups map once (issue 8: building
// the map for a single claim cost more than the claim). groupCodes_ is complete once index()
// has run.
std::vector<std::string_view> Planner::snapshotGroupsOf(const PersonKey& k) const {
    constexpr int kDirectScans = 8;
    std::vector<std::string_view> out;
    if (in_.snapshot.membershipCoverage == core::Coverage::None) {
        return out;
    }
    if (!personGroups_ && groupScans_ < kDirectScans) {
        ++groupScans_;
        for (const auto& m : in_.snapshot.memberships) {
            if (m.memberRole == k.first && m.memberMisId == k.second &&
                groupCodes_.count(m.groupCode) != 0) {
                out.push_back(m.groupCode);
            }
        }
        sortUnique(out);
        return out;
    }
    if (!personGroups_) {
        personGroups_.emplace();
        for (const auto& m : in_.snapshot.memberships) {
            if (groupCodes_.count(m.groupCode) != 0) {
                (*personGroups_)[{m.memberRole, m.memberMisId}].push_back(m.groupCode);
            }
        }
        for (auto& [key, codes] : *personGroups_) {
            sortUnique(codes);
        }
    }
    if (auto it = personGroups_->find(k); it != personGroups_->end()) {
        out = it->second;
    }
    return out;
}

std::string Planner::nameKey(std::string_view forename, std::string_view surname) const {
    return svc_.names.toAscii(forename) + "|" + svc_.names.toAscii(surname);
}

void Planner::rejects() {
    for (const auto& e : in_.snapshot.rejected) {
        plan_.errors.push_back(e);
        ++plan_.counts["rejected"];
    }
    for (const auto& w : in_.snapshot.warnings) {
        plan_.warnings.push_back(w);
    }
}

// The working copy of an existing account in the plan (copied on first change).
AccountWrite& Planner::touch(const Account& a) {
    auto it = writeIndex_.find(a.id);
    if (it != writeIndex_.end()) {
        return plan_.accounts[it->second];
    }
    writeIndex_[a.id] = plan_.accounts.size();
    plan_.accounts.push_back(AccountWrite{a, std::nullopt, {}});
    return plan_.accounts.back();
}

// The account as the plan leaves it so far.
const Account& Planner::current(const Account& a) const {
    auto it = writeIndex_.find(a.id);
    return it == writeIndex_.end() ? a : plan_.accounts[it->second].account;
}

Action Planner::actionFor(ActionKind kind, const Account& a, std::string reason) const {
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

void Planner::warn(std::string code, std::string message) {
    plan_.warnings.push_back({std::move(code), std::move(message)});
}

const Account* Planner::match(const core::Person& p) const {
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

void Planner::person(const core::Person& p) {
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
void Planner::create(const core::Person& p) {
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
void Planner::possibleDuplicate(const core::Person& p, const std::string& username) {
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

}  // namespace detail

Plan makePlan(const PlanInput& input, PlanServices& services) {
    return detail::Planner(input, services).run();
}

}  // namespace misync::reconcile
