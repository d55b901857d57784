#include "status/metrics.h"

#include <charconv>
#include <sstream>

namespace misync::status {

namespace {

// The shortest text that reads back as the same double ("0.05", "1764570600").
std::string number(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

}  // namespace

std::string escapeLabel(const std::string& value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void Metrics::runFinished(const storage::RunRecord& run, double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++runs_[{run.school, run.outcome}];
    if (run.outcome == "applied") {
        for (std::size_t i = 0; i < reconcile::kCountKeys.size(); ++i) {
            if (run.counts.values[i] != 0) {
                actions_[std::string(reconcile::kCountKeys[i])] += run.counts.values[i];
            }
        }
    }
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
        if (seconds <= kDurationBuckets[i]) {
            ++buckets_[i];
        }
    }
    ++durationCount_;
    durationSum_ += seconds;
}

void Metrics::runInterrupted(const storage::RunRecord& run) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++runs_[{run.school, run.outcome}];
}

void Metrics::notifyFailed() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++notifyFailures_;
}

std::string Metrics::render(const std::vector<SchoolGauge>& schools, std::size_t queueLength,
                            const std::string& version, std::string_view onlySchool) const {
    std::ostringstream out;
    std::lock_guard<std::mutex> lock(mutex_);
    header(out, "misync_runs_total", "counter", "Runs since the daemon started, by outcome.");
    for (const auto& [key, n] : runs_) {
        if (!onlySchool.empty() && key.first != onlySchool) {
            continue;
        }
        out << "misync_runs_total{school=\"" << escapeLabel(key.first) << "\",outcome=\""
            << escapeLabel(key.second) << "\"} " << n << "\n";
    }
    header(out, "misync_actions_total", "counter",
           "Actions applied since the daemon started, by kind.");
    for (const auto& [kind, n] : actions_) {
        out << "misync_actions_total{kind=\"" << escapeLabel(kind) << "\"} " << n << "\n";
    }
    header(out, "misync_run_duration_seconds", "histogram", "How long runs took.");
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
        out << "misync_run_duration_seconds_bucket{le=\"" << number(kDurationBuckets[i]) << "\"} "
            << buckets_[i] << "\n";
    }
    out << "misync_run_duration_seconds_bucket{le=\"+Inf\"} " << durationCount_ << "\n";
    out << "misync_run_duration_seconds_sum " << number(durationSum_) << "\n";
    out << "misync_run_duration_seconds_count " << durationCount_ << "\n";
    header(out, "misync_last_success_timestamp_seconds", "gauge",
           "When each school's last successful run finished (seconds since the epoch).");
    for (const auto& s : schools) {
        if (s.lastSuccessTimestamp > 0) {
            out << "misync_last_success_timestamp_seconds{school=\"" << escapeLabel(s.school)
                << "\"} " << number(s.lastSuccessTimestamp) << "\n";
        }
    }
    header(out, "misync_school_stale", "gauge",
           "1 when the school's extract or last successful run is stale (S6).");
    for (const auto& s : schools) {
        out << "misync_school_stale{school=\"" << escapeLabel(s.school) << "\"} "
            << (s.stale ? 1 : 0) << "\n";
    }
    header(out, "misync_queue_length", "gauge", "Runs waiting for a worker.");
    out << "misync_queue_length " << queueLength << "\n";
    header(out, "misync_notify_failures_total", "counter",
           "Notifications that could not be delivered after their retries.");
    out << "misync_notify_failures_total " << notifyFailures_ << "\n";
    header(out, "misync_build_info", "gauge", "The misync version, as a label; always 1.");
    out << "misync_build_info{version=\"" << escapeLabel(version) << "\"} 1\n";
    return out.str();
}

}  // namespace misync::status
