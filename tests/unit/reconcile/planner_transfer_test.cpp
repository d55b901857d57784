// R7 transfers against an in-memory view: the new school takes a released account, waits for
// one still on roll, the old school hands a claimed account over, the tie rule, stale claims.
#include <gtest/gtest.h>

#include "planner_fixture.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";  // the old school
const std::string kB = "6615678";  // the new school
const std::string kC = "6620001";  // a third school

struct TransferCase {
    core::Person atA = learner("A-1", makeUpn(1), "Lowri", "Davies", "8", "8A");
    core::Person atB = learner("B-9", makeUpn(1), "Lowri", "Davies", "8", "8Q");
    Account account = accountFor(atA, kA, 42, "daviesl");

    TransferCase() {
        atB.admissionNumber = "B0042";
        atB.preferredForename = "Lolo";
        account.aliases = {"daviesl-old"};
        account.consent = true;
    }

    // B's run: B's snapshot lists the learner in B's groups.
    core::Snapshot snapshotB(bool complete = true) const {
        auto s = snapshotOf(kB, {atB}, complete);
        addGroup(s, "8Q", core::GroupType::Registration, "8");
        addGroup(s, "Y8", core::GroupType::Year, "8");
        addMember(s, "8Q", atB);
        addMember(s, "Y8", atB);
        return s;
    }
    DirectoryView viewB(const Account& a, std::vector<Claim> claims = {}) const {
        DirectoryView v;
        v.school = kB;
        Account foreign = a;
        foreign.memberOf = {{kA, "8A"}, {kA, "Y8"}};
        v.accounts = {foreign};
        v.claims = std::move(claims);
        for (const char* code : {"8Q", "Y8"}) {
            GroupState g;
            g.id = code[0] == '8' ? 501 : 502;
            g.school = kB;
            g.code = code;
            g.type = code[0] == '8' ? core::GroupType::Registration : core::GroupType::Year;
            g.yearGroup = "8";
            v.groups.push_back(g);
        }
        return v;
    }
    // A's run with A's group 8A holding the account.
    DirectoryView viewA(std::vector<Claim> claims) const {
        DirectoryView v;
        v.school = kA;
        v.accounts = {account};
        v.claims = std::move(claims);
        GroupState g;
        g.id = 401;
        g.school = kA;
        g.code = "8A";
        g.type = core::GroupType::Registration;
        g.yearGroup = "8";
        g.members = {42};
        v.groups.push_back(g);
        return v;
    }
    core::Snapshot snapshotA(std::vector<core::Person> persons) const {
        auto s = snapshotOf(kA, std::move(persons));
        addGroup(s, "8A", core::GroupType::Registration, "8");
        return s;
    }
};

// The checks every hand-over to B shares: one transfer, same username and password, B's data.
void expectTransferToB(const Plan& plan, const TransferCase& t) {
    auto transfers = actionsOf(plan, ActionKind::Transfer);
    ASSERT_EQ(transfers.size(), 1u);
    EXPECT_EQ(transfers[0]->fromSchool, kA);
    EXPECT_EQ(transfers[0]->school, kB);
    EXPECT_EQ(transfers[0]->username, "daviesl");
    // R3: the new school's data, every change recorded with before and after.
    const auto* dn = changeOf(*transfers[0], "display_name");
    ASSERT_NE(dn, nullptr);
    EXPECT_EQ(dn->before, "Lowri Davies");
    EXPECT_EQ(dn->after, "Lolo Davies");
    const auto* reg = changeOf(*transfers[0], "reg_group");
    ASSERT_NE(reg, nullptr);
    EXPECT_EQ(reg->before, "8A");
    EXPECT_EQ(reg->after, "8Q");
    ASSERT_NE(changeOf(*transfers[0], "mis_id"), nullptr);
    EXPECT_EQ(plan.counts["transfer"], 1u);
    EXPECT_EQ(plan.counts["create"], 0u);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    const auto* w = writeFor(plan, 42);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.school, kB);
    EXPECT_EQ(w->account.status, AccountStatus::Active);
    EXPECT_TRUE(w->account.ownerOnRoll);
    EXPECT_EQ(w->account.username, "daviesl");
    EXPECT_EQ(w->account.aliases, t.account.aliases);
    EXPECT_TRUE(w->account.consent);
    EXPECT_EQ(w->account.attrs, attributesOf(t.atB));
    EXPECT_EQ(w->account.displayName, "Lolo Davies");
    EXPECT_FALSE(w->newPassword.has_value());
    EXPECT_TRUE(w->newNames.empty());
    EXPECT_EQ(plan.accounts.size(), 1u);
    EXPECT_TRUE(hasMembership(plan, kB, "8Q", 42, true));
    EXPECT_TRUE(hasMembership(plan, kB, "Y8", 42, true));
}

}  // namespace

// ---- R7 (a): B takes an account that A has let go ------------------------------------------

TEST(PlannerR7, NewSchoolTakesADeactivatedAccount) {
    TransferCase t;
    Account a = t.account;
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    a.deactivatedAt = "2024-02-01T06:30:00Z";
    PlannerHarness h;
    auto plan = h.plan(t.snapshotB(), t.viewB(a));
    expectTransferToB(plan, t);
    EXPECT_TRUE(writeFor(plan, 42)->account.deactivatedAt.empty());
    // A's memberships go (R11: transferred accounts leave the school's groups).
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 42, false));
    EXPECT_TRUE(hasMembership(plan, kA, "Y8", 42, false));
    EXPECT_TRUE(plan.claims.empty());
    EXPECT_FALSE(hasWarning(plan, "awaiting_transfer"));
}

TEST(PlannerR7, NewSchoolTakesAnAccountWhoseOwnerHasThemOffRoll) {
    TransferCase t;
    Account a = t.account;
    a.ownerOnRoll = false;  // A's latest snapshot no longer has them on roll
    PlannerHarness h;
    auto plan = h.plan(t.snapshotB(), t.viewB(a));
    expectTransferToB(plan, t);
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 42, false));
}

TEST(PlannerR7, TakingOverRemovesTheNewSchoolsOwnClaim) {
    TransferCase t;
    Account a = t.account;
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    PlannerHarness h;
    auto plan = h.plan(t.snapshotB(), t.viewB(a, {claimFor(t.atB, 42, kB, {"8Q", "Y8"})}));
    expectTransferToB(plan, t);
    ASSERT_EQ(plan.claims.size(), 1u);
    EXPECT_TRUE(plan.claims[0].remove);
    EXPECT_EQ(plan.claims[0].claim.school, kB);
}

// ---- R7 (b): A still has them on roll ------------------------------------------------------

TEST(PlannerR7, AwaitingTransferWhileTheOldSchoolHasThemOnRoll) {
    TransferCase t;
    PlannerHarness h;
    auto plan = h.plan(t.snapshotB(), t.viewB(t.account));
    EXPECT_EQ(plan.counts["create"], 0u);
    EXPECT_EQ(plan.counts["transfer"], 0u);
    EXPECT_EQ(plan.counts["awaiting_transfer"], 1u);
    auto waits = actionsOf(plan, ActionKind::AwaitingTransfer);
    ASSERT_EQ(waits.size(), 1u);
    EXPECT_EQ(waits[0]->fromSchool, kA);
    EXPECT_EQ(waits[0]->upn, t.atA.upn);
    EXPECT_TRUE(hasWarning(plan, "awaiting_transfer"));
    EXPECT_TRUE(plan.accounts.empty());
    EXPECT_TRUE(plan.memberships.empty());
    ASSERT_EQ(plan.claims.size(), 1u);
    const ClaimWrite& cw = plan.claims[0];
    EXPECT_FALSE(cw.remove);
    EXPECT_EQ(cw.claim.accountId, 42);
    EXPECT_EQ(cw.claim.school, kB);
    EXPECT_EQ(cw.claim.attrs, attributesOf(t.atB));
    EXPECT_EQ(cw.claim.groupCodes, (std::vector<std::string>{"8Q", "Y8"}));
    EXPECT_EQ(cw.claim.claimedAt, h.asOf.toString());

    // Next run with the claim stored: still reported, nothing to write (R12).
    auto again = h.plan(t.snapshotB(), t.viewB(t.account, {cw.claim}));
    EXPECT_FALSE(again.changesDirectory());
    EXPECT_EQ(again.counts["awaiting_transfer"], 1u);
    EXPECT_TRUE(hasWarning(again, "awaiting_transfer"));

    // B's view of the learner changes: the claim is refreshed.
    auto moved = t;
    moved.atB.regGroup = "8R";
    auto refreshed = h.plan(moved.snapshotB(), t.viewB(t.account, {cw.claim}));
    ASSERT_EQ(refreshed.claims.size(), 1u);
    EXPECT_FALSE(refreshed.claims[0].remove);
    EXPECT_EQ(refreshed.claims[0].claim.attrs.regGroup, "8R");
}

// ---- R7 dual registration ------------------------------------------------------------------

// B's subsidiary registration while A has the learner as single: one account, A's, a guest
// member of B's groups; B records a claim so that A hands the account over when it lets go.
TEST(PlannerR7, SubsidiaryRegistrationMakesAGuestMemberOfTheMainSchoolsAccount) {
    TransferCase t;
    t.atB.enrolment = core::Enrolment::Subsidiary;
    PlannerHarness h;
    auto plan = h.plan(t.snapshotB(), t.viewB(t.account));
    EXPECT_EQ(plan.counts["transfer"], 0u);
    EXPECT_EQ(plan.counts["create"], 0u);
    EXPECT_EQ(plan.counts["awaiting_transfer"], 0u);
    EXPECT_FALSE(hasWarning(plan, "awaiting_transfer"));
    EXPECT_TRUE(plan.accounts.empty()) << "the account stays with A, unchanged";
    EXPECT_TRUE(hasMembership(plan, kB, "8Q", 42, true));
    EXPECT_TRUE(hasMembership(plan, kB, "Y8", 42, true));
    EXPECT_FALSE(hasMembership(plan, kA, "8A", 42, false)) << "A's groups are A's business";
    EXPECT_EQ(plan.counts["membership_add"], 2u);
    ASSERT_EQ(plan.claims.size(), 1u);
    EXPECT_FALSE(plan.claims[0].remove);
    EXPECT_EQ(plan.claims[0].claim.school, kB);
    EXPECT_EQ(plan.claims[0].claim.attrs.enrolmentStatus, "S");

    // Run again with the claim and the guest memberships stored: nothing to do (R12).
    DirectoryView stored = t.viewB(t.account, {plan.claims[0].claim});
    for (auto& g : stored.groups) {
        g.members = {42};
    }
    auto again = h.plan(t.snapshotB(), stored);
    EXPECT_FALSE(again.changesDirectory());
    EXPECT_EQ(totalCount(again), 0u);
}

// An account the main school's administrator deactivated is in no group of the subsidiary
// school either (R11), and that is no transfer to wait for.
TEST(PlannerR7, ADeactivatedMainAccountIsNoGuestAndNoAwaitedTransfer) {
    TransferCase t;
    t.atB.enrolment = core::Enrolment::Subsidiary;
    Account a = t.account;
    a.status = AccountStatus::Deactivated;
    a.adminDeactivated = true;
    PlannerHarness h;
    auto plan = h.plan(t.snapshotB(), t.viewB(a));
    EXPECT_EQ(plan.counts["awaiting_transfer"], 0u);
    EXPECT_EQ(plan.counts["transfer"], 0u);
    EXPECT_TRUE(plan.memberships.empty());
    ASSERT_EQ(plan.claims.size(), 1u) << "the claim stays, for when A lets the learner go";
}

// The other run order: B ran first and created the account for its subsidiary registration;
// A's main registration takes it over, and B keeps a claim and its groups as A's guest — the
// state A-then-B reaches (R13).
TEST(PlannerR7, MainRegistrationTakesOverFromASubsidiaryOwner) {
    TransferCase t;
    t.atB.enrolment = core::Enrolment::Subsidiary;
    Account ownedByB = accountFor(t.atB, kB, 42, "daviesl");
    ownedByB.memberOf = {{kB, "Y8"}, {kB, "8Q"}};
    DirectoryView view;
    view.school = kA;
    view.accounts = {ownedByB};
    PlannerHarness h;
    auto s = t.snapshotA({t.atA});
    addMember(s, "8A", t.atA);
    auto plan = h.plan(s, view);
    auto transfers = actionsOf(plan, ActionKind::Transfer);
    ASSERT_EQ(transfers.size(), 1u);
    EXPECT_EQ(transfers[0]->fromSchool, kB);
    EXPECT_EQ(transfers[0]->school, kA);
    const auto* w = writeFor(plan, 42);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.school, kA);
    EXPECT_EQ(w->account.attrs, attributesOf(t.atA));
    EXPECT_FALSE(hasMembership(plan, kB, "8Q", 42, false)) << "B keeps its guest";
    EXPECT_FALSE(hasMembership(plan, kB, "Y8", 42, false));
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 42, true));
    ASSERT_EQ(plan.claims.size(), 1u);
    const Claim& guest = plan.claims[0].claim;
    EXPECT_FALSE(plan.claims[0].remove);
    EXPECT_EQ(guest.school, kB);
    EXPECT_EQ(guest.attrs, attributesOf(t.atB));
    EXPECT_EQ(guest.groupCodes, (std::vector<std::string>{"8Q", "Y8"}));
}

// A owns the account and now records its own registration as subsidiary, while B claims the
// learner as main: the account goes to B and A stays a guest.
TEST(PlannerR7, OwnerWhoseRegistrationBecameSubsidiaryHandsOverAndStaysAGuest) {
    TransferCase t;
    core::Person atA = t.atA;
    atA.enrolment = core::Enrolment::Subsidiary;
    Account a = t.account;
    a.memberOf = {{kA, "8A"}};
    DirectoryView v = t.viewA({claimFor(t.atB, 42, kB, {"8Q", "Y8"})});
    v.accounts = {a};
    auto s = t.snapshotA({atA});
    addMember(s, "8A", atA);
    PlannerHarness h;
    auto plan = h.plan(s, v);
    auto transfers = actionsOf(plan, ActionKind::Transfer);
    ASSERT_EQ(transfers.size(), 1u);
    EXPECT_EQ(writeFor(plan, 42)->account.school, kB);
    EXPECT_FALSE(hasMembership(plan, kA, "8A", 42, false)) << "a guest of A's groups now";
    EXPECT_TRUE(hasMembership(plan, kB, "8Q", 42, true));
    bool ownClaim = false;
    for (const auto& cw : plan.claims) {
        if (cw.claim.school == kA && !cw.remove) {
            ownClaim = true;
            EXPECT_EQ(cw.claim.attrs.enrolmentStatus, "S");
            EXPECT_EQ(cw.claim.groupCodes, (std::vector<std::string>{"8A"}));
        }
    }
    EXPECT_TRUE(ownClaim);
}

// When the main school lets the learner go, the account moves to the subsidiary school, whose
// guest memberships are already there (not added twice).
TEST(PlannerR7, MainSchoolLettingGoHandsTheAccountToTheSubsidiarySchool) {
    TransferCase t;
    t.atB.enrolment = core::Enrolment::Subsidiary;
    Account a = t.account;
    a.memberOf = {{kA, "8A"}, {kB, "8Q"}, {kB, "Y8"}};
    DirectoryView v = t.viewA({claimFor(t.atB, 42, kB, {"8Q", "Y8"})});
    v.accounts = {a};
    PlannerHarness h;
    auto plan = h.plan(t.snapshotA({}), v);
    auto transfers = actionsOf(plan, ActionKind::Transfer);
    ASSERT_EQ(transfers.size(), 1u);
    EXPECT_EQ(transfers[0]->school, kB);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    EXPECT_TRUE(hasMembership(plan, kA, "8A", 42, false));
    EXPECT_FALSE(hasMembership(plan, kB, "8Q", 42, true)) << "already a member";
    EXPECT_FALSE(hasMembership(plan, kB, "8Q", 42, false));
    EXPECT_EQ(plan.counts["membership_add"], 0u);
}

// Two subsidiary registrations and no main one: the lower school number owns the account,
// whichever ran first.
TEST(PlannerR7, OfTwoSubsidiaryRegistrationsTheLowerSchoolNumberOwns) {
    TransferCase t;
    t.atB.enrolment = core::Enrolment::Subsidiary;
    core::Person atA = t.atA;
    atA.enrolment = core::Enrolment::Subsidiary;
    PlannerHarness h;
    // B (6615678) owns it; A (6612345, lower) runs: A takes it over, B becomes a guest.
    Account ownedByB = accountFor(t.atB, kB, 42, "daviesl");
    DirectoryView va;
    va.school = kA;
    va.accounts = {ownedByB};
    auto planA = h.plan(snapshotOf(kA, {atA}), va);
    EXPECT_EQ(planA.counts["transfer"], 1u);
    // A owns it; B runs: B stays a guest.
    Account ownedByA = accountFor(atA, kA, 42, "daviesl");
    auto planB = h.plan(t.snapshotB(), t.viewB(ownedByA));
    EXPECT_EQ(planB.counts["transfer"], 0u);
    EXPECT_EQ(planB.counts["awaiting_transfer"], 0u);
    EXPECT_TRUE(hasMembership(planB, kB, "8Q", 42, true));
}

// ---- R7 (c): A's run hands the account to the claimant ------------------------------------

TEST(PlannerR7, OldSchoolHandsAClaimedAccountOverInsteadOfDeactivating) {
    for (bool byDate : {false, true}) {
        TransferCase t;
        PlannerHarness h;
        std::vector<core::Person> persons;
        if (byDate) {
            auto leaver = t.atA;
            leaver.leavingDate = h.asOf.addDays(-1);
            persons.push_back(leaver);
        }
        auto plan = h.plan(t.snapshotA(persons), t.viewA({claimFor(t.atB, 42, kB, {"8Q", "Y8"})}));
        SCOPED_TRACE(byDate ? "leaver by date" : "absent from the complete roll");
        expectTransferToB(plan, t);
        EXPECT_TRUE(hasMembership(plan, kA, "8A", 42, false));
        ASSERT_EQ(plan.claims.size(), 1u);
        EXPECT_TRUE(plan.claims[0].remove);
        EXPECT_EQ(plan.claims[0].claim.school, kB);
    }
}

// ---- R7 (d): several claimants -------------------------------------------------------------

TEST(PlannerR7, MainOrSingleEnrolmentBeatsSubsidiary) {
    TransferCase t;
    auto atC = t.atB;
    atC.misId = "C-3";
    t.atB.enrolment = core::Enrolment::Subsidiary;  // B has the lower number but is subsidiary
    PlannerHarness h;
    auto plan = h.plan(t.snapshotA({}),
                       t.viewA({claimFor(t.atB, 42, kB, {"8Q"}), claimFor(atC, 42, kC, {"Y8"})}));
    ASSERT_EQ(plan.counts["transfer"], 1u);
    EXPECT_EQ(writeFor(plan, 42)->account.school, kC);
    EXPECT_EQ(writeFor(plan, 42)->account.attrs.misId, "C-3");
    EXPECT_TRUE(hasMembership(plan, kC, "Y8", 42, true));
    EXPECT_FALSE(hasMembership(plan, kB, "8Q", 42, true));
    EXPECT_TRUE(hasWarning(plan, "transfer_conflict"));
    // Only the winner's claim goes; the other stays (its school may pass the account on).
    ASSERT_EQ(plan.claims.size(), 1u);
    EXPECT_EQ(plan.claims[0].claim.school, kC);
    EXPECT_TRUE(plan.claims[0].remove);
}

TEST(PlannerR7, TiesGoToTheLowestSchoolNumber) {
    TransferCase t;
    auto atC = t.atB;
    atC.misId = "C-3";
    atC.enrolment = core::Enrolment::Main;
    PlannerHarness h;
    // Claims in either order in the view: the same winner.
    for (bool reversed : {false, true}) {
        std::vector<Claim> claims = {claimFor(atC, 42, kC), claimFor(t.atB, 42, kB)};
        if (reversed) {
            std::swap(claims[0], claims[1]);
        }
        auto plan = h.plan(t.snapshotA({}), t.viewA(claims));
        ASSERT_EQ(plan.counts["transfer"], 1u);
        EXPECT_EQ(writeFor(plan, 42)->account.school, kB);
        const auto* w = warningOf(plan, "transfer_conflict");
        ASSERT_NE(w, nullptr);
        EXPECT_NE(w->message.find(kC), std::string::npos);
    }
}

TEST(PlannerR7, NewSchoolHandsAReleasedAccountToABetterClaimant) {
    TransferCase t;
    Account a = t.account;
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    t.atB.enrolment = core::Enrolment::Subsidiary;
    auto atC = t.atB;
    atC.misId = "C-3";
    atC.enrolment = core::Enrolment::Single;
    PlannerHarness h;
    auto plan = h.plan(t.snapshotB(), t.viewB(a, {claimFor(atC, 42, kC, {"Y8"})}));
    ASSERT_EQ(plan.counts["transfer"], 1u);
    EXPECT_EQ(writeFor(plan, 42)->account.school, kC);
    EXPECT_TRUE(hasWarning(plan, "transfer_conflict"));
    // B records its own claim and C's goes.
    bool bClaims = false;
    bool cRemoved = false;
    for (const auto& cw : plan.claims) {
        bClaims |= cw.claim.school == kB && !cw.remove;
        cRemoved |= cw.claim.school == kC && cw.remove;
    }
    EXPECT_TRUE(bClaims);
    EXPECT_TRUE(cRemoved);

    // Without C's claim, the subsidiary school takes the released account itself.
    auto alone = h.plan(t.snapshotB(), t.viewB(a));
    ASSERT_EQ(alone.counts["transfer"], 1u);
    EXPECT_EQ(writeFor(alone, 42)->account.school, kB);
    EXPECT_FALSE(hasWarning(alone, "transfer_conflict"));
}

// ---- R7 (e): stale claims ------------------------------------------------------------------

TEST(PlannerR7, ClaimIsRemovedWhenTheClaimantNoLongerListsTheLearner) {
    TransferCase t;
    Claim c = claimFor(t.atB, 42, kB, {"8Q"});
    PlannerHarness h;
    auto complete = h.plan(snapshotOf(kB, {}), t.viewB(t.account, {c}));
    ASSERT_EQ(complete.claims.size(), 1u);
    EXPECT_TRUE(complete.claims[0].remove);
    EXPECT_EQ(complete.claims[0].claim.school, kB);
    EXPECT_EQ(complete.claims[0].claim.accountId, 42);
    EXPECT_TRUE(complete.accounts.empty());

    // A partial snapshot's silence says nothing; its leaver record does.
    auto partial = h.plan(snapshotOf(kB, {}, false), t.viewB(t.account, {c}));
    EXPECT_TRUE(partial.claims.empty());
    auto leaver = t.atB;
    leaver.leavingDate = h.asOf;
    auto partialLeaver = h.plan(snapshotOf(kB, {leaver}, false), t.viewB(t.account, {c}));
    ASSERT_EQ(partialLeaver.claims.size(), 1u);
    EXPECT_TRUE(partialLeaver.claims[0].remove);
    EXPECT_EQ(partialLeaver.counts["awaiting_transfer"], 0u);
}

TEST(PlannerR7, OtherSchoolsClaimsAreLeftAlone) {
    TransferCase t;
    Claim byC = claimFor(t.atB, 42, kC);
    PlannerHarness h;
    auto snap = t.snapshotB();  // B's groups, without the learner
    snap.persons.clear();
    snap.memberships.clear();
    auto plan = h.plan(snap, t.viewB(t.account, {byC}));
    EXPECT_TRUE(plan.claims.empty());
    EXPECT_FALSE(plan.changesDirectory());
}
