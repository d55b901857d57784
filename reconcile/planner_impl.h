// The planner's working state, private to reconcile/. One Planner plans one school's run; its
// methods are split by concern:
//   planner.cpp            matching, creating, the run's order (R1, R2, R8, R15, U6)
//   planner_lifecycle.cpp  updates, renames, leavers, rejoiners, purge, portal-owned attributes,
//                          Digital Champions (R3–R6, R9, R10)
//   planner_transfers.cpp  transfers, claims and dual registration (R7)
//   planner_groups.cpp     groups and memberships (R11)
//   planner_coverage.cpp   what a snapshot speaks for: group and membership coverage and
//                          departures (SPEC §6.3; R5, R7, R11)
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "reconcile/planner.h"

namespace misync::reconcile::detail {

// (role, MIS id), viewing the snapshot's or the view's own strings, which outlive the planner
// (issue 8: no copy of the id for every lookup).
using PersonKey = std::pair<core::Role, std::string_view>;
struct PersonKeyHash {
    std::size_t operator()(const PersonKey& k) const {
        return std::hash<std::string_view>{}(k.second) * 3 + static_cast<std::size_t>(k.first);
    }
};
// The planner's per-person lookups, hashed (issue 8): nothing iterates them in order.
template <typename T>
using PersonMap = std::unordered_map<PersonKey, T, PersonKeyHash>;

// Sorts `v` and drops repeats. A vector that arrives sorted (the view's rows often do) is only
// checked, not sorted again.
template <typename T>
void sortUnique(std::vector<T>& v) {
    if (!std::is_sorted(v.begin(), v.end())) {
        std::sort(v.begin(), v.end());
    }
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Where a person's account ends up after the plan, for memberships.
struct Ref {
    std::int64_t id = 0;
    int write = -1;
    bool operator<(const Ref& o) const { return std::tie(id, write) < std::tie(o.id, o.write); }
};

bool isTemporaryUpn(std::string_view upn);
// R7: main (M) and single (C) registrations rank above subsidiary (S) ones.
bool enrolmentIsMain(std::string_view status);
// R7 dual registration: whether a school whose enrolment is `mine` should own the account rather
// than `theirs`: a main or single registration outranks a subsidiary one; of two subsidiary ones
// the lower school number owns it (so either run order ends the same, R13).
bool outranks(std::string_view mine, const std::string& mySchool, std::string_view theirs,
              const std::string& theirSchool);

class Planner {
  public:
    Planner(const PlanInput& in, PlanServices& svc);
    Plan run();

  private:
    const PlanInput& in_;
    PlanServices& svc_;
    Plan plan_;

    std::unordered_map<std::int64_t, const Account*> byId_;
    std::unordered_map<std::string, const Account*> byUpn_;
    std::unordered_map<std::string, const Account*> byNational_;
    PersonMap<const Account*> ownByMis_;
    std::unordered_map<std::int64_t, std::vector<const Claim*>> claimsOn_;  // by other schools
    std::unordered_map<std::int64_t, const Claim*> ownClaims_;
    std::unordered_map<std::int64_t, std::size_t> writeIndex_;
    std::unordered_set<std::int64_t> matched_;
    // Accounts of this school whose person's record was rejected (R15): left as they are.
    std::unordered_set<std::int64_t> held_;
    std::unordered_set<std::int64_t> claimedNow_;
    std::unordered_set<std::int64_t> releasedClaims_;
    PersonMap<Ref> placed_;  // persons whose account is active here after the plan
    // R7 dual registration: persons of this school whose account another school owns; they
    // are guest members of this school's groups.
    std::map<PersonKey, Ref> guests_;
    // Owners that this plan turns into guests of an account it takes over (they claim it now).
    std::set<std::pair<std::int64_t, std::string>> keptGuests_;
    // The snapshot's groups of each person that are groups here (snapshotGroupsOf()): built
    // only once a school makes more than a few claims; until then each claim scans.
    mutable std::optional<PersonMap<std::vector<std::string_view>>> personGroups_;
    mutable int groupScans_ = 0;
    // The school's groups after the plan (R11): the codes memberships may name (the snapshot's
    // and the view's strings).
    std::unordered_set<std::string_view> groupCodes_;
    // Coverage::Changes (SPEC §6.3): the memberships the snapshot ends, per member.
    std::map<PersonKey, std::set<std::string>> removedByPerson_;
    // Coverage other than Roll: the live groups of this school each account belongs to.
    std::map<std::int64_t, std::vector<std::string>> liveGroupsOf_;
    // Filled at the start of groups(): guests' account ids, and the existing memberships
    // (group code, account id) that removedMemberships ends.
    std::unordered_set<std::int64_t> guestIds_;
    std::set<std::pair<std::string, std::int64_t>> ended_;
    std::set<std::string> unknownGroups_;
    std::unordered_set<PersonKey, PersonKeyHash> seen_;
    std::unordered_set<std::string> seenUpns_;
    std::multimap<std::string, const Account*> manualByName_;
    // R10: active Digital Champions this plan takes away, per school.
    std::map<std::string, int> championsLost_;

    const std::string& school() const { return in_.view.school; }

    // planner.cpp
    void index();
    std::string nameKey(std::string_view forename, std::string_view surname) const;
    std::vector<std::string_view> snapshotGroupsOf(const PersonKey& k) const;
    void rejects();
    AccountWrite& touch(const Account& a);
    const Account& current(const Account& a) const;
    Action actionFor(ActionKind kind, const Account& a, std::string reason) const;
    void warn(std::string code, std::string message);
    const Account* match(const core::Person& p) const;
    void person(const core::Person& p);
    void create(const core::Person& p);
    void possibleDuplicate(const core::Person& p, const std::string& username);

    // planner_lifecycle.cpp
    Attributes merged(const Account& a, Attributes fromMis) const;
    std::vector<FieldChange> setAttributes(AccountWrite& w, const Attributes& target,
                                           bool& renamed);
    static void refreshDisplayName(Account& acc, std::vector<FieldChange>& changes);
    bool wouldChange(const Account& a, const Attributes& target) const;
    void owned(const core::Person& p, const Account& a, bool onRoll);
    void ownedOnRoll(const core::Person& p, const Account& a, const Attributes& target);
    void ownedNotOnRoll(const core::Person& p, const Account& a, const Attributes& target);
    void leave(const Account& a, const std::optional<Attributes>& target, const std::string& why);
    void absentees();
    void purges();
    void loseChampion(const Account& before);
    void championCheck();

    // planner_transfers.cpp
    bool hasClaims(std::int64_t id) const;
    bool claimedBy(std::int64_t id, const std::string& school) const;
    const Claim* pickClaim(const std::vector<const Claim*>& claims, const Claim* self,
                           const Account& a);
    // Moves the account to school `to` (a transfer): status, owner, Digital Champion (a role at
    // the school it leaves), memberships of schools that neither claim it nor own it now.
    void moveAccount(AccountWrite& w, const Account& a, const std::string& to,
                     std::vector<FieldChange>& changes);
    void handOver(const Account& a, const Claim& c, const std::string& why);
    Claim claimFor(const core::Person& p, const Account& a) const;
    void foreign(const core::Person& p, const Account& a, bool onRoll);
    void recordClaim(const Claim& mine, const Claim* own);
    void takeOver(const core::Person& p, const Account& a, const Claim* own,
                  bool ownerBecomesGuest);
    void handOverToMain(const core::Person& p, const Account& a);
    void staleClaims();

    // planner_groups.cpp
    void membership(const std::string& groupSchool, const std::string& code, Ref ref, bool add);
    void removeMembership(const std::string& groupSchool, const std::string& code, std::int64_t id);
    bool keepsMembership(const std::string& code, std::int64_t id) const;
    void archiveGroup(const GroupState& g, const char* reason);
    void groups();

    // planner_coverage.cpp
    bool rollCoverage() const;
    void indexCoverage();
    std::optional<Ref> memberRef(const PersonKey& k) const;
    std::optional<std::int64_t> endedAccount(const PersonKey& k) const;
    void resolveEnded();
    bool staysHere(std::int64_t id) const;
    std::vector<std::string> claimGroups(const PersonKey& k, std::int64_t accountId) const;
    const Account* ownAccountOf(const core::Departure& d) const;
    void departures();
    void depart(const core::Departure& d);
};

}  // namespace misync::reconcile::detail
