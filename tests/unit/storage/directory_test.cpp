// The directory store on every backend (tests/support/test_directory.h): schema version check,
// migrate, apply in one transaction (R14), views for a school's run (R1 across schools), run
// records (S1) and sealed passwords (P3).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/errors.h"
#include "reconcile/usernames.h"
#include "schema/schema.h"
#include "storage/directory.h"
#include "storage/secret_box.h"
#include "tests/support/test_directory.h"

using namespace misync;

namespace {

class DirectoryTest : public testsupport::StoreTest {
  protected:
    std::string backend() const { return testsupport::backendName(GetParam()); }

    static reconcile::Account learner(const std::string& school, const std::string& username,
                                      const std::string& upn) {
        reconcile::Account a;
        a.username = username;
        a.school = school;
        a.attrs.misId = username + "-id";
        a.attrs.upn = upn;
        a.attrs.legalForename = "Siân";
        a.attrs.legalSurname = "Jones";
        a.displayName = "Siân Jones";
        a.createdAt = "2026-11-28T06:30:00Z";
        return a;
    }

    static reconcile::Plan createPlan(const std::string& school, const reconcile::Account& a,
                                      const std::string& password) {
        reconcile::Plan p;
        p.school = school;
        p.accounts.push_back({a, password, {a.username}});
        reconcile::GroupState g;
        g.school = school;
        g.code = "7A";
        g.type = core::GroupType::Registration;
        p.groups.push_back({g});
        p.memberships.push_back({school, "7A", 0, 0, true});
        reconcile::Action act;
        act.kind = reconcile::ActionKind::Create;
        act.username = a.username;
        act.reason = "new on roll";
        p.actions.push_back(act);
        ++p.counts["create"];
        ++p.counts["membership_add"];
        return p;
    }

    storage::RunRecord record(const std::string& school) {
        storage::RunRecord r;
        r.school = school;
        r.connector = "sims-xml";
        r.asOf = "2026-11-28";
        r.startedAt = r.finishedAt = "2026-11-28T06:30:00Z";
        r.outcome = "applied";
        return r;
    }

    // Applies createPlan() of one learner at `school` as that school's run.
    void applyLearner(storage::Directory& d, const std::string& school, const std::string& username,
                      const std::string& upn) {
        auto plan = createPlan(school, learner(school, username, upn), "HappyRiver42");
        auto rec = record(school);
        d.apply(plan, rec, box_);
    }

    // A snapshot of `school` listing one learner.
    static core::Snapshot snapshotOf(const std::string& school, const std::string& misId,
                                     const std::string& upn) {
        core::Snapshot snap;
        snap.school = school;
        core::Person p;
        p.misId = misId;
        p.upn = upn;
        p.legalForename = "Siân";
        p.legalSurname = "Jones";
        snap.persons.push_back(p);
        return snap;
    }

    storage::SecretBox box_{std::array<unsigned char, 32>{1, 2, 3}};
};

// "B801200005001" is a valid UPN (SPEC §1 example).
constexpr const char* kUpn = "B801200005001";

TEST_P(DirectoryTest, NewDatabaseGetsTheLatestSchema) {
    auto d = open();
    EXPECT_EQ(d->schemaVersion(), schema::latestVersion(backend()));
    EXPECT_GE(d->schemaVersion(), 1);
    EXPECT_EQ(d->migrate(), 0);  // nothing left to apply
}

TEST_P(DirectoryTest, RefusesANewerSchemaAndAnOlderOneUntilMigrated) {
    { open(); }
    ASSERT_EQ(database().exec("UPDATE schema_version SET version = 999"), "");
    EXPECT_THROW(open(), core::StoreError);
    ASSERT_EQ(database().exec("UPDATE schema_version SET version = 0; "
                              "INSERT INTO schema_version VALUES (0)"),
              "");
    // Version 0 with tables present is not a fresh database: migrate must be explicit.
    EXPECT_THROW(open(), core::StoreError);
}

TEST_P(DirectoryTest, AnOlderDirectoryIsRefusedUntilMigrated) {
    if (schema::latestVersion(backend()) <= 1) {
        // A backend whose first schema is its latest has no older directory to refuse yet.
        GTEST_SKIP() << backend() << " has only schema version 1";
    }
    {
        // A directory made by a misync that knew only schema version 1.
        std::string creates;
        for (const auto& script : schema::scriptsFor(backend())) {
            if (script.version == 1) {
                std::string sql(script.sql);
                std::size_t pos = 0;
                while (pos < sql.size()) {
                    std::size_t end = sql.find(";\n", pos);
                    end = end == std::string::npos ? sql.size() : end;
                    std::string one = sql.substr(pos, end - pos);
                    pos = end + 2;
                    if (one.find_first_not_of(" \n") != std::string::npos &&
                        one.find("CREATE") != std::string::npos) {
                        creates += one + ";\n";
                    }
                }
            }
        }
        ASSERT_FALSE(creates.empty());
        ASSERT_EQ(database().exec(creates + "INSERT INTO schema_version VALUES (1);"), "");
    }
    EXPECT_THROW(open(), core::StoreError);
    auto d = open(storage::OpenMode::Migrate);
    EXPECT_EQ(d->schemaVersion(), 1);
    EXPECT_EQ(d->migrate(), schema::latestVersion(backend()) - 1);
    EXPECT_EQ(d->schemaVersion(), schema::latestVersion(backend()));
    d.reset();
    EXPECT_NO_THROW(open());
}

TEST_P(DirectoryTest, ApplyWritesAccountsGroupsMembershipsAndTheRunTogether) {
    auto d = open();
    auto plan = createPlan("6612345", learner("6612345", "jonesa", kUpn), "HappyRiver42");
    auto rec = record("6612345");
    rec.actions = plan.actions;
    rec.counts = plan.counts;
    d->apply(plan, rec, box_);
    EXPECT_GT(rec.id, 0);

    auto acc = d->findAccount("JONESA");  // usernames are case-insensitive (U3)
    ASSERT_TRUE(acc);
    EXPECT_EQ(acc->account.attrs.upn, kUpn);
    EXPECT_TRUE(acc->account.passwordAvailable);
    EXPECT_EQ(acc->passwordSealed.find("HappyRiver42"), std::string::npos);
    EXPECT_EQ(box_.open(acc->passwordSealed), "HappyRiver42");  // P3: sealed, not plain

    auto groups = d->listGroups("6612345", "", false);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].members, std::vector<std::string>{"jonesa"});

    auto run = d->getRun(rec.id);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->outcome, "applied");
    ASSERT_EQ(run->actions.size(), 1u);
    EXPECT_EQ(run->actions[0].username, "jonesa");
    EXPECT_EQ(run->counts["create"], 1u);

    reconcile::UsernameRegistry names;
    d->loadUsernames(names);
    EXPECT_TRUE(names.taken("jonesa"));
}

TEST_P(DirectoryTest, AFailedApplyChangesNothing) {
    auto d = open();
    auto plan = createPlan("6612345", learner("6612345", "jonesa", kUpn), "HappyRiver42");
    auto rec = record("6612345");
    d->apply(plan, rec, box_);
    // The same username again violates the usernames primary key half way through the plan.
    auto second = createPlan("6612345", learner("6612345", "evansb", ""), "CalmTiger37");
    second.accounts.push_back({learner("6612345", "jonesa", ""), std::nullopt, {"jonesa"}});
    auto rec2 = record("6612345");
    EXPECT_THROW(d->apply(second, rec2, box_), core::StoreError);
    EXPECT_FALSE(d->findAccount("evansb"));  // R14: nothing of the failed plan remains
    EXPECT_EQ(d->listRuns("6612345", 10).size(), 1u);
    EXPECT_EQ(d->listAccounts({}).size(), 1u);
}

// PostgreSQL writes a run's consecutive membership adds in statements of up to 2,000 rows
// (SqlDialect::membershipsAdd); SQLite one row each. Either way every add lands, and a remove
// after an add of the same membership (or before it) takes effect in the plan's order.
TEST_P(DirectoryTest, ThousandsOfMembershipAddsLandAndAddsAndRemovesKeepThePlansOrder) {
    auto d = open();
    const std::string school = "6612345";
    auto plan = createPlan(school, learner(school, "member0", ""), "HappyRiver42");
    const int n = 4321;  // more than two statements' worth
    for (int i = 1; i < n; ++i) {
        const std::string name = "member" + std::to_string(i);
        plan.accounts.push_back({learner(school, name, ""), std::nullopt, {name}});
        plan.memberships.push_back({school, "7A", 0, i, true});
    }
    auto rec = record(school);
    d->apply(plan, rec, box_);
    auto groups = d->listGroups(school, "", false);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].members.size(), static_cast<std::size_t>(n));

    const auto first = d->findAccount("member1");
    const auto second = d->findAccount("member2");
    ASSERT_TRUE(first && second);
    reconcile::Plan order;
    order.school = school;
    order.memberships.push_back({school, "7A", first->account.id, -1, true});    // already in
    order.memberships.push_back({school, "7A", first->account.id, -1, false});   // then out
    order.memberships.push_back({school, "7A", second->account.id, -1, false});  // out
    order.memberships.push_back({school, "7A", second->account.id, -1, true});   // then in again
    auto rec2 = record(school);
    d->apply(order, rec2, box_);
    groups = d->listGroups(school, "", false);
    ASSERT_EQ(groups.size(), 1u);
    const auto& members = groups[0].members;
    EXPECT_EQ(members.size(), static_cast<std::size_t>(n - 1));
    EXPECT_EQ(std::count(members.begin(), members.end(), "member1"), 0);
    EXPECT_EQ(std::count(members.begin(), members.end(), "member2"), 1);
}

TEST_P(DirectoryTest, ViewOfAnotherSchoolFindsTheAccountByUpn) {
    auto d = open();
    applyLearner(*d, "6612345", "jonesa", kUpn);

    auto view = d->loadView("6619999", snapshotOf("6619999", "77", kUpn));
    ASSERT_EQ(view.accounts.size(), 1u);
    EXPECT_EQ(view.accounts[0].school, "6612345");
    ASSERT_EQ(view.accounts[0].memberOf.size(), 1u);  // R7 removes these on transfer
    EXPECT_EQ(view.accounts[0].memberOf[0].code, "7A");

    auto own = d->loadView("6612345", core::Snapshot{});
    ASSERT_EQ(own.groups.size(), 1u);
    EXPECT_EQ(own.groups[0].members.size(), 1u);
}

// The cross-school lookups bind their keys as one JSON array (issue 8): any number of them, and
// keys with quotes, backslashes or control characters, find what they name.
TEST_P(DirectoryTest, ViewFindsAnyNumberOfOtherSchoolsAccountsWhateverTheirKeysCharacters) {
    auto d = open();
    reconcile::Plan plan;
    plan.school = "6612345";
    core::Snapshot snap;
    snap.school = "6619999";
    constexpr int kLearners = 1200;  // beyond SQLite's old limit of 999 parameters
    for (int i = 0; i < kLearners; ++i) {
        const std::string upn = "B8012000" + std::to_string(10000 + i);
        plan.accounts.push_back({learner("6612345", "l" + std::to_string(i), upn),
                                 std::nullopt,
                                 {"l" + std::to_string(i)}});
        core::Person p;
        p.misId = std::to_string(i);
        p.upn = upn;
        snap.persons.push_back(p);
    }
    const std::string oddId = "AB\"1\\2\x01'3";
    auto staff = learner("6612345", "stafft", "");
    staff.role = core::Role::Staff;
    staff.attrs.nationalId = oddId;
    plan.accounts.push_back({staff, std::nullopt, {"stafft"}});
    auto rec = record("6612345");
    d->apply(plan, rec, box_);

    core::Person t;
    t.role = core::Role::Staff;
    t.misId = "900";
    t.nationalId = oddId;
    snap.persons.push_back(t);
    auto view = d->loadView("6619999", snap);
    ASSERT_EQ(view.accounts.size(), static_cast<std::size_t>(kLearners + 1));
    int staffFound = 0;
    for (const auto& a : view.accounts) {
        EXPECT_EQ(a.school, "6612345");
        staffFound += a.attrs.nationalId == oddId ? 1 : 0;
    }
    EXPECT_EQ(staffFound, 1);
}

// A UPN is one learner's across the directory (R1): the UPNs a school's own accounts carry are not
// looked up in other schools. Should the directory hold a second account with such a UPN (it
// cannot come from a sync), the school's view keeps to its own (docs/architecture.md).
TEST_P(DirectoryTest, ViewDoesNotLookUpTheUpnsItsOwnAccountsCarry) {
    auto d = open();
    applyLearner(*d, "6612345", "jonesa", kUpn);
    applyLearner(*d, "6619999", "jonesb", kUpn);

    auto view = d->loadView("6612345", snapshotOf("6612345", "jonesa-id", kUpn));
    ASSERT_EQ(view.accounts.size(), 1u);
    EXPECT_EQ(view.accounts[0].username, "jonesa");
}

TEST_P(DirectoryTest, ClaimsRoundTrip) {
    auto d = open();
    auto plan = createPlan("6612345", learner("6612345", "jonesa", kUpn), "HappyRiver42");
    auto rec = record("6612345");
    d->apply(plan, rec, box_);
    auto id = d->findAccount("jonesa")->account.id;

    reconcile::Plan claimPlan;
    claimPlan.school = "6619999";
    reconcile::Claim c;
    c.accountId = id;
    c.school = "6619999";
    c.attrs.upn = kUpn;
    c.attrs.legalSurname = "Jones";
    c.attrs.enrolmentStatus = "C";
    c.groupCodes = {"8B", "Y8"};
    c.claimedAt = "2026-11-28";
    claimPlan.claims.push_back({c, false});
    auto rec2 = record("6619999");
    d->apply(claimPlan, rec2, box_);

    auto owner = d->loadView("6612345", core::Snapshot{});
    ASSERT_EQ(owner.claims.size(), 1u);
    EXPECT_TRUE(owner.claims[0].sameContent(c));
    auto claimant = d->loadView("6619999", core::Snapshot{});
    ASSERT_EQ(claimant.claims.size(), 1u);  // its own claim, and the claimed account
    EXPECT_EQ(claimant.accounts.size(), 1u);
}

MISYNC_ON_EVERY_BACKEND(DirectoryTest);

// Not a backend's test: open() refuses a backend it does not know before touching anything.
TEST(DirectoryOpen, UnknownBackendListsTheKnownOnes) {
    try {
        storage::Directory::open({"oracle", "/nonexistent/directory.db", ""});
        FAIL() << "expected an error";
    } catch (const core::StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("known: sqlite"), std::string::npos);
    }
}

}  // namespace
