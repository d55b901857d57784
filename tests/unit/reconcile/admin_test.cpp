// The administrator operations of SPEC §8 as pure functions (reconcile/admin.h): every change
// they decide and every refusal, with the rule it names (R4, R5, R6, R8–R11, P1–P4, U1–U6).
#include "reconcile/admin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

using namespace misync;
using namespace misync::reconcile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

constexpr const char* kSchool = "6612001";
constexpr const char* kNow = "2026-11-28T09:00:00Z";

Account account(std::int64_t id, std::string username, core::Role role,
                AccountSource source = AccountSource::Mis) {
    Account a;
    a.id = id;
    a.username = std::move(username);
    a.role = role;
    a.source = source;
    a.school = kSchool;
    a.attrs.misId = source == AccountSource::Mis ? std::to_string(1000 + id) : "";
    a.attrs.legalForename = "Aled";
    a.attrs.legalSurname = "Jones";
    a.attrs.regGroup = role == core::Role::Learner ? "7A" : "";
    a.displayName = displayName(a.attrs);
    a.createdAt = "2026-09-01T06:30:00Z";
    a.passwordAvailable = true;
    return a;
}

Account learner(std::int64_t id, std::string username) {
    return account(id, std::move(username), core::Role::Learner);
}

Account staff(std::int64_t id, std::string username, bool champion = false) {
    Account a = account(id, std::move(username), core::Role::Staff);
    a.digitalChampion = champion;
    return a;
}

const ChangeField* field(const ChangeEvent& e, std::string_view name) {
    auto it = std::find_if(e.fields.begin(), e.fields.end(),
                           [&](const ChangeField& f) { return f.name == name; });
    return it == e.fields.end() ? nullptr : &*it;
}

// The rule a refusal names, and its full text.
std::string refusalOf(const AdminResult& r) {
    EXPECT_TRUE(r.refused());
    return r.refused() ? r.refusal->text() : "";
}

// Generators for operations that make names and passwords, as the command builds them.
class AdminTest : public ::testing::Test {
  protected:
    UsernameRegistry registry;
    UsernameAllocator allocator{registry, 20};
    SeededPasswordGenerator passwords{42};
    NameTransliterator names;
    AdminServices services{allocator, passwords, names};
};

// ---- accounts add (R8, U1–U6, P2) ----

TEST_F(AdminTest, AddCreatesAManualAccountWithAUsernameAndAVisiblePassword) {
    registry.add("smithj");  // U3: a name ever given is never given again
    NewManualAccount req{kSchool, core::Role::Governor, "  Jane ", " Smith  ",
                         core::parseIsoDate("1970-04-01")};
    AdminResult r = addManualAccount(req, {}, services, kNow);
    ASSERT_FALSE(r.refused()) << r.refusal->text();
    ASSERT_EQ(r.change.accounts.size(), 1u);
    const AccountWrite& w = r.change.accounts.front();
    EXPECT_EQ(w.account.id, 0);
    EXPECT_EQ(w.account.username, "smithj1");
    EXPECT_EQ(w.newNames, std::vector<std::string>{"smithj1"});
    EXPECT_EQ(w.account.role, core::Role::Governor);
    EXPECT_EQ(w.account.source, AccountSource::Manual);
    EXPECT_EQ(w.account.school, kSchool);
    EXPECT_EQ(w.account.status, AccountStatus::Active);
    EXPECT_EQ(w.account.attrs.legalForename, "Jane");
    EXPECT_EQ(w.account.attrs.legalSurname, "Smith");
    EXPECT_EQ(w.account.attrs.dob, "1970-04-01");
    EXPECT_EQ(w.account.displayName, "Jane Smith");
    EXPECT_EQ(w.account.createdAt, kNow);
    ASSERT_TRUE(w.newPassword.has_value());
    EXPECT_FALSE(checkPassword(*w.newPassword, "smithj1")) << "P2 passwords pass P1";
    EXPECT_TRUE(w.account.passwordAvailable);
    EXPECT_THAT(allocator.allocated(), ElementsAre("smithj1"));
    ASSERT_EQ(r.change.events.size(), 1u);
    const ChangeEvent& e = r.change.events.front();
    EXPECT_EQ(e.kind, "account.created");
    EXPECT_EQ(e.username, "smithj1");
    EXPECT_EQ(e.school, kSchool);
    ASSERT_NE(field(e, "source"), nullptr);
    EXPECT_EQ(field(e, "source")->value, "manual");
    for (const auto& f : e.fields) {
        EXPECT_NE(f.value, *w.newPassword) << "P4: " << f.name;
    }
    EXPECT_TRUE(r.change.warnings.empty());
}

TEST_F(AdminTest, AddRefusesEmptyNamesAndMisRoles) {
    NewManualAccount req{kSchool, core::Role::NonMis, " ", "Smith", std::nullopt};
    EXPECT_EQ(refusalOf(addManualAccount(req, {}, services, kNow)),
              "R8: the forename cannot be empty");
    req.forename = "Jane";
    req.surname = "\t";
    EXPECT_EQ(refusalOf(addManualAccount(req, {}, services, kNow)),
              "R8: the surname cannot be empty");
    req.surname = "Smith";
    req.role = core::Role::Staff;
    EXPECT_THAT(refusalOf(addManualAccount(req, {}, services, kNow)),
                HasSubstr("R8: only non-MIS and governor accounts"));
    EXPECT_TRUE(allocator.allocated().empty()) << "a refusal allocates no username";
}

TEST_F(AdminTest, AddWarnsOfAnActiveMisAccountWithTheSameName) {
    Account mis = staff(7, "llyrhughess");
    mis.attrs.legalForename = "Siân";
    mis.attrs.legalSurname = "Llŷr-Hughes";
    mis.attrs.dob = "1980-01-02";
    Account gone = learner(8, "llyrhughess1");
    gone.attrs = mis.attrs;
    gone.status = AccountStatus::Deactivated;
    Account other = learner(9, "jonesa");
    NewManualAccount req{kSchool, core::Role::NonMis, "Sian", "Llyr Hughes", std::nullopt};
    AdminResult r = addManualAccount(req, {mis, gone, other}, services, kNow);
    ASSERT_FALSE(r.refused());
    ASSERT_EQ(r.change.warnings.size(), 1u);
    EXPECT_EQ(r.change.warnings[0].code, "possible_duplicate");
    EXPECT_THAT(r.change.warnings[0].message, HasSubstr("llyrhughess "));
    // R8: a date of birth known on both sides that differs means another person.
    UsernameAllocator second(registry, 20);
    AdminServices svc{second, passwords, names};
    req.dob = core::parseIsoDate("1990-01-01");
    EXPECT_TRUE(addManualAccount(req, {mis}, svc, kNow).change.warnings.empty());
}

// ---- deactivate / reactivate (R5, R6, R9, R10, R11) ----

TEST(AdminDeactivate, AnMisAccountIsDeactivatedByTheAdministratorAndLeavesItsGroups) {
    Account a = learner(3, "jonesa");
    AdminResult r = deactivateAccount(a, {}, kNow);
    ASSERT_FALSE(r.refused());
    const Account& after = r.change.accounts.at(0).account;
    EXPECT_EQ(after.status, AccountStatus::Deactivated);
    EXPECT_EQ(after.deactivatedAt, kNow);
    EXPECT_TRUE(after.adminDeactivated) << "R9: sticky while on roll";
    EXPECT_EQ(after.username, "jonesa");
    EXPECT_FALSE(r.change.accounts[0].newPassword);
    ASSERT_EQ(r.change.leaveGroups.size(), 1u);
    EXPECT_EQ(r.change.leaveGroups[0].accountId, 3);
    EXPECT_EQ(r.change.leaveGroups[0].username, "jonesa");
    ASSERT_EQ(r.change.events.size(), 1u);
    EXPECT_EQ(r.change.events[0].kind, "account.deactivated");
    EXPECT_EQ(field(r.change.events[0], "status")->value, "deactivated");
}

TEST(AdminDeactivate, AManualAccountIsNotMarkedAsAnMisDeactivation) {
    Account a = account(4, "smithj", core::Role::NonMis, AccountSource::Manual);
    AdminResult r = deactivateAccount(a, {}, kNow);
    ASSERT_FALSE(r.refused());
    EXPECT_EQ(r.change.accounts[0].account.status, AccountStatus::Deactivated);
    EXPECT_FALSE(r.change.accounts[0].account.adminDeactivated);
}

TEST(AdminDeactivate, RefusesDeactivatedAndPurgedAccounts) {
    Account a = learner(3, "jonesa");
    a.status = AccountStatus::Deactivated;
    EXPECT_EQ(refusalOf(deactivateAccount(a, {}, kNow)), "R5: jonesa is already deactivated");
    a.status = AccountStatus::Purged;
    EXPECT_EQ(refusalOf(deactivateAccount(a, {}, kNow)),
              "R5: jonesa was purged: its personal data is gone");
}

TEST(AdminDeactivate, TheLastActiveDigitalChampionMayGoWithAWarning) {
    Account dc = staff(5, "owenm", true);
    Account retired = staff(6, "pricee", true);
    retired.status = AccountStatus::Deactivated;
    AdminResult r = deactivateAccount(dc, {dc, retired}, kNow);
    ASSERT_FALSE(r.refused());
    ASSERT_EQ(r.change.warnings.size(), 1u);
    EXPECT_EQ(r.change.warnings[0].code, "no_digital_champion");
    EXPECT_THAT(r.change.warnings[0].message, HasSubstr(kSchool));
    EXPECT_TRUE(r.change.accounts[0].account.digitalChampion) << "R9: the flag stays";

    Account second = staff(7, "daviesg", true);
    EXPECT_TRUE(deactivateAccount(dc, {dc, second}, kNow).change.warnings.empty());
}

TEST(AdminReactivate, ADeactivatedAccountBecomesActiveAndLosesTheAdministratorsMark) {
    Account a = learner(3, "jonesa");
    a.status = AccountStatus::Deactivated;
    a.adminDeactivated = true;
    a.deactivatedAt = "2026-10-01T00:00:00Z";
    AdminResult r = reactivateAccount(a);
    ASSERT_FALSE(r.refused());
    const Account& after = r.change.accounts.at(0).account;
    EXPECT_EQ(after.status, AccountStatus::Active);
    EXPECT_FALSE(after.adminDeactivated);
    EXPECT_TRUE(after.deactivatedAt.empty());
    EXPECT_EQ(r.change.events.at(0).kind, "account.reactivated");
    EXPECT_TRUE(r.change.warnings.empty());
    EXPECT_TRUE(r.change.leaveGroups.empty());
}

TEST(AdminReactivate, AnMisLeaverIsReactivatedWithAWarning) {
    Account a = learner(3, "jonesa");
    a.status = AccountStatus::Deactivated;
    a.ownerOnRoll = false;
    AdminResult r = reactivateAccount(a);
    ASSERT_FALSE(r.refused());
    ASSERT_EQ(r.change.warnings.size(), 1u);
    EXPECT_EQ(r.change.warnings[0].code, "not_on_roll");
    EXPECT_THAT(r.change.warnings[0].message, HasSubstr("next sync deactivates"));
}

TEST(AdminReactivate, RefusesActiveAndPurgedAccounts) {
    Account a = learner(3, "jonesa");
    EXPECT_EQ(refusalOf(reactivateAccount(a)), "R6: jonesa is already active");
    a.status = AccountStatus::Purged;
    EXPECT_EQ(refusalOf(reactivateAccount(a)), "R5: jonesa was purged: its personal data is gone");
}

// ---- reset-password (P1–P4, R9) ----

TEST(AdminPassword, ATypedPasswordMustPassP1AndIsNeverInTheRefusal) {
    SeededPasswordGenerator gen(1);
    Account a = learner(3, "jonesa");
    for (const std::string bad : {"short1A", "alllower123", "Password1", "XJonesA123x"}) {
        AdminResult r = resetPassword(a, bad, gen);
        const std::string text = refusalOf(r);
        EXPECT_THAT(text, HasSubstr("P1: password ")) << bad;
        EXPECT_THAT(text, HasSubstr("jonesa")) << bad;
        EXPECT_THAT(text, Not(HasSubstr(bad))) << "P4";
    }
    EXPECT_THAT(refusalOf(resetPassword(a, std::string("Welcome123"), gen)),
                HasSubstr("block list"));
    EXPECT_THAT(refusalOf(resetPassword(a, std::string("MyjonesaPw9"), gen)),
                HasSubstr("must not contain the username"));
}

TEST(AdminPassword, ATypedOrGeneratedPasswordIsVisibleAndTheAdministrators) {
    SeededPasswordGenerator gen(1);
    Account a = learner(3, "jonesa");
    a.passwordAvailable = false;
    AdminResult typed = resetPassword(a, std::string("GreenTrain47"), gen);
    ASSERT_FALSE(typed.refused());
    const AccountWrite& w = typed.change.accounts.at(0);
    EXPECT_EQ(w.newPassword, "GreenTrain47");
    EXPECT_TRUE(w.account.passwordAvailable);
    EXPECT_TRUE(w.account.passwordByAdmin) << "R9";
    const ChangeEvent& e = typed.change.events.at(0);
    EXPECT_EQ(e.kind, "account.password_reset");
    ASSERT_EQ(e.fields.size(), 1u);
    EXPECT_EQ(e.fields[0].name, "password_available");
    EXPECT_EQ(e.fields[0].value, "true");
    EXPECT_TRUE(e.fields[0].isBool);

    AdminResult generated = resetPassword(a, std::nullopt, gen);
    ASSERT_FALSE(generated.refused());
    const auto& p = generated.change.accounts.at(0).newPassword;
    ASSERT_TRUE(p.has_value());
    EXPECT_TRUE(std::regex_match(*p, std::regex("^[A-Z][a-z]{2,5}[A-Z][a-z]{2,5}[2-9]{2}$")))
        << "P2";
}

TEST(AdminPassword, APurgedAccountGetsNoPassword) {
    SeededPasswordGenerator gen(1);
    Account a = learner(3, "jonesa");
    a.status = AccountStatus::Purged;
    EXPECT_THAT(refusalOf(resetPassword(a, std::nullopt, gen)), HasSubstr("R5: jonesa was purged"));
}

TEST(AdminPassword, ARegistrationGroupResetTouchesItsActiveLearnersOnly) {
    SeededPasswordGenerator gen(1);
    Account a = learner(1, "jonesa");
    Account b = learner(2, "evansb");
    Account left = learner(3, "pricec");
    left.status = AccountStatus::Deactivated;
    Account otherGroup = learner(4, "hughesd");
    otherGroup.attrs.regGroup = "7B";
    Account teacher = staff(5, "owenm");
    teacher.attrs.regGroup = "7A";
    Account elsewhere = learner(6, "daviese");
    elsewhere.school = "6612002";
    AdminResult r =
        resetRegGroupPasswords(kSchool, "7A", {a, b, left, otherGroup, teacher, elsewhere}, gen);
    ASSERT_FALSE(r.refused());
    std::vector<std::string> names;
    for (const auto& w : r.change.accounts) {
        names.push_back(w.account.username);
        EXPECT_TRUE(w.newPassword.has_value());
        EXPECT_TRUE(w.account.passwordByAdmin);
    }
    EXPECT_THAT(names, ElementsAre("jonesa", "evansb"));
    EXPECT_EQ(r.change.events.size(), 2u);
    EXPECT_NE(r.change.accounts[0].newPassword, r.change.accounts[1].newPassword);

    EXPECT_EQ(refusalOf(resetRegGroupPasswords(kSchool, "9Z", {a, b}, gen)),
              "R11: registration group 9Z of school 6612001 has no active learners");
}

// ---- rename (R4, R9, U1–U6) ----

TEST_F(AdminTest, RenameChangesTheLegalNameClearsThePreferredOneAndLocksIt) {
    Account a = learner(3, "jonesa");
    a.attrs.preferredForename = "Al";
    a.attrs.preferredSurname = "Jones-Price";
    a.displayName = displayName(a.attrs);
    AdminResult r = renameAccount(a, {std::string(" Alys "), std::nullopt, false}, services);
    ASSERT_FALSE(r.refused());
    const AccountWrite& w = r.change.accounts.at(0);
    EXPECT_EQ(w.account.attrs.legalForename, "Alys");
    EXPECT_TRUE(w.account.attrs.preferredForename.empty());
    EXPECT_EQ(w.account.attrs.preferredSurname, "Jones-Price") << "only the given name's";
    EXPECT_EQ(w.account.displayName, "Alys Jones-Price");
    EXPECT_TRUE(w.account.nameLocked) << "R9";
    EXPECT_EQ(w.account.username, "jonesa");
    EXPECT_FALSE(w.newPassword);
    EXPECT_TRUE(w.newNames.empty());
    ASSERT_EQ(r.change.events.size(), 1u);
    const ChangeEvent& e = r.change.events[0];
    EXPECT_EQ(e.kind, "account.renamed");
    EXPECT_EQ(field(e, "legal_forename")->value, "Alys");
    EXPECT_EQ(field(e, "preferred_forename")->value, "");
    EXPECT_EQ(field(e, "display_name")->value, "Alys Jones-Price");
    EXPECT_EQ(field(e, "username"), nullptr);
}

TEST_F(AdminTest, RenameWithANewUsernameKeepsTheOldOneAsAnAliasAndMakesANewPassword) {
    registry.add("jonesa");
    registry.add("pricea");  // taken, e.g. by a purged account (U3)
    Account a = learner(3, "jonesa");
    AdminResult r = renameAccount(a, {std::nullopt, std::string("Price"), true}, services);
    ASSERT_FALSE(r.refused());
    const AccountWrite& w = r.change.accounts.at(0);
    EXPECT_EQ(w.account.username, "pricea1");
    EXPECT_THAT(w.account.aliases, ElementsAre("jonesa"));
    EXPECT_EQ(w.newNames, std::vector<std::string>{"pricea1"});
    ASSERT_TRUE(w.newPassword.has_value());
    EXPECT_FALSE(checkPassword(*w.newPassword, "pricea1"));
    EXPECT_TRUE(w.account.passwordByAdmin);
    EXPECT_EQ(w.account.displayName, "Aled Price");
    ASSERT_EQ(r.change.events.size(), 2u);
    EXPECT_EQ(r.change.events[0].kind, "account.renamed");
    EXPECT_EQ(r.change.events[0].username, "pricea1");
    EXPECT_EQ(field(r.change.events[0], "username")->value, "pricea1");
    ASSERT_NE(field(r.change.events[0], "previous_username"), nullptr);
    EXPECT_EQ(field(r.change.events[0], "previous_username")->value, "jonesa");
    EXPECT_EQ(r.change.events[1].kind, "account.password_reset");
}

TEST_F(AdminTest, RenameRefusesEmptyNamesNothingToDoAndPurgedAccounts) {
    Account a = learner(3, "jonesa");
    EXPECT_EQ(refusalOf(renameAccount(a, {std::string("  "), std::nullopt, false}, services)),
              "R4: the forename cannot be empty");
    EXPECT_EQ(refusalOf(renameAccount(a, {std::string("Alys"), std::string(""), true}, services)),
              "R4: the surname cannot be empty");
    EXPECT_THAT(refusalOf(renameAccount(a, {}, services)), HasSubstr("R4: nothing to change"));
    a.status = AccountStatus::Purged;
    EXPECT_THAT(refusalOf(renameAccount(a, {std::string("Alys"), std::nullopt, false}, services)),
                HasSubstr("R5: jonesa was purged"));
    EXPECT_TRUE(allocator.allocated().empty());
}

// ---- promote / demote (R10) ----

TEST(AdminChampion, OnlyActiveMisStaffArePromoted) {
    AdminResult r = promoteChampion(staff(5, "owenm"));
    ASSERT_FALSE(r.refused());
    EXPECT_TRUE(r.change.accounts.at(0).account.digitalChampion);
    const ChangeEvent& e = r.change.events.at(0);
    EXPECT_EQ(e.kind, "account.digital_champion_changed");
    EXPECT_EQ(field(e, "digital_champion")->value, "true");

    EXPECT_EQ(refusalOf(promoteChampion(learner(3, "jonesa"))),
              "R10: Digital Champions are MIS staff only; jonesa is a learner account");
    EXPECT_EQ(
        refusalOf(promoteChampion(account(4, "smithj", core::Role::NonMis, AccountSource::Manual))),
        "R10: Digital Champions are MIS staff only; smithj is a non-MIS account");
    EXPECT_EQ(refusalOf(promoteChampion(
                  account(6, "bevanr", core::Role::Governor, AccountSource::Manual))),
              "R10: Digital Champions are MIS staff only; bevanr is a governor account");
    Account gone = staff(7, "pricee");
    gone.status = AccountStatus::Deactivated;
    EXPECT_THAT(refusalOf(promoteChampion(gone)), HasSubstr("R10: pricee is deactivated"));
    EXPECT_EQ(refusalOf(promoteChampion(staff(8, "daviesg", true))),
              "R10: daviesg is already a Digital Champion");
}

TEST(AdminChampion, DemoteKeepsTheLastActiveChampionAndRefusesYourself) {
    Account a = staff(5, "owenm", true);
    Account b = staff(6, "daviesg", true);
    Account retired = staff(7, "pricee", true);
    retired.status = AccountStatus::Deactivated;
    EXPECT_EQ(refusalOf(demoteChampion(a, {a, retired}, "root")),
              "R10: owenm is the last active Digital Champion of 6612001; promote another first");
    EXPECT_THAT(refusalOf(demoteChampion(a, {a, b}, "OwenM")),
                HasSubstr("R10: you cannot demote yourself (owenm)"));
    a.aliases = {"owenmf"};
    EXPECT_THAT(refusalOf(demoteChampion(a, {a, b}, "owenmf")), HasSubstr("yourself"));
    EXPECT_EQ(refusalOf(demoteChampion(staff(8, "hughesd"), {a, b}, "root")),
              "R10: hughesd is not a Digital Champion");

    AdminResult r = demoteChampion(a, {a, b}, "daviesg");
    ASSERT_FALSE(r.refused());
    EXPECT_FALSE(r.change.accounts.at(0).account.digitalChampion);
    EXPECT_EQ(field(r.change.events.at(0), "digital_champion")->value, "false");
    // A deactivated champion is not one of the active ones: demoting it leaves them as they are.
    EXPECT_FALSE(demoteChampion(retired, {a, retired}, "root").refused());
}

// ---- consent (§8, R9) ----

TEST(AdminConsent, ConfirmsLearnersAndReportsThoseAlreadyConfirmed) {
    Account a = learner(1, "jonesa");
    Account b = learner(2, "evansb");
    b.consent = true;
    Account left = learner(3, "pricec");
    left.status = AccountStatus::Deactivated;
    AdminResult r =
        setConsent({{"jonesa", a}, {"EVANSB", b}, {"pricec", left}, {"jonesa-alias", a}}, true);
    ASSERT_FALSE(r.refused());
    std::vector<std::string> changed;
    for (const auto& w : r.change.accounts) {
        changed.push_back(w.account.username);
        EXPECT_TRUE(w.account.consent);
    }
    EXPECT_THAT(changed, ElementsAre("jonesa", "pricec")) << "named twice, changed once";
    EXPECT_THAT(r.change.unchanged, ElementsAre("evansb"));
    ASSERT_EQ(r.change.events.size(), 2u);
    EXPECT_EQ(r.change.events[0].kind, "account.consent_changed");
    EXPECT_EQ(field(r.change.events[0], "consent")->value, "true");

    AdminResult w = setConsent({{"evansb", b}}, false);
    ASSERT_FALSE(w.refused());
    EXPECT_FALSE(w.change.accounts.at(0).account.consent);
}

TEST(AdminConsent, AnyUnknownOrNonLearnerNameChangesNone) {
    Account a = learner(1, "jonesa");
    AdminResult unknown =
        setConsent({{"jonesa", a}, {"nobody", std::nullopt}, {"ghost", std::nullopt}}, true);
    EXPECT_EQ(refusalOf(unknown), "no account nobody, ghost (unknown username or alias)");
    EXPECT_TRUE(unknown.change.accounts.empty());

    AdminResult staffToo = setConsent({{"jonesa", a}, {"owenm", staff(5, "owenm")}}, true);
    EXPECT_EQ(refusalOf(staffToo),
              "§8: consent is for learners only: owenm is an MIS staff account");
    EXPECT_TRUE(staffToo.change.accounts.empty());

    AdminResult both = setConsent({{"x", std::nullopt}, {"owenm", staff(5, "owenm")}}, false);
    EXPECT_EQ(refusalOf(both),
              "no account x (unknown username or alias); §8: consent is for learners only: owenm "
              "is an MIS staff account");

    Account gone = learner(9, "purgedp");
    gone.status = AccountStatus::Purged;
    EXPECT_THAT(refusalOf(setConsent({{"purgedp", gone}}, true)), HasSubstr("R5: purgedp was"));
}

TEST(AdminRefusalText, UnknownAccountsNameTheName) {
    EXPECT_EQ(unknownAccount("nobody").text(), "no account nobody (unknown username or alias)");
    EXPECT_EQ((AdminRefusal{"R10", "x"}).text(), "R10: x");
}

}  // namespace
