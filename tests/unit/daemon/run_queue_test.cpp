// SPEC §9.1 and S7: the daemon's queue (daemon/run_queue.h): one run per school at a time,
// triggers merged, one more run after a running one, trigger order, and a bound of one entry per
// school. A plain class: no threads needed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "daemon/run_queue.h"

using misync::daemon::RunQueue;
using Added = RunQueue::Added;
using testing::ElementsAre;
using testing::IsEmpty;

namespace {

std::string takeSchool(RunQueue& q) {
    auto job = q.take();
    return job ? job->school : std::string("-");
}

TEST(RunQueue, ATriggerForAQueuedSchoolIsMergedKeepingItsPlaceAndTrigger) {
    RunQueue q;
    EXPECT_EQ(q.add("6610001", "schedule"), Added::Queued);
    EXPECT_EQ(q.add("6610002", "file"), Added::Queued);
    EXPECT_EQ(q.add("6610001", "api"), Added::Merged);
    EXPECT_EQ(q.add("6610001", "file"), Added::Merged);
    EXPECT_EQ(q.waiting(), 2u);
    auto first = q.take();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->school, "6610001");
    EXPECT_EQ(first->trigger, "schedule");
    EXPECT_EQ(takeSchool(q), "6610002");
    EXPECT_EQ(takeSchool(q), "-");
}

TEST(RunQueue, ATriggerForARunningSchoolQueuesExactlyOneMoreRunAfterIt) {
    RunQueue q;
    q.add("6610001", "file");
    ASSERT_EQ(takeSchool(q), "6610001");
    EXPECT_TRUE(q.isRunning("6610001"));
    EXPECT_EQ(q.add("6610001", "file"), Added::AfterRunning);
    EXPECT_EQ(q.add("6610001", "schedule"), Added::Merged);
    EXPECT_EQ(q.add("6610001", "api"), Added::Merged);
    EXPECT_EQ(q.waiting(), 1u);
    // S7: never two runs of one school at a time.
    EXPECT_EQ(takeSchool(q), "-");
    q.finished("6610001");
    auto again = q.take();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->school, "6610001");
    EXPECT_EQ(again->trigger, "file");
    q.finished("6610001");
    EXPECT_EQ(takeSchool(q), "-");  // exactly one more, not one per trigger
    EXPECT_TRUE(q.idle());
}

TEST(RunQueue, RunsAreTakenInTriggerOrderSkippingSchoolsStillRunning) {
    RunQueue q;
    q.add("6610001", "file");
    ASSERT_EQ(takeSchool(q), "6610001");
    q.add("6610001", "file");      // waits for its own run to end
    q.add("6610002", "schedule");  // later trigger, free to start
    q.add("6610003", "api");
    EXPECT_EQ(takeSchool(q), "6610002");
    EXPECT_EQ(takeSchool(q), "6610003");
    EXPECT_EQ(takeSchool(q), "-");
    q.add("6610004", "file");
    q.finished("6610001");
    // 6610001's second run was triggered before 6610004's: it goes first.
    EXPECT_EQ(takeSchool(q), "6610001");
    EXPECT_EQ(takeSchool(q), "6610004");
    EXPECT_THAT(q.runningSchools(), ElementsAre("6610001", "6610002", "6610003", "6610004"));
}

TEST(RunQueue, HoldsAtMostOneEntryPerSchoolWhateverTheTriggers) {
    RunQueue q;
    const std::string schools[] = {"6610001", "6610002", "6610003"};
    q.add(schools[0], "file");
    ASSERT_EQ(takeSchool(q), schools[0]);
    for (int i = 0; i < 1000; ++i) {
        q.add(schools[i % 3], i % 2 == 0 ? "file" : "schedule");
        EXPECT_LE(q.waiting(), 3u);
    }
    EXPECT_EQ(q.waiting(), 3u);
    EXPECT_EQ(q.running(), 1u);
}

TEST(RunQueue, CloseDropsWhatWaitsAndRefusesMoreButRunsEnd) {
    RunQueue q;
    q.add("6610001", "file");
    ASSERT_EQ(takeSchool(q), "6610001");
    q.add("6610002", "file");
    q.add("6610001", "api");
    EXPECT_THAT(q.close(), ElementsAre("6610002", "6610001"));
    EXPECT_EQ(q.add("6610003", "api"), Added::Refused);
    EXPECT_EQ(q.waiting(), 0u);
    EXPECT_FALSE(q.idle());  // 6610001 is still running
    q.finished("6610001");
    EXPECT_TRUE(q.idle());
    EXPECT_EQ(takeSchool(q), "-");
}

TEST(RunQueue, RetainDropsEntriesOfSchoolsNoLongerConfigured) {
    RunQueue q;
    q.add("6610001", "file");
    q.add("6610002", "file");
    q.add("6610003", "file");
    EXPECT_THAT(q.retain([](const std::string& s) { return s != "6610002"; }),
                ElementsAre("6610002"));
    EXPECT_THAT(q.retain([](const std::string&) { return true; }), IsEmpty());
    EXPECT_EQ(takeSchool(q), "6610001");
    EXPECT_EQ(takeSchool(q), "6610003");
    EXPECT_EQ(takeSchool(q), "-");
}

}  // namespace
