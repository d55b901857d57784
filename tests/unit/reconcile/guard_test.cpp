// S3 deactivation guard, S4 shrink guard and S6 staleness (reconcile/guard.h).
#include <gtest/gtest.h>

#include "planner_fixture.h"
#include "reconcile/guard.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::string kA = "6612345";

// A school with `learners` active learner accounts and `staff` active staff accounts.
DirectoryView schoolWith(int learners, int staff = 0) {
    DirectoryView v;
    v.school = kA;
    for (int i = 0; i < learners; ++i) {
        v.accounts.push_back(accountFor(learner("L" + std::to_string(i), makeUpn(i), "A", "B"), kA,
                                        i + 1, "l" + std::to_string(i)));
    }
    for (int i = 0; i < staff; ++i) {
        v.accounts.push_back(accountFor(staffMember("S" + std::to_string(i), "C", "D"), kA,
                                        1000 + i, "s" + std::to_string(i)));
    }
    return v;
}

Plan deactivating(std::uint64_t n) {
    Plan p;
    p.school = kA;
    p.counts["deactivate"] = n;
    return p;
}

core::Snapshot listing(int learners, int staff = 0, bool complete = true) {
    std::vector<core::Person> persons;
    for (int i = 0; i < learners; ++i) {
        persons.push_back(learner("L" + std::to_string(i), makeUpn(i), "A", "B"));
    }
    for (int i = 0; i < staff; ++i) {
        persons.push_back(staffMember("S" + std::to_string(i), "C", "D"));
    }
    return snapshotOf(kA, persons, complete);
}

}  // namespace

TEST(GuardS3, HoldsMoreThanTwentyPercentAndMoreThanTen) {
    Policy policy;
    auto held = holdReason(deactivating(15), listing(25), schoolWith(40), policy);
    ASSERT_TRUE(held.has_value());
    EXPECT_EQ(held->code, "held");
    EXPECT_NE(held->message.find("would deactivate 15 of 40 active learner accounts (37%); limit "
                                 "20% and more than 10"),
              std::string::npos)
        << held->message;
}

TEST(GuardS3, BothLimitsMustBeExceeded) {
    Policy policy;
    // 25 % but only 10 accounts: not held.
    EXPECT_FALSE(holdReason(deactivating(10), listing(30), schoolWith(40), policy));
    // 11 accounts but only 11 %: not held.
    EXPECT_FALSE(holdReason(deactivating(11), listing(89), schoolWith(100), policy));
    // Exactly 20 % of 100 is not more than 20 %.
    EXPECT_FALSE(holdReason(deactivating(20), listing(80), schoolWith(100), policy));
    EXPECT_TRUE(holdReason(deactivating(21), listing(79), schoolWith(100), policy));
}

TEST(GuardS3, MoreThanTheMaximumCountIsHeldWhateverTheShare) {
    Policy policy;
    policy.maxDeactivateCount = 50;
    auto held = holdReason(deactivating(51), listing(949), schoolWith(1000), policy);
    ASSERT_TRUE(held.has_value());
    EXPECT_NE(held->message.find("more than 50 at once"), std::string::npos) << held->message;
    EXPECT_FALSE(holdReason(deactivating(50), listing(950), schoolWith(1000), policy));
}

TEST(GuardS3, CountsLearnersAndStaffTogetherAndPerSchoolPolicy) {
    Policy policy;
    // 12 of 40 learners + 20 staff = 12 of 60 (20 %): not held.
    EXPECT_FALSE(holdReason(deactivating(12), listing(28, 20), schoolWith(40, 20), policy));
    auto held = holdReason(deactivating(13), listing(27, 20), schoolWith(40, 20), policy);
    ASSERT_TRUE(held.has_value());
    EXPECT_NE(held->message.find("13 of 60 active MIS accounts (21%)"), std::string::npos)
        << held->message;
    policy.maxDeactivatePercent = 50;
    EXPECT_FALSE(holdReason(deactivating(13), listing(27, 20), schoolWith(40, 20), policy));
}

TEST(GuardS4, AnEmptyCompleteRollIsHeld) {
    Policy policy;
    auto held = holdReason(deactivating(3), listing(0), schoolWith(3), policy);
    ASSERT_TRUE(held.has_value());
    EXPECT_NE(held->message.find("S4 shrink guard: the complete extract lists 0 learners but the "
                                 "school has 3 active learner accounts (0%); limit 50%"),
              std::string::npos)
        << held->message;
}

TEST(GuardS4, PerRoleAgainstActiveAccounts) {
    Policy policy;
    // Staff halved exactly: 50 % is not fewer than 50 %.
    EXPECT_FALSE(holdReason(Plan{}, listing(100, 5), schoolWith(100, 10), policy));
    auto held = holdReason(Plan{}, listing(100, 4), schoolWith(100, 10), policy);
    ASSERT_TRUE(held.has_value());
    EXPECT_NE(held->message.find("lists 4 staff but the school has 10 active staff accounts"),
              std::string::npos)
        << held->message;
    // Rejected records are still persons in the extract.
    core::Snapshot s = listing(1);
    for (int i = 0; i < 9; ++i) {
        core::RecordError e;
        e.code = "invalid_upn";
        e.role = core::Role::Learner;
        s.rejected.push_back(e);
    }
    EXPECT_FALSE(holdReason(Plan{}, s, schoolWith(10), policy));
}

TEST(GuardS4, NeverForPartialSnapshotsNewSchoolsOrWhenTurnedOff) {
    Policy policy;
    EXPECT_FALSE(holdReason(Plan{}, listing(0, 0, false), schoolWith(10), policy));
    EXPECT_FALSE(holdReason(Plan{}, listing(0), schoolWith(0), policy));
    policy.minRollPercent = 0;
    policy.maxDeactivatePercent = 100;
    EXPECT_FALSE(holdReason(deactivating(10), listing(0), schoolWith(10), policy));
}

TEST(GuardS6, AnExtractOlderThanTheLimitIsStale) {
    Policy policy;  // 48 hours
    auto stale = staleExtract("2026-11-28T06:00:00Z", "2026-12-01T06:00:00Z", policy);
    ASSERT_TRUE(stale.has_value());
    EXPECT_EQ(stale->code, "stale_extract");
    EXPECT_NE(stale->message.find("72 hours old"), std::string::npos) << stale->message;
    EXPECT_FALSE(staleExtract("2026-11-29T06:00:00Z", "2026-12-01T06:00:00Z", policy));
    EXPECT_FALSE(staleExtract("", "2026-12-01T06:00:00Z", policy)) << "unknown: no warning";
    // An offset is honoured: 07:00+01:00 is 06:00Z.
    EXPECT_FALSE(staleExtract("2026-11-29T07:00:00+01:00", "2026-12-01T06:00:00Z", policy));
    EXPECT_TRUE(staleExtract("2026-11-29T05:59:00Z", "2026-12-01T06:00:00Z", policy));
}
