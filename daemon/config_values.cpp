// Value rules of SPEC §7 that need more than a type and a range: schedules, mail domains,
// month-days and listen addresses. Pure functions, so the scheduler and tests can use them.
#include "daemon/config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace misync::daemon {
namespace {

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

// One cron field: a list of `*`, `n` or `a-b`, each optionally with `/step`.
std::optional<std::string> cronFieldProblem(std::string_view field, std::string_view name,
                                            unsigned min, unsigned max) {
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
        if (auto slash = item.find('/'); slash != item.npos) {
            base = item.substr(0, slash);
            auto step = toNumber(item.substr(slash + 1));
            if (!step || *step < 1 || *step > max) {
                return bad("a step must be a number from 1");
            }
        }
        if (base == "*") {
            continue;
        }
        auto dash = base.find('-');
        auto low = toNumber(base.substr(0, dash));
        auto high = dash == base.npos ? low : toNumber(base.substr(dash + 1));
        if (!low || !high) {
            return bad("expected *, a number, or a range a-b");
        }
        if (*low < min || *high > max || *low > *high) {
            return bad("out of range");
        }
    }
    return std::nullopt;
}

}  // namespace

bool isEmailDomain(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find('.') == s.npos ||
        s.find("..") != s.npos) {
        return false;
    }
    return std::none_of(s.begin(), s.end(), [](char c) {
        return c == '@' || c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x20;
    });
}

std::optional<reconcile::MonthDay> parseMonthDay(std::string_view s) {
    static constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s.size() != 5 || s[2] != '-') {
        return std::nullopt;
    }
    auto month = toNumber(s.substr(0, 2));
    auto day = toNumber(s.substr(3, 2));
    if (!month || !day || *month < 1 || *month > 12 || *day < 1 || *day > kDays[*month - 1]) {
        return std::nullopt;
    }
    return reconcile::MonthDay{*month, *day};
}

std::optional<std::string> scheduleProblem(std::string_view s) {
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == ' ' || s[i] == '\t') {
            ++i;
            continue;
        }
        std::size_t end = s.find_first_of(" \t", i);
        end = end == s.npos ? s.size() : end;
        words.push_back(s.substr(i, end - i));
        i = end;
    }
    if (!words.empty() && words[0] == "daily") {
        auto colon = words.size() == 2 ? words[1].find(':') : std::string_view::npos;
        if (colon == std::string_view::npos || colon == 0 || colon > 2 ||
            words[1].size() != colon + 3) {
            return "expected \"daily HH:MM\"";
        }
        auto hour = toNumber(words[1].substr(0, colon));
        auto minute = toNumber(words[1].substr(colon + 1));
        if (!hour || !minute || *hour > 23 || *minute > 59) {
            return "expected \"daily HH:MM\" with a time from 00:00 to 23:59";
        }
        return std::nullopt;
    }
    if (!words.empty() && words[0] == "every") {
        std::string_view every = words.size() == 2 ? words[1] : std::string_view();
        auto n = every.empty() ? std::nullopt : toNumber(every.substr(0, every.size() - 1));
        if (!n || (every.back() != 'm' && every.back() != 'h') || *n < 1) {
            return "expected \"every N(m|h)\" with N at least 1, e.g. \"every 30m\" or \"every "
                   "2h\"";
        }
        return std::nullopt;
    }
    if (words.size() == 5) {
        struct Range {
            std::string_view name;
            unsigned min;
            unsigned max;
        };
        static constexpr std::array<Range, 5> kFields{{{"minute", 0, 59},
                                                       {"hour", 0, 23},
                                                       {"day-of-month", 1, 31},
                                                       {"month", 1, 12},
                                                       {"day-of-week", 0, 7}}};
        for (std::size_t i = 0; i < kFields.size(); ++i) {
            if (auto p =
                    cronFieldProblem(words[i], kFields[i].name, kFields[i].min, kFields[i].max)) {
                return p;
            }
        }
        return std::nullopt;
    }
    return "expected \"daily HH:MM\", \"every N(m|h)\" or a cron expression of 5 fields "
           "(minute hour day-of-month month day-of-week)";
}

bool isListenAddress(std::string_view s) {
    auto colon = s.rfind(':');
    if (colon == s.npos || colon == 0) {
        return false;
    }
    std::string_view host = s.substr(0, colon);
    auto port = toNumber(s.substr(colon + 1));
    bool bracketed = host.front() == '[';
    if (bracketed != (host.back() == ']') || (bracketed && host.size() < 3) ||
        (!bracketed && host.find(':') != host.npos)) {
        return false;
    }
    return port && *port >= 1 && *port <= 65535;
}

}  // namespace misync::daemon
