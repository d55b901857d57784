// Value rules of SPEC §7 that need more than a type and a range: schedules (parsed by
// daemon/schedule.cpp), mail domains, month-days and listen addresses. Pure functions, so the
// scheduler and tests can use them.
#include "daemon/config.h"

#include "daemon/schedule.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <variant>

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
    auto parsed = Schedule::parse(s);  // one parser for the loader and the scheduler
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        return *problem;
    }
    return std::nullopt;
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
    return port && *port <= 65535;
}

}  // namespace misync::daemon
