// R15 must not turn into R5: a rejected record still says its person is in the extract. And R1:
// the same MIS id at the same school follows a learner whose temporary UPN became permanent.
#include <gtest/gtest.h>

#include "planner_fixture.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";

core::RecordError rejectedRecordOf(const core::Person& p, const char* code) {
    core::RecordError e{code, "students.xml", 7, "unusable value"};
    e.role = p.role;
    e.misId = p.misId;
    e.upn = p.upn;
    return e;
}

}  // namespace

TEST(PlannerR15, RejectedRecordKeepsTheAccountAndItsMemberships) {
    PlannerHarness h;
    auto kept = learner("L-1", makeUpn(1), "Aled", "Jones");
    auto bad = learner("L-2", makeUpn(2), "Bethan", "Evans");
    DirectoryView view;
    view.school = kA;
    view.accounts = {accountFor(kept, kA, 1, "jonesa"), accountFor(bad, kA, 2, "evansb")};
    GroupState g;
    g.id = 10;
    g.school = kA;
    g.code = "7A";
    g.type = core::GroupType::Registration;
    g.members = {1, 2};
    view.groups = {g};

    auto snap = snapshotOf(kA, {kept});
    addGroup(snap, "7A", core::GroupType::Registration);
    addMember(snap, "7A", kept);
    snap.rejected.push_back(rejectedRecordOf(bad, "invalid_date"));
    auto plan = h.plan(snap, view);
    EXPECT_EQ(plan.counts["rejected"], 1u);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    EXPECT_EQ(plan.counts["membership_remove"], 0u);
    EXPECT_EQ(writeFor(plan, 2), nullptr);

    // Without the record's identity the account would be taken for a leaver: the rule bites.
    snap.rejected.back().misId.clear();
    snap.rejected.back().upn.clear();
    auto blind = h.plan(snap, view);
    EXPECT_EQ(blind.counts["deactivate"], 1u);
}

TEST(PlannerR15, RejectedRecordFoundByMisIdWhenTheUpnWasTheProblem) {
    PlannerHarness h;
    auto bad = learner("L-2", makeUpn(2), "Bethan", "Evans");
    DirectoryView view;
    view.school = kA;
    view.accounts = {accountFor(bad, kA, 2, "evansb")};
    auto snap = snapshotOf(kA, {});
    auto e = rejectedRecordOf(bad, "invalid_upn");
    e.upn.clear();  // an invalid UPN is not carried
    snap.rejected.push_back(e);
    auto plan = h.plan(snap, view);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    EXPECT_FALSE(plan.changesDirectory());
}

TEST(PlannerR1, TemporaryUpnReplacedByPermanentKeepsTheAccount) {
    PlannerHarness h;
    auto before = learner("L-1", "", "Aled", "Jones");
    auto check = core::upnCheckLetter("66123451200A");
    ASSERT_TRUE(check);
    before.upn = std::string(1, *check) + "66123451200A";
    ASSERT_TRUE(core::isValidUpn(before.upn));
    DirectoryView view;
    view.school = kA;
    view.accounts = {accountFor(before, kA, 1, "jonesa")};
    auto after = before;
    after.upn = makeUpn(1);
    auto plan = h.plan(snapshotOf(kA, {after}), view);
    EXPECT_EQ(plan.counts["create"], 0u);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    ASSERT_EQ(plan.counts["update"], 1u);
    const auto* w = writeFor(plan, 1);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.attrs.upn, after.upn);
    EXPECT_EQ(w->account.username, "jonesa");
}

TEST(PlannerR1, PermanentUpnChangeIsADifferentLearner) {
    PlannerHarness h;
    auto before = learner("L-1", makeUpn(1), "Aled", "Jones");
    DirectoryView view;
    view.school = kA;
    view.accounts = {accountFor(before, kA, 1, "jonesa")};
    h.reserve(view);
    auto other = before;
    other.upn = makeUpn(2);
    auto plan = h.plan(snapshotOf(kA, {other}), view);
    EXPECT_EQ(plan.counts["create"], 1u);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
}
