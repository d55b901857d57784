// What a snapshot speaks for (SPEC §6.3, OneRoster's bulk, delta and absent files): group
// coverage (R11), membership coverage (R11, R7 guests) and departures (R5, R7, R9), with
// idempotence (R12) over a directory that applies each plan as the store does.
#include <gtest/gtest.h>

#include "planner_fixture.h"
#include "planner_sim.h"
#include "reconcile/guard.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;
using core::Coverage;

namespace {

const std::string kA = "6612345";
const std::string kB = "6615678";
const std::string kC = "6620001";

const GroupWrite* groupWrite(const Plan& plan, std::string_view code) {
    for (const auto& g : plan.groups) {
        if (g.group.code == code) {
            return &g;
        }
    }
    return nullptr;
}

// School A's directory: Alys (1), Bryn (2) and Cai (4) learners, Huw (3) staff, Dai (5) a
// learner who left last year; groups 8A, Y8, 8B/Ma and Chess.
struct CoverageCase {
    core::Person alys = learner("L-1", makeUpn(1), "Alys", "Evans", "8", "8A");
    core::Person bryn = learner("L-2", makeUpn(2), "Bryn", "Owen", "8", "8A");
    core::Person huw = staffMember("S-1", "Huw", "Rees");
    core::Person cai = learner("L-3", makeUpn(3), "Cai", "Hughes", "8", "8B");
    core::Person dai = learner("L-5", makeUpn(5), "Dai", "Jones", "8", "8B");
    DirectorySim sim;
    PlannerHarness h;

    CoverageCase() {
        add(alys, kA, 1, "evansa");
        add(bryn, kA, 2, "owenb");
        add(huw, kA, 3, "reesh");
        add(cai, kA, 4, "hughesc");
        Account& d = add(dai, kA, 5, "jonesd");
        d.status = AccountStatus::Deactivated;
        d.ownerOnRoll = false;
        d.deactivatedAt = "2024-01-10T06:30:00Z";
        sim.nextAccountId = 100;
        group(kA, 10, "8A", core::GroupType::Registration, {1, 2, 3});
        group(kA, 11, "Y8", core::GroupType::Year, {1, 2, 4});
        group(kA, 12, "8B/Ma", core::GroupType::Class, {3, 4});
        group(kA, 13, "Chess", core::GroupType::Class, {1});
        sim.nextGroupId = 100;
    }

    Account& add(const core::Person& p, const std::string& school, std::int64_t id,
                 const std::string& username) {
        sim.accounts[id] = accountFor(p, school, id, username);
        sim.passwords[id] = "sealed";
        sim.passwordSets[id] = 1;
        sim.usernameTable.insert(username);
        sim.registry.add(username);
        h.registry.add(username);
        return sim.accounts[id];
    }
    void group(const std::string& school, std::int64_t id, const std::string& code,
               core::GroupType type, std::set<std::int64_t> members) {
        SimGroup g;
        g.state.id = id;
        g.state.school = school;
        g.state.code = code;
        g.state.type = type;
        g.state.yearGroup = "8";
        g.members = std::move(members);
        sim.groups[{school, code}] = std::move(g);
    }
    // A OneRoster delta: partial, groups and memberships as changes.
    core::Snapshot delta(std::vector<core::Person> persons = {}) const {
        auto s = snapshotOf(kA, std::move(persons), /*complete=*/false);
        s.groupCoverage = Coverage::Changes;
        s.membershipCoverage = Coverage::Changes;
        return s;
    }
    // The snapshot's own copy of the live groups, as a bulk classes file lists them.
    static void listGroups(core::Snapshot& s, std::vector<std::string> codes) {
        for (const auto& code : codes) {
            addGroup(s, code,
                     code == "8A"   ? core::GroupType::Registration
                     : code == "Y8" ? core::GroupType::Year
                                    : core::GroupType::Class,
                     "8");
        }
    }
    Plan plan(const core::Snapshot& s, const std::string& school = kA) {
        return h.plan(s, sim.loadView(school, s));
    }
    // Plans and applies, as a run does.
    Plan run(const core::Snapshot& s) {
        return sim.run(s, h.policy, h.asOf, transliterator(), 20240301);
    }
    bool member(const std::string& school, const std::string& code, std::int64_t id) const {
        return sim.groups.at({school, code}).members.count(id) != 0;
    }
};

void removeMember(core::Snapshot& s, std::string code, const core::Person& p) {
    s.removedMemberships.push_back({std::move(code), p.misId, p.role, {}});
}

core::Departure departure(const core::Person& p, bool withUpn = true) {
    return core::Departure{p.role, p.misId, withUpn ? p.upn : "", {"users.csv", 7}};
}

}  // namespace

// ---- group coverage ------------------------------------------------------------------------

// R11 with a delta classes file: a complete roll of users does not make the classes complete.
TEST(PlannerCoverageGroups, ChangesKeepUnlistedGroupsOnACompleteSnapshotAndArchiveRemovedOnes) {
    CoverageCase c;
    auto snap = snapshotOf(kA, {c.alys, c.bryn, c.huw, c.cai});  // complete
    snap.groupCoverage = Coverage::Changes;
    snap.membershipCoverage = Coverage::Changes;
    CoverageCase::listGroups(snap, {"8A", "Art"});
    addMember(snap, "Art", c.alys);
    snap.removedGroups = {"Chess", "Nowhere"};
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["group_create"], 1u);
    EXPECT_EQ(plan.counts["group_update"], 0u);
    EXPECT_EQ(plan.counts["group_archive"], 1u);
    auto archives = actionsOf(plan, ActionKind::GroupArchive);
    ASSERT_EQ(archives.size(), 1u);
    EXPECT_EQ(archives[0]->group, "Chess");
    EXPECT_EQ(archives[0]->reason, "deleted in the extract");
    ASSERT_NE(groupWrite(plan, "Chess"), nullptr);
    EXPECT_TRUE(groupWrite(plan, "Chess")->group.archived);
    EXPECT_EQ(groupWrite(plan, "Y8"), nullptr);
    EXPECT_EQ(groupWrite(plan, "8B/Ma"), nullptr);
    // The archived group loses its member; the new one gains one; nothing else changes.
    EXPECT_TRUE(hasMembership(plan, kA, "Chess", 1, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Art", 1, true));  // a new group, an existing member
    EXPECT_EQ(plan.memberships.size(), 2u);
    EXPECT_EQ(plan.counts["deactivate"], 0u);

    // The same snapshot as a roll archives every group it does not list.
    auto roll = snap;
    roll.groupCoverage = Coverage::Roll;
    EXPECT_EQ(c.plan(roll).counts["group_archive"], 3u);

    // R12: applied, the same snapshot plans nothing.
    c.run(snap);
    EXPECT_TRUE(c.sim.groups.at({kA, "Chess"}).state.archived);
    EXPECT_TRUE(c.sim.groups.at({kA, "Chess"}).members.empty());
    EXPECT_TRUE(c.member(kA, "Art", 1));
    auto again = c.plan(snap);
    EXPECT_FALSE(again.changesDirectory());
    EXPECT_EQ(totalCount(again), 0u);
    expectInvariants(c.sim, "after the delta");
}

TEST(PlannerCoverageGroups, ChangesArchiveNeitherAListedNorAnArchivedGroup) {
    CoverageCase c;
    c.sim.groups.at({kA, "Chess"}).state.archived = true;
    c.sim.groups.at({kA, "Chess"}).members.clear();
    auto snap = c.delta();
    CoverageCase::listGroups(snap, {"Y8"});
    snap.removedGroups = {"Y8", "Chess"};  // Y8 is also listed: the record wins
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["group_archive"], 0u);
    EXPECT_FALSE(plan.changesDirectory());
}

// A membership of a group the delta deletes, or of a group nobody has, is ignored with the
// unknown_group warning (R11); one of a live group the delta does not list is honoured.
TEST(PlannerCoverageGroups, ChangesMembershipsOfDeletedOrUnknownGroups) {
    CoverageCase c;
    auto snap = c.delta();
    snap.removedGroups = {"Chess"};
    addMember(snap, "Chess", c.cai);
    addMember(snap, "Ghost", c.cai);
    addMember(snap, "8A", c.cai);
    auto plan = c.plan(snap);
    EXPECT_TRUE(hasWarning(plan, "unknown_group"));
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 4, true));
    EXPECT_TRUE(hasMembership(plan, kA, "Chess", 1, false));
    EXPECT_EQ(plan.memberships.size(), 2u);
}

TEST(PlannerCoverageGroups, NoneCreatesUpdatesAndArchivesNothing) {
    CoverageCase c;
    auto snap = snapshotOf(kA, {c.alys, c.bryn, c.huw, c.cai});  // complete
    snap.groupCoverage = Coverage::None;
    snap.membershipCoverage = Coverage::None;
    CoverageCase::listGroups(snap, {"8A", "Art"});  // should not be there: ignored
    snap.groups[0].yearGroup = "9";
    snap.removedGroups = {"Chess"};
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["group_create"], 0u);
    EXPECT_EQ(plan.counts["group_update"], 0u);
    EXPECT_EQ(plan.counts["group_archive"], 0u);
    EXPECT_TRUE(plan.groups.empty());
    EXPECT_TRUE(plan.memberships.empty());
    EXPECT_FALSE(plan.changesDirectory());

    // Groups absent, memberships a roll: the live groups are the school's, and memberships
    // follow the complete roll.
    auto roll = snapshotOf(kA, {c.alys, c.bryn, c.huw, c.cai});
    roll.groupCoverage = Coverage::None;
    addMember(roll, "8A", c.alys);
    addMember(roll, "8A", c.cai);
    auto rollPlan = c.plan(roll);
    EXPECT_EQ(rollPlan.counts["group_archive"], 0u);
    EXPECT_FALSE(hasWarning(rollPlan, "unknown_group"));
    EXPECT_TRUE(hasMembership(rollPlan, kA, "8A", 4, true));
    EXPECT_TRUE(hasMembership(rollPlan, kA, "8A", 2, false));
    EXPECT_TRUE(hasMembership(rollPlan, kA, "Chess", 1, false));
}

// ---- membership coverage -------------------------------------------------------------------

// A delta enrollment of a person whose user record did not change (not in the delta's users).
TEST(PlannerCoverageMemberships, ChangesAddForAnUnlistedPersonWithAnActiveOwnAccount) {
    CoverageCase c;
    auto snap = c.delta();
    addMember(snap, "8A", c.cai);
    addMember(snap, "8A", c.dai);                                  // deactivated: no
    addMember(snap, "8A", learner("L-9", "", "Nobody", "Known"));  // no account: no
    addMember(snap, "8A", staffMember("L-3", "Same", "Id"));       // staff L-3: none
    auto plan = c.plan(snap);
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 4, true));
    EXPECT_EQ(plan.memberships.size(), 1u);
    EXPECT_EQ(plan.counts["membership_add"], 1u);
    EXPECT_EQ(plan.counts["membership_remove"], 0u);

    // As a roll, a partial snapshot adds only for the persons it lists.
    auto roll = snap;
    roll.groupCoverage = Coverage::Roll;
    roll.membershipCoverage = Coverage::Roll;
    EXPECT_TRUE(c.plan(roll).memberships.empty());
}

TEST(PlannerCoverageMemberships, ChangesRemoveOnlyTheRemovedMemberships) {
    CoverageCase c;
    auto snap = c.delta({c.alys});
    removeMember(snap, "Y8", c.alys);    // listed
    removeMember(snap, "8A", c.huw);     // not listed
    removeMember(snap, "Chess", c.cai);  // not a member: nothing
    auto plan = c.plan(snap);
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 1, false));
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 3, false));
    EXPECT_EQ(plan.memberships.size(), 2u);
    EXPECT_EQ(plan.counts["membership_remove"], 2u);
    EXPECT_TRUE(plan.accounts.empty());

    // Listed as an addition and as a removal: the addition wins.
    auto both = c.delta();
    addMember(both, "Y8", c.alys);
    removeMember(both, "Y8", c.alys);
    EXPECT_FALSE(c.plan(both).changesDirectory());
}

// As a roll, a partial snapshot replaces a listed person's memberships; a delta does not.
TEST(PlannerCoverageMemberships, ChangesListedPersonKeepsMembershipsNotMentioned) {
    CoverageCase c;
    auto moved = c.alys;
    moved.regGroup = "8B";
    auto snap = c.delta({moved});
    addMember(snap, "8B/Ma", moved);
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["update"], 1u);
    EXPECT_TRUE(hasMembership(plan, kA, "8B/Ma", 1, true));
    EXPECT_EQ(plan.memberships.size(), 1u) << "8A, Y8 and Chess stay";

    auto roll = snap;
    roll.groupCoverage = Coverage::Roll;
    roll.membershipCoverage = Coverage::Roll;
    auto rollPlan = c.plan(roll);
    EXPECT_TRUE(hasMembership(rollPlan, kA, "8A", 1, false));
    EXPECT_TRUE(hasMembership(rollPlan, kA, "Chess", 1, false));
}

// R11: a deactivated account leaves the school's groups whatever the memberships say.
TEST(PlannerCoverageMemberships, ChangesLeaversStillLeaveTheGroups) {
    CoverageCase c;
    auto leaver = c.bryn;
    leaver.leavingDate = c.h.asOf;
    auto snap = c.delta({leaver});
    snap.departures = {departure(c.cai)};
    addMember(snap, "8B/Ma", leaver);  // the delta still enrols the leaver: ignored
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 2u);
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 2, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 2, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 4, false));
    EXPECT_TRUE(hasMembership(plan, kA, "8B/Ma", 4, false));
    EXPECT_EQ(plan.memberships.size(), 4u);
}

TEST(PlannerCoverageMemberships, NoneKeepsMembershipsButNotThoseOfLeavers) {
    CoverageCase c;
    auto snap = snapshotOf(kA, {c.alys, c.huw, c.cai});  // complete: Bryn is absent
    CoverageCase::listGroups(snap, {"8A", "Y8", "8B/Ma", "Chess"});
    snap.membershipCoverage = Coverage::None;
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 2, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 2, false));
    EXPECT_EQ(plan.memberships.size(), 2u);
    EXPECT_EQ(plan.counts["group_archive"], 0u);

    // As a roll, the same snapshot without memberships empties every group.
    auto roll = snap;
    roll.membershipCoverage = Coverage::Roll;
    EXPECT_EQ(c.plan(roll).counts["membership_remove"], 9u);

    // A group a complete roll of groups no longer lists is archived, and loses its members.
    auto fewer = snapshotOf(kA, {c.alys, c.bryn, c.huw, c.cai});
    CoverageCase::listGroups(fewer, {"8A", "Y8", "8B/Ma"});
    fewer.membershipCoverage = Coverage::None;
    auto fewerPlan = c.plan(fewer);
    EXPECT_EQ(fewerPlan.counts["group_archive"], 1u);
    EXPECT_TRUE(hasMembership(fewerPlan, kA, "Chess", 1, false));
    EXPECT_EQ(fewerPlan.memberships.size(), 1u);
}

// R12 for a delta of everything: groups created, updated and deleted, memberships added (for a
// listed newcomer and for an unlisted person) and removed, a departure; the second plan over
// the applied result is empty.
TEST(PlannerCoverageMemberships, ChangesSnapshotPlansNothingTheSecondTime) {
    CoverageCase c;
    auto eira = learner("L-7", makeUpn(7), "Eira", "Morgan", "8", "8A");
    auto snap = c.delta({eira});
    CoverageCase::listGroups(snap, {"Art", "8A"});
    snap.groups[1].subject = "PD";  // an update of 8A
    snap.removedGroups = {"Chess"};
    addMember(snap, "Art", c.alys);
    addMember(snap, "Art", eira);
    addMember(snap, "8A", eira);
    addMember(snap, "8A", c.cai);
    removeMember(snap, "Y8", c.alys);
    snap.departures = {departure(c.bryn)};
    auto plan = c.run(snap);
    EXPECT_EQ(plan.counts["create"], 1u);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    EXPECT_EQ(plan.counts["group_create"], 1u);
    EXPECT_EQ(plan.counts["group_update"], 1u);
    EXPECT_EQ(plan.counts["group_archive"], 1u);
    const std::int64_t eiraId = 100;
    ASSERT_EQ(c.sim.accounts.at(eiraId).attrs.misId, "L-7");
    EXPECT_TRUE(c.member(kA, "Art", 1));
    EXPECT_TRUE(c.member(kA, "Art", eiraId));
    EXPECT_TRUE(c.member(kA, "8A", eiraId));
    EXPECT_TRUE(c.member(kA, "8A", 4));
    EXPECT_TRUE(c.member(kA, "8A", 1));
    EXPECT_TRUE(c.member(kA, "8A", 3));
    EXPECT_FALSE(c.member(kA, "8A", 2));
    EXPECT_FALSE(c.member(kA, "Y8", 1));
    EXPECT_TRUE(c.member(kA, "Y8", 4));
    EXPECT_TRUE(c.member(kA, "8B/Ma", 3));
    expectInvariants(c.sim, "after the delta");

    auto again = c.run(snap);
    EXPECT_FALSE(again.changesDirectory());
    EXPECT_EQ(totalCount(again), 0u);
}

// R7: a guest's claim records the groups it has here, with the delta's changes.
TEST(PlannerCoverageMemberships, ChangesKeepTheGroupsOfAGuestsClaim) {
    CoverageCase c;
    auto atB = learner("B-9", makeUpn(1), "Alys", "Evans", "8", "8Q");
    atB.enrolment = core::Enrolment::Subsidiary;
    c.group(kB, 20, "8Q", core::GroupType::Registration, {1});
    c.group(kB, 21, "Y8", core::GroupType::Year, {});
    c.group(kB, 22, "Drama", core::GroupType::Class, {1});
    Claim claim = claimFor(atB, 1, kB, {"8Q", "Drama"});
    c.sim.claims[{1, kB}] = claim;
    auto snap = snapshotOf(kB, {atB}, false);
    snap.groupCoverage = Coverage::Changes;
    snap.membershipCoverage = Coverage::Changes;
    addMember(snap, "Y8", atB);
    removeMember(snap, "Drama", atB);
    auto plan = c.plan(snap, kB);
    EXPECT_TRUE(hasMembership(plan, kB, "Y8", 1, true));
    EXPECT_TRUE(hasMembership(plan, kB, "Drama", 1, false));
    EXPECT_EQ(plan.memberships.size(), 2u) << "8Q stays";
    ASSERT_EQ(plan.claims.size(), 1u);
    EXPECT_FALSE(plan.claims[0].remove);
    EXPECT_EQ(plan.claims[0].claim.groupCodes, (std::vector<std::string>{"8Q", "Y8"}));

    c.run(snap);
    expectInvariants(c.sim, "after B's delta");
    auto again = c.plan(snap, kB);
    EXPECT_FALSE(again.changesDirectory());
    EXPECT_EQ(totalCount(again), 0u);
}

// ---- departures (R5) -----------------------------------------------------------------------

TEST(PlannerDepartures, DeactivateTheOwnAccountByMisId) {
    CoverageCase c;
    auto snap = snapshotOf(kA, {}, false);  // a partial snapshot as a roll
    snap.departures = {departure(c.bryn, /*withUpn=*/false)};
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    auto acts = actionsOf(plan, ActionKind::Deactivate);
    ASSERT_EQ(acts.size(), 1u);
    EXPECT_EQ(acts[0]->username, "owenb");
    EXPECT_EQ(acts[0]->reason, "no longer on roll in the extract");
    EXPECT_TRUE(acts[0]->changes.empty()) << "a departure changes no attribute";
    const auto* w = writeFor(plan, 2);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.status, AccountStatus::Deactivated);
    EXPECT_FALSE(w->account.ownerOnRoll);
    EXPECT_EQ(w->account.deactivatedAt, c.h.now);
    EXPECT_EQ(w->account.attrs, c.sim.accounts.at(2).attrs);
    EXPECT_FALSE(w->newPassword.has_value());
    EXPECT_EQ(plan.accounts.size(), 1u);
    // R11: it leaves the school's groups.
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 2, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 2, false));
    EXPECT_EQ(plan.memberships.size(), 2u);
}

// R5's summer rule needs a leaving date; a departure has none and will not be named again.
TEST(PlannerDepartures, AnExamYearLearnerLeavesAtOnce) {
    CoverageCase c;
    c.sim.accounts.at(2).attrs.yearGroup = "11";
    c.h.asOf = day("2024-07-20");
    c.h.now = "2024-07-20T06:30:00Z";
    auto snap = c.delta();
    snap.departures = {departure(c.bryn)};
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    ASSERT_NE(writeFor(plan, 2), nullptr);
    EXPECT_EQ(writeFor(plan, 2)->account.deactivatedAt, "2024-07-20T06:30:00Z");
}

TEST(PlannerDepartures, FindALearnerByUpn) {
    CoverageCase c;
    auto snap = c.delta();
    core::Departure d = departure(c.cai);
    d.misId = "sourced-77";  // another id for the same learner: the UPN finds the account
    snap.departures = {d};
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    ASSERT_NE(writeFor(plan, 4), nullptr);
    EXPECT_EQ(writeFor(plan, 4)->account.status, AccountStatus::Deactivated);

    // Another school's account with that UPN, which this school does not claim: nothing.
    auto other = learner("C-1", makeUpn(8), "Ffion", "Lewis");
    c.add(other, kC, 50, "lewisf");
    DirectoryView view = c.sim.loadView(kA, snap);
    view.accounts.push_back(c.sim.accounts.at(50));
    auto snap2 = c.delta();
    snap2.departures = {departure(other)};
    auto plan2 = c.h.plan(snap2, view);
    EXPECT_FALSE(plan2.changesDirectory());
    EXPECT_EQ(totalCount(plan2), 0u);
}

TEST(PlannerDepartures, AreIgnoredWhenTheSnapshotHasAPersonRecord) {
    CoverageCase c;
    auto snap = c.delta({c.bryn, c.cai});
    snap.departures = {departure(c.bryn)};
    core::Departure byUpn = departure(c.cai);
    byUpn.misId = "sourced-77";  // the same learner by UPN
    snap.departures.push_back(byUpn);
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    EXPECT_FALSE(plan.changesDirectory());

    // The record says they are on roll again: an account deactivated earlier is reactivated.
    CoverageCase back;
    back.sim.accounts.at(2).status = AccountStatus::Deactivated;
    back.sim.accounts.at(2).ownerOnRoll = false;
    auto rejoin = back.delta({back.bryn});
    rejoin.departures = {departure(back.bryn)};
    EXPECT_EQ(back.plan(rejoin).counts["reactivate"], 1u);

    // R15: a rejected record says the person is still in the extract: the account is held.
    auto rejected = c.delta();
    rejected.rejected.push_back(
        {"invalid_date", "users.csv", 3, "bad date", core::Role::Learner, c.bryn.misId, ""});
    rejected.departures = {departure(c.bryn)};
    auto held = c.plan(rejected);
    EXPECT_EQ(held.counts["deactivate"], 0u);
    EXPECT_FALSE(held.changesDirectory());
}

TEST(PlannerDepartures, OfADeactivatedOrUnknownAccountChangeNothing) {
    CoverageCase c;
    auto snap = c.delta();
    snap.departures = {departure(c.dai), departure(learner("L-99", makeUpn(99), "No", "One")),
                       departure(staffMember("S-99", "No", "One")),
                       core::Departure{core::Role::NonMis, "L-1", "", {}}};
    auto plan = c.plan(snap);
    EXPECT_FALSE(plan.changesDirectory());
    EXPECT_EQ(totalCount(plan), 0u);
}

// R9: an administrator's deactivation stays; the account is no longer on roll (so that it can
// be purged, or handed over to a school that claims it, R7).
TEST(PlannerDepartures, RespectAnAdministratorsDeactivation) {
    CoverageCase c;
    Account& a = c.sim.accounts.at(2);
    a.status = AccountStatus::Deactivated;
    a.adminDeactivated = true;
    a.deactivatedAt = "2024-02-01T10:00:00Z";
    for (auto& [k, g] : c.sim.groups) {
        g.members.erase(2);
    }
    auto snap = c.delta();
    snap.departures = {departure(c.bryn)};
    auto plan = c.run(snap);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    const auto* w = writeFor(plan, 2);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.status, AccountStatus::Deactivated);
    EXPECT_FALSE(w->account.ownerOnRoll);
    EXPECT_EQ(w->account.deactivatedAt, "2024-02-01T10:00:00Z");
    EXPECT_FALSE(c.run(snap).changesDirectory());
}

// R7: the account of a departed learner whom another school claims goes there.
TEST(PlannerDepartures, HandAClaimedAccountOver) {
    CoverageCase c;
    auto atC = learner("C-4", c.bryn.upn, "Bryn", "Owen", "9", "9C");
    c.group(kC, 30, "9C", core::GroupType::Registration, {});
    c.sim.claims[{2, kC}] = claimFor(atC, 2, kC, {"9C"});
    auto snap = c.delta();
    snap.departures = {departure(c.bryn)};
    auto plan = c.run(snap);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    EXPECT_EQ(plan.counts["transfer"], 1u);
    EXPECT_EQ(c.sim.accounts.at(2).school, kC);
    EXPECT_TRUE(c.member(kC, "9C", 2));
    EXPECT_FALSE(c.member(kA, "8A", 2));
    expectInvariants(c.sim, "after the hand-over");
}

TEST(PlannerDepartures, PlanNothingTheSecondTime) {
    CoverageCase c;
    auto snap = snapshotOf(kA, {c.alys}, false);
    snap.departures = {departure(c.bryn, false), departure(c.cai), departure(c.dai)};
    auto first = c.run(snap);
    EXPECT_EQ(first.counts["deactivate"], 2u);
    EXPECT_EQ(c.sim.accounts.at(2).status, AccountStatus::Deactivated);
    EXPECT_EQ(c.sim.accounts.at(4).status, AccountStatus::Deactivated);
    expectInvariants(c.sim, "after the departures");
    auto again = c.run(snap);
    EXPECT_FALSE(again.changesDirectory());
    EXPECT_EQ(totalCount(again), 0u);
    EXPECT_TRUE(again.actions.empty());
}

// A complete roll's absentee who is also a departure is deactivated once, for the departure.
TEST(PlannerDepartures, AreNotDoubleCountedInACompleteSnapshot) {
    CoverageCase c;
    auto snap = snapshotOf(kA, {c.alys, c.huw, c.cai});  // Bryn absent and departed
    CoverageCase::listGroups(snap, {"8A", "Y8", "8B/Ma", "Chess"});
    snap.membershipCoverage = Coverage::None;
    snap.departures = {departure(c.bryn), departure(c.bryn, false)};
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    auto acts = actionsOf(plan, ActionKind::Deactivate);
    ASSERT_EQ(acts.size(), 1u);
    EXPECT_EQ(acts[0]->reason, "no longer on roll in the extract");
    EXPECT_EQ(plan.accounts.size(), 1u);

    // Claimed by another school: handed over once (R7), not once more as an absentee.
    auto atC = learner("C-4", c.bryn.upn, "Bryn", "Owen", "9", "9C");
    c.sim.claims[{2, kC}] = claimFor(atC, 2, kC);
    auto claimed = c.plan(snap);
    EXPECT_EQ(claimed.counts["transfer"], 1u);
    EXPECT_EQ(actionsOf(claimed, ActionKind::Transfer).size(), 1u);
    EXPECT_EQ(claimed.counts["deactivate"], 0u);
    EXPECT_EQ(claimed.claims.size(), 1u);
}

// S3 counts the departures' deactivations; S4 does not count a departure as listed.
TEST(PlannerDepartures, CountForTheGuards) {
    CoverageCase c;
    c.h.policy.minDeactivateGuard = 1;
    auto snap = c.delta();
    snap.departures = {departure(c.bryn), departure(c.cai)};
    auto plan = c.plan(snap);
    EXPECT_EQ(plan.counts["deactivate"], 2u);
    auto view = c.sim.loadView(kA, snap);
    auto held = holdReason(plan, snap, view, c.h.policy);
    ASSERT_TRUE(held.has_value());
    EXPECT_NE(held->message.find("S3 deactivation guard: would deactivate 2 of 4"),
              std::string::npos)
        << held->message;

    Policy s4;
    s4.maxDeactivateCount = 100;
    s4.maxDeactivatePercent = 100;
    auto complete = snapshotOf(kA, {c.alys, c.huw});
    complete.departures = {departure(c.bryn), departure(c.cai)};
    auto completePlan = c.plan(complete);
    EXPECT_EQ(completePlan.counts["deactivate"], 2u);
    auto shrink = holdReason(completePlan, complete, view, s4);
    ASSERT_TRUE(shrink.has_value());
    EXPECT_NE(shrink->message.find("lists 1 learner but the school has 3"), std::string::npos)
        << shrink->message;
}

// R7: a departure at the subsidiary school of a dual registration releases its claim and
// takes the guest out of its groups; the account stays with the main school.
TEST(PlannerDepartures, ReleaseTheClaimOfADualRegistrationGuest) {
    for (bool withUpn : {true, false}) {
        SCOPED_TRACE(withUpn ? "by UPN and MIS id" : "by MIS id");
        CoverageCase c;
        auto atB = learner("B-9", makeUpn(1), "Alys", "Evans", "8", "8Q");
        atB.enrolment = core::Enrolment::Subsidiary;
        c.group(kB, 20, "8Q", core::GroupType::Registration, {1});
        c.sim.claims[{1, kB}] = claimFor(atB, 1, kB, {"8Q"});
        auto snap = snapshotOf(kB, {}, false);
        snap.departures = {departure(atB, withUpn)};
        auto plan = c.run(snap);
        EXPECT_EQ(plan.counts["deactivate"], 0u);
        EXPECT_EQ(plan.counts["transfer"], 0u);
        ASSERT_EQ(plan.claims.size(), 1u);
        EXPECT_TRUE(plan.claims[0].remove);
        EXPECT_EQ(plan.claims[0].claim.school, kB);
        EXPECT_TRUE(hasMembership(plan, kB, "8Q", 1, false));
        EXPECT_TRUE(c.sim.claims.empty());
        EXPECT_EQ(c.sim.accounts.at(1).school, kA);
        EXPECT_EQ(c.sim.accounts.at(1).status, AccountStatus::Active);
        expectInvariants(c.sim, "after the release");
        EXPECT_FALSE(c.run(snap).changesDirectory());
    }
}

// R7: a learner this school waits to take over (awaiting transfer) departs: the claim goes.
TEST(PlannerDepartures, ReleaseTheClaimOfALearnerAwaitingTransfer) {
    CoverageCase c;
    auto atB = learner("B-9", makeUpn(1), "Alys", "Evans", "8", "8Q");
    c.group(kB, 20, "8Q", core::GroupType::Registration, {});
    c.sim.claims[{1, kB}] = claimFor(atB, 1, kB, {"8Q"});
    auto snap = snapshotOf(kB, {}, false);
    snap.groupCoverage = Coverage::Changes;
    snap.membershipCoverage = Coverage::Changes;
    snap.departures = {departure(atB, false)};
    auto plan = c.run(snap);
    ASSERT_EQ(plan.claims.size(), 1u);
    EXPECT_TRUE(plan.claims[0].remove);
    EXPECT_TRUE(plan.memberships.empty());
    EXPECT_TRUE(plan.accounts.empty());
    EXPECT_TRUE(c.sim.claims.empty());
    EXPECT_FALSE(c.run(snap).changesDirectory());

    // Without the departure, a delta's silence keeps the claim.
    CoverageCase k;
    k.sim.claims[{1, kB}] = claimFor(atB, 1, kB, {"8Q"});
    auto quiet = snap;
    quiet.departures.clear();
    EXPECT_FALSE(k.plan(quiet, kB).changesDirectory());
}
