#include "daemon/notify.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace misync::daemon {

std::chrono::milliseconds RetryPolicy::delayAfter(int failed) const {
    auto delay = first;
    for (int i = 1; i < failed && delay < longest; ++i) {
        delay *= 2;
    }
    return std::min(delay, longest);
}

Notifier::Notifier(status::Metrics& metrics, Sender sender, RetryPolicy policy)
    : metrics_(metrics), sender_(std::move(sender)), policy_(policy) {}

Notifier::~Notifier() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        deadline_ = Clock::now();  // nothing more is tried
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Notifier::setTargets(const std::vector<NotifyConfig>& targets) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::shared_ptr<Target>> next;
    for (const auto& config : targets) {
        auto same = std::find_if(targets_.begin(), targets_.end(),
                                 [&](const auto& t) { return t->config.url == config.url; });
        if (same != targets_.end()) {
            (*same)->config = config;  // a new token or `on` applies to what waits too
            (*same)->rules.setOn(config.on);
            next.push_back(*same);
        } else {
            next.push_back(std::make_shared<Target>(Target{config, AlertRules(config.on), {}}));
        }
    }
    for (const auto& old : targets_) {
        if (std::find(next.begin(), next.end(), old) == next.end() && !old->queue.empty()) {
            spdlog::info("notify target={}: no longer configured; {} notification(s) dropped",
                         old->config.origin(), old->queue.size());
        }
    }
    targets_ = std::move(next);
    wake_.notify_all();
}

void Notifier::seed(const std::string& school, const SchoolCondition& condition) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& t : targets_) {
        t->rules.seed(school, condition);
    }
}

void Notifier::start() {
    thread_ = std::thread([this] { loop(); });
}

void Notifier::runFinished(const storage::RunRecord& run) {
    const SchoolCondition condition = conditionOf(run);
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
        return;
    }
    for (auto& t : targets_) {
        auto alert = t->rules.observe(run.school, condition);
        if (!alert) {
            continue;
        }
        if (t->queue.size() >= kQueuePerTarget) {
            // The oldest that is not being sent right now.
            auto victim = t->queue.begin();
            if (victim->id == inFlight_ && t->queue.size() > 1) {
                ++victim;
            }
            giveUp(*t, *victim,
                   "dropped: the queue of " + std::to_string(kQueuePerTarget) +
                       " waiting notifications was full");
            t->queue.erase(victim);
        }
        t->queue.push_back(Pending{++nextId_, run.school, alert->event,
                                   boost::json::serialize(notificationBody(run, *alert)), 0,
                                   Clock::now()});
        spdlog::info("notify target={} school={} event={} run={}: queued", t->config.origin(),
                     run.school, alert->event, run.id);
    }
    wake_.notify_all();
}

std::size_t Notifier::waiting() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto& t : targets_) {
        n += t->queue.size();
    }
    return n;
}

void Notifier::giveUp(const Target& t, const Pending& p, const std::string& why) {
    spdlog::error("notify target={} school={} event={}: not delivered: {}", t.config.origin(),
                  p.school, p.event, why);
    metrics_.notifyFailed();
}

std::shared_ptr<Notifier::Target> Notifier::nextDue(Clock::time_point& due) const {
    std::shared_ptr<Target> best;
    for (const auto& t : targets_) {
        if (!t->queue.empty() && (!best || t->queue.front().due < due)) {
            best = t;
            due = t->queue.front().due;
        }
    }
    return best;
}

bool Notifier::isCurrent(const std::shared_ptr<Target>& t) const {
    return std::find(targets_.begin(), targets_.end(), t) != targets_.end();
}

void Notifier::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        Clock::time_point due{};
        auto target = nextDue(due);
        if (!target) {
            wake_.wait(lock);
            continue;
        }
        if (due > Clock::now()) {
            wake_.wait_until(lock, due);
            continue;
        }
        const Pending sent = target->queue.front();
        const NotifyConfig config = target->config;
        inFlight_ = sent.id;
        lock.unlock();
        const PostResult result = sender_(config, sent.body, policy_.timeout);
        lock.lock();
        inFlight_ = 0;
        if (!isCurrent(target) || target->queue.empty() || target->queue.front().id != sent.id) {
            continue;  // dropped meanwhile (a reload, or a full queue)
        }
        Pending& p = target->queue.front();
        ++p.attempts;
        if (result.delivered) {
            spdlog::info("notify target={} school={} event={}: delivered (attempt {})",
                         config.origin(), p.school, p.event, p.attempts);
            target->queue.pop_front();
        } else if (result.retry && p.attempts < policy_.attempts) {
            const auto delay = policy_.delayAfter(p.attempts);
            spdlog::warn(
                "notify target={} school={} event={}: attempt {} failed ({}); trying "
                "again in {} ms",
                config.origin(), p.school, p.event, p.attempts, result.problem, delay.count());
            p.due = Clock::now() + delay;
        } else {
            giveUp(*target, p,
                   result.problem + " (attempt " + std::to_string(p.attempts) + " of " +
                       std::to_string(policy_.attempts) + ")");
            target->queue.pop_front();
        }
    }
    // Stopping: one last attempt each while there is time. No reload comes now, but the list
    // is copied all the same, as the lock is let go around each attempt.
    const auto targets = targets_;
    for (const auto& target : targets) {
        while (!target->queue.empty()) {
            const Pending p = target->queue.front();
            target->queue.pop_front();
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
            if (left <= std::chrono::milliseconds(0)) {
                giveUp(*target, p, "the daemon stopped before it could be sent");
                continue;
            }
            const NotifyConfig config = target->config;
            lock.unlock();
            const PostResult result = sender_(config, p.body, std::min(left, policy_.timeout));
            lock.lock();
            if (result.delivered) {
                spdlog::info("notify target={} school={} event={}: delivered while stopping",
                             config.origin(), p.school, p.event);
            } else {
                giveUp(*target, p, result.problem + " (while stopping: not tried again)");
            }
        }
    }
    ended_ = true;
    wake_.notify_all();
}

bool Notifier::stop(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    stopping_ = true;
    deadline_ = deadline;
    wake_.notify_all();
    if (!thread_.joinable()) {
        return true;
    }
    if (!wake_.wait_until(lock, deadline, [this] { return ended_; })) {
        return false;  // an attempt is still under way at the bound
    }
    lock.unlock();
    thread_.join();
    return true;
}

}  // namespace misync::daemon
