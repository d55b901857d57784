// SPEC §9.1 schedules: when each form fires next, in local time, across DST changes
// (daemon/schedule.h). Fixed instants and made-up zones: nothing here sleeps or reads the clock.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "daemon/schedule.h"

using misync::daemon::isoUtc;
using misync::daemon::LocalZone;
using misync::daemon::Schedule;

namespace {

namespace chr = std::chrono;

// Seconds since the epoch of a UTC civil time.
std::int64_t utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
    const chr::sys_days day{chr::year{y} / chr::month{mo} / chr::day{d}};
    return day.time_since_epoch().count() * 86400LL + h * 3600 + mi * 60;
}

// A zone given by its offset changes: `base` before the first, then each change's new offset.
class FakeZone : public LocalZone {
  public:
    FakeZone(long base, std::vector<std::pair<std::int64_t, long>> changes)
        : base_(base), changes_(std::move(changes)) {}
    long utcOffset(std::int64_t t) const override {
        long o = base_;
        for (const auto& [at, offset] : changes_) {
            if (t >= at) {
                o = offset;
            }
        }
        return o;
    }

  private:
    long base_;
    std::vector<std::pair<std::int64_t, long>> changes_;
};

// United Kingdom 2025: BST (+1) from 30 March 01:00 UTC to 26 October 01:00 UTC.
const FakeZone kLondon(0, {{utc(2025, 3, 30, 1), 3600}, {utc(2025, 10, 26, 1), 0}});
// US Eastern 2025: EDT (-4) from 9 March 07:00 UTC (02:00 EST) to 2 November 06:00 UTC.
const FakeZone kNewYork(-5 * 3600,
                        {{utc(2025, 3, 9, 7), -4 * 3600}, {utc(2025, 11, 2, 6), -5 * 3600}});
const FakeZone kUtc(0, {});

Schedule parsed(const std::string& text) {
    auto r = Schedule::parse(text);
    if (auto* problem = std::get_if<std::string>(&r)) {
        ADD_FAILURE() << text << ": " << *problem;
        return std::get<Schedule>(Schedule::parse("daily 00:00"));
    }
    return std::get<Schedule>(r);
}

std::string problemOf(const std::string& text) {
    auto r = Schedule::parse(text);
    if (auto* problem = std::get_if<std::string>(&r)) {
        return *problem;
    }
    ADD_FAILURE() << text << " was accepted";
    return {};
}

// The next fire time after `after`, as ISO UTC text (readable failures).
std::string next(const std::string& text, std::int64_t after, const LocalZone& zone = kUtc) {
    auto at = parsed(text).nextAfter(after, zone);
    return at ? isoUtc(*at) : std::string("never");
}

TEST(Schedule, DailyFiresAtItsMinuteStrictlyAfterTheGivenTime) {
    EXPECT_EQ(next("daily 06:30", utc(2025, 1, 15, 5)), "2025-01-15T06:30:00Z");
    EXPECT_EQ(next("daily 06:30", utc(2025, 1, 15, 6, 30)), "2025-01-16T06:30:00Z");
    EXPECT_EQ(next("daily 6:30", utc(2025, 1, 15, 6, 29) + 59), "2025-01-15T06:30:00Z");
    EXPECT_EQ(next("daily 00:00", utc(2025, 12, 31, 23, 59)), "2026-01-01T00:00:00Z");
}

TEST(Schedule, DailyIsLocalTime) {
    // 06:30 BST is 05:30 UTC; 06:30 EST is 11:30 UTC.
    EXPECT_EQ(next("daily 06:30", utc(2025, 7, 1), kLondon), "2025-07-01T05:30:00Z");
    EXPECT_EQ(next("daily 06:30", utc(2025, 1, 15), kNewYork), "2025-01-15T11:30:00Z");
    // Late in the UTC day it is already tomorrow in London: 00:15 BST on 2 July.
    EXPECT_EQ(next("daily 00:15", utc(2025, 7, 1, 23), kLondon), "2025-07-01T23:15:00Z");
}

TEST(Schedule, SpringForwardFiresOnceAtTheFirstMinuteAfterTheGap) {
    // 30 March 2025: London goes from 00:59 GMT to 02:00 BST; 01:00 and 01:30 do not exist.
    EXPECT_EQ(next("daily 01:30", utc(2025, 3, 30), kLondon), "2025-03-30T01:00:00Z");
    EXPECT_EQ(next("daily 01:00", utc(2025, 3, 30), kLondon), "2025-03-30T01:00:00Z");
    // The next day it is back at 01:30 BST.
    EXPECT_EQ(next("daily 01:30", utc(2025, 3, 30, 1), kLondon), "2025-03-31T00:30:00Z");
    // New York jumps from 02:00 EST to 03:00 EDT: 02:30 fires at 03:00 EDT (07:00 UTC).
    EXPECT_EQ(next("daily 02:30", utc(2025, 3, 9), kNewYork), "2025-03-09T07:00:00Z");
    // Several named minutes inside the gap fire once, at its end.
    EXPECT_EQ(next("every 15m", utc(2025, 3, 30, 0, 50), kLondon), "2025-03-30T01:00:00Z");
    EXPECT_EQ(next("every 15m", utc(2025, 3, 30, 1), kLondon), "2025-03-30T01:15:00Z");
}

TEST(Schedule, AMinuteThatOccursTwiceFiresOnlyTheFirstTime) {
    // 26 October 2025: 01:00–01:59 happens in BST (00:00–00:59 UTC), then again in GMT.
    EXPECT_EQ(next("daily 01:30", utc(2025, 10, 26), kLondon), "2025-10-26T00:30:00Z");
    EXPECT_EQ(next("daily 01:30", utc(2025, 10, 26, 0, 30), kLondon), "2025-10-27T01:30:00Z");
    // Asked during the second 01:10, the 01:30 of that day has been: tomorrow's is next.
    EXPECT_EQ(next("daily 01:30", utc(2025, 10, 26, 1, 10), kLondon), "2025-10-27T01:30:00Z");
    // Every 15 minutes: the repeated hour's minutes are not run again.
    EXPECT_EQ(next("*/15 * * * *", utc(2025, 10, 26, 0, 50), kLondon), "2025-10-26T02:00:00Z");
}

TEST(Schedule, EveryIsAlignedToLocalMidnight) {
    EXPECT_EQ(next("every 2h", utc(2025, 1, 15, 3, 17)), "2025-01-15T04:00:00Z");
    EXPECT_EQ(next("every 30m", utc(2025, 1, 15, 3, 17)), "2025-01-15T03:30:00Z");
    EXPECT_EQ(next("every 90m", utc(2025, 1, 15)), "2025-01-15T01:30:00Z");
    // 7 does not divide 24: 00:00, 07:00, 14:00, 21:00, then 00:00 again.
    EXPECT_EQ(next("every 7h", utc(2025, 1, 15, 21)), "2025-01-16T00:00:00Z");
    EXPECT_EQ(next("every 24h", utc(2025, 1, 15, 0, 1)), "2025-01-16T00:00:00Z");
    EXPECT_EQ(next("every 1440m", utc(2025, 1, 15)), "2025-01-16T00:00:00Z");
    // Local midnight: every 2h in BST fires at even BST hours, i.e. odd UTC hours.
    EXPECT_EQ(next("every 2h", utc(2025, 7, 1, 1, 5), kLondon), "2025-07-01T03:00:00Z");
    EXPECT_EQ(next("every 1m", utc(2025, 7, 1, 1, 5) + 30, kLondon), "2025-07-01T01:06:00Z");
}

TEST(Schedule, CronFieldsListsRangesAndSteps) {
    // Weekdays at 06:30: after Friday's, Monday's.
    EXPECT_EQ(next("30 6 * * 1-5", utc(2025, 1, 17, 7)), "2025-01-20T06:30:00Z");
    EXPECT_EQ(next("5-55/20 * * * *", utc(2025, 1, 15, 3, 25)), "2025-01-15T03:45:00Z");
    EXPECT_EQ(next("5-55/20 * * * *", utc(2025, 1, 15, 3, 45)), "2025-01-15T04:05:00Z");
    // n/step: from n to the field's maximum.
    EXPECT_EQ(next("10/20 * * * *", utc(2025, 1, 15, 3, 31)), "2025-01-15T03:50:00Z");
    EXPECT_EQ(next("0 6,12,18 * * *", utc(2025, 1, 15, 12)), "2025-01-15T18:00:00Z");
    EXPECT_EQ(next("0 0 1 1-12/3 *", utc(2025, 2, 1)), "2025-04-01T00:00:00Z");
    // Sunday is 0 and 7. 18 January 2025 is a Saturday.
    EXPECT_EQ(next("0 9 * * 7", utc(2025, 1, 18)), "2025-01-19T09:00:00Z");
    EXPECT_EQ(next("0 9 * * 0", utc(2025, 1, 18)), "2025-01-19T09:00:00Z");
    // A leap day comes round in 2028.
    EXPECT_EQ(next("0 0 29 2 *", utc(2025, 3, 1)), "2028-02-29T00:00:00Z");
    EXPECT_EQ(next("0 0 31 * *", utc(2025, 4, 1)), "2025-05-31T00:00:00Z");
}

TEST(Schedule, CronDayFieldsAreOrWhenBothAreRestricted) {
    // "the 13th, or any Friday": 13 July 2025 is a Sunday, 18 July a Friday.
    EXPECT_EQ(next("0 12 13 * 5", utc(2025, 7, 12)), "2025-07-13T12:00:00Z");
    EXPECT_EQ(next("0 12 13 * 5", utc(2025, 7, 13, 12)), "2025-07-18T12:00:00Z");
    // With day-of-week '*', only the 13th.
    EXPECT_EQ(next("0 12 13 * *", utc(2025, 7, 13, 12)), "2025-08-13T12:00:00Z");
    // A field starting with '*' counts as '*' (Vixie cron): odd days that are Mondays. In
    // September 2025 the Mondays are 1, 8, 15, 22, 29.
    EXPECT_EQ(next("0 0 */2 * 1", utc(2025, 9, 1)), "2025-09-15T00:00:00Z");
}

TEST(Schedule, RefusesWhatCannotFireOrIsMalformed) {
    EXPECT_NE(problemOf("0 0 30 2 *").find("never fires"), std::string::npos);
    EXPECT_NE(problemOf("0 0 31 4,6,9,11 *").find("never fires"), std::string::npos);
    // With a day of week as well, the OR makes it fire on those weekdays.
    EXPECT_EQ(next("0 0 30 2 1", utc(2025, 1, 1)), "2025-02-03T00:00:00Z");
    EXPECT_NE(problemOf("every 25h").find("at most 1440m or 24h"), std::string::npos);
    EXPECT_NE(problemOf("every 1441m").find("at most 1440m or 24h"), std::string::npos);
    EXPECT_NE(problemOf("every 0h").find("N at least 1"), std::string::npos);
    EXPECT_NE(problemOf("0 24 * * *").find("cron hour field '24': out of range"),
              std::string::npos);
    EXPECT_NE(problemOf("*/0 * * * *").find("a step must be a number from 1"), std::string::npos);
    EXPECT_NE(problemOf("daily 7").find("expected \"daily HH:MM\""), std::string::npos);
    EXPECT_NE(problemOf("weekly").find("5 fields"), std::string::npos);
}

TEST(Schedule, TheSystemZoneFollowsTz) {
    // A POSIX TZ rule needs no tz database: London's rule, applied to 2025.
    const char* old = std::getenv("TZ");
    const std::string saved = old != nullptr ? old : "";
    ::setenv("TZ", "GMT0BST,M3.5.0/1,M10.5.0", 1);
    ::tzset();
    misync::daemon::SystemZone zone;
    EXPECT_EQ(zone.utcOffset(utc(2025, 7, 1)), 3600);
    EXPECT_EQ(next("daily 01:30", utc(2025, 3, 30), zone), "2025-03-30T01:00:00Z");
    EXPECT_EQ(next("daily 01:30", utc(2025, 10, 26, 0, 30), zone), "2025-10-27T01:30:00Z");
    if (old != nullptr) {
        ::setenv("TZ", saved.c_str(), 1);
    } else {
        ::unsetenv("TZ");
    }
    ::tzset();
}

TEST(Schedule, IsoUtc) {
    EXPECT_EQ(isoUtc(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(isoUtc(utc(2026, 11, 28, 6, 30) + 7), "2026-11-28T06:30:07Z");
}

}  // namespace
