// Calendar dates as the rules compare them (R2, R5) and the three accepted spellings of SPEC §6.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace misync::core {

// A civil date, stored as days since 1970-01-01 so that comparison and arithmetic are cheap.
class Date {
  public:
    constexpr Date() = default;
    static Date fromYmd(int year, unsigned month, unsigned day);
    static constexpr Date fromDays(int days) {
        Date d;
        d.days_ = days;
        return d;
    }

    int year() const;
    unsigned month() const;
    unsigned day() const;
    constexpr int days() const { return days_; }
    Date addDays(int n) const { return fromDays(days_ + n); }

    // YYYY-MM-DD
    std::string toString() const;

    constexpr auto operator<=>(const Date&) const = default;

  private:
    int days_ = 0;
};

// Accepts `YYYY-MM-DD`, ISO date-times with or without offset or fraction
// (`2024-09-04T00:00:00+01:00`, `2023-05-01T18:25:43.511Z`, `2017-05-06 08:01:05`) and
// `D/M/YYYY` with one or two digits (UK order). The date part of a date-time is taken as
// written (an MIS writes local dates). Returns nullopt for anything else or an impossible date.
std::optional<Date> parseDate(std::string_view text);

// Strict YYYY-MM-DD (command-line --as-of and the store).
std::optional<Date> parseIsoDate(std::string_view text);

// Today's date in UTC.
Date today();

// An ISO-8601 date-time `YYYY-MM-DDTHH:MM:SS[.fff]` (or with a space for the T) with `Z`,
// `±HH:MM`, `±HHMM` or nothing (UTC) as seconds since 1970-01-01T00:00:00Z; nullopt for anything
// else (an impossible date or time included).
std::optional<long long> parseTimestamp(std::string_view text);

// Current time as an ISO-8601 UTC string with seconds, e.g. 2026-11-28T06:30:00Z.
std::string nowIso();

}  // namespace misync::core
