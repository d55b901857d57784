// SPEC §9.1 drop folders: inotify on each school's `source`. What it sees goes to the
// SettleTracker (daemon/settle.h), which decides when a run starts.
//
// A folder source is watched for files created, written, closed after writing, moved in or
// out, and deleted; its parent is watched too, for the folder itself appearing, being replaced
// or going away (an uploader may swap in a whole new folder). A file source (a OneRoster zip)
// is watched through its parent, for that name only. A source that does not exist yet is
// watched through its parent when that exists; rearm() tries again for the rest. Linux only.
#pragma once

#include <filesystem>
#include <map>
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

    // Throws core::Error when inotify cannot be set up.
    FolderWatch();
    ~FolderWatch();
    FolderWatch(const FolderWatch&) = delete;
    FolderWatch& operator=(const FolderWatch&) = delete;

    // The descriptor to poll for POLLIN (non-blocking).
    int fd() const { return fd_; }

    // Watches `source` for `school` (once per school; a second call replaces the first). A
    // watch that cannot be added is logged and retried by rearm().
    void watch(const std::string& school, const std::filesystem::path& source);
    // Adds the watches still missing (a folder that did not exist before); returns the schools
    // whose folder is watched now and was not before (their files may have changed unseen).
    std::vector<std::string> rearm();
    // Every event waiting, without blocking. After lost events (the kernel's queue overflowed),
    // one Unknown event per school.
    std::vector<Event> read();

    // Whether the school's source (folder or file) is being watched right now.
    bool watching(const std::string& school) const;

  private:
    struct School {
        std::filesystem::path source;
        int folder = -1;  // watch of the folder itself, -1 when none (absent, or a file)
        int parent = -1;  // watch of the parent, for the source's own name
        bool warned = false;
    };
    void addWatches(const std::string& school, School& s);
    int add(const std::filesystem::path& path, const std::string& school);
    void translate(int wd, unsigned mask, const std::string& name, std::vector<Event>& out);

    int fd_ = -1;
    std::map<std::string, School> schools_;
    std::map<int, std::vector<std::string>> schoolsOf_;  // watch → the schools it serves
};

}  // namespace misync::daemon
