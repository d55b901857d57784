#include "storage/school_status.h"

#include <cctype>

#include "core/date.h"

namespace misync::storage {

namespace json = boost::json;
namespace chr = std::chrono;

std::vector<std::string> StatusFlags::names() const {
    std::vector<std::string> out;
    if (held) {
        out.emplace_back("held");
    }
    if (stale) {
        out.emplace_back("stale");
    }
    if (failed) {
        out.emplace_back("failed");
    }
    if (noDigitalChampion) {
        out.emplace_back("no_digital_champion");
    }
    return out;
}

namespace {

// Exactly `n` digits at `text[at]`, as a number; -1 otherwise.
int digits(std::string_view text, std::size_t at, std::size_t n) {
    if (at + n > text.size()) {
        return -1;
    }
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
            return -1;
        }
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

}  // namespace

std::optional<chr::system_clock::time_point> parseTimestamp(std::string_view text) {
    if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
        text[16] != ':') {
        return std::nullopt;
    }
    auto date = core::parseIsoDate(text.substr(0, 10));
    const int h = digits(text, 11, 2);
    const int m = digits(text, 14, 2);
    const int s = digits(text, 17, 2);
    if (!date || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        ++at;
        const std::size_t start = at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) {
            ++at;
        }
        if (at == start) {
            return std::nullopt;
        }
    }
    chr::minutes offset{0};
    if (at < text.size()) {
        const std::string_view zone = text.substr(at);
        if (zone == "Z") {
            // UTC
        } else if ((zone[0] == '+' || zone[0] == '-') && (zone.size() == 6 || zone.size() == 5)) {
            const int oh = digits(zone, 1, 2);
            const int om = digits(zone, zone.size() == 6 ? 4 : 3, 2);
            if (oh < 0 || om < 0 || (zone.size() == 6 && zone[3] != ':')) {
                return std::nullopt;
            }
            offset = chr::minutes(oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
        } else {
            return std::nullopt;
        }
    }
    const chr::sys_days day{chr::days(date->days())};
    return chr::system_clock::time_point{day + chr::hours(h) + chr::minutes(m) + chr::seconds(s) -
                                         offset};
}

StatusFlags statusFlags(const SchoolStatusRow& row, chr::hours staleAfter,
                        chr::system_clock::time_point now) {
    StatusFlags f;
    f.held = row.heldRun.has_value();
    f.failed = row.lastRun && row.lastRun->outcome == "failed";
    f.noDigitalChampion = row.digitalChampions == 0;
    f.stale = row.staleWarning;
    if (!row.lastSuccessAt.empty()) {
        auto finished = parseTimestamp(row.lastSuccessAt);
        f.stale = f.stale || !finished || now - *finished > staleAfter;
    }
    return f;
}

json::object schoolStatusToJson(const SchoolStatusRow& row, std::string_view name,
                                const StatusFlags& flags, std::string_view nextRunAt) {
    json::object o;
    o["school"] = row.school;
    o["name"] = name;
    if (row.lastRun) {
        const RunRecord& r = *row.lastRun;
        o["last_run"] = json::object{{"run_id", r.id},
                                     {"outcome", r.outcome},
                                     {"as_of", r.asOf},
                                     {"started_at", r.startedAt},
                                     {"finished_at", r.finishedAt},
                                     {"counts", countsToJson(r.counts)}};
    } else {
        o["last_run"] = nullptr;
    }
    if (row.lastSuccessAt.empty()) {
        o["last_success_at"] = nullptr;
    } else {
        o["last_success_at"] = row.lastSuccessAt;
    }
    o["consecutive_failures"] = row.consecutiveFailures;
    if (row.heldRun) {
        o["held_run"] = *row.heldRun;
    } else {
        o["held_run"] = nullptr;
    }
    o["stale"] = flags.stale;
    o["digital_champions"] = row.digitalChampions;
    if (nextRunAt.empty()) {
        o["next_run_at"] = nullptr;
    } else {
        o["next_run_at"] = nextRunAt;
    }
    json::array names;
    for (const auto& n : flags.names()) {
        names.emplace_back(n);
    }
    o["flags"] = std::move(names);
    return o;
}

}  // namespace misync::storage
