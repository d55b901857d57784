// The change log entries of a plan (SPEC §9.2, reconcile/changes.h): one per account and group
// action and per membership change, with the new values, never a password (P4).
#include <gtest/gtest.h>

#include "planner_fixture.h"
#include "reconcile/changes.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";
const std::string kB = "6615678";

const ChangeField* fieldOf(const ChangeEvent& e, std::string_view name) {
    for (const auto& f : e.fields) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

std::vector<const ChangeEvent*> ofKind(const std::vector<ChangeEvent>& events,
                                       std::string_view kind) {
    std::vector<const ChangeEvent*> out;
    for (const auto& e : events) {
        if (e.kind == kind) {
            out.push_back(&e);
        }
    }
    return out;
}

}  // namespace

TEST(ChangeLog, ANewAccountItsGroupAndItsMembership) {
    PlannerHarness h;
    auto p = learner("L-1", makeUpn(1), "Siân", "Llŷr-Hughes", "8", "8A");
    auto s = snapshotOf(kA, {p});
    addGroup(s, "8A", core::GroupType::Registration, "8");
    addMember(s, "8A", p);
    DirectoryView v;
    v.school = kA;
    Plan plan = h.plan(s, v);
    auto events = changesOf(plan);
    ASSERT_EQ(events.size(), 3u);
    const auto created = ofKind(events, "account.created");
    ASSERT_EQ(created.size(), 1u);
    EXPECT_EQ(created[0]->school, kA);
    EXPECT_EQ(created[0]->username, "llyrhughess");
    EXPECT_EQ(created[0]->role, core::Role::Learner);
    ASSERT_NE(fieldOf(*created[0], "upn"), nullptr);
    EXPECT_EQ(fieldOf(*created[0], "upn")->value, p.upn);
    EXPECT_EQ(fieldOf(*created[0], "display_name")->value, "Siân Llŷr-Hughes");
    EXPECT_EQ(fieldOf(*created[0], "status")->value, "active");
    EXPECT_EQ(fieldOf(*created[0], "source")->value, "mis");
    EXPECT_EQ(fieldOf(*created[0], "preferred_forename"), nullptr) << "only what is set";
    for (const auto& f : created[0]->fields) {
        EXPECT_NE(f.value, *plan.accounts[0].newPassword) << "P4: " << f.name;
    }
    const auto group = ofKind(events, "group.created");
    ASSERT_EQ(group.size(), 1u);
    EXPECT_EQ(group[0]->group, "8A");
    EXPECT_EQ(fieldOf(*group[0], "type")->value, "registration");
    const auto added = ofKind(events, "membership.added");
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added[0]->group, "8A");
    EXPECT_EQ(added[0]->username, "llyrhughess") << "a new account's membership names it";
}

TEST(ChangeLog, ATransferBelongsToBothSchoolsAndNamesTheMembersItMoves) {
    PlannerHarness h;
    auto atA = learner("A-1", makeUpn(1), "Lowri", "Davies", "8", "8A");
    auto atB = learner("B-1", makeUpn(1), "Lowri", "Davies", "8", "8Q");
    Account a = accountFor(atA, kA, 42, "daviesl");
    a.ownerOnRoll = false;
    a.memberOf = {{kA, "8A"}};
    auto s = snapshotOf(kB, {atB});
    addGroup(s, "8Q", core::GroupType::Registration, "8");
    addMember(s, "8Q", atB);
    DirectoryView v;
    v.school = kB;
    v.accounts = {a};
    GroupState g;
    g.id = 7;
    g.school = kB;
    g.code = "8Q";
    g.type = core::GroupType::Registration;
    g.yearGroup = "8";
    v.groups = {g};
    auto events = changesOf(h.plan(s, v));
    const auto moved = ofKind(events, "account.transferred");
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved[0]->school, kB);
    EXPECT_EQ(moved[0]->fromSchool, kA);
    EXPECT_EQ(fieldOf(*moved[0], "from_school")->value, kA);
    EXPECT_EQ(fieldOf(*moved[0], "reg_group")->value, "8Q");
    const auto removed = ofKind(events, "membership.removed");
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0]->school, kA);
    EXPECT_EQ(removed[0]->username, "daviesl");
    const auto added = ofKind(events, "membership.added");
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added[0]->school, kB);
}

TEST(ChangeLog, LeaversRenamesPurgesAndWhatChangesNothing) {
    PlannerHarness h;
    h.policy.regenerateUsernameOnRename = true;
    auto stays = learner("L-1", makeUpn(1), "Osian", "Parry");
    auto leaves = learner("L-2", makeUpn(2), "Nia", "Bowen");
    Account purgeMe = accountFor(learner("L-3", makeUpn(3), "Eira", "Rhys"), kA, 3, "rhyse");
    purgeMe.status = AccountStatus::Deactivated;
    purgeMe.ownerOnRoll = false;
    purgeMe.deactivatedAt = "2020-01-01T06:00:00Z";
    DirectoryView v;
    v.school = kA;
    v.accounts = {accountFor(stays, kA, 1, "parryo"), accountFor(leaves, kA, 2, "bowenn"), purgeMe};
    auto renamed = stays;
    renamed.legalSurname = "Pryce";
    h.registry.add("parryo");
    auto events = changesOf(h.plan(snapshotOf(kA, {renamed}), v));
    const auto rename = ofKind(events, "account.renamed");
    ASSERT_EQ(rename.size(), 1u);
    EXPECT_EQ(rename[0]->username, "pryceo");
    EXPECT_EQ(fieldOf(*rename[0], "legal_surname")->value, "Pryce");
    EXPECT_EQ(fieldOf(*rename[0], "username")->value, "pryceo");
    EXPECT_EQ(fieldOf(*rename[0], "previous_username")->value, "parryo");
    const auto left = ofKind(events, "account.deactivated");
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0]->username, "bowenn");
    EXPECT_EQ(fieldOf(*left[0], "status")->value, "deactivated");
    const auto purged = ofKind(events, "account.purged");
    ASSERT_EQ(purged.size(), 1u);
    EXPECT_EQ(purged[0]->username, "rhyse");
    EXPECT_EQ(purged[0]->fields.size(), 1u) << "the status only: the data is gone";

    // An awaiting transfer or a rejected record changes nothing and logs nothing.
    Account elsewhere = accountFor(learner("B-1", makeUpn(9), "Dai", "Rees"), kB, 9, "reesd");
    DirectoryView w;
    w.school = kA;
    w.accounts = {elsewhere};
    Plan waiting = h.plan(snapshotOf(kA, {learner("A-9", makeUpn(9), "Dai", "Rees")}), w);
    ASSERT_EQ(waiting.counts["awaiting_transfer"], 1u);
    EXPECT_TRUE(changesOf(waiting).empty());
}
