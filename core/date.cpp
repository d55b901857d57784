#include "core/date.h"

#include "core/text.h"

#include <chrono>
#include <cstdio>

namespace misync::core {

namespace {

namespace chr = std::chrono;

chr::year_month_day ymd(int days) {
    return chr::year_month_day{chr::sys_days{chr::days{days}}};
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Reads exactly `width` digits at `pos`.
std::optional<int> digits(std::string_view s, size_t pos, size_t width) {
    if (pos + width > s.size()) {
        return std::nullopt;
    }
    int v = 0;
    for (size_t i = pos; i < pos + width; ++i) {
        if (!isDigit(s[i])) {
            return std::nullopt;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

std::optional<Date> makeDate(int y, int m, int d) {
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) {
        return std::nullopt;
    }
    chr::year_month_day v{chr::year{y}, chr::month{static_cast<unsigned>(m)},
                          chr::day{static_cast<unsigned>(d)}};
    if (!v.ok()) {
        return std::nullopt;
    }
    return Date::fromDays(static_cast<int>(chr::sys_days{v}.time_since_epoch().count()));
}

// The time part after a date: THH:MM[:SS[.fff]][Z|±HH:MM|±HHMM] or ' HH:MM[:SS[.fff]]'.
bool validTimeSuffix(std::string_view t) {
    if (t.empty()) {
        return true;
    }
    if (t[0] != 'T' && t[0] != ' ') {
        return false;
    }
    size_t p = 1;
    auto hh = digits(t, p, 2);
    if (!hh || *hh > 23 || p + 2 >= t.size() || t[p + 2] != ':') {
        return false;
    }
    auto mm = digits(t, p + 3, 2);
    if (!mm || *mm > 59) {
        return false;
    }
    p += 5;
    if (p < t.size() && t[p] == ':') {
        auto ss = digits(t, p + 1, 2);
        if (!ss || *ss > 60) {
            return false;
        }
        p += 3;
        if (p < t.size() && (t[p] == '.' || t[p] == ',')) {
            ++p;
            size_t start = p;
            while (p < t.size() && isDigit(t[p])) {
                ++p;
            }
            if (p == start) {
                return false;
            }
        }
    }
    if (p == t.size()) {
        return true;
    }
    if (t[p] == 'Z' || t[p] == 'z') {
        return p + 1 == t.size();
    }
    if (t[p] == '+' || t[p] == '-') {
        std::string_view off = t.substr(p + 1);
        if (off.size() == 5 && off[2] == ':') {
            return digits(off, 0, 2) && digits(off, 3, 2);
        }
        if (off.size() == 4 || off.size() == 2) {
            return digits(off, 0, off.size()).has_value();
        }
    }
    return false;
}

}  // namespace

Date Date::fromYmd(int year, unsigned month, unsigned day) {
    chr::year_month_day v{chr::year{year}, chr::month{month}, chr::day{day}};
    return fromDays(static_cast<int>(chr::sys_days{v}.time_since_epoch().count()));
}

int Date::year() const {
    return static_cast<int>(ymd(days_).year());
}
unsigned Date::month() const {
    return static_cast<unsigned>(ymd(days_).month());
}
unsigned Date::day() const {
    return static_cast<unsigned>(ymd(days_).day());
}

std::string Date::toString() const {
    const int y = year();
    if (y < 0 || y > 9999) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, month(), day());
        return buf;
    }
    // Without snprintf (issue 8: the planner formats three dates of every person it compares).
    const unsigned m = month();
    const unsigned d = day();
    std::string out(10, '-');
    out[0] = static_cast<char>('0' + y / 1000);
    out[1] = static_cast<char>('0' + y / 100 % 10);
    out[2] = static_cast<char>('0' + y / 10 % 10);
    out[3] = static_cast<char>('0' + y % 10);
    out[5] = static_cast<char>('0' + m / 10);
    out[6] = static_cast<char>('0' + m % 10);
    out[8] = static_cast<char>('0' + d / 10);
    out[9] = static_cast<char>('0' + d % 10);
    return out;
}

std::optional<Date> parseIsoDate(std::string_view s) {
    s = trim(s);
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return std::nullopt;
    }
    auto y = digits(s, 0, 4);
    auto m = digits(s, 5, 2);
    auto d = digits(s, 8, 2);
    if (!y || !m || !d) {
        return std::nullopt;
    }
    return makeDate(*y, *m, *d);
}

std::optional<Date> parseDate(std::string_view s) {
    s = trim(s);
    if (s.size() >= 10 && s[4] == '-') {
        if (!validTimeSuffix(s.substr(10))) {
            return std::nullopt;
        }
        return parseIsoDate(s.substr(0, 10));
    }
    // D/M/YYYY, one or two digits for day and month.
    size_t a = s.find('/');
    if (a == std::string_view::npos || a == 0 || a > 2) {
        return std::nullopt;
    }
    size_t b = s.find('/', a + 1);
    if (b == std::string_view::npos || b - a - 1 == 0 || b - a - 1 > 2 || s.size() - b - 1 != 4) {
        return std::nullopt;
    }
    auto d = digits(s, 0, a);
    auto m = digits(s, a + 1, b - a - 1);
    auto y = digits(s, b + 1, 4);
    if (!d || !m || !y) {
        return std::nullopt;
    }
    return makeDate(*y, *m, *d);
}

Date today() {
    auto now = chr::floor<chr::days>(chr::system_clock::now());
    return Date::fromDays(static_cast<int>(now.time_since_epoch().count()));
}

std::optional<long long> parseTimestamp(std::string_view text) {
    if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
        text[16] != ':') {
        return std::nullopt;
    }
    auto date = parseIsoDate(text.substr(0, 10));
    auto h = digits(text, 11, 2);
    auto m = digits(text, 14, 2);
    auto sec = digits(text, 17, 2);
    if (!date || !h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        const std::size_t start = ++at;
        while (at < text.size() && isDigit(text[at])) {
            ++at;
        }
        if (at == start) {
            return std::nullopt;
        }
    }
    long long offset = 0;  // seconds east of UTC
    if (at < text.size()) {
        const std::string_view zone = text.substr(at);
        if (zone != "Z") {
            if ((zone[0] != '+' && zone[0] != '-') || (zone.size() != 6 && zone.size() != 5) ||
                (zone.size() == 6 && zone[3] != ':')) {
                return std::nullopt;
            }
            auto oh = digits(zone, 1, 2);
            auto om = digits(zone, zone.size() == 6 ? 4 : 3, 2);
            if (!oh || !om) {
                return std::nullopt;
            }
            offset = (*oh * 3600LL + *om * 60LL) * (zone[0] == '-' ? -1 : 1);
        }
    }
    return static_cast<long long>(date->days()) * 86400 + *h * 3600LL + *m * 60LL + *sec - offset;
}

std::string nowIso() {
    auto now = chr::floor<chr::seconds>(chr::system_clock::now());
    auto day = chr::floor<chr::days>(now);
    chr::hh_mm_ss hms{now - day};
    Date d = Date::fromDays(static_cast<int>(day.time_since_epoch().count()));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", d.toString().c_str(),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

}  // namespace misync::core
