// SPEC §9.1 drop folders (daemon/settle.h): a run starts once the folder has had no change for
// settle_seconds, and never while a file in it is still being written. The clock is injected:
// every time here is a fixed offset from t0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/settle.h"

using misync::daemon::FileChange;
using misync::daemon::SettleTracker;
using namespace std::chrono_literals;
using testing::ElementsAre;
using testing::IsEmpty;

namespace {

const SettleTracker::Clock::time_point t0{std::chrono::hours(1000)};

std::vector<std::string> settledAt(SettleTracker& s, SettleTracker::Clock::duration after) {
    std::vector<std::string> out;
    for (const auto& x : s.settled(t0 + after)) {
        out.push_back(x.school);
    }
    return out;
}

TEST(Settle, ARunStartsOnceTheFolderHasBeenQuietForTheSettleTime) {
    SettleTracker s;
    s.setSettle("6610001", 5s);
    s.change("6610001", "students.xml", FileChange::Written, t0);
    s.change("6610001", "students.xml", FileChange::Closed, t0 + 1s);
    EXPECT_THAT(settledAt(s, 5900ms), IsEmpty());
    EXPECT_THAT(settledAt(s, 6s), ElementsAre("6610001"));
    EXPECT_THAT(settledAt(s, 60s), IsEmpty());  // once per burst of changes
    EXPECT_FALSE(s.nextCheck());
}

TEST(Settle, EveryChangeStartsTheWaitAgain) {
    SettleTracker s;
    s.setSettle("6610001", 5s);
    s.change("6610001", "a.xml", FileChange::Arrived, t0);
    s.change("6610001", "b.xml", FileChange::Arrived, t0 + 4s);
    EXPECT_THAT(settledAt(s, 6s), IsEmpty());
    ASSERT_TRUE(s.nextCheck());
    EXPECT_EQ(*s.nextCheck(), t0 + 9s);
    s.change("6610001", "a.xml", FileChange::Removed, t0 + 8s);
    EXPECT_THAT(settledAt(s, 12s), IsEmpty());
    EXPECT_THAT(settledAt(s, 13s), ElementsAre("6610001"));
}

TEST(Settle, AFileStillBeingWrittenHoldsTheFolderUntilItIsClosed) {
    SettleTracker s;
    s.setSettle("6610001", 5s);
    s.change("6610001", "students.xml", FileChange::Written, t0);
    s.change("6610001", "staff.xml", FileChange::Written, t0 + 1s);
    s.change("6610001", "staff.xml", FileChange::Closed, t0 + 2s);
    // The export pauses for a minute with students.xml open: no run over half a file.
    EXPECT_THAT(settledAt(s, 60s), IsEmpty());
    EXPECT_TRUE(s.beingWritten("6610001"));
    s.change("6610001", "students.xml", FileChange::Written, t0 + 61s);
    s.change("6610001", "students.xml", FileChange::Closed, t0 + 62s);
    EXPECT_FALSE(s.beingWritten("6610001"));
    EXPECT_THAT(settledAt(s, 66s), IsEmpty());
    EXPECT_THAT(settledAt(s, 67s), ElementsAre("6610001"));
}

TEST(Settle, AFileDeletedOrMovedAwayIsNoLongerBeingWritten) {
    SettleTracker s;
    s.setSettle("6610001", 2s);
    s.change("6610001", "students.xml.part", FileChange::Written, t0);
    s.change("6610001", "students.xml.part", FileChange::Removed, t0 + 1s);
    s.change("6610001", "students.xml", FileChange::Arrived, t0 + 1s);
    EXPECT_THAT(settledAt(s, 3s), ElementsAre("6610001"));
}

TEST(Settle, AWriterThatStaysIdleTooLongIsGivenUpOn) {
    SettleTracker s;
    s.setSettle("6610001", 5s);
    s.change("6610001", "students.xml", FileChange::Written, t0);
    ASSERT_TRUE(s.nextCheck());
    EXPECT_EQ(*s.nextCheck(), t0 + SettleTracker::kWriteIdleLimit);
    EXPECT_THAT(settledAt(s, SettleTracker::kWriteIdleLimit - 1s), IsEmpty());
    auto done = s.settled(t0 + SettleTracker::kWriteIdleLimit);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].school, "6610001");
    EXPECT_THAT(done[0].gaveUpOn, ElementsAre("students.xml"));
}

TEST(Settle, EachSchoolHasItsOwnSettleTimeAndLostEventsForgetOpenFiles) {
    SettleTracker s;
    s.setSettle("6610001", 2s);
    s.setSettle("6610002", 10s);
    s.change("6610001", "a.xml", FileChange::Arrived, t0);
    s.change("6610002", "a.xml", FileChange::Written, t0);
    s.change("6610002", "", FileChange::Unknown, t0 + 1s);  // the folder was replaced
    EXPECT_FALSE(s.beingWritten("6610002"));
    EXPECT_THAT(settledAt(s, 2s), ElementsAre("6610001"));
    EXPECT_THAT(settledAt(s, 10s), IsEmpty());
    EXPECT_THAT(settledAt(s, 11s), ElementsAre("6610002"));
    s.change("6610002", "b.xml", FileChange::Arrived, t0 + 20s);
    s.forget("6610002");
    EXPECT_FALSE(s.pending("6610002"));
    EXPECT_THAT(settledAt(s, 60s), IsEmpty());
}

}  // namespace
