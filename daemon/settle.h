// SPEC §9.1 drop folders: "a run starts once the folder's files have stopped changing for
// settle_seconds". Pure (the time is passed in): the daemon feeds it what the folder watch saw,
// and asks which schools' folders have settled.
//
// A folder has settled when it has had no change for its settle time and no file in it is
// still being written: a file that was created or written counts as being written until it is
// closed, deleted or moved away, so an export that pauses longer than the settle time between
// two writes does not start a run over a half-written file. A writer that keeps a file open
// without writing for kWriteIdleLimit is given up on (the daemon logs it), so a stuck
// uploader cannot hold the school for ever.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace misync::daemon {

enum class FileChange {
    Written,  // created, or written to: it may still be open for writing
    Closed,   // closed after writing
    Arrived,  // moved into the folder: complete
    Removed,  // deleted, or moved away
    Unknown,  // events were lost, or the folder itself appeared, moved or went away
};

class SettleTracker {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::minutes kWriteIdleLimit{10};

    struct Settled {
        std::string school;
        // Files that were still open for writing, given up on after kWriteIdleLimit.
        std::vector<std::string> gaveUpOn;
    };

    // The school's settle time (its own settle_seconds, else [daemon] settle_seconds).
    void setSettle(const std::string& school, std::chrono::seconds settle);
    // The school is no longer configured.
    void forget(const std::string& school);
    // Something happened to `file` in the school's folder (or to the folder: `file` empty).
    void change(const std::string& school, const std::string& file, FileChange what,
                Clock::time_point now);
    // The schools whose folders have settled by `now`, each once per burst of changes.
    std::vector<Settled> settled(Clock::time_point now);
    // The earliest time settled() may have something to say; nullopt when nothing is pending.
    std::optional<Clock::time_point> nextCheck() const;

    bool pending(const std::string& school) const;
    bool beingWritten(const std::string& school) const;

  private:
    struct Folder {
        std::chrono::seconds settle{5};
        bool pending = false;
        Clock::time_point lastChange{};
        std::map<std::string, Clock::time_point> writing;  // file → its last write
    };
    std::map<std::string, Folder> folders_;
};

}  // namespace misync::daemon
