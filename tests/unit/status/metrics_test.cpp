// SPEC §9.3: the Prometheus text exposition of the daemon's metrics.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "status/metrics.h"

using namespace misync;

namespace {

storage::RunRecord run(const std::string& school, const std::string& outcome, int created) {
    storage::RunRecord r;
    r.school = school;
    r.outcome = outcome;
    r.counts["create"] = static_cast<std::uint64_t>(created);
    r.counts["membership_add"] = static_cast<std::uint64_t>(created * 2);
    return r;
}

}  // namespace

TEST(Metrics, CountsRunsActionsAndDurationsSinceStart) {
    status::Metrics m;
    m.runFinished(run("6612345", "applied", 3), 0.2);
    m.runFinished(run("6612345", "applied", 1), 7);
    m.runFinished(run("6612346", "held", 50), 0.01);  // a held run applied nothing
    m.notifyFailed();
    const std::string text =
        m.render({{"6612345", 1764570600, false}, {"6612346", 0, true}}, 2, "0.1.0");
    auto has = [&](const std::string& line) {
        EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n" << text;
    };
    has("misync_runs_total{school=\"6612345\",outcome=\"applied\"} 2");
    has("misync_runs_total{school=\"6612346\",outcome=\"held\"} 1");
    has("misync_actions_total{kind=\"create\"} 4");
    has("misync_actions_total{kind=\"membership_add\"} 8");
    has("misync_run_duration_seconds_bucket{le=\"0.05\"} 1");
    has("misync_run_duration_seconds_bucket{le=\"0.25\"} 2");
    has("misync_run_duration_seconds_bucket{le=\"10\"} 3");
    has("misync_run_duration_seconds_bucket{le=\"+Inf\"} 3");
    has("misync_run_duration_seconds_count 3");
    has("misync_last_success_timestamp_seconds{school=\"6612345\"} 1764570600");
    has("misync_school_stale{school=\"6612346\"} 1");
    has("misync_queue_length 2");
    has("misync_notify_failures_total 1");
    has("misync_build_info{version=\"0.1.0\"} 1");
    EXPECT_EQ(text.find("misync_last_success_timestamp_seconds{school=\"6612346\"}"),
              std::string::npos)
        << "no sample for a school that never succeeded";
}

// Every sample belongs to a metric announced with # HELP and # TYPE before it, names follow
// Prometheus's conventions, and label values are escaped.
TEST(Metrics, TheExpositionIsWellFormed) {
    status::Metrics m;
    m.runFinished(run("66\"1\\2\n", "failed", 0), 1);
    const std::string text = m.render({}, 0, "1.2.3");
    std::istringstream in(text);
    std::string line;
    std::set<std::string> typed;
    std::set<std::string> helped;
    const std::regex sample(
        R"(^(misync_[a-z_]+?)(_bucket|_sum|_count)?(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? -?[0-9.e+]+$)");
    while (std::getline(in, line)) {
        std::smatch m2;
        if (line.rfind("# HELP ", 0) == 0) {
            helped.insert(line.substr(7, line.find(' ', 7) - 7));
        } else if (line.rfind("# TYPE ", 0) == 0) {
            const std::string name = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_EQ(helped.count(name), 1u) << "HELP before TYPE: " << name;
            typed.insert(name);
        } else {
            ASSERT_TRUE(std::regex_match(line, m2, sample)) << line;
            std::string name = m2[1];
            if (typed.count(name) == 0) {
                name += m2[2];
            }
            EXPECT_EQ(typed.count(name), 1u) << "a sample of an unannounced metric: " << line;
        }
    }
    EXPECT_NE(text.find("school=\"66\\\"1\\\\2\\n\""), std::string::npos) << text;
    for (const char* name :
         {"misync_runs_total", "misync_actions_total", "misync_run_duration_seconds",
          "misync_last_success_timestamp_seconds", "misync_school_stale", "misync_queue_length",
          "misync_notify_failures_total", "misync_build_info"}) {
        EXPECT_EQ(typed.count(name), 1u) << name;
    }
}
