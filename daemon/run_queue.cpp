#include "daemon/run_queue.h"

namespace misync::daemon {

RunQueue::Added RunQueue::add(const std::string& school, const std::string& trigger) {
    if (closed_) {
        return Added::Refused;
    }
    if (entries_.count(school) != 0) {
        return Added::Merged;
    }
    const std::uint64_t seq = nextSeq_++;
    entries_.emplace(school, Entry{seq, trigger});
    order_.emplace(seq, school);
    return running_.count(school) != 0 ? Added::AfterRunning : Added::Queued;
}

std::optional<RunQueue::Job> RunQueue::take() {
    for (auto it = order_.begin(); it != order_.end(); ++it) {
        if (running_.count(it->second) != 0) {
            continue;  // its run follows the one going on
        }
        auto entry = entries_.find(it->second);
        Job job{it->second, entry->second.trigger};
        entries_.erase(entry);
        order_.erase(it);
        running_.insert(job.school);
        return job;
    }
    return std::nullopt;
}

void RunQueue::finished(const std::string& school) {
    running_.erase(school);
}

std::vector<std::string> RunQueue::close() {
    closed_ = true;
    return retain([](const std::string&) { return false; });
}

std::vector<std::string> RunQueue::retain(const std::function<bool(const std::string&)>& keep) {
    std::vector<std::string> dropped;
    for (auto it = order_.begin(); it != order_.end();) {
        if (keep(it->second)) {
            ++it;
            continue;
        }
        dropped.push_back(it->second);
        entries_.erase(it->second);
        it = order_.erase(it);
    }
    return dropped;
}

}  // namespace misync::daemon
