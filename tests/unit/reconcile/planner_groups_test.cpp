// R11 groups and memberships, and U6: the same input gives the same plan and usernames
// whatever the order of the persons.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "planner_fixture.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";

GroupState groupState(std::int64_t id, std::string code, core::GroupType type,
                      std::vector<std::int64_t> members, std::string year = "8") {
    GroupState g;
    g.id = id;
    g.school = kA;
    g.code = std::move(code);
    g.type = type;
    g.yearGroup = std::move(year);
    g.members = std::move(members);
    return g;
}

const GroupWrite* groupWrite(const Plan& plan, std::string_view code) {
    for (const auto& g : plan.groups) {
        if (g.group.code == code) {
            return &g;
        }
    }
    return nullptr;
}

struct GroupCase {
    core::Person alys = learner("L-1", makeUpn(1), "Alys", "Evans", "8", "8A");
    core::Person bryn = learner("L-2", makeUpn(2), "Bryn", "Owen", "8", "8A");
    core::Person huw = staffMember("S-1", "Huw", "Rees");
    DirectoryView view;

    GroupCase() {
        view.school = kA;
        view.accounts = {accountFor(alys, kA, 1, "evansa"), accountFor(bryn, kA, 2, "owenb"),
                         accountFor(huw, kA, 3, "reesh")};
        view.groups = {groupState(10, "8A", core::GroupType::Registration, {1, 2, 3}),
                       groupState(11, "Y8", core::GroupType::Year, {1, 2})};
    }
    core::Snapshot snapshot(std::vector<core::Person> persons, bool complete = true) const {
        auto s = snapshotOf(kA, std::move(persons), complete);
        addGroup(s, "8A", core::GroupType::Registration, "8");
        addGroup(s, "Y8", core::GroupType::Year, "8");
        return s;
    }
};

}  // namespace

TEST(PlannerR11, NewGroupsAreCreatedWithTheirMembers) {
    PlannerHarness h;
    auto alys = learner("L-1", makeUpn(1), "Alys", "Evans");
    auto huw = staffMember("S-1", "Huw", "Rees");
    auto snap = snapshotOf(kA, {alys, huw});
    addGroup(snap, "8A/Ma1", core::GroupType::Class, "8");
    snap.groups.back().subject = "Ma";
    addGroup(snap, "Red", core::GroupType::House);
    addMember(snap, "8A/Ma1", alys);
    addMember(snap, "8A/Ma1", huw);
    addMember(snap, "Red", alys);
    DirectoryView view;
    view.school = kA;
    view.accounts = {accountFor(huw, kA, 3, "reesh")};
    auto plan = h.plan(snap, view);
    EXPECT_EQ(plan.counts["group_create"], 2u);
    EXPECT_EQ(actionsOf(plan, ActionKind::GroupCreate).size(), 2u);
    const auto* cls = groupWrite(plan, "8A/Ma1");
    ASSERT_NE(cls, nullptr);
    EXPECT_EQ(cls->group.id, 0);
    EXPECT_EQ(cls->group.school, kA);
    EXPECT_EQ(cls->group.type, core::GroupType::Class);
    EXPECT_EQ(cls->group.subject, "Ma");
    EXPECT_EQ(cls->group.yearGroup, "8");
    EXPECT_FALSE(cls->group.archived);
    ASSERT_NE(groupWrite(plan, "Red"), nullptr);
    EXPECT_EQ(groupWrite(plan, "Red")->group.type, core::GroupType::House);
    // Alys is created in this plan: her memberships name the account write.
    ASSERT_EQ(plan.accounts.size(), 1u);
    int alysWrites = 0;
    for (const auto& m : plan.memberships) {
        EXPECT_TRUE(m.add);
        EXPECT_EQ(m.school, kA);
        if (m.accountWrite == 0) {
            ++alysWrites;
            EXPECT_EQ(m.accountId, 0);
        }
    }
    EXPECT_EQ(alysWrites, 2);
    EXPECT_TRUE(hasMembership(plan, kA, "8A/Ma1", 3, true));
    EXPECT_EQ(plan.counts["membership_add"], 3u);
}

TEST(PlannerR11, GroupAttributeChangeIsAGroupUpdate) {
    GroupCase g;
    PlannerHarness h;
    auto snap = g.snapshot({g.alys, g.bryn, g.huw});
    snap.groups[0].yearGroup = "9";
    for (const auto* p : {&g.alys, &g.bryn, &g.huw}) {
        addMember(snap, "8A", *p);
    }
    addMember(snap, "Y8", g.alys);
    addMember(snap, "Y8", g.bryn);
    auto plan = h.plan(snap, g.view);
    EXPECT_EQ(plan.counts["group_update"], 1u);
    auto updates = actionsOf(plan, ActionKind::GroupUpdate);
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0]->group, "8A");
    const auto* c = changeOf(*updates[0], "year_group");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->before, "8");
    EXPECT_EQ(c->after, "9");
    ASSERT_NE(groupWrite(plan, "8A"), nullptr);
    EXPECT_EQ(groupWrite(plan, "8A")->group.id, 10);
    EXPECT_TRUE(plan.memberships.empty());
}

TEST(PlannerR11, MembershipsAreAddedAndRemoved) {
    GroupCase g;
    PlannerHarness h;
    auto snap = g.snapshot({g.alys, g.bryn, g.huw});
    addMember(snap, "8A", g.alys);  // Bryn and Huw leave 8A
    addMember(snap, "Y8", g.alys);
    addMember(snap, "Y8", g.bryn);
    addMember(snap, "Y8", g.huw);  // Huw joins Y8
    auto plan = h.plan(snap, g.view);
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 2, false));
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 3, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 3, true));
    EXPECT_EQ(plan.memberships.size(), 3u);
    EXPECT_EQ(plan.counts["membership_remove"], 2u);
    EXPECT_EQ(plan.counts["membership_add"], 1u);
    EXPECT_TRUE(plan.accounts.empty());
}

TEST(PlannerR11, DeactivatedAccountsLeaveTheGroups) {
    GroupCase g;
    PlannerHarness h;
    auto leaver = g.bryn;
    leaver.leavingDate = h.asOf;
    auto snap = g.snapshot({g.alys, leaver, g.huw});
    // The MIS still lists the leaver in the groups: the account leaves them anyway.
    for (const auto* p : {&g.alys, &leaver, &g.huw}) {
        addMember(snap, "8A", *p);
    }
    addMember(snap, "Y8", g.alys);
    addMember(snap, "Y8", leaver);
    auto plan = h.plan(snap, g.view);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 2, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 2, false));
    EXPECT_EQ(plan.memberships.size(), 2u);
}

TEST(PlannerR11, GroupAbsentFromACompleteSnapshotIsArchived) {
    GroupCase g;
    PlannerHarness h;
    auto snap = snapshotOf(kA, {g.alys, g.bryn, g.huw});
    addGroup(snap, "8A", core::GroupType::Registration, "8");
    for (const auto* p : {&g.alys, &g.bryn, &g.huw}) {
        addMember(snap, "8A", *p);
    }
    auto plan = h.plan(snap, g.view);
    EXPECT_EQ(plan.counts["group_archive"], 1u);
    auto archives = actionsOf(plan, ActionKind::GroupArchive);
    ASSERT_EQ(archives.size(), 1u);
    EXPECT_EQ(archives[0]->group, "Y8");
    const auto* w = groupWrite(plan, "Y8");
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(w->group.archived);
    EXPECT_EQ(w->group.id, 11);
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 1, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 2, false));
    EXPECT_EQ(plan.memberships.size(), 2u);

    // Archived already: nothing more to do.
    GroupCase archived;
    archived.view.groups[1].archived = true;
    archived.view.groups[1].members.clear();
    EXPECT_FALSE(h.plan(snap, archived.view).changesDirectory());
}

TEST(PlannerR11, ArchivedGroupThatReturnsIsUnarchived) {
    GroupCase g;
    g.view.groups[1].archived = true;
    g.view.groups[1].members.clear();
    PlannerHarness h;
    auto snap = g.snapshot({g.alys, g.bryn, g.huw});
    for (const auto* p : {&g.alys, &g.bryn, &g.huw}) {
        addMember(snap, "8A", *p);
    }
    addMember(snap, "Y8", g.alys);
    auto plan = h.plan(snap, g.view);
    EXPECT_EQ(plan.counts["group_update"], 1u);
    EXPECT_EQ(plan.counts["group_create"], 0u);
    auto updates = actionsOf(plan, ActionKind::GroupUpdate);
    ASSERT_EQ(updates.size(), 1u);
    const auto* c = changeOf(*updates[0], "archived");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->before, "true");
    EXPECT_EQ(c->after, "false");
    const auto* w = groupWrite(plan, "Y8");
    ASSERT_NE(w, nullptr);
    EXPECT_FALSE(w->group.archived);
    EXPECT_EQ(w->group.id, 11);
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 1, true));
}

// R5 by analogy for groups: a partial snapshot's silence about a person says nothing, so it must
// not take their memberships away (it used to remove every membership of every unlisted
// person); nor does a partial snapshot archive groups.
TEST(PlannerR11, PartialSnapshotKeepsTheMembershipsOfUnlistedPersons) {
    GroupCase g;
    PlannerHarness h;
    auto snap = g.snapshot({g.alys}, /*complete=*/false);
    addMember(snap, "8A", g.alys);
    addMember(snap, "Y8", g.alys);
    auto plan = h.plan(snap, g.view);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    EXPECT_EQ(plan.counts["membership_remove"], 0u);
    EXPECT_FALSE(plan.changesDirectory());

    // A snapshot without groups or persons (e.g. an empty delta) archives and removes nothing.
    auto plan2 = h.plan(snapshotOf(kA, {}, false), g.view);
    EXPECT_EQ(plan2.counts["group_archive"], 0u);
    EXPECT_FALSE(plan2.changesDirectory());

    // The memberships of a person it lists follow the snapshot.
    auto moved = g.snapshot({g.alys}, false);
    addMember(moved, "Y8", g.alys);
    auto plan4 = h.plan(moved, g.view);
    EXPECT_TRUE(hasMembership(plan4, kA, "8A", 1, false));
    EXPECT_EQ(plan4.memberships.size(), 1u);

    // A leaver in a partial snapshot still leaves the groups.
    auto leaver = g.bryn;
    leaver.leavingDate = h.asOf;
    auto plan3 = h.plan(snapshotOf(kA, {leaver}, false), g.view);
    EXPECT_EQ(plan3.counts["deactivate"], 1u);
    EXPECT_TRUE(hasMembership(plan3, kA, "8A", 2, false));
    EXPECT_TRUE(hasMembership(plan3, kA, "Y8", 2, false));
    EXPECT_EQ(plan3.memberships.size(), 2u);
}

// A membership naming a group the snapshot does not list would be written to a group that
// does not exist (the store skips it) and planned again every run (R12); a complete snapshot's
// membership of an unlisted group would join an archived group.
TEST(PlannerR11, MembershipOfAnUnlistedGroupIsIgnoredWithAWarning) {
    GroupCase g;
    PlannerHarness h;
    auto snap = g.snapshot({g.alys, g.bryn, g.huw});
    for (const auto* p : {&g.alys, &g.bryn, &g.huw}) {
        addMember(snap, "8A", *p);
    }
    addMember(snap, "Y8", g.alys);
    addMember(snap, "Y8", g.bryn);
    addMember(snap, "Ghost", g.alys);
    auto plan = h.plan(snap, g.view);
    EXPECT_FALSE(plan.changesDirectory());
    EXPECT_TRUE(hasWarning(plan, "unknown_group"));

    // Not in a claim either (it would be handed over into a missing group).
    DirectoryView other;
    other.school = kA;
    Account foreign = accountFor(g.alys, "6615678", 77, "evansa");
    other.accounts = {foreign};
    other.groups = g.view.groups;
    auto claimPlan = h.plan(snap, other);
    ASSERT_EQ(claimPlan.claims.size(), 1u);
    EXPECT_EQ(claimPlan.claims[0].claim.groupCodes, (std::vector<std::string>{"8A", "Y8"}));

    // A partial snapshot may name a live group it does not list, but not an archived one.
    GroupCase p;
    p.view.groups.push_back(groupState(12, "Old", core::GroupType::Class, {}));
    p.view.groups.back().archived = true;
    auto partial = snapshotOf(kA, {p.alys}, false);
    addMember(partial, "8A", p.alys);
    addMember(partial, "Old", p.alys);
    auto partialPlan = h.plan(partial, p.view);
    EXPECT_TRUE(hasMembership(partialPlan, kA, "Y8", 1, false));
    EXPECT_FALSE(hasMembership(partialPlan, kA, "8A", 1, false));
    EXPECT_EQ(partialPlan.memberships.size(), 1u);
    EXPECT_TRUE(hasWarning(partialPlan, "unknown_group"));
}

// R7: a claim records the person's groups here, sorted, once each, and only groups the school
// has. The planner scans the memberships for a school's first few claims and indexes them for
// the rest (issue 8): both give the same, so a school with many claims checks both.
TEST(PlannerR7, EveryClaimRecordsThePersonsGroupsWhateverTheirNumber) {
    GroupCase g;
    PlannerHarness h;
    std::vector<core::Person> persons;
    DirectoryView view;
    view.school = kA;
    view.groups = g.view.groups;
    for (int i = 0; i < 20; ++i) {
        persons.push_back(learner("L-" + std::to_string(100 + i), makeUpn(100 + i), "Pupil",
                                  "Number" + std::to_string(i), "8", "8A"));
        view.accounts.push_back(
            accountFor(persons.back(), "6615678", 200 + i, "number" + std::to_string(i)));
    }
    auto snap = g.snapshot(persons);
    std::map<std::string, std::vector<std::string>> expected;
    for (int i = 0; i < 20; ++i) {
        const auto& p = persons[static_cast<std::size_t>(i)];
        if (i % 3 != 0) {
            addMember(snap, "Y8", p);
            expected[p.misId].push_back("Y8");
        }
        if (i % 2 == 0) {
            addMember(snap, "8A", p);
            addMember(snap, "8A", p);  // listed twice: recorded once
            expected[p.misId].insert(expected[p.misId].begin(), "8A");
        }
        addMember(snap, "Ghost", p);  // no such group here
    }
    auto plan = h.plan(snap, view);
    ASSERT_EQ(plan.claims.size(), 20u);
    for (const auto& c : plan.claims) {
        const auto it = std::find_if(view.accounts.begin(), view.accounts.end(),
                                     [&](const Account& a) { return a.id == c.claim.accountId; });
        ASSERT_NE(it, view.accounts.end());
        const auto& want = expected[persons[static_cast<std::size_t>(it->id - 200)].misId];
        EXPECT_EQ(c.claim.groupCodes, want) << "account " << it->id;
    }
}

// ---- U6 ------------------------------------------------------------------------------------

TEST(PlannerU6, ManyJonesesGetSuffixesInSortedOrder) {
    std::vector<core::Person> persons = {
        learner("M3", makeUpn(3), "Aled", "Jones"), learner("M1", makeUpn(4), "Alys", "Jones"),
        learner("M2", makeUpn(5), "Anna", "Jones"), learner("M0", makeUpn(6), "Anna", "Jones"),
        learner("M9", makeUpn(7), "Bryn", "Jones"), staffMember("T1", "Aeron", "Jones"),
    };
    // Sorted by role, legal surname, legal forename, MIS id.
    const std::map<std::string, std::string> expected = {
        {"M3", "jonesa"},  {"M1", "jonesa1"}, {"M0", "jonesa2"},
        {"M2", "jonesa3"}, {"M9", "jonesb"},  {"T1", "jonesa4"},
    };
    std::mt19937 rng(6);
    std::string firstDigest;
    for (int round = 0; round < 12; ++round) {
        std::shuffle(persons.begin(), persons.end(), rng);
        PlannerHarness h;
        DirectoryView view;
        view.school = kA;
        auto plan = h.plan(snapshotOf(kA, persons), view);
        std::map<std::string, std::string> got;
        for (const auto& w : plan.accounts) {
            got[w.account.attrs.misId] = w.account.username;
        }
        EXPECT_EQ(got, expected) << "round " << round;
        if (round == 0) {
            firstDigest = plan.digest();
        }
        EXPECT_EQ(plan.digest(), firstDigest) << "round " << round;
    }
}

TEST(PlannerU6, ManyNewcomersSharingABaseAreNumberedInOrder) {
    std::vector<core::Person> persons;
    for (int i = 0; i < 60; ++i) {
        char id[8];
        std::snprintf(id, sizeof id, "P%02d", i);
        persons.push_back(learner(id, makeUpn(100 + i), "Aneurin", "Jones"));
    }
    PlannerHarness h;
    h.registry.add("jonesa");
    h.registry.add("jonesa2");  // a gap is filled first (U3)
    std::shuffle(persons.begin(), persons.end(), std::mt19937(60));
    DirectoryView view;
    view.school = kA;
    auto plan = h.plan(snapshotOf(kA, persons), view);
    ASSERT_EQ(plan.accounts.size(), 60u);
    std::map<std::string, std::string> got;
    for (const auto& w : plan.accounts) {
        got[w.account.attrs.misId] = w.account.username;
    }
    // MIS ids P00..P59 in order take jonesa1, jonesa3, jonesa4, …
    std::vector<std::string> free;
    for (int n = 1; free.size() < 60; ++n) {
        if (n != 2) {
            free.push_back("jonesa" + std::to_string(n));
        }
    }
    int i = 0;
    for (const auto& [id, name] : got) {
        EXPECT_EQ(name, free[static_cast<std::size_t>(i++)]) << id;
    }
}
