// SPEC §9.1 drop folders where there is no change notification to use (Windows, as built by
// windows-service/): the FolderWatch of daemon/folder_watch.h that looks at each school's
// source at most every `every` and compares what it finds (each file's name, size and
// modification time; for a file source, that file's) with what it saw last time. A file that
// appeared or whose size or time changed is reported Written, one that went is Removed, and the
// folder appearing or going is Unknown; the SettleTracker then waits for the files to stay as
// they are for settle_seconds, as with inotify. Changes between two looks that leave a file as
// it was are not seen, and nothing is missed for long: a run reads the folder as it is.
// Portable (std::filesystem only), so it is tested on Linux too.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/folder_watch.h"

namespace misync::daemon {

class PollingFolderWatch final : public FolderWatch {
  public:
    using Clock = std::chrono::steady_clock;
    explicit PollingFolderWatch(std::chrono::milliseconds every = std::chrono::seconds(2))
        : every_(every) {}

    int fd() const override { return -1; }
    void watch(const std::string& school, const std::filesystem::path& source) override;
    std::vector<std::string> rearm() override;
    // Looks at the sources when `every` has passed since the last look, else returns nothing.
    std::vector<Event> read() override;
    bool watching(const std::string& school) const override;

  private:
    struct Entry {
        std::uintmax_t size = 0;
        std::filesystem::file_time_type modified{};
        bool operator==(const Entry&) const = default;
    };
    using Listing = std::map<std::string, Entry>;  // file name → what it was
    struct School {
        std::filesystem::path source;
        std::optional<Listing> seen;  // nullopt: the source did not exist (or was unreadable)
    };
    static std::optional<Listing> look(const std::filesystem::path& source);
    static void compare(const std::string& school, const std::optional<Listing>& before,
                        const std::optional<Listing>& now, std::vector<Event>& out);

    std::chrono::milliseconds every_;
    std::optional<Clock::time_point> last_;
    std::map<std::string, School> schools_;
};

}  // namespace misync::daemon
