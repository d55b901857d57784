// SPEC §9.1 notifications, the delivery part: for each [[notify]] target, what AlertRules
// (daemon/notify_state.h) says is news is POSTed on the notifier's own thread, so a slow or
// dead receiver never holds up a run.
//  - Each target has a bounded queue (kQueuePerTarget): when it is full the oldest waiting
//    notification is dropped, logged and counted (misync_notify_failures_total).
//  - A target's notifications go out in order. A failed attempt (no answer, a timeout, 408,
//    429 or 5xx) is retried after 1 s, 2 s, 4 s … (RetryPolicy), up to `attempts` in all; any
//    other answer, or the last failed attempt, gives up: logged and counted.
//  - Logs name a target by its origin (scheme://host:port), never its path, query or token.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/config.h"
#include "daemon/http_post.h"
#include "daemon/notify_state.h"
#include "status/metrics.h"
#include "storage/run_record.h"

namespace misync::daemon {

struct RetryPolicy {
    std::chrono::milliseconds first{1000};      // the wait after the first failed attempt
    std::chrono::milliseconds longest{300000};  // waits double up to this
    int attempts = 8;                           // in all, the first included
    std::chrono::milliseconds timeout{10000};   // per attempt
    // The wait after `failed` failed attempts (1, 2, …).
    std::chrono::milliseconds delayAfter(int failed) const;
};

class Notifier {
  public:
    using Clock = std::chrono::steady_clock;
    using Sender = std::function<PostResult(const NotifyConfig&, const std::string& body,
                                            std::chrono::milliseconds timeout)>;
    static constexpr std::size_t kQueuePerTarget = 64;

    explicit Notifier(status::Metrics& metrics, Sender sender = postJson, RetryPolicy policy = {});
    ~Notifier();  // stops at once (what waits is dropped)
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // The targets of the configuration in force (start-up and each reload). A target whose URL
    // stays keeps what it knows and what waits for it; a removed target's queue is dropped.
    void setTargets(const std::vector<NotifyConfig>& targets);
    // Where a school stands (its latest run), for every target that has not seen it yet (at
    // start-up: all of them); announces nothing.
    void seed(const std::string& school, const SchoolCondition& condition);
    void start();
    // A run ended: queues what each target should hear. Never blocks on delivery.
    void runFinished(const storage::RunRecord& run);
    // Takes no more; each notification still waiting gets one more attempt while time remains
    // before `deadline` (no retries); whatever is left is dropped, logged and counted. True
    // when the thread ended by `deadline` (joined); false when an attempt is still under way.
    bool stop(Clock::time_point deadline);

    // Notifications waiting, all targets together.
    std::size_t waiting() const;

  private:
    struct Pending {
        std::uint64_t id = 0;
        std::string school;
        std::string event;
        std::string body;
        int attempts = 0;
        Clock::time_point due{};
    };
    struct Target {
        NotifyConfig config;
        AlertRules rules;
        std::deque<Pending> queue;
    };
    void loop();
    void giveUp(const Target& t, const Pending& p, const std::string& why);
    // The target whose first notification is due soonest; `due` set to when.
    std::shared_ptr<Target> nextDue(Clock::time_point& due) const;
    bool isCurrent(const std::shared_ptr<Target>& t) const;

    status::Metrics& metrics_;
    Sender sender_;
    RetryPolicy policy_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::shared_ptr<Target>> targets_;
    std::uint64_t nextId_ = 0;
    std::uint64_t inFlight_ = 0;  // the notification being sent (0: none)
    bool stopping_ = false;
    bool ended_ = false;  // the thread has finished
    Clock::time_point deadline_{};
    std::thread thread_;
};

}  // namespace misync::daemon
