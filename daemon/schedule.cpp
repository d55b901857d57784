#include "daemon/schedule.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

namespace misync::daemon {
namespace {

namespace chr = std::chrono;

constexpr std::int64_t kDay = 86400;
// How far nextAfter() looks: long enough for "0 0 29 2 *" (a leap day) to come round twice.
constexpr std::int64_t kHorizonDays = 366 * 8 + 2;

bool allDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<unsigned> toNumber(std::string_view s) {
    unsigned n = 0;
    if (!allDigits(s)) {
        return std::nullopt;
    }
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return n;
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == ' ' || s[i] == '\t') {
            ++i;
            continue;
        }
        std::size_t end = s.find_first_of(" \t", i);
        end = end == s.npos ? s.size() : end;
        out.push_back(s.substr(i, end - i));
        i = end;
    }
    return out;
}

// One cron field: a list of `*`, `n` or `a-b`, each optionally with `/step`; the values it
// names go into `out` (index = value). Returns the problem, or nullopt.
template <std::size_t N>
std::optional<std::string> cronField(std::string_view field, std::string_view name, unsigned min,
                                     unsigned max, std::bitset<N>& out) {
    auto bad = [&](std::string_view what) {
        return "cron " + std::string(name) + " field '" + std::string(field) +
               "': " + std::string(what) + " (allowed " + std::to_string(min) + "-" +
               std::to_string(max) + ")";
    };
    std::size_t start = 0;
    while (start <= field.size()) {
        std::size_t comma = field.find(',', start);
        std::string_view item =
            field.substr(start, comma == field.npos ? field.npos : comma - start);
        start = comma == field.npos ? field.size() + 1 : comma + 1;
        std::string_view base = item;
        std::optional<unsigned> step;
        if (auto slash = item.find('/'); slash != item.npos) {
            base = item.substr(0, slash);
            step = toNumber(item.substr(slash + 1));
            if (!step || *step < 1 || *step > max) {
                return bad("a step must be a number from 1");
            }
        }
        unsigned low = min;
        unsigned high = max;
        if (base != "*") {
            auto dash = base.find('-');
            auto a = toNumber(base.substr(0, dash));
            auto b = dash == base.npos ? (step ? std::optional(max) : a)
                                       : toNumber(base.substr(dash + 1));
            if (!a || !b) {
                return bad("expected *, a number, or a range a-b");
            }
            if (*a < min || *b > max || *a > *b) {
                return bad("out of range");
            }
            low = *a;
            high = *b;
        }
        for (unsigned v = low; v <= high; v += step.value_or(1)) {
            out.set(v);
        }
    }
    return std::nullopt;
}

// The days each month can have (February: in a leap year).
constexpr std::array<unsigned, 13> kMaxDays{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

}  // namespace

long SystemZone::utcOffset(std::int64_t unixSeconds) const {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm local{};
    if (::localtime_r(&t, &local) == nullptr) {
        return 0;
    }
#ifdef _WIN32
    // No tm_gmtoff: the local wall time read as UTC, less the instant.
    return static_cast<long>(::_mkgmtime(&local) - t);
#else
    return local.tm_gmtoff;
#endif
}

std::variant<Schedule, std::string> Schedule::parse(std::string_view text) {
    Schedule s;
    s.text_ = std::string(text);
    s.daysOfMonth_.set();
    s.months_.set();
    s.daysOfWeek_.set();
    const auto w = words(text);
    if (!w.empty() && w[0] == "daily") {
        auto colon = w.size() == 2 ? w[1].find(':') : std::string_view::npos;
        if (colon == std::string_view::npos || colon == 0 || colon > 2 ||
            w[1].size() != colon + 3) {
            return std::string("expected \"daily HH:MM\"");
        }
        auto hour = toNumber(w[1].substr(0, colon));
        auto minute = toNumber(w[1].substr(colon + 1));
        if (!hour || !minute || *hour > 23 || *minute > 59) {
            return std::string("expected \"daily HH:MM\" with a time from 00:00 to 23:59");
        }
        s.minutes_.set(*hour * 60 + *minute);
        return s;
    }
    if (!w.empty() && w[0] == "every") {
        std::string_view every = w.size() == 2 ? w[1] : std::string_view();
        auto n = every.empty() ? std::nullopt : toNumber(every.substr(0, every.size() - 1));
        if (!n || (every.back() != 'm' && every.back() != 'h') || *n < 1) {
            return std::string(
                "expected \"every N(m|h)\" with N at least 1, e.g. \"every 30m\" or \"every "
                "2h\"");
        }
        const unsigned minutes = every.back() == 'h' ? (*n > 24 ? 1441 : *n * 60) : *n;
        if (minutes > 1440) {
            return std::string(
                "\"every N\" is at most 1440m or 24h, because the times start again at "
                "midnight each day; use a cron expression for a longer period");
        }
        for (unsigned m = 0; m < 1440; m += minutes) {
            s.minutes_.set(m);
        }
        return s;
    }
    if (w.size() != 5) {
        return std::string(
            "expected \"daily HH:MM\", \"every N(m|h)\" or a cron expression of 5 fields "
            "(minute hour day-of-month month day-of-week)");
    }
    std::bitset<60> minute;
    std::bitset<24> hour;
    std::bitset<8> dow;
    s.daysOfMonth_.reset();
    s.months_.reset();
    if (auto p = cronField(w[0], "minute", 0, 59, minute)) {
        return *p;
    }
    if (auto p = cronField(w[1], "hour", 0, 23, hour)) {
        return *p;
    }
    if (auto p = cronField(w[2], "day-of-month", 1, 31, s.daysOfMonth_)) {
        return *p;
    }
    if (auto p = cronField(w[3], "month", 1, 12, s.months_)) {
        return *p;
    }
    if (auto p = cronField(w[4], "day-of-week", 0, 7, dow)) {
        return *p;
    }
    for (unsigned h = 0; h < 24; ++h) {
        for (unsigned m = 0; m < 60; ++m) {
            if (hour[h] && minute[m]) {
                s.minutes_.set(h * 60 + m);
            }
        }
    }
    s.daysOfWeek_.reset();
    for (unsigned d = 0; d < 7; ++d) {
        s.daysOfWeek_[d] = dow[d] || (d == 0 && dow[7]);
    }
    // Vixie cron: a day field "is *" when it starts with '*' ("*/2" included).
    s.dayOfMonthStar_ = w[2].front() == '*';
    s.dayOfWeekStar_ = w[4].front() == '*';
    if (s.dayOfWeekStar_) {
        bool some = false;
        for (unsigned m = 1; m <= 12 && !some; ++m) {
            for (unsigned d = 1; d <= kMaxDays[m] && !some; ++d) {
                some = s.months_[m] && s.daysOfMonth_[d];
            }
        }
        if (!some) {
            return "cron day-of-month field '" + std::string(w[2]) +
                   "': never fires, no day listed occurs in the months '" + std::string(w[3]) + "'";
        }
    }
    return s;
}

bool Schedule::dayMatches(std::int64_t localDay) const {
    const chr::sys_days day{chr::days{localDay}};
    const chr::year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
        return false;
    }
    const bool dom = daysOfMonth_[static_cast<unsigned>(ymd.day())];
    const bool dow = daysOfWeek_[chr::weekday{day}.c_encoding()];
    if (dayOfMonthStar_ || dayOfWeekStar_) {
        return dom && dow;  // the '*' field has every bit set
    }
    return dom || dow;
}

std::int64_t Schedule::resolve(std::int64_t local, const LocalZone& zone) {
    const long before = zone.utcOffset(local - kDay);
    const long after = zone.utcOffset(local + kDay);
    const std::int64_t u1 = local - before;
    const std::int64_t u2 = local - after;
    const bool v1 = u1 + zone.utcOffset(u1) == local;
    const bool v2 = u2 + zone.utcOffset(u2) == local;
    if (v1 && v2) {
        return std::min(u1, u2);  // occurs twice: the first time
    }
    if (v1 || v2) {
        return v1 ? u1 : u2;
    }
    if (u1 == u2) {
        return u1;  // no change of offset around it after all
    }
    // In a gap: the instant the offset changes, i.e. the first local minute after the jump.
    std::int64_t lo = std::min(u1, u2);
    std::int64_t hi = std::max(u1, u2);
    const long atLo = zone.utcOffset(lo);
    while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        (zone.utcOffset(mid) == atLo ? lo : hi) = mid;
    }
    return hi;
}

std::optional<std::int64_t> Schedule::nextAfter(std::int64_t after, const LocalZone& zone) const {
    const std::int64_t today = floorDiv(after + zone.utcOffset(after), kDay);
    for (std::int64_t d = today - 1; d <= today + kHorizonDays; ++d) {
        if (!dayMatches(d)) {
            continue;
        }
        // Most days have one offset from before they start to after they end (a zone's
        // offset is within a day of UTC): then every minute is simply local - offset.
        const long start = zone.utcOffset((d - 1) * kDay);
        const bool steady = start == zone.utcOffset((d + 2) * kDay);
        for (std::size_t m = 0; m < minutes_.size(); ++m) {
            if (!minutes_[m]) {
                continue;
            }
            const std::int64_t local = d * kDay + static_cast<std::int64_t>(m) * 60;
            const std::int64_t at = steady ? local - start : resolve(local, zone);
            if (at > after) {
                return at;
            }
        }
    }
    return std::nullopt;
}

std::string isoUtc(std::int64_t unixSeconds) {
    const std::int64_t day = floorDiv(unixSeconds, kDay);
    const std::int64_t rest = unixSeconds - day * kDay;
    const chr::year_month_day ymd{chr::sys_days{chr::days{day}}};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                  static_cast<int>(rest % 60));
    return buf;
}

}  // namespace misync::daemon
