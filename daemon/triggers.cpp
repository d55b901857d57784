#include "daemon/triggers.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace misync::daemon {

namespace {
constexpr std::chrono::seconds kRearmEvery{60};
}  // namespace

void Triggers::drain(Clock::time_point now) {
    if (!watch_) {
        return;
    }
    for (const auto& e : watch_->read()) {
        settle_.change(e.school, e.file, e.what, now);
    }
}

void Triggers::configure(const Config& config, std::int64_t nowUnix, Clock::time_point now,
                         const LooksChanged& looksChanged) {
    drain(now);
    auto watch = makeFolderWatch();
    std::map<std::string, Scheduled> schedules;
    std::map<std::string, std::string> sources;
    for (const auto& s : config.schools) {
        if (!s.schedule.empty()) {
            auto old = schedules_.find(s.dfes);
            if (old != schedules_.end() && old->second.schedule.text() == s.schedule) {
                schedules.emplace(s.dfes, old->second);
            } else if (auto parsed = Schedule::parse(s.schedule);
                       auto* schedule = std::get_if<Schedule>(&parsed)) {
                schedules.emplace(s.dfes,
                                  Scheduled{*schedule, schedule->nextAfter(nowUnix, zone_)});
            }
        }
        if (s.connector == "odbc") {
            continue;  // a connection string: nothing to watch
        }
        sources.emplace(s.dfes, s.source);
        watch->watch(s.dfes, s.source);
        settle_.setSettle(s.dfes, std::chrono::seconds(s.settleSeconds));
        auto before = sources_.find(s.dfes);
        if (before == sources_.end() || before->second != s.source) {
            if (looksChanged(s)) {
                spdlog::info("school={} drop folder {}: changed since its last run", s.dfes,
                             s.source);
                settle_.change(s.dfes, "", FileChange::Unknown, now);
            }
        }
    }
    for (const auto& [school, source] : sources_) {
        if (sources.count(school) == 0) {
            settle_.forget(school);
        }
    }
    drain(now);  // what the old watch saw while the new one was being set up
    watch_ = std::move(watch);
    schedules_ = std::move(schedules);
    sources_ = std::move(sources);
    lastUnix_ = nowUnix;
    lastRearm_ = now;
}

std::vector<Triggers::Fired> Triggers::poll(std::int64_t nowUnix, Clock::time_point now) {
    std::vector<Fired> fired;
    drain(now);
    if (now - lastRearm_ >= kRearmEvery) {
        lastRearm_ = now;
        for (const auto& school : watch_->rearm()) {
            spdlog::info("school={}: its drop folder is watched now", school);
            settle_.change(school, "", FileChange::Unknown, now);
        }
    }
    for (const auto& s : settle_.settled(now)) {
        for (const auto& file : s.gaveUpOn) {
            spdlog::warn(
                "school={} drop folder: {} has been open for writing without a write "
                "for {} minutes; not waiting for it any longer",
                s.school, file, SettleTracker::kWriteIdleLimit.count());
        }
        fired.push_back({s.school, "file"});
    }
    if (nowUnix + 60 < lastUnix_) {
        // The wall clock went back (an adjustment): schedules count from the new time.
        spdlog::warn("the clock went back by {} s; schedules recomputed", lastUnix_ - nowUnix);
        for (auto& [school, s] : schedules_) {
            s.next = s.schedule.nextAfter(nowUnix, zone_);
        }
    }
    lastUnix_ = nowUnix;
    for (auto& [school, s] : schedules_) {
        if (s.next && *s.next <= nowUnix) {
            fired.push_back({school, "schedule"});
            s.next = s.schedule.nextAfter(nowUnix, zone_);
        }
    }
    return fired;
}

std::chrono::milliseconds Triggers::wait(std::int64_t nowUnix, Clock::time_point now) const {
    std::chrono::milliseconds wait = kRearmEvery;
    if (auto next = settle_.nextCheck()) {
        wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(*next - now));
    }
    for (const auto& [school, s] : schedules_) {
        if (s.next) {
            wait = std::min(wait, std::chrono::milliseconds((*s.next - nowUnix) * 1000));
        }
    }
    return std::max(wait, std::chrono::milliseconds(0));
}

std::map<std::string, std::string> Triggers::nextRuns() const {
    std::map<std::string, std::string> out;
    for (const auto& [school, s] : schedules_) {
        if (s.next) {
            out.emplace(school, isoUtc(*s.next));
        }
    }
    return out;
}

}  // namespace misync::daemon
