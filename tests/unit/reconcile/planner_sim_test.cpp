// The in-memory directory of the R13 test loads views and applies plans as the SQLite store
// does (storage/sqlite_directory.cpp loadView, storage/sqlite_apply.cpp apply).
#include <gtest/gtest.h>

#include <algorithm>

#include "planner_fixture.h"
#include "planner_sim.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";
const std::string kB = "6615678";
const std::string kC = "6620001";

SimGroup simGroup(std::int64_t id, const std::string& school, const std::string& code,
                  std::set<std::int64_t> members) {
    SimGroup g;
    g.state.id = id;
    g.state.school = school;
    g.state.code = code;
    g.members = std::move(members);
    return g;
}

std::vector<std::int64_t> idsOf(const DirectoryView& v) {
    std::vector<std::int64_t> out;
    for (const auto& a : v.accounts) {
        out.push_back(a.id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST(PlannerSim, LoadViewHoldsWhatTheStoreLoads) {
    DirectorySim sim;
    auto own = learner("B-1", makeUpn(1), "Alys", "Evans");
    auto ownLeft = learner("B-2", makeUpn(2), "Bryn", "Owen");
    auto atA = learner("A-3", makeUpn(3), "Carys", "Price");     // in B's snapshot by UPN
    auto claimed = learner("C-4", makeUpn(4), "Dai", "Rees");    // B claimed it earlier
    auto stranger = learner("C-5", makeUpn(5), "Eira", "Rhys");  // nothing to do with B
    sim.accounts[1] = accountFor(own, kB, 1, "evansa");
    sim.accounts[2] = accountFor(ownLeft, kB, 2, "oweneb");
    sim.accounts[2].status = AccountStatus::Deactivated;
    sim.accounts[3] = accountFor(atA, kA, 3, "pricec");
    sim.accounts[4] = accountFor(claimed, kC, 4, "reesd");
    sim.accounts[5] = accountFor(stranger, kC, 5, "rhyse");
    sim.accounts[6] = manualAccount(kB, 6, "techie", "Tech", "Support");
    sim.claims[{4, kB}] = claimFor(claimed, 4, kB);
    sim.claims[{1, kC}] = claimFor(own, 1, kC);       // on B's own account
    sim.claims[{3, kC}] = claimFor(atA, 3, kC);       // on a foreign account in the view
    sim.claims[{5, kA}] = claimFor(stranger, 5, kA);  // unrelated
    sim.groups[{kA, "8A"}] = simGroup(11, kA, "8A", {3});
    sim.groups[{kB, "9Q"}] = simGroup(12, kB, "9Q", {1});
    sim.groups[{kC, "7C"}] = simGroup(13, kC, "7C", {4, 5});

    auto view = sim.loadView(kB, snapshotOf(kB, {own, atA}));
    EXPECT_EQ(view.school, kB);
    EXPECT_EQ(idsOf(view), (std::vector<std::int64_t>{1, 2, 3, 4, 6}));
    for (const auto& a : view.accounts) {
        if (a.id == 3) {
            ASSERT_EQ(a.memberOf.size(), 1u);
            EXPECT_EQ(a.memberOf[0].school, kA);
            EXPECT_EQ(a.memberOf[0].code, "8A");
        } else if (a.id == 4) {
            ASSERT_EQ(a.memberOf.size(), 1u);
            EXPECT_EQ(a.memberOf[0].code, "7C");
        } else if (a.id == 1) {
            // An own account that another school claims carries its memberships (R7 dual).
            ASSERT_EQ(a.memberOf.size(), 1u);
            EXPECT_EQ(a.memberOf[0].code, "9Q");
        } else {
            EXPECT_TRUE(a.memberOf.empty()) << a.id;  // own accounts: their groups are the view's
        }
    }
    EXPECT_EQ(view.claims.size(), 3u);
    for (const auto& c : view.claims) {
        EXPECT_NE(c.accountId, 5) << "a claim on an account outside the view";
    }
    ASSERT_EQ(view.groups.size(), 1u);
    EXPECT_EQ(view.groups[0].code, "9Q");
    EXPECT_EQ(view.groups[0].members, std::vector<std::int64_t>{1});
}

TEST(PlannerSim, ApplyWritesAPlanAsTheStoreDoes) {
    DirectorySim sim;
    auto old = learner("A-1", makeUpn(1), "Alys", "Evans");
    sim.accounts[7] = accountFor(old, kA, 7, "evansa");
    sim.nextAccountId = 8;
    sim.groups[{kA, "8A"}] = simGroup(3, kA, "8A", {7});
    sim.nextGroupId = 4;
    sim.claims[{7, kB}] = claimFor(old, 7, kB);

    Plan plan;
    plan.school = kA;
    Account fresh = accountFor(learner("A-2", makeUpn(2), "Bryn", "Owen"), kA, 0, "owenb");
    fresh.createdAt = "2024-03-01T06:30:00Z";
    plan.accounts.push_back({fresh, std::string("HappyRiver42"), {"owenb"}});
    Account moved = sim.accounts[7];
    moved.school = kB;
    moved.createdAt = "changed";
    plan.accounts.push_back({moved, std::nullopt, {}});
    GroupState g;
    g.school = kA;
    g.code = "Y8";
    g.type = core::GroupType::Year;
    plan.groups.push_back({g});
    plan.memberships.push_back({kA, "Y8", 0, 0, true});  // the new account, by write index
    plan.memberships.push_back({kA, "8A", 7, -1, false});
    plan.memberships.push_back({kA, "Nowhere", 7, -1, true});  // skipped, as the store does
    plan.claims.push_back({sim.claims[{7, kB}], true});
    sim.apply(plan);

    ASSERT_EQ(sim.accounts.count(8), 1u);
    EXPECT_EQ(sim.accounts[8].username, "owenb");
    EXPECT_TRUE(sim.accounts[8].passwordAvailable);
    EXPECT_EQ(sim.passwordSets[8], 1);
    EXPECT_EQ(sim.usernameTable.count("owenb"), 1u);
    EXPECT_EQ(sim.accounts[7].school, kB);
    EXPECT_EQ(sim.accounts[7].createdAt, "2020-09-01T06:00:00Z");  // kept on update
    EXPECT_EQ(sim.passwordSets.count(7), 0u);
    const auto y8 = sim.groups.find({kA, "Y8"});
    ASSERT_NE(y8, sim.groups.end());
    EXPECT_EQ(y8->second.state.id, 4);
    EXPECT_EQ(y8->second.members, std::set<std::int64_t>{8});
    EXPECT_TRUE(sim.groups.at({kA, "8A"}).members.empty());
    EXPECT_EQ(sim.skippedMemberships, 1);
    EXPECT_TRUE(sim.claims.empty());
}
