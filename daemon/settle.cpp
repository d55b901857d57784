#include "daemon/settle.h"

#include <algorithm>

namespace misync::daemon {

void SettleTracker::setSettle(const std::string& school, std::chrono::seconds settle) {
    folders_[school].settle = settle;
}

void SettleTracker::forget(const std::string& school) {
    folders_.erase(school);
}

void SettleTracker::change(const std::string& school, const std::string& file, FileChange what,
                           Clock::time_point now) {
    Folder& f = folders_[school];
    f.pending = true;
    f.lastChange = now;
    switch (what) {
        case FileChange::Written:
            f.writing[file] = now;
            break;
        case FileChange::Closed:
        case FileChange::Arrived:
        case FileChange::Removed:
            f.writing.erase(file);
            break;
        case FileChange::Unknown:
            if (file.empty()) {
                f.writing.clear();  // the folder itself changed: what we knew is gone
            }
            break;
    }
}

std::vector<SettleTracker::Settled> SettleTracker::settled(Clock::time_point now) {
    std::vector<Settled> out;
    for (auto& [school, f] : folders_) {
        if (!f.pending || now - f.lastChange < f.settle) {
            continue;
        }
        std::vector<std::string> gaveUp;
        for (auto it = f.writing.begin(); it != f.writing.end();) {
            if (now - it->second >= kWriteIdleLimit) {
                gaveUp.push_back(it->first);
                it = f.writing.erase(it);
            } else {
                ++it;
            }
        }
        if (!f.writing.empty()) {
            continue;  // still being written: its close (or the idle limit) settles it
        }
        f.pending = false;
        out.push_back({school, std::move(gaveUp)});
    }
    return out;
}

std::optional<SettleTracker::Clock::time_point> SettleTracker::nextCheck() const {
    std::optional<Clock::time_point> next;
    for (const auto& [school, f] : folders_) {
        if (!f.pending) {
            continue;
        }
        Clock::time_point at = f.lastChange + f.settle;
        for (const auto& [file, lastWrite] : f.writing) {
            at = std::max(at, lastWrite + kWriteIdleLimit);
        }
        if (!next || at < *next) {
            next = at;
        }
    }
    return next;
}

bool SettleTracker::pending(const std::string& school) const {
    auto it = folders_.find(school);
    return it != folders_.end() && it->second.pending;
}

bool SettleTracker::beingWritten(const std::string& school) const {
    auto it = folders_.find(school);
    return it != folders_.end() && !it->second.writing.empty();
}

}  // namespace misync::daemon
