// The pure planner against an in-memory view: leavers and the summer rule (R5), rejoiners (R6),
// manual accounts (R8) and the last Digital Champion (R10).
#include <gtest/gtest.h>

#include <regex>

#include "planner_fixture.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";

DirectoryView viewOf(std::vector<Account> accounts) {
    DirectoryView v;
    v.school = kA;
    v.accounts = std::move(accounts);
    return v;
}

// Plans one learner whose account is active at A, on `asOf`.
Plan planFor(const core::Person& p, core::Date asOf, Policy policy = {}) {
    PlannerHarness h;
    h.policy = policy;
    h.asOf = asOf;
    return h.plan(snapshotOf(kA, {p}), viewOf({accountFor(p, kA, 1, "user")}));
}

bool deactivates(const Plan& plan) {
    return plan.counts["deactivate"] == 1 && writeFor(plan, 1) != nullptr &&
           writeFor(plan, 1)->account.status == AccountStatus::Deactivated;
}

}  // namespace

// ---- R5 leavers ----------------------------------------------------------------------------

TEST(PlannerR5, LeaverByDateIsDeactivatedKeepingUsernameAndAliases) {
    PlannerHarness h;
    auto before = learner("L-1", makeUpn(1), "Osian", "Parry");
    Account a = accountFor(before, kA, 4, "parryo");
    a.aliases = {"parryo-old"};
    auto after = before;
    after.leavingDate = h.asOf.addDays(-1);
    auto plan = h.plan(snapshotOf(kA, {after}), viewOf({a}));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::Deactivate);
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    const auto* w = writeFor(plan, 4);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.status, AccountStatus::Deactivated);
    EXPECT_FALSE(w->account.ownerOnRoll);
    EXPECT_EQ(w->account.deactivatedAt, h.now);
    EXPECT_EQ(w->account.username, "parryo");
    EXPECT_EQ(w->account.aliases, a.aliases);
    EXPECT_EQ(w->account.school, kA);
    EXPECT_FALSE(w->newPassword.has_value());
    EXPECT_TRUE(w->newNames.empty());
    EXPECT_EQ(w->account.attrs.leavingDate, after.leavingDate->toString());  // record kept current
}

TEST(PlannerR5, AbsenceFromACompleteSnapshotDeactivates) {
    PlannerHarness h;
    auto stays = learner("L-1", makeUpn(2), "Osian", "Parry");
    auto goes = learner("L-2", makeUpn(3), "Nia", "Rowlands");
    auto teacher = staffMember("S-1", "Iwan", "Bowen");
    auto plan = h.plan(snapshotOf(kA, {stays}), viewOf({accountFor(stays, kA, 1, "parryo"),
                                                        accountFor(goes, kA, 2, "rowlandsn"),
                                                        accountFor(teacher, kA, 3, "boweni")}));
    EXPECT_EQ(plan.counts["deactivate"], 2u);
    EXPECT_EQ(writeFor(plan, 1), nullptr);
    for (std::int64_t id : {2, 3}) {
        const auto* w = writeFor(plan, id);
        ASSERT_NE(w, nullptr);
        EXPECT_EQ(w->account.status, AccountStatus::Deactivated);
        EXPECT_FALSE(w->newPassword.has_value());
    }
    EXPECT_EQ(writeFor(plan, 2)->account.username, "rowlandsn");
}

TEST(PlannerR5, AbsenceFromAPartialSnapshotChangesNothing) {
    PlannerHarness h;
    auto stays = learner("L-1", makeUpn(2), "Osian", "Parry");
    auto absent = learner("L-2", makeUpn(3), "Nia", "Rowlands");
    auto plan = h.plan(
        snapshotOf(kA, {stays}, /*complete=*/false),
        viewOf({accountFor(stays, kA, 1, "parryo"), accountFor(absent, kA, 2, "rowlandsn")}));
    EXPECT_FALSE(plan.changesDirectory());
    EXPECT_EQ(totalCount(plan), 0u);

    // A partial snapshot's leaving dates still count.
    auto leaver = absent;
    leaver.leavingDate = h.asOf;
    auto plan2 = h.plan(
        snapshotOf(kA, {leaver}, false),
        viewOf({accountFor(stays, kA, 1, "parryo"), accountFor(absent, kA, 2, "rowlandsn")}));
    EXPECT_EQ(plan2.counts["deactivate"], 1u);
    EXPECT_EQ(writeFor(plan2, 1), nullptr);
}

TEST(PlannerR5, SummerLeaversInYears11To13StayActiveUntil30August) {
    for (const char* year : {"11", "12", "13"}) {
        for (const char* left : {"2024-06-01", "2024-07-19", "2024-08-15"}) {
            auto p = learner("L-1", makeUpn(4), "Osian", "Parry", year, year + std::string("X"));
            p.leavingDate = day(left);
            auto onLeavingDay = planFor(p, day(left));
            EXPECT_FALSE(onLeavingDay.changesDirectory()) << year << " " << left;
            auto lastDay = planFor(p, day("2024-08-30"));
            EXPECT_FALSE(lastDay.changesDirectory()) << year << " " << left;
            auto nextDay = planFor(p, day("2024-08-31"));
            EXPECT_TRUE(deactivates(nextDay)) << year << " " << left;
            EXPECT_EQ(writeFor(nextDay, 1)->account.username, "user");
        }
    }
}

TEST(PlannerR5, SummerRuleOnlyForYears11To13AndJuneToAugustLearners) {
    auto year10 = learner("L-1", makeUpn(5), "Osian", "Parry", "10", "10A");
    year10.leavingDate = day("2024-07-19");
    EXPECT_TRUE(deactivates(planFor(year10, day("2024-07-19"))));

    auto mayLeaver = learner("L-2", makeUpn(6), "Osian", "Parry", "11", "11A");
    mayLeaver.leavingDate = day("2024-05-31");
    EXPECT_TRUE(deactivates(planFor(mayLeaver, day("2024-06-05"))));

    auto septLeaver = learner("L-3", makeUpn(7), "Osian", "Parry", "13", "13A");
    septLeaver.leavingDate = day("2024-09-02");
    EXPECT_TRUE(deactivates(planFor(septLeaver, day("2024-09-02"))));

    auto teacher = staffMember("S-1", "Iwan", "Bowen");
    teacher.yearGroup = "11";  // staff are never summer leavers
    teacher.leavingDate = day("2024-07-19");
    EXPECT_TRUE(deactivates(planFor(teacher, day("2024-07-20"))));
}

TEST(PlannerR5, CustomSummerLeaverUntilIsHonoured) {
    Policy policy;
    policy.summerLeaverUntil = {9, 15};
    auto p = learner("L-1", makeUpn(8), "Osian", "Parry", "11", "11A");
    p.leavingDate = day("2024-07-19");
    EXPECT_FALSE(planFor(p, day("2024-08-31"), policy).changesDirectory());
    EXPECT_FALSE(planFor(p, day("2024-09-15"), policy).changesDirectory());
    EXPECT_TRUE(deactivates(planFor(p, day("2024-09-16"), policy)));

    policy.summerLeaverUntil = {8, 10};
    EXPECT_FALSE(planFor(p, day("2024-08-10"), policy).changesDirectory());
    EXPECT_TRUE(deactivates(planFor(p, day("2024-08-11"), policy)));
}

TEST(PlannerR5, SummerLeaverWithoutAnAccountIsCreatedUntilTheCutOff) {
    auto p = learner("L-1", makeUpn(9), "Osian", "Parry", "12", "12A");
    p.leavingDate = day("2024-07-19");
    PlannerHarness h;
    h.asOf = day("2024-08-01");
    EXPECT_EQ(h.plan(snapshotOf(kA, {p}), viewOf({})).counts["create"], 1u);
    h.asOf = day("2024-08-31");
    EXPECT_EQ(h.plan(snapshotOf(kA, {p}), viewOf({})).counts["create"], 0u);
}

// ---- R6 rejoin -----------------------------------------------------------------------------

TEST(PlannerR6, RejoinerIsReactivatedWithTheSameUsernameAndPassword) {
    PlannerHarness h;
    auto before = learner("L-1", makeUpn(10), "Osian", "Parry");
    before.leavingDate = day("2023-12-20");
    Account a = accountFor(before, kA, 4, "parryo");
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    a.deactivatedAt = "2023-12-21T06:30:00Z";
    auto back = before;
    back.leavingDate.reset();
    back.admissionDate = day("2024-02-26");
    auto plan = h.plan(snapshotOf(kA, {back}), viewOf({a}));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::Reactivate);
    EXPECT_EQ(plan.counts["reactivate"], 1u);
    EXPECT_EQ(plan.counts["create"], 0u);
    ASSERT_NE(changeOf(plan.actions[0], "leaving_date"), nullptr);
    const auto* w = writeFor(plan, 4);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.status, AccountStatus::Active);
    EXPECT_TRUE(w->account.ownerOnRoll);
    EXPECT_TRUE(w->account.deactivatedAt.empty());
    EXPECT_EQ(w->account.username, "parryo");
    EXPECT_FALSE(w->newPassword.has_value());
    EXPECT_TRUE(w->newNames.empty());
}

TEST(PlannerR3, LeaversRecordIsKeptCurrentWithEveryChangeRecorded) {
    PlannerHarness h;
    auto p = learner("L-1", makeUpn(12), "Osian", "Parry");
    p.leavingDate = day("2023-12-20");
    Account a = accountFor(p, kA, 4, "parryo");
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    auto now = p;
    now.preferredForename = "Osi";
    auto plan = h.plan(snapshotOf(kA, {now}), viewOf({a}));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::Update);
    const auto* dn = changeOf(plan.actions[0], "display_name");
    ASSERT_NE(dn, nullptr);
    EXPECT_EQ(dn->before, "Osian Parry");
    EXPECT_EQ(dn->after, "Osi Parry");
    EXPECT_EQ(writeFor(plan, 4)->account.status, AccountStatus::Deactivated);

    // The same on the day a leaver's account is deactivated.
    auto leaving = learner("L-2", makeUpn(13), "Osian", "Parry");
    Account b = accountFor(leaving, kA, 5, "parryo1");
    leaving.preferredForename = "Osi";
    leaving.leavingDate = h.asOf;
    auto plan2 = h.plan(snapshotOf(kA, {leaving}), viewOf({b}));
    ASSERT_EQ(plan2.actions.size(), 1u);
    EXPECT_EQ(plan2.actions[0].kind, ActionKind::Deactivate);
    ASSERT_NE(changeOf(plan2.actions[0], "display_name"), nullptr);
    ASSERT_NE(changeOf(plan2.actions[0], "leaving_date"), nullptr);
}

TEST(PlannerR6, DeactivatedAccountOfAPersonStillOffRollStaysDeactivated) {
    PlannerHarness h;
    auto p = learner("L-1", makeUpn(11), "Osian", "Parry");
    p.leavingDate = day("2023-12-20");
    Account a = accountFor(p, kA, 4, "parryo");
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    auto plan = h.plan(snapshotOf(kA, {p}), viewOf({a}));
    EXPECT_FALSE(plan.changesDirectory());
}

// ---- R8 manual accounts --------------------------------------------------------------------

TEST(PlannerR8, SameNameAsAManualAccountStillCreatesAndWarns) {
    PlannerHarness h;
    Account manual = manualAccount(kA, 7, "prossers", "Sian", "Prosser", "2012-05-17");
    h.registry.add(manual.username);
    auto p = learner("L-1", makeUpn(12), "Siân", "Prosser");  // same normalised name and dob
    auto plan = h.plan(snapshotOf(kA, {p}), viewOf({manual}));
    ASSERT_EQ(plan.counts["create"], 1u);
    const auto* w = writeForMisId(plan, "L-1");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.username, "prossers1");
    const auto* warning = warningOf(plan, "possible_duplicate");
    ASSERT_NE(warning, nullptr);
    EXPECT_NE(warning->message.find("prossers1"), std::string::npos) << warning->message;
    EXPECT_TRUE(std::regex_search(warning->message, std::regex("\\bprossers\\b")))
        << warning->message;
    EXPECT_EQ(writeFor(plan, 7), nullptr);

    // A different date of birth is another person; an unknown one may be the same.
    Account otherDob = manualAccount(kA, 7, "prossers", "Sian", "Prosser", "1980-01-01");
    EXPECT_FALSE(hasWarning(h.plan(snapshotOf(kA, {p}), viewOf({otherDob})), "possible_duplicate"));
    Account noDob = manualAccount(kA, 7, "prossers", "Sian", "Prosser");
    EXPECT_TRUE(hasWarning(h.plan(snapshotOf(kA, {p}), viewOf({noDob})), "possible_duplicate"));
    // A manual account of another school is not a duplicate.
    Account elsewhere = manualAccount("6615678", 7, "prossers", "Sian", "Prosser");
    EXPECT_FALSE(
        hasWarning(h.plan(snapshotOf(kA, {p}), viewOf({elsewhere})), "possible_duplicate"));
}

TEST(PlannerR8, ManualAccountsAreNeverChangedOrDeactivatedByACompleteRoll) {
    PlannerHarness h;
    Account nonMis = manualAccount(kA, 1, "techie", "Tech", "Support");
    Account governor = manualAccount(kA, 2, "govone", "Gov", "One");
    governor.role = core::Role::Governor;
    // A manual account that happens to carry a person's MIS id is still never matched.
    auto p = learner("L-1", makeUpn(13), "Tech", "Support");
    Account carriesId = manualAccount(kA, 3, "supportt", "Tech", "Support");
    carriesId.attrs.misId = "L-1";
    auto empty = h.plan(snapshotOf(kA, {}), viewOf({nonMis, governor, carriesId}));
    EXPECT_FALSE(empty.changesDirectory());
    auto plan = h.plan(snapshotOf(kA, {p}), viewOf({nonMis, governor, carriesId}));
    EXPECT_EQ(plan.counts["create"], 1u);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    for (std::int64_t id : {1, 2, 3}) {
        EXPECT_EQ(writeFor(plan, id), nullptr) << id;
    }
}

// ---- R10 Digital Champions -----------------------------------------------------------------

TEST(PlannerR10, DeactivatingTheLastDigitalChampionWarns) {
    PlannerHarness h;
    auto champ = staffMember("S-1", "Iwan", "Bowen");
    auto other = staffMember("S-2", "Eira", "Lloyd");
    Account c = accountFor(champ, kA, 1, "boweni");
    c.digitalChampion = true;
    Account o = accountFor(other, kA, 2, "lloyde");
    auto plan = h.plan(snapshotOf(kA, {other}), viewOf({c, o}));
    EXPECT_EQ(plan.counts["deactivate"], 1u);
    EXPECT_TRUE(hasWarning(plan, "no_digital_champion"));

    // With another active champion left, no warning.
    o.digitalChampion = true;
    auto plan2 = h.plan(snapshotOf(kA, {other}), viewOf({c, o}));
    EXPECT_EQ(plan2.counts["deactivate"], 1u);
    EXPECT_FALSE(hasWarning(plan2, "no_digital_champion"));

    // Both champions leave: one warning.
    auto plan3 = h.plan(snapshotOf(kA, {}), viewOf({c, o}));
    EXPECT_EQ(plan3.counts["deactivate"], 2u);
    EXPECT_EQ(std::count_if(plan3.warnings.begin(), plan3.warnings.end(),
                            [](const core::Warning& w) { return w.code == "no_digital_champion"; }),
              1);

    // Deactivating someone else says nothing.
    auto plan4 = h.plan(snapshotOf(kA, {champ}), viewOf({c, accountFor(other, kA, 2, "lloyde")}));
    EXPECT_EQ(plan4.counts["deactivate"], 1u);
    EXPECT_FALSE(hasWarning(plan4, "no_digital_champion"));
}
