#include "storage/school_status.h"

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

std::optional<chr::system_clock::time_point> parseTimestamp(std::string_view text) {
    auto seconds = core::parseTimestamp(text);
    if (!seconds) {
        return std::nullopt;
    }
    return chr::system_clock::time_point{chr::seconds(*seconds)};
}

StatusFlags statusFlags(const SchoolStatusRow& row, chr::hours staleAfter,
                        chr::system_clock::time_point now) {
    StatusFlags f;
    f.held = row.heldRun.has_value();
    f.failed =
        row.lastRun && (row.lastRun->outcome == "failed" || row.lastRun->outcome == "interrupted");
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
        // SPEC §9 names the run's number `id`; `run_id` is the name every RUN object uses.
        o["last_run"] = json::object{{"id", r.id},
                                     {"run_id", r.id},
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
