// The pure planner against an in-memory view: matching (R1), create (R2), update (R3),
// rename (R4), portal-owned names (R9), idempotence (R12) and rejected records (R15).
#include <gtest/gtest.h>

#include <functional>

#include "planner_fixture.h"
#include "reconcile/passwords.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";
const std::string kB = "6615678";

DirectoryView viewOf(const std::string& school, std::vector<Account> accounts = {}) {
    DirectoryView v;
    v.school = school;
    v.accounts = std::move(accounts);
    return v;
}

}  // namespace

// ---- R1 matching ---------------------------------------------------------------------------

TEST(PlannerR1, LearnerMatchedByUpnAcrossTheWholeDirectory) {
    PlannerHarness h;
    const std::string upn = makeUpn(1);
    auto atB = learner("B-77", upn, "Cerys", "Evans");
    Account owned = accountFor(atB, kB, 10, "evansc");
    owned.status = AccountStatus::Deactivated;  // B let the learner go
    owned.ownerOnRoll = false;
    auto atA = learner("A-5", upn, "Cerys", "Evans");  // A's own MIS id differs
    auto plan = h.plan(snapshotOf(kA, {atA}), viewOf(kA, {owned}));
    EXPECT_EQ(plan.counts["create"], 0u);
    ASSERT_EQ(actionsOf(plan, ActionKind::Transfer).size(), 1u);
    EXPECT_EQ(actionsOf(plan, ActionKind::Transfer)[0]->username, "evansc");
}

TEST(PlannerR1, LearnerMatchedByUpnWhenItsMisIdChanged) {
    PlannerHarness h;
    auto before = learner("OLD-1", makeUpn(2), "Dai", "Jones");
    auto now = before;
    now.misId = "NEW-1";
    auto plan = h.plan(snapshotOf(kA, {now}), viewOf(kA, {accountFor(before, kA, 3, "jonesd")}));
    EXPECT_EQ(plan.counts["create"], 0u);
    EXPECT_EQ(plan.counts["deactivate"], 0u);
    ASSERT_EQ(plan.counts["update"], 1u);
    const auto* c = changeOf(plan.actions.at(0), "mis_id");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->before, "OLD-1");
    EXPECT_EQ(c->after, "NEW-1");
}

TEST(PlannerR1, LearnerWithoutUpnMatchedBySchoolAndMisId) {
    PlannerHarness h;
    auto p = learner("L-9", "", "Ffion", "Hughes");
    // B's account for a different person with the same MIS id and no UPN must not match.
    auto other = learner("L-9", "", "Ffion", "Hughes");
    Account foreignSameId = accountFor(other, kB, 20, "hughesf");
    Account own = accountFor(p, kA, 21, "hughesf1");
    auto plan = h.plan(snapshotOf(kA, {p}), viewOf(kA, {foreignSameId, own}));
    EXPECT_FALSE(plan.changesDirectory());
    EXPECT_EQ(totalCount(plan), 0u);

    // Without the own account, the person is new at A: B's account is not a match.
    auto plan2 = h.plan(snapshotOf(kA, {p}), viewOf(kA, {foreignSameId}));
    EXPECT_EQ(plan2.counts["create"], 1u);
    EXPECT_EQ(plan2.counts["transfer"], 0u);
    EXPECT_EQ(writeFor(plan2, 20), nullptr);
}

TEST(PlannerR1, StaffMatchedBySchoolAndMisId) {
    PlannerHarness h;
    auto t = staffMember("S-1", "Gareth", "Price", "EWC123");
    auto plan = h.plan(snapshotOf(kA, {t}), viewOf(kA, {accountFor(t, kA, 30, "priceg")}));
    EXPECT_FALSE(plan.changesDirectory());
    EXPECT_EQ(totalCount(plan), 0u);
}

TEST(PlannerR1, StaffNotMatchedAcrossSchoolsWhenStaffTransferIsManual) {
    PlannerHarness h;
    ASSERT_EQ(h.policy.staffTransfer, StaffTransfer::Manual);
    auto atB = staffMember("B-S1", "Gareth", "Price", "EWC123");
    Account b = accountFor(atB, kB, 31, "priceg");
    b.status = AccountStatus::Deactivated;
    b.ownerOnRoll = false;
    auto atA = staffMember("A-S1", "Gareth", "Price", "EWC123");
    auto plan = h.plan(snapshotOf(kA, {atA}), viewOf(kA, {b}));
    EXPECT_EQ(plan.counts["create"], 1u);
    EXPECT_EQ(plan.counts["transfer"], 0u);
    EXPECT_EQ(writeFor(plan, 31), nullptr);
}

TEST(PlannerR1, StaffMatchedByNationalIdAcrossSchoolsWhenAutomatic) {
    PlannerHarness h;
    h.policy.staffTransfer = StaffTransfer::Automatic;
    auto atB = staffMember("B-S1", "Gareth", "Price", "EWC123");
    Account b = accountFor(atB, kB, 31, "priceg");
    b.status = AccountStatus::Deactivated;
    b.ownerOnRoll = false;
    auto atA = staffMember("A-S1", "Gareth", "Price", "EWC123");
    auto plan = h.plan(snapshotOf(kA, {atA}), viewOf(kA, {b}));
    EXPECT_EQ(plan.counts["create"], 0u);
    ASSERT_EQ(plan.counts["transfer"], 1u);
    const auto* w = writeFor(plan, 31);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.school, kA);
    EXPECT_EQ(w->account.username, "priceg");
    EXPECT_EQ(w->account.attrs.misId, "A-S1");

    // Another national id is not a match, automatic or not.
    auto stranger = staffMember("A-S2", "Gareth", "Price", "EWC999");
    auto plan2 = h.plan(snapshotOf(kA, {stranger}), viewOf(kA, {b}));
    EXPECT_EQ(plan2.counts["create"], 1u);
    EXPECT_EQ(plan2.counts["transfer"], 0u);
}

// ---- R15 rejected records ------------------------------------------------------------------

TEST(PlannerR15, RejectedRecordIsCountedAndNamesFileAndRecord) {
    PlannerHarness h;
    std::string bad = makeUpn(3);
    bad[0] = bad[0] == 'A' ? 'B' : 'A';  // wrong check letter
    ASSERT_FALSE(core::isValidUpn(bad));
    auto ok = learner("L-1", makeUpn(4), "Aled", "Morgan");
    auto snap = snapshotOf(kA, {ok});
    snap.rejected.push_back({"invalid_upn", "students.xml", 7, "UPN " + bad + " check letter"});
    auto plan = h.plan(snap, viewOf(kA));
    EXPECT_EQ(plan.counts["rejected"], 1u);
    ASSERT_EQ(plan.errors.size(), 1u);
    EXPECT_EQ(plan.errors[0].file, "students.xml");
    EXPECT_EQ(plan.errors[0].record, 7u);
    EXPECT_EQ(plan.errors[0].code, "invalid_upn");
    EXPECT_EQ(plan.counts["create"], 1u);  // the rest of the run goes on
}

// ---- R2 create -----------------------------------------------------------------------------

TEST(PlannerR2, OnlyPersonsOnRollGetAccounts) {
    PlannerHarness h;
    auto future = learner("F", makeUpn(10), "Ben", "Ash");
    future.admissionDate = h.asOf.addDays(1);
    auto left = learner("L", makeUpn(11), "Ben", "Birch");
    left.leavingDate = h.asOf.addDays(-3);
    auto leftToday = learner("T", makeUpn(12), "Ben", "Cedar");
    leftToday.leavingDate = h.asOf;
    auto guest = learner("G", makeUpn(13), "Ben", "Deal");
    guest.enrolment = core::Enrolment::Guest;
    auto leavesLater = learner("X", makeUpn(14), "Ben", "Elm");
    leavesLater.leavingDate = h.asOf.addDays(1);
    auto admittedToday = learner("Y", makeUpn(15), "Ben", "Fir");
    admittedToday.admissionDate = h.asOf;
    auto earlierEnrolment = learner("Z", makeUpn(16), "Ben", "Gorse");
    earlierEnrolment.admissionDate = h.asOf.addDays(-10);
    earlierEnrolment.leavingDate = h.asOf.addDays(-100);  // before the admission: ignored
    auto plan = h.plan(snapshotOf(kA, {future, left, leftToday, guest, leavesLater, admittedToday,
                                       earlierEnrolment}),
                       viewOf(kA));
    EXPECT_EQ(plan.counts["create"], 3u);
    for (const char* id : {"F", "L", "T", "G"}) {
        EXPECT_EQ(writeForMisId(plan, id), nullptr) << id;
    }
    for (const char* id : {"X", "Y", "Z"}) {
        EXPECT_NE(writeForMisId(plan, id), nullptr) << id;
    }
}

TEST(PlannerR2, CreateGivesUsernamePasswordStatusAndCreatedAt) {
    PlannerHarness h;
    h.registry.add("llyrhughess");  // taken: U3 picks the next one
    auto p = learner("L-1", makeUpn(20), "Siân", "Llŷr-Hughes");
    auto plan = h.plan(snapshotOf(kA, {p}), viewOf(kA));
    ASSERT_EQ(plan.accounts.size(), 1u);
    const AccountWrite& w = plan.accounts[0];
    EXPECT_EQ(w.account.id, 0);
    EXPECT_EQ(w.account.username, "llyrhughess1");
    EXPECT_EQ(w.newNames, std::vector<std::string>{"llyrhughess1"});
    ASSERT_TRUE(w.newPassword.has_value());
    EXPECT_EQ(checkPassword(*w.newPassword, w.account.username), std::nullopt);
    EXPECT_EQ(w.account.status, AccountStatus::Active);
    EXPECT_EQ(w.account.source, AccountSource::Mis);
    EXPECT_EQ(w.account.school, kA);
    EXPECT_EQ(w.account.createdAt, h.now);
    EXPECT_EQ(w.account.attrs, attributesOf(p));
    EXPECT_EQ(w.account.displayName, "Siân Llŷr-Hughes");
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::Create);
    EXPECT_EQ(plan.actions[0].username, "llyrhughess1");
    EXPECT_EQ(plan.actions[0].upn, p.upn);
    EXPECT_FALSE(plan.actions[0].reason.empty());
    EXPECT_EQ(plan.counts["create"], 1u);
}

// ---- R3 update, R12 idempotence -------------------------------------------------------------

struct Mutation {
    const char* field;
    const char* before;
    const char* after;
    std::function<void(core::Person&)> change;
};

TEST(PlannerR3, EachAttributeChangeIsAnUpdateWithBeforeAndAfter) {
    const std::vector<Mutation> learnerMutations = {
        {"year_group", "8", "9", [](core::Person& p) { p.yearGroup = "9"; }},
        {"reg_group", "8A", "8B", [](core::Person& p) { p.regGroup = "8B"; }},
        {"preferred_surname", "", "Jones-Evans",
         [](core::Person& p) { p.preferredSurname = "Jones-Evans"; }},
        {"dob", "2012-05-17", "2012-06-01", [](core::Person& p) { p.dob = day("2012-06-01"); }},
        {"admission_date", "2020-09-01", "2020-09-02",
         [](core::Person& p) { p.admissionDate = day("2020-09-02"); }},
        {"leaving_date", "", "2024-07-20",
         [](core::Person& p) { p.leavingDate = day("2024-07-20"); }},
        {"gender", "F", "M", [](core::Person& p) { p.gender = "M"; }},
        {"admission_number", "", "001234", [](core::Person& p) { p.admissionNumber = "001234"; }},
        {"enrolment_status", "C", "M",
         [](core::Person& p) { p.enrolment = core::Enrolment::Main; }},
    };
    for (const auto& m : learnerMutations) {
        PlannerHarness h;
        auto before = learner("L-1", makeUpn(30), "Alys", "Evans");
        auto after = before;
        m.change(after);
        auto plan =
            h.plan(snapshotOf(kA, {after}), viewOf(kA, {accountFor(before, kA, 5, "evansa")}));
        ASSERT_EQ(plan.actions.size(), 1u) << m.field;
        EXPECT_EQ(plan.actions[0].kind, ActionKind::Update) << m.field;
        EXPECT_EQ(plan.counts["update"], 1u) << m.field;
        const auto* c = changeOf(plan.actions[0], m.field);
        ASSERT_NE(c, nullptr) << m.field;
        EXPECT_EQ(c->before, m.before);
        EXPECT_EQ(c->after, m.after);
        const auto* w = writeFor(plan, 5);
        ASSERT_NE(w, nullptr) << m.field;
        EXPECT_EQ(w->account.attrs, attributesOf(after)) << m.field;
        EXPECT_EQ(w->account.username, "evansa");
        EXPECT_FALSE(w->newPassword.has_value());
    }
    const std::vector<Mutation> staffMutations = {
        {"staff_code", "ABC", "XYZ", [](core::Person& p) { p.staffCode = "XYZ"; }},
        {"role", "Teacher", "Head", [](core::Person& p) { p.staffRole = "Head"; }},
        {"title", "Mx", "Dr", [](core::Person& p) { p.title = "Dr"; }},
        {"national_id", "EWC1", "EWC2", [](core::Person& p) { p.nationalId = "EWC2"; }},
    };
    for (const auto& m : staffMutations) {
        PlannerHarness h;
        auto before = staffMember("S-1", "Huw", "Rees", "EWC1");
        auto after = before;
        m.change(after);
        auto plan =
            h.plan(snapshotOf(kA, {after}), viewOf(kA, {accountFor(before, kA, 6, "reesh")}));
        ASSERT_EQ(plan.actions.size(), 1u) << m.field;
        EXPECT_EQ(plan.actions[0].kind, ActionKind::Update) << m.field;
        const auto* c = changeOf(plan.actions[0], m.field);
        ASSERT_NE(c, nullptr) << m.field;
        EXPECT_EQ(c->before, m.before);
        EXPECT_EQ(c->after, m.after);
        EXPECT_EQ(writeFor(plan, 6)->account.attrs, attributesOf(after)) << m.field;
    }
}

TEST(PlannerR3, DisplayNameIsRecomputedFromPreferredNames) {
    PlannerHarness h;
    auto before = learner("L-1", makeUpn(31), "Samantha", "Evans");
    auto after = before;
    after.preferredForename = "Sam";
    auto plan = h.plan(snapshotOf(kA, {after}), viewOf(kA, {accountFor(before, kA, 5, "evanss")}));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::Update);
    const auto* dn = changeOf(plan.actions[0], "display_name");
    ASSERT_NE(dn, nullptr);
    EXPECT_EQ(dn->before, "Samantha Evans");
    EXPECT_EQ(dn->after, "Sam Evans");
    const auto* pf = changeOf(plan.actions[0], "preferred_forename");
    ASSERT_NE(pf, nullptr);
    EXPECT_EQ(pf->after, "Sam");
    EXPECT_EQ(writeFor(plan, 5)->account.displayName, "Sam Evans");
    EXPECT_EQ(writeFor(plan, 5)->account.username, "evanss");  // not a rename (R4)
}

TEST(PlannerR12, UnchangedPersonsGroupsAndMembershipsPlanNothing) {
    PlannerHarness h;
    auto l = learner("L-1", makeUpn(32), "Alys", "Evans");
    auto t = staffMember("S-1", "Huw", "Rees");
    auto snap = snapshotOf(kA, {l, t});
    addGroup(snap, "8A", core::GroupType::Registration, "8");
    addMember(snap, "8A", l);
    addMember(snap, "8A", t);
    auto view = viewOf(kA, {accountFor(l, kA, 1, "evansa"), accountFor(t, kA, 2, "reesh")});
    GroupState g;
    g.id = 9;
    g.school = kA;
    g.code = "8A";
    g.type = core::GroupType::Registration;
    g.yearGroup = "8";
    g.members = {1, 2};
    view.groups.push_back(g);
    auto plan = h.plan(snap, view);
    EXPECT_FALSE(plan.changesDirectory());
    EXPECT_TRUE(plan.actions.empty());
    EXPECT_EQ(totalCount(plan), 0u);
    EXPECT_TRUE(plan.warnings.empty());

    // The same input planned again gives the same (empty) plan.
    auto again = h.plan(snap, view);
    EXPECT_EQ(again.digest(), plan.digest());
}

// ---- R4 rename, R9 -------------------------------------------------------------------------

TEST(PlannerR4, LegalNameChangeRenamesAndKeepsTheUsernameByDefault) {
    PlannerHarness h;
    auto before = learner("L-1", makeUpn(40), "Megan", "Thomas");
    auto after = before;
    after.legalSurname = "Williams";
    auto plan = h.plan(snapshotOf(kA, {after}), viewOf(kA, {accountFor(before, kA, 5, "thomasm")}));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::Rename);
    EXPECT_EQ(plan.counts["rename"], 1u);
    EXPECT_EQ(plan.counts["update"], 0u);
    ASSERT_NE(changeOf(plan.actions[0], "legal_surname"), nullptr);
    EXPECT_EQ(changeOf(plan.actions[0], "display_name")->after, "Megan Williams");
    EXPECT_EQ(changeOf(plan.actions[0], "username"), nullptr);
    const auto* w = writeFor(plan, 5);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.username, "thomasm");
    EXPECT_TRUE(w->account.aliases.empty());
    EXPECT_TRUE(w->newNames.empty());
    EXPECT_FALSE(w->newPassword.has_value());
    EXPECT_EQ(w->account.displayName, "Megan Williams");
}

TEST(PlannerR4, RegenerateUsernameOnRenameKeepsTheOldOneAsAlias) {
    PlannerHarness h;
    h.policy.regenerateUsernameOnRename = true;
    h.registry.add("thomasm");
    h.registry.add("williamsm");  // taken by someone else
    auto before = learner("L-1", makeUpn(41), "Megan", "Thomas");
    auto after = before;
    after.legalSurname = "Williams";
    auto plan = h.plan(snapshotOf(kA, {after}), viewOf(kA, {accountFor(before, kA, 5, "thomasm")}));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::Rename);
    const auto* w = writeFor(plan, 5);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->account.username, "williamsm1");
    EXPECT_EQ(w->account.aliases, std::vector<std::string>{"thomasm"});
    EXPECT_EQ(w->newNames, std::vector<std::string>{"williamsm1"});
    ASSERT_TRUE(w->newPassword.has_value());
    EXPECT_EQ(checkPassword(*w->newPassword, "williamsm1"), std::nullopt);
    const auto* u = changeOf(plan.actions[0], "username");
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->before, "thomasm");
    EXPECT_EQ(u->after, "williamsm1");
}

TEST(PlannerR9, AdministratorRenameIsNotOverwritten) {
    PlannerHarness h;
    auto before = learner("L-1", makeUpn(42), "Megan", "Thomas");
    Account a = accountFor(before, kA, 5, "thomasm");
    a.nameLocked = true;
    a.attrs.preferredForename = "Meg";
    a.displayName = "Meg Thomas";
    auto after = before;
    after.legalSurname = "Williams";
    auto plan = h.plan(snapshotOf(kA, {after}), viewOf(kA, {a}));
    EXPECT_EQ(plan.counts["rename"], 0u);
    EXPECT_FALSE(plan.changesDirectory());
}

// R15 and R13's "never duplicated": a repeated record (same UPN, or same MIS id) is rejected,
// whether or not an account exists yet.
TEST(PlannerR15, RepeatedRecordsNeverGiveALearnerTwoAccounts) {
    PlannerHarness h;
    auto first = learner("L-1", makeUpn(50), "Aled", "Morgan");
    auto sameUpn = learner("L-2", makeUpn(50), "Aled", "Morgan");
    sameUpn.source.record = 2;
    auto noUpn = learner("L-3", "", "Bryn", "Morgan");
    auto sameId = learner("L-3", "", "Bryn", "Morgan");
    sameId.source.record = 4;
    auto plan = h.plan(snapshotOf(kA, {sameUpn, first, sameId, noUpn}), viewOf(kA));
    EXPECT_EQ(plan.counts["create"], 2u);
    EXPECT_EQ(plan.accounts.size(), 2u);
    EXPECT_EQ(plan.counts["rejected"], 2u);
    ASSERT_EQ(plan.errors.size(), 2u);
    for (const auto& e : plan.errors) {
        EXPECT_EQ(e.code, "duplicate_person");
        EXPECT_EQ(e.file, "students.xml");
    }

    // With the account there already: the second record matching it is rejected too.
    auto existing =
        h.plan(snapshotOf(kA, {sameUpn, first}), viewOf(kA, {accountFor(first, kA, 9, "morgana")}));
    EXPECT_EQ(existing.counts["rejected"], 1u);
    EXPECT_EQ(existing.counts["create"], 0u);
}
