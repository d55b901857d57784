// SPEC §9.1 and S7: the daemon's queue of runs. A plain class (no threads, no clock): the
// daemon guards it with its mutex, tests drive it directly.
//  - At most one run per school at a time, and at most one entry per school in the queue, so
//    the queue never holds more entries than there are schools.
//  - A trigger for a school that is queued is merged into that entry (it keeps its place and
//    the trigger it was queued with).
//  - A trigger for a school that is running queues exactly one more run, to start when the
//    running one ends (so that files that arrived meanwhile are read); further triggers merge
//    into it.
//  - Runs are taken in trigger order: by when each entry's first trigger came, skipping
//    entries whose school is still running.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace misync::daemon {

class RunQueue {
  public:
    enum class Added {
        Queued,        // a new entry
        Merged,        // into the school's queued entry
        AfterRunning,  // the school is running: one more run queued to follow it
        Refused,       // the queue is closed (the daemon is stopping)
    };
    struct Job {
        std::string school;
        std::string trigger;  // schedule, file, api (S1)
    };

    Added add(const std::string& school, const std::string& trigger);
    // The first entry, in trigger order, whose school is not running; the school is then
    // running until finished(). nullopt when none can start.
    std::optional<Job> take();
    // The school's run ended; an entry queued behind it may now be taken.
    void finished(const std::string& school);
    // Refuses every later add() and removes the waiting entries; returns their schools.
    std::vector<std::string> close();
    // Removes the waiting entries of schools `keep` says no (a reload dropped them); returns
    // their schools. Running runs are not affected.
    std::vector<std::string> retain(const std::function<bool(const std::string&)>& keep);

    std::size_t waiting() const { return entries_.size(); }
    std::size_t running() const { return running_.size(); }
    bool idle() const { return entries_.empty() && running_.empty(); }
    bool isRunning(const std::string& school) const { return running_.count(school) != 0; }
    bool isQueued(const std::string& school) const { return entries_.count(school) != 0; }
    const std::set<std::string>& runningSchools() const { return running_; }

  private:
    struct Entry {
        std::uint64_t seq = 0;
        std::string trigger;
    };
    std::uint64_t nextSeq_ = 0;
    std::map<std::uint64_t, std::string> order_;  // seq → school
    std::map<std::string, Entry> entries_;        // school → its one waiting entry
    std::set<std::string> running_;
    bool closed_ = false;
};

}  // namespace misync::daemon
