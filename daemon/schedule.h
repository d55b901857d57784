// SPEC §9.1 triggers: a school's `schedule` ("daily HH:MM", "every N(m|h)", five-field cron)
// and when it fires next, in local time. Pure: the time zone is passed in (LocalZone), so tests
// use fixed times and zones and never sleep.
//
// Every form names minutes of the local wall clock, each day (docs/daemon-runtime.md):
//  - "daily HH:MM": that minute;
//  - "every Nm" / "every Nh" (N minutes from 1 to 1440, N hours from 1 to 24): the minutes that
//    are a whole multiple of N after local midnight (00:00, 00:00+N, …), so the times do not
//    depend on when the daemon started; each day starts again at 00:00, so a period that does
//    not divide 24 hours has a shorter last interval before midnight;
//  - cron: minute hour day-of-month month day-of-week, each a list of `*`, `n`, `a-b`, with an
//    optional `/step` (`n/step` means n to the field's maximum); day-of-week 0 and 7 are
//    Sunday. As Vixie cron and cronie do, when both day fields are restricted (neither starts
//    with `*`) a day matches when either matches; otherwise both must.
// Changes of the UTC offset (DST): a named minute that does not exist that day (skipped by a
// spring-forward change) fires once at the first minute after the jump, however many named
// minutes fell in the gap; a minute that occurs twice (autumn) fires only the first time.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace misync::daemon {

// The local time zone in which schedules are read: the UTC offset in force at an instant.
class LocalZone {
  public:
    virtual ~LocalZone() = default;
    // Seconds east of UTC at `unixSeconds` (e.g. 3600 during British Summer Time).
    virtual long utcOffset(std::int64_t unixSeconds) const = 0;
};

// The process's time zone (TZ, else /etc/localtime), through localtime_r.
class SystemZone final : public LocalZone {
  public:
    long utcOffset(std::int64_t unixSeconds) const override;
};

class Schedule {
  public:
    // The schedule `text` stands for, or why it is not one of the three forms (the message
    // config.cpp puts after the key, e.g. "cron hour field '25': out of range (allowed 0-23)").
    static std::variant<Schedule, std::string> parse(std::string_view text);

    // The first instant strictly after `afterUnixSeconds` at which the schedule fires, in
    // seconds since the epoch; nullopt only if it fires in none of the next eight years
    // (parse() refuses cron lines that never fire, so that does not happen in practice).
    std::optional<std::int64_t> nextAfter(std::int64_t afterUnixSeconds,
                                          const LocalZone& zone) const;

    const std::string& text() const { return text_; }

  private:
    Schedule() = default;
    bool dayMatches(std::int64_t localDay) const;
    // The instant a local wall-clock time (seconds since the epoch as if local were UTC)
    // stands for: the first of two, or the end of the gap it falls in.
    static std::int64_t resolve(std::int64_t local, const LocalZone& zone);

    std::string text_;
    std::bitset<1440> minutes_;  // minutes of the day, 0 = 00:00
    std::bitset<32> daysOfMonth_;
    std::bitset<13> months_;
    std::bitset<7> daysOfWeek_;  // 0 = Sunday
    bool dayOfMonthStar_ = true;
    bool dayOfWeekStar_ = true;
};

// "YYYY-MM-DDTHH:MM:SSZ" for seconds since the epoch (next_run_at of SPEC §9).
std::string isoUtc(std::int64_t unixSeconds);

}  // namespace misync::daemon
