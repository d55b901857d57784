// What `misync status` and the status endpoint's GET /api/v1/schools (SPEC §9) show per school:
// the facts the store reads in one set-based query (SchoolStatusRow, StatusQueries in
// directory.h), the flags derived from them (S3 held, S6 stale, S2 failed, R10 no Digital
// Champion) and the per-school JSON object, shared by the CLI and the HTTP endpoint. P4: nothing
// here holds a password; a run appears as its summary (counts), never with its actions.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/run_record.h"

namespace misync::storage {

struct SchoolStatusRow {
    std::string school;
    // The latest run of any outcome, without its actions; nullopt for a school that never ran.
    std::optional<RunRecord> lastRun;
    // finished_at of the latest run that succeeded (applied or no_change, S2); '' if none did.
    std::string lastSuccessAt;
    // The failed runs at the end of the school's history (0 when the latest run did not fail).
    std::int64_t consecutiveFailures = 0;
    // S3: the latest held run that no later applied or no_change run superseded (a run that used
    // an approval is such a later applied run, with approved_run set).
    std::optional<std::int64_t> heldRun;
    // S6: the latest run carried a stale_extract warning.
    bool staleWarning = false;
    // R10: the school's active accounts with digital_champion set.
    std::int64_t digitalChampions = 0;
};

struct StatusFlags {
    bool held = false;               // S3: an unsuperseded held run exists
    bool stale = false;              // S6: see statusFlags()
    bool failed = false;             // S2: the latest run failed
    bool noDigitalChampion = false;  // R10: no active Digital Champion

    // "held", "stale", "failed", "no_digital_champion": those set, in this order.
    std::vector<std::string> names() const;
    bool any() const { return held || stale || failed || noDigitalChampion; }
};

// S6: stale when the latest run warned stale_extract, or when the last successful run finished
// more than `staleAfter` before `now` (wall clock; an unreadable finish time counts as old). A
// school that never succeeded is not stale: it is failed, held or never run instead.
StatusFlags statusFlags(const SchoolStatusRow& row, std::chrono::hours staleAfter,
                        std::chrono::system_clock::time_point now);

// The per-school object of GET /api/v1/schools (SPEC §9): school, name, last_run (run_id,
// outcome, as_of, started_at, finished_at, counts) or null, last_success_at or null,
// consecutive_failures, held_run or null, stale, digital_champions, next_run_at (`nextRunAt`,
// null when empty: only the daemon's scheduler knows it) and flags (StatusFlags::names()).
boost::json::object schoolStatusToJson(const SchoolStatusRow& row, std::string_view name,
                                       const StatusFlags& flags, std::string_view nextRunAt = "");

// An ISO-8601 time as the store writes them ("2026-11-28T06:30:00Z"): date, 'T' or ' ', HH:MM:SS,
// an optional fraction, then 'Z', an offset ±HH:MM / ±HHMM, or nothing (UTC). nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parseTimestamp(std::string_view text);

}  // namespace misync::storage
