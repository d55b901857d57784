// SPEC §9.1 notification delivery (daemon/notify.h) with a fake sender and short retry waits:
// retries with backoff, giving up (logged and counted), per-target order, the bounded queue,
// and the stop. Waits are for conditions with generous timeouts, never a fixed sleep.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/notify.h"

using misync::daemon::Notifier;
using misync::daemon::NotifyConfig;
using misync::daemon::PostResult;
using misync::daemon::RetryPolicy;
using misync::status::Metrics;
using misync::storage::RunRecord;
using namespace std::chrono_literals;
using testing::ElementsAre;
using testing::HasSubstr;

namespace {

NotifyConfig target(const std::string& url) {
    NotifyConfig n;
    n.url = url;
    n.scheme = "http";
    n.host = "receiver.test";
    n.port = "80";
    n.target = "/";
    return n;
}

RunRecord run(std::int64_t id, const std::string& school, bool fail) {
    RunRecord r;
    r.id = id;
    r.school = school;
    r.outcome = fail ? "failed" : "applied";
    if (fail) {
        // A new reason every time (numbers alone would not make one: notify_state.h).
        r.errors.push_back({"source_unreadable", "students.xml", 0,
                            "reason " + std::string(static_cast<std::size_t>(id), 'x')});
    }
    return r;
}

// A sender that answers from a script (then `rest`), records what it got, and can be held.
class FakeReceiver {
  public:
    std::vector<PostResult> script;
    PostResult rest{true, false, ""};

    Notifier::Sender sender() {
        return [this](const NotifyConfig& t, const std::string& body, std::chrono::milliseconds) {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return !held_; });
            auto v = boost::json::parse(body);
            got_.push_back(t.url + " " + std::string(v.at("notification").at("event").as_string()) +
                           " " + std::to_string(v.at("run_id").as_int64()));
            wake_.notify_all();
            if (next_ < script.size()) {
                return script[next_++];
            }
            return rest;
        };
    }
    void hold(bool on) {
        std::lock_guard<std::mutex> lock(mutex_);
        held_ = on;
        wake_.notify_all();
    }
    // Waits (up to 30 s) for `n` attempts in all; returns what they were.
    std::vector<std::string> await(std::size_t n) {
        std::unique_lock<std::mutex> lock(mutex_);
        EXPECT_TRUE(wake_.wait_for(lock, 30s, [&] { return got_.size() >= n; }))
            << "only " << got_.size() << " of " << n << " attempts";
        return got_;
    }
    std::size_t attempts() {
        std::lock_guard<std::mutex> lock(mutex_);
        return got_.size();
    }

  private:
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::string> got_;
    std::size_t next_ = 0;
    bool held_ = false;
};

const RetryPolicy kFast{10ms, 40ms, 4, 1000ms};

std::string failuresLine(const Metrics& m) {
    const std::string text = m.render({}, 0, "test");
    const auto at = text.find("\nmisync_notify_failures_total ");
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

// Waits (up to 30 s) for the failure counter to reach `n`.
void awaitFailures(const Metrics& m, int n) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (failuresLine(m) != "misync_notify_failures_total " + std::to_string(n) &&
           std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(failuresLine(m), "misync_notify_failures_total " + std::to_string(n));
}

TEST(Notifier, RetryPolicyDoublesUpToTheLongestWait) {
    RetryPolicy p;
    EXPECT_EQ(p.delayAfter(1), 1s);
    EXPECT_EQ(p.delayAfter(2), 2s);
    EXPECT_EQ(p.delayAfter(4), 8s);
    EXPECT_EQ(p.delayAfter(20), 300s);
}

TEST(Notifier, AFailedAttemptIsRetriedUntilDelivered) {
    Metrics metrics;
    FakeReceiver r;
    r.script = {{false, true, "HTTP 500"}, {false, true, "connection refused"}};
    Notifier n(metrics, r.sender(), kFast);
    n.setTargets({target("http://a/")});
    n.start();
    n.runFinished(run(1, "6612345", true));
    EXPECT_THAT(r.await(3),
                ElementsAre("http://a/ failed 1", "http://a/ failed 1", "http://a/ failed 1"));
    EXPECT_TRUE(n.stop(std::chrono::steady_clock::now() + 5s));
    EXPECT_EQ(r.attempts(), 3u);
    EXPECT_EQ(failuresLine(metrics), "misync_notify_failures_total 0");
}

TEST(Notifier, GivingUpIsCountedAfterTheLastAttemptOrAnAnswerNotWorthRetrying) {
    Metrics metrics;
    FakeReceiver r;
    r.rest = {false, true, "HTTP 503"};
    Notifier n(metrics, r.sender(), kFast);
    n.setTargets({target("http://a/")});
    n.start();
    n.runFinished(run(1, "6612345", true));
    r.await(4);  // kFast.attempts
    awaitFailures(metrics, 1);
    r.rest = {false, false, "HTTP 401"};  // not retried
    n.runFinished(run(2, "6612345", true));
    r.await(5);
    awaitFailures(metrics, 2);
    EXPECT_TRUE(n.stop(std::chrono::steady_clock::now() + 5s));
    EXPECT_EQ(r.attempts(), 5u);
}

TEST(Notifier, ATargetsNotificationsGoOutInOrderAndTargetsDoNotWaitForEachOther) {
    Metrics metrics;
    FakeReceiver r;
    // The first attempt (to a, for run 1) fails; b is not held up by a's retry.
    r.script = {{false, true, "HTTP 500"}};
    Notifier n(metrics, r.sender(), RetryPolicy{300ms, 300ms, 3, 1000ms});
    n.setTargets({target("http://a/"), target("http://b/")});
    n.start();
    n.runFinished(run(1, "6612345", true));
    n.runFinished(run(2, "6612345", false));  // recovered, queued behind a's retry
    auto got = r.await(5);
    EXPECT_EQ(got[0], "http://a/ failed 1");
    // a's failure is sent again before its recovery; b gets both in order meanwhile.
    std::vector<std::string> a;
    std::vector<std::string> b;
    for (const auto& g : got) {
        (g.rfind("http://a/", 0) == 0 ? a : b).push_back(g);
    }
    EXPECT_THAT(a,
                ElementsAre("http://a/ failed 1", "http://a/ failed 1", "http://a/ recovered 2"));
    EXPECT_THAT(b, ElementsAre("http://b/ failed 1", "http://b/ recovered 2"));
    EXPECT_TRUE(n.stop(std::chrono::steady_clock::now() + 5s));
}

TEST(Notifier, AFullQueueDropsTheOldestAndCountsIt) {
    Metrics metrics;
    FakeReceiver r;
    r.hold(true);
    Notifier n(metrics, r.sender(), kFast);
    n.setTargets({target("http://a/")});
    n.start();
    // Each run alternates failed and applied: every one is news.
    const std::size_t total = Notifier::kQueuePerTarget + 10;
    for (std::size_t i = 1; i <= total; ++i) {
        n.runFinished(run(static_cast<std::int64_t>(i), "6612345", i % 2 == 1));
    }
    EXPECT_EQ(n.waiting(), Notifier::kQueuePerTarget);
    EXPECT_EQ(failuresLine(metrics), "misync_notify_failures_total 10");
    r.hold(false);
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (n.waiting() > 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(5ms);
    }
    auto got = r.await(Notifier::kQueuePerTarget);
    EXPECT_EQ(got.size(), Notifier::kQueuePerTarget);
    EXPECT_THAT(got.back(), HasSubstr(" " + std::to_string(total)));
    EXPECT_TRUE(n.stop(std::chrono::steady_clock::now() + 5s));
}

TEST(Notifier, StoppingTriesWhatWaitsOnceAndDropsWhatTheBoundLeaves) {
    Metrics metrics;
    FakeReceiver r;
    r.rest = {false, true, "HTTP 500"};
    Notifier n(metrics, r.sender(), RetryPolicy{60s, 60s, 5, 1000ms});
    n.setTargets({target("http://a/")});
    n.start();
    n.runFinished(run(1, "6612345", true));
    r.await(1);  // failed once; its retry is a minute away
    r.rest = {true, false, ""};
    EXPECT_TRUE(n.stop(std::chrono::steady_clock::now() + 5s));
    EXPECT_EQ(r.attempts(), 2u);  // one more attempt at the stop, delivered
    EXPECT_EQ(failuresLine(metrics), "misync_notify_failures_total 0");

    // An attempt still under way at the bound: stop() says so and returns; what waits behind
    // it is dropped and counted once the attempt ends.
    Metrics late;
    FakeReceiver r2;
    r2.hold(true);
    Notifier n2(late, r2.sender(), kFast);
    n2.setTargets({target("http://a/")});
    n2.start();
    n2.runFinished(run(1, "6612345", true));
    n2.runFinished(run(2, "6612345", false));
    EXPECT_FALSE(n2.stop(std::chrono::steady_clock::now() + 100ms));
    r2.hold(false);
    awaitFailures(late, 1);
    EXPECT_EQ(r2.attempts(), 1u);
}

}  // namespace
