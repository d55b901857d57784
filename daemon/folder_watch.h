// SPEC §9.1 drop folders: what watches each school's `source` for the daemon. What it sees goes
// to the SettleTracker (daemon/settle.h), which decides when a run starts, so a watcher need
// only say that something changed, and may say so more often than it did.
//
// One implementation per platform, chosen when linking (makeFolderWatch): inotify on Linux
// (daemon/folder_watch_inotify.h); on Windows a poller that compares each source's files
// (names, sizes, modification times) with what it saw last time (windows-service/).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "daemon/settle.h"

namespace misync::daemon {

class FolderWatch {
  public:
    struct Event {
        std::string school;
        std::string file;  // the entry's name; "" for the folder itself
        FileChange what;
    };

    virtual ~FolderWatch() = default;

    // A descriptor to poll for input when read() has something (non-blocking), or -1 when
    // there is none and the main loop calls read() on every round instead.
    virtual int fd() const = 0;

    // Watches `source` for `school` (once per school; a second call replaces the first). A
    // watch that cannot be added is logged and retried by rearm().
    virtual void watch(const std::string& school, const std::filesystem::path& source) = 0;
    // Adds the watches still missing (a folder that did not exist before); returns the schools
    // whose folder is watched now and was not before (their files may have changed unseen).
    virtual std::vector<std::string> rearm() = 0;
    // Every event waiting, without blocking.
    virtual std::vector<Event> read() = 0;

    // Whether the school's source (folder or file) is being watched right now.
    virtual bool watching(const std::string& school) const = 0;
};

// This platform's watcher. Throws core::Error when it cannot be set up.
std::unique_ptr<FolderWatch> makeFolderWatch();

}  // namespace misync::daemon
