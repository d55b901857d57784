// The pure planner against an in-memory view: what the portal owns survives a sync (R9),
// manual accounts stay as they are (R8), purge after the retention period (R5), Digital
// Champions moving away (R10) and staff transfers by national id.
#include <gtest/gtest.h>

#include "planner_fixture.h"
#include "reconcile/guard.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";
const std::string kB = "6615678";

DirectoryView viewOf(std::string school, std::vector<Account> accounts) {
    DirectoryView v;
    v.school = std::move(school);
    v.accounts = std::move(accounts);
    return v;
}

GroupState group(std::int64_t id, std::string school, std::string code,
                 std::vector<std::int64_t> members) {
    GroupState g;
    g.id = id;
    g.school = std::move(school);
    g.code = std::move(code);
    g.type = core::GroupType::Registration;
    g.members = std::move(members);
    return g;
}

}  // namespace

// ---- R9 --------------------------------------------------------------------------------------

TEST(PlannerR9, AnAdministratorsDeactivationHoldsWhileThePersonIsOnRoll) {
    PlannerHarness h;
    auto p = learner("L-1", makeUpn(1), "Osian", "Parry");
    Account a = accountFor(p, kA, 1, "parryo");
    a.status = AccountStatus::Deactivated;
    a.adminDeactivated = true;
    a.deactivatedAt = "2024-02-01T10:00:00Z";
    auto s = snapshotOf(kA, {p});
    addGroup(s, "8A", core::GroupType::Registration);
    addMember(s, "8A", p);
    DirectoryView v = viewOf(kA, {a});
    v.groups = {group(7, kA, "8A", {})};
    auto plan = h.plan(s, v);
    EXPECT_EQ(plan.counts["reactivate"], 0u);
    EXPECT_EQ(totalCount(plan), 0u);
    EXPECT_FALSE(plan.changesDirectory()) << "nothing to do: R12 holds too";

    // The MIS attributes still follow the MIS; the account stays deactivated.
    auto moved = p;
    moved.regGroup = "8B";
    auto plan2 = h.plan(snapshotOf(kA, {moved}), viewOf(kA, {a}));
    EXPECT_EQ(plan2.counts["update"], 1u);
    ASSERT_NE(writeFor(plan2, 1), nullptr);
    EXPECT_EQ(writeFor(plan2, 1)->account.status, AccountStatus::Deactivated);
    EXPECT_EQ(writeFor(plan2, 1)->account.attrs.regGroup, "8B");

    // A leaver's deactivation by the sync is not sticky (R6): that account comes back.
    a.adminDeactivated = false;
    a.ownerOnRoll = false;
    v.accounts = {a};
    auto plan3 = h.plan(s, v);
    EXPECT_EQ(plan3.counts["reactivate"], 1u);
}

TEST(PlannerR9, AnAdministratorsDeactivatedAccountIsLetGoWhenThePersonLeaves) {
    PlannerHarness h;
    auto p = learner("L-1", makeUpn(1), "Osian", "Parry");
    Account a = accountFor(p, kA, 1, "parryo");
    a.status = AccountStatus::Deactivated;
    a.adminDeactivated = true;
    auto plan = h.plan(snapshotOf(kA, {}), viewOf(kA, {a}));
    EXPECT_EQ(plan.counts["deactivate"], 0u) << "it is deactivated already";
    ASSERT_NE(writeFor(plan, 1), nullptr);
    EXPECT_FALSE(writeFor(plan, 1)->account.ownerOnRoll) << "released for a transfer (R7)";
    EXPECT_TRUE(writeFor(plan, 1)->account.adminDeactivated);
}

TEST(PlannerR9, AnotherSchoolWaitsForAnAccountDeactivatedByAnAdministratorAtItsSchool) {
    PlannerHarness h;
    auto atA = learner("A-1", makeUpn(1), "Osian", "Parry");
    auto atB = learner("B-1", makeUpn(1), "Osian", "Parry");
    Account a = accountFor(atA, kA, 1, "parryo");
    a.status = AccountStatus::Deactivated;
    a.adminDeactivated = true;  // A still has the learner on roll
    auto plan = h.plan(snapshotOf(kB, {atB}), viewOf(kB, {a}));
    EXPECT_EQ(plan.counts["transfer"], 0u);
    EXPECT_EQ(plan.counts["awaiting_transfer"], 1u);

    // Once A lets the learner go, B takes the account, still deactivated, and says so.
    a.ownerOnRoll = false;
    auto plan2 = h.plan(snapshotOf(kB, {atB}), viewOf(kB, {a}));
    EXPECT_EQ(plan2.counts["transfer"], 1u);
    ASSERT_NE(writeFor(plan2, 1), nullptr);
    EXPECT_EQ(writeFor(plan2, 1)->account.school, kB);
    EXPECT_EQ(writeFor(plan2, 1)->account.status, AccountStatus::Deactivated);
    EXPECT_TRUE(hasWarning(plan2, "admin_deactivated"));
}

TEST(PlannerR9, AnAdministratorsPasswordSurvivesARegeneratedUsername) {
    PlannerHarness h;
    h.policy.regenerateUsernameOnRename = true;
    auto p = learner("L-1", makeUpn(1), "Osian", "Parry");
    Account a = accountFor(p, kA, 1, "parryo");
    a.passwordByAdmin = true;
    auto renamed = p;
    renamed.legalSurname = "Bowen";
    auto plan = h.plan(snapshotOf(kA, {renamed}), viewOf(kA, {a}));
    const auto* w = writeFor(plan, 1);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.username, "boweno");
    EXPECT_FALSE(w->newPassword.has_value()) << "R9: the administrator's password stays";

    a.passwordByAdmin = false;
    auto plan2 = h.plan(snapshotOf(kA, {renamed}), viewOf(kA, {a}));
    ASSERT_NE(writeFor(plan2, 1), nullptr);
    EXPECT_TRUE(writeFor(plan2, 1)->newPassword.has_value()) << "R4: a new visible password";
}

TEST(PlannerR9, ConsentChampionAndTheAdministratorsNamesSurviveAnUpdate) {
    PlannerHarness h;
    auto p = staffMember("S-1", "Iwan", "Bowen");
    Account a = accountFor(p, kA, 1, "boweni");
    a.consent = true;
    a.digitalChampion = true;
    a.nameLocked = true;
    a.attrs.legalForename = "Ifan";
    a.displayName = "Ifan Bowen";
    auto changed = p;
    changed.staffCode = "XYZ";
    changed.legalSurname = "Bowen-Jones";
    auto plan = h.plan(snapshotOf(kA, {changed}), viewOf(kA, {a}));
    const auto* w = writeFor(plan, 1);
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(w->account.consent);
    EXPECT_TRUE(w->account.digitalChampion);
    EXPECT_EQ(w->account.attrs.legalForename, "Ifan");
    EXPECT_EQ(w->account.attrs.legalSurname, "Bowen");
    EXPECT_EQ(w->account.attrs.staffCode, "XYZ");
}

// ---- R8 --------------------------------------------------------------------------------------

TEST(PlannerR8, ManualAccountsKeepTheirGroupMemberships) {
    PlannerHarness h;
    Account m = manualAccount(kA, 9, "governor1", "Gwen", "Ellis");
    m.role = core::Role::Governor;
    DirectoryView v = viewOf(kA, {m});
    v.groups = {group(7, kA, "GOV", {9})};
    auto s = snapshotOf(kA, {});
    addGroup(s, "GOV", core::GroupType::Registration);
    auto plan = h.plan(s, v);
    EXPECT_FALSE(hasMembership(plan, kA, "GOV", 9, false));
    EXPECT_TRUE(plan.accounts.empty());
}

// ---- R5 purge --------------------------------------------------------------------------------

TEST(PlannerR5, ADeactivatedAccountIsPurgedAfterTheRetentionPeriod) {
    PlannerHarness h;  // as of 2024-03-01, retention 365 days
    auto p = learner("L-1", makeUpn(1), "Osian", "Parry");
    Account a = accountFor(p, kA, 1, "parryo");
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    a.aliases = {"parryo-old"};
    a.deactivatedAt = "2023-03-02T06:30:00Z";  // 365 days before 2024-03-01
    auto plan = h.plan(snapshotOf(kA, {}), viewOf(kA, {a}));
    ASSERT_EQ(plan.counts["purge"], 1u);
    auto purges = actionsOf(plan, ActionKind::Purge);
    ASSERT_EQ(purges.size(), 1u);
    EXPECT_EQ(purges[0]->username, "parryo");
    EXPECT_TRUE(purges[0]->changes.empty()) << "the run history keeps no purged data";
    const auto* w = writeFor(plan, 1);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.status, AccountStatus::Purged);
    EXPECT_TRUE(w->clearPassword);
    EXPECT_FALSE(w->account.passwordAvailable);
    EXPECT_EQ(w->account.attrs.legalForename, "");
    EXPECT_EQ(w->account.attrs.legalSurname, "");
    EXPECT_EQ(w->account.attrs.dob, "");
    EXPECT_EQ(w->account.attrs.yearGroup, "");
    EXPECT_EQ(w->account.attrs.regGroup, "");
    EXPECT_EQ(w->account.displayName, "");
    EXPECT_EQ(w->account.username, "parryo") << "the username stays reserved (U3)";
    EXPECT_EQ(w->account.aliases, a.aliases);
    EXPECT_EQ(w->account.purgedAt, h.now);
    EXPECT_FALSE(nextPurgeDate(viewOf(kA, {a}), Plan{}, h.asOf, h.policy).has_value());

    // A day earlier it is not due yet, and the runner learns when it will be.
    h.asOf = h.asOf.addDays(-1);
    auto early = h.plan(snapshotOf(kA, {}), viewOf(kA, {a}));
    EXPECT_EQ(early.counts["purge"], 0u);
    EXPECT_EQ(nextPurgeDate(viewOf(kA, {a}), Plan{}, h.asOf, h.policy), day("2024-03-01"));

    // Purged accounts are never matched again: a returning learner gets a new account.
    auto purged = w->account;
    h.asOf = day("2024-03-01");
    h.reserve(viewOf(kA, {purged}));
    auto back = h.plan(snapshotOf(kA, {p}), viewOf(kA, {purged}));
    EXPECT_EQ(back.counts["create"], 1u);
    EXPECT_EQ(back.counts["reactivate"], 0u);
    EXPECT_NE(writeForMisId(back, "L-1")->account.username, "parryo");
}

TEST(PlannerR5, APlanThatDeactivatesTellsWhenThePurgeFallsDue) {
    PlannerHarness h;  // now 2024-03-01T06:30:00Z
    auto p = learner("L-1", makeUpn(1), "Osian", "Parry");
    DirectoryView v = viewOf(kA, {accountFor(p, kA, 1, "parryo")});
    auto plan = h.plan(snapshotOf(kA, {}), v);
    ASSERT_EQ(plan.counts["deactivate"], 1u);
    EXPECT_FALSE(nextPurgeDate(v, Plan{}, h.asOf, h.policy).has_value());
    EXPECT_EQ(nextPurgeDate(v, plan, h.asOf, h.policy), day("2025-03-01"));  // 365 days on
}

TEST(PlannerR5, NoPurgeForAnAdministratorsDeactivationOfAPersonStillOnRoll) {
    PlannerHarness h;
    auto p = learner("L-1", makeUpn(1), "Osian", "Parry");
    Account a = accountFor(p, kA, 1, "parryo");
    a.status = AccountStatus::Deactivated;
    a.adminDeactivated = true;
    a.deactivatedAt = "2020-01-01T06:30:00Z";
    auto plan = h.plan(snapshotOf(kA, {p}), viewOf(kA, {a}));
    EXPECT_EQ(plan.counts["purge"], 0u);
    Policy shortRetention = h.policy;
    shortRetention.retentionDays = 30;
    a.ownerOnRoll = false;
    a.deactivatedAt = "2024-02-15T06:30:00Z";
    EXPECT_EQ(nextPurgeDate(viewOf(kA, {a}), Plan{}, h.asOf, shortRetention), day("2024-03-16"));
}

// ---- R10 and staff transfers -----------------------------------------------------------------

TEST(PlannerR10, AStaffTransferTakesTheChampionRoleAwayFromTheOldSchool) {
    PlannerHarness h;
    h.policy.staffTransfer = StaffTransfer::Automatic;
    auto atA = staffMember("A-S1", "Gareth", "Price", "EWC123");
    auto atB = staffMember("B-S1", "Gareth", "Price", "EWC123");
    Account a = accountFor(atA, kA, 31, "priceg");
    a.digitalChampion = true;
    a.ownerOnRoll = false;  // A's latest snapshot no longer has them
    DirectoryView v = viewOf(kB, {a});
    v.activeChampions = {{kA, 1}};
    auto plan = h.plan(snapshotOf(kB, {atB}), v);
    ASSERT_EQ(plan.counts["transfer"], 1u);
    const auto* w = writeFor(plan, 31);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.school, kB);
    EXPECT_FALSE(w->account.digitalChampion) << "a Champion of A, not of B";
    ASSERT_NE(changeOf(*actionsOf(plan, ActionKind::Transfer)[0], "digital_champion"), nullptr);
    const auto* warning = warningOf(plan, "no_digital_champion");
    ASSERT_NE(warning, nullptr);
    EXPECT_NE(warning->message.find(kA), std::string::npos);

    v.activeChampions = {{kA, 2}};
    EXPECT_FALSE(hasWarning(h.plan(snapshotOf(kB, {atB}), v), "no_digital_champion"));
}

TEST(PlannerR10, HandingTheLastChampionOverToAnotherSchoolWarns) {
    PlannerHarness h;
    h.policy.staffTransfer = StaffTransfer::Automatic;
    auto atA = staffMember("A-S1", "Gareth", "Price", "EWC123");
    auto atB = staffMember("B-S1", "Gareth", "Price", "EWC123");
    Account a = accountFor(atA, kA, 31, "priceg");
    a.digitalChampion = true;
    DirectoryView v = viewOf(kA, {a});
    v.claims = {claimFor(atB, 31, kB)};
    auto plan = h.plan(snapshotOf(kA, {}), v);
    EXPECT_EQ(plan.counts["transfer"], 1u);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    EXPECT_TRUE(hasWarning(plan, "no_digital_champion"));
}
