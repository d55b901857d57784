// AdminStore::applyAdmin on every backend (SPEC §8, §9.2): an administrator's change is written as
// it is, in one transaction, with its change log rows (run_id null, the actor), its membership
// removals (R11), its reserved names and aliases (U3, R4), and the schools it touches marked
// dirty so that their next run plans again.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "reconcile/admin.h"
#include "reconcile/usernames.h"
#include "storage/directory.h"
#include "storage/secret_box.h"
#include "tests/support/test_directory.h"

using namespace misync;

namespace {

constexpr const char* kSchool = "6612345";
constexpr const char* kClaimant = "6619999";
constexpr const char* kOther = "6610001";

class AdminStoreTest : public testsupport::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        d_ = open();
        // A learner in registration group 7A of kSchool, claimed by kClaimant (R7).
        reconcile::Account a;
        a.username = "jonesa";
        a.school = kSchool;
        a.attrs.misId = "1001";
        a.attrs.upn = "B801200005001";
        a.attrs.legalForename = "Aled";
        a.attrs.legalSurname = "Jones";
        a.displayName = "Aled Jones";
        a.createdAt = "2026-09-01T06:30:00Z";
        reconcile::Plan p;
        p.school = kSchool;
        p.accounts.push_back({a, std::string("HappyRiver42"), {"jonesa"}});
        reconcile::GroupState g;
        g.school = kSchool;
        g.code = "7A";
        g.type = core::GroupType::Registration;
        p.groups.push_back({g});
        p.memberships.push_back({kSchool, "7A", 0, 0, true, "jonesa"});
        auto rec = record(kSchool);
        d_->apply(p, rec, box_);
        id_ = d_->findAccount("jonesa")->account.id;

        reconcile::Plan claim;
        claim.school = kClaimant;
        reconcile::Claim c;
        c.accountId = id_;
        c.school = kClaimant;
        c.attrs.upn = a.attrs.upn;
        c.claimedAt = "2026-11-28";
        claim.claims.push_back({c, false});
        auto rec2 = record(kClaimant);
        d_->apply(claim, rec2, box_);
        // Every school's last run recorded as clean (the claim above dirtied kSchool).
        for (const char* s : {kSchool, kClaimant, kOther}) {
            auto r = record(s);
            storage::SchoolState st{s, "fp", "2026-11-28", "", false, "[]", "{}"};
            d_->recordRun(r, &st);
        }
    }
    void TearDown() override {
        d_.reset();
        StoreTest::TearDown();
    }

    static storage::RunRecord record(const std::string& school) {
        storage::RunRecord r;
        r.school = school;
        r.connector = "sims-xml";
        r.asOf = "2026-11-28";
        r.startedAt = r.finishedAt = "2026-11-28T06:30:00Z";
        r.outcome = "applied";
        return r;
    }

    bool dirty(const std::string& school) { return d_->schoolState(school).value().dirty; }

    reconcile::Account current() { return d_->findAccount("jonesa").value().account; }

    std::int64_t lastSeq() {
        auto rows = d_->changesSince(0, 10000);
        return rows.empty() ? 0 : rows.back().seq;
    }

    std::unique_ptr<storage::Directory> d_;
    storage::SecretBox box_{std::array<unsigned char, 32>{7, 7, 7}};
    std::int64_t id_ = 0;
};

TEST_P(AdminStoreTest, ADeactivationLeavesItsGroupsIsLoggedAndDirtiesTheSchoolsConcerned) {
    const std::int64_t before = lastSeq();
    auto r = reconcile::deactivateAccount(current(), {}, "2026-11-28T10:00:00Z");
    ASSERT_FALSE(r.refused());
    auto ids = d_->applyAdmin(r.change, "admin1", nullptr);
    EXPECT_EQ(ids, std::vector<std::int64_t>{id_});

    const auto after = current();
    EXPECT_EQ(after.status, reconcile::AccountStatus::Deactivated);
    EXPECT_TRUE(after.adminDeactivated);
    EXPECT_TRUE(after.passwordAvailable) << "a write without a password keeps the sealed one";
    auto groups = d_->listGroups(kSchool, "", false);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_TRUE(groups[0].members.empty()) << "R11";

    auto rows = d_->changesSince(before, 100);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].event.kind, "account.deactivated");
    EXPECT_EQ(rows[1].event.kind, "membership.removed");
    EXPECT_EQ(rows[1].event.group, "7A");
    EXPECT_EQ(rows[1].event.username, "jonesa");
    EXPECT_EQ(rows[1].event.school, kSchool);
    for (const auto& row : rows) {
        EXPECT_FALSE(row.runId.has_value()) << "SPEC §9.2: run_id null for an administrator";
        EXPECT_EQ(row.actor, "admin1");
    }
    EXPECT_TRUE(dirty(kSchool));
    EXPECT_TRUE(dirty(kClaimant)) << "the claimant plans with this account's state (R7)";
    EXPECT_FALSE(dirty(kOther));
}

TEST_P(AdminStoreTest, ANewUsernameKeepsTheOldOneAsAnAliasAndSealsTheNewPassword) {
    reconcile::UsernameRegistry names;
    d_->loadUsernames(names);
    reconcile::UsernameAllocator alloc(names, 20);
    reconcile::SeededPasswordGenerator gen(3);
    reconcile::NameTransliterator translit;
    reconcile::AdminServices svc{alloc, gen, translit};
    auto r = reconcile::renameAccount(current(), {std::nullopt, std::string("Price"), true}, svc);
    ASSERT_FALSE(r.refused());
    const std::string password = r.change.accounts.at(0).newPassword.value();
    d_->applyAdmin(r.change, "admin1", &box_);

    auto row = d_->findAccount("JonesA");  // the old name, now an alias, still finds it
    ASSERT_TRUE(row);
    EXPECT_EQ(row->account.username, "pricea");
    EXPECT_EQ(row->account.aliases, std::vector<std::string>{"jonesa"});
    EXPECT_EQ(row->account.attrs.legalSurname, "Price");
    EXPECT_TRUE(row->account.nameLocked);
    EXPECT_TRUE(row->account.passwordByAdmin);
    EXPECT_EQ(row->passwordSealed.find(password), std::string::npos);
    EXPECT_EQ(box_.open(row->passwordSealed), password);  // P3
    reconcile::UsernameRegistry again;
    d_->loadUsernames(again);
    EXPECT_TRUE(again.taken("jonesa"));
    EXPECT_TRUE(again.taken("pricea"));
}

TEST_P(AdminStoreTest, ANewAccountGetsAnIdAndItsNameForEver) {
    reconcile::UsernameRegistry names;
    d_->loadUsernames(names);
    reconcile::UsernameAllocator alloc(names, 20);
    reconcile::SeededPasswordGenerator gen(3);
    reconcile::NameTransliterator translit;
    reconcile::AdminServices svc{alloc, gen, translit};
    auto r = reconcile::addManualAccount({kSchool, core::Role::NonMis, "Aled", "Jones", {}}, {},
                                         svc, "2026-11-28T10:00:00Z");
    ASSERT_FALSE(r.refused());
    auto ids = d_->applyAdmin(r.change, "admin1", &box_);
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_GT(ids[0], id_);
    auto row = d_->findAccount("jonesa1");
    ASSERT_TRUE(row);
    EXPECT_EQ(row->account.id, ids[0]);
    EXPECT_EQ(row->account.source, reconcile::AccountSource::Manual);
    EXPECT_TRUE(row->account.passwordAvailable);
    EXPECT_EQ(d_->changesSince(lastSeq() - 1, 10).at(0).event.kind, "account.created");
}

TEST_P(AdminStoreTest, APasswordWithoutTheKeyChangesNothing) {
    const std::int64_t before = lastSeq();
    reconcile::SeededPasswordGenerator gen(3);
    auto r = reconcile::resetPassword(current(), std::nullopt, gen);
    ASSERT_FALSE(r.refused());
    r.change.accounts[0].account.consent = true;  // would be visible if anything were written
    EXPECT_THROW(d_->applyAdmin(r.change, "admin1", nullptr), core::StoreError);
    EXPECT_FALSE(current().consent);
    EXPECT_FALSE(current().passwordByAdmin);
    EXPECT_EQ(lastSeq(), before);
    EXPECT_FALSE(dirty(kSchool));
}

MISYNC_ON_EVERY_BACKEND(AdminStoreTest);

}  // namespace
