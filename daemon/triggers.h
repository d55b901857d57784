// SPEC §9.1 triggers other than the API, for the daemon's main loop: each school's schedule
// (daemon/schedule.h), its drop folder (daemon/folder_watch.h, settled by daemon/settle.h),
// and the start-up check: a school whose folder changed while no daemon watched it (new files,
// or files changed since its last run) is treated as just changed, so it runs once its folder
// has settled. Only the main thread uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/folder_watch.h"
#include "daemon/schedule.h"
#include "daemon/settle.h"

namespace misync::daemon {

class Triggers {
  public:
    using Clock = std::chrono::steady_clock;
    struct Fired {
        std::string school;
        std::string trigger;  // "schedule" or "file" (S1)
    };
    // Whether a school's files look changed since its last run (the start-up check).
    using LooksChanged = std::function<bool(const SchoolConfig&)>;

    explicit Triggers(const LocalZone& zone) : zone_(zone) {}

    // (Re)configures from `config`: schedules (one whose text did not change keeps its next
    // time), watched folders (a new FolderWatch; events still waiting in the old one are read
    // first), settle times. The schools not configured before, or whose source changed, get the
    // start-up check. Throws core::Error when inotify cannot be set up.
    void configure(const Config& config, std::int64_t nowUnix, Clock::time_point now,
                   const LooksChanged& looksChanged);
    // The descriptor to poll (inotify), or -1 (poll() on every round); it changes with
    // configure().
    int fd() const { return watch_->fd(); }
    // Reads what the folders did, and returns what is due now: settled folders ("file") and
    // schedules whose time has come ("schedule"; a clock that jumped over several fire times
    // fires once).
    std::vector<Fired> poll(std::int64_t nowUnix, Clock::time_point now);
    // How long the main loop may sleep before something could be due.
    std::chrono::milliseconds wait(std::int64_t nowUnix, Clock::time_point now) const;
    // next_run_at of SPEC §9 per school with a schedule: ISO-8601 UTC.
    std::map<std::string, std::string> nextRuns() const;

  private:
    void drain(Clock::time_point now);

    struct Scheduled {
        Schedule schedule;
        std::optional<std::int64_t> next;
    };
    const LocalZone& zone_;
    std::unique_ptr<FolderWatch> watch_;
    SettleTracker settle_;
    std::map<std::string, Scheduled> schedules_;
    std::map<std::string, std::string> sources_;  // the watched schools' sources
    std::int64_t lastUnix_ = 0;
    Clock::time_point lastRearm_{};
};

}  // namespace misync::daemon
