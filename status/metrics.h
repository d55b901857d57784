// SPEC §9.3: the daemon's metrics in the Prometheus text exposition format (version 0.0.4),
// every metric with # HELP and # TYPE, names prefixed misync_. Counters count since the daemon
// started (as Prometheus counters do); per-school gauges come from the directory at scrape
// time. Thread-safe: runs record into it from workers while the server renders it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/run_record.h"

namespace misync::status {

class Metrics {
  public:
    // Upper bounds of the run duration histogram, in seconds.
    static constexpr std::array<double, 10> kDurationBuckets = {0.05, 0.1, 0.25, 0.5, 1,
                                                                2.5,  5,   10,   30,  60};

    // A run found interrupted (its process died; docs/reliability.md): misync_runs_total only,
    // as nothing of it was applied and how long it ran is not known.
    void runInterrupted(const storage::RunRecord& run);
    // A run ended (any outcome): misync_runs_total, misync_actions_total,
    // misync_run_duration_seconds.
    void runFinished(const storage::RunRecord& run, double seconds);
    // A notification could not be delivered after its retries (misync_notify_failures_total).
    void notifyFailed();

    // Per-school facts read at scrape time.
    struct SchoolGauge {
        std::string school;
        double lastSuccessTimestamp = 0;  // seconds since the epoch; 0 when never
        bool stale = false;
    };
    // The whole exposition: the counters above, misync_last_success_timestamp_seconds,
    // misync_school_stale, misync_queue_length and misync_build_info. A non-empty `onlySchool`
    // keeps only that school's misync_runs_total samples (a school token's view, SPEC §9: the
    // caller passes only that school's gauges too).
    std::string render(const std::vector<SchoolGauge>& schools, std::size_t queueLength,
                       const std::string& version, std::string_view onlySchool = {}) const;

  private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> runs_;  // (school, outcome)
    std::map<std::string, std::uint64_t> actions_;                       // kind
    std::array<std::uint64_t, kDurationBuckets.size()> buckets_{};
    std::uint64_t durationCount_ = 0;
    double durationSum_ = 0;
    std::uint64_t notifyFailures_ = 0;
};

// A Prometheus label value with \, " and newline escaped.
std::string escapeLabel(const std::string& value);

}  // namespace misync::status
