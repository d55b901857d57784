// SPEC §9.1 drop folders on Linux: the FolderWatch of daemon/folder_watch.h with inotify on
// each school's `source`.
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

#include "daemon/folder_watch.h"

namespace misync::daemon {

class InotifyFolderWatch final : public FolderWatch {
  public:
    // Throws core::Error when inotify cannot be set up.
    InotifyFolderWatch();
    ~InotifyFolderWatch() override;
    InotifyFolderWatch(const InotifyFolderWatch&) = delete;
    InotifyFolderWatch& operator=(const InotifyFolderWatch&) = delete;

    // The inotify descriptor (non-blocking).
    int fd() const override { return fd_; }
    void watch(const std::string& school, const std::filesystem::path& source) override;
    std::vector<std::string> rearm() override;
    // After lost events (the kernel's queue overflowed), one Unknown event per school.
    std::vector<Event> read() override;
    bool watching(const std::string& school) const override;

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
