#include "daemon/folder_watch_inotify.h"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "core/errors.h"

namespace misync::daemon {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMask = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO |
                                IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF |
                                IN_EXCL_UNLINK;

// What happened to an entry, from its event mask.
FileChange changeOf(std::uint32_t mask) {
    if ((mask & IN_ISDIR) != 0) {
        return FileChange::Unknown;  // a subfolder: connectors read files
    }
    if ((mask & IN_CLOSE_WRITE) != 0) {
        return FileChange::Closed;
    }
    if ((mask & IN_MOVED_TO) != 0) {
        return FileChange::Arrived;
    }
    if ((mask & (IN_MOVED_FROM | IN_DELETE)) != 0) {
        return FileChange::Removed;
    }
    return FileChange::Written;  // IN_CREATE, IN_MODIFY
}

}  // namespace

InotifyFolderWatch::InotifyFolderWatch() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (fd_ < 0) {
        throw core::Error(std::string("cannot watch the drop folders: inotify_init1: ") +
                          std::strerror(errno));
    }
}

InotifyFolderWatch::~InotifyFolderWatch() {
    ::close(fd_);
}

int InotifyFolderWatch::add(const fs::path& path, const std::string& school) {
    const int wd = ::inotify_add_watch(fd_, path.c_str(), kMask);
    if (wd >= 0) {
        auto& list = schoolsOf_[wd];
        if (std::find(list.begin(), list.end(), school) == list.end()) {
            list.push_back(school);
        }
    }
    return wd;
}

void InotifyFolderWatch::addWatches(const std::string& school, School& s) {
    std::error_code ec;
    if (s.parent < 0) {
        s.parent = add(s.source.parent_path(), school);
        if (s.parent < 0 && !s.warned) {
            const int err = errno;
            s.warned = true;
            spdlog::warn("school={} drop folder {}: cannot watch its folder {}: {}{}", school,
                         s.source.string(), s.source.parent_path().string(), std::strerror(err),
                         err == ENOSPC ? " (raise fs.inotify.max_user_watches)"
                                       : "; trying again every minute");
        }
    }
    if (s.folder < 0 && fs::is_directory(s.source, ec)) {
        s.folder = add(s.source, school);
        if (s.folder < 0) {
            spdlog::warn("school={} drop folder {}: cannot watch it: {}", school, s.source.string(),
                         std::strerror(errno));
        }
    }
}

void InotifyFolderWatch::watch(const std::string& school, const fs::path& source) {
    if (auto old = schools_.find(school); old != schools_.end()) {
        for (int wd : {old->second.folder, old->second.parent}) {
            auto it = schoolsOf_.find(wd);
            if (it == schoolsOf_.end()) {
                continue;
            }
            std::erase(it->second, school);
            if (it->second.empty()) {
                ::inotify_rm_watch(fd_, wd);
                schoolsOf_.erase(it);
            }
        }
        schools_.erase(old);
    }
    School& s = schools_[school];
    s.source = source.lexically_normal();
    addWatches(school, s);
}

std::vector<std::string> InotifyFolderWatch::rearm() {
    std::vector<std::string> appeared;
    for (auto& [school, s] : schools_) {
        const bool before = watching(school);
        addWatches(school, s);
        if (!before && watching(school)) {
            appeared.push_back(school);
        }
    }
    return appeared;
}

bool InotifyFolderWatch::watching(const std::string& school) const {
    auto it = schools_.find(school);
    if (it == schools_.end()) {
        return false;
    }
    std::error_code ec;
    const School& s = it->second;
    return s.folder >= 0 ||
           (s.parent >= 0 && fs::exists(s.source, ec) && !fs::is_directory(s.source, ec));
}

void InotifyFolderWatch::translate(int wd, unsigned mask, const std::string& name,
                                   std::vector<Event>& out) {
    auto served = schoolsOf_.find(wd);
    if (served == schoolsOf_.end()) {
        return;
    }
    enum class Then { Nothing, AddFolder, DropFolder };
    std::vector<std::pair<std::string, Then>> then;
    for (const auto& school : served->second) {
        School& s = schools_.at(school);
        if (wd == s.folder) {
            if ((mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
                out.push_back({school, "", FileChange::Unknown});
                then.emplace_back(school, Then::DropFolder);
            } else if (!name.empty()) {
                out.push_back({school, name, changeOf(mask)});
            }
        }
        if (wd == s.parent && name == s.source.filename().string()) {
            if ((mask & IN_ISDIR) != 0) {  // the folder itself appeared or went
                out.push_back({school, "", FileChange::Unknown});
                const bool appeared = (mask & (IN_CREATE | IN_MOVED_TO)) != 0;
                then.emplace_back(school, appeared ? Then::AddFolder : Then::DropFolder);
            } else {
                out.push_back({school, name, changeOf(mask)});  // a file source (zip)
            }
        }
    }
    for (const auto& [school, what] : then) {
        School& s = schools_.at(school);
        if (what == Then::DropFolder && s.folder >= 0) {
            auto it = schoolsOf_.find(s.folder);
            if (it != schoolsOf_.end()) {
                std::erase(it->second, school);
                if (it->second.empty()) {
                    ::inotify_rm_watch(fd_, s.folder);  // its IN_IGNORED ends the mapping
                }
            }
            s.folder = -1;
        } else if (what == Then::AddFolder) {
            addWatches(school, s);
        }
    }
}

std::vector<FolderWatch::Event> InotifyFolderWatch::read() {
    std::vector<Event> out;
    alignas(inotify_event) std::array<char, 64 * 1024> buffer{};
    for (;;) {
        const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            break;  // EAGAIN: nothing more
        }
        for (ssize_t at = 0; at < n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buffer.data() + at);
            at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
            if ((ev->mask & IN_Q_OVERFLOW) != 0) {
                spdlog::warn(
                    "drop folders: the kernel dropped change events; every school's "
                    "folder is treated as changed");
                for (const auto& [school, s] : schools_) {
                    out.push_back({school, "", FileChange::Unknown});
                }
                continue;
            }
            if ((ev->mask & IN_IGNORED) != 0) {  // the watch is gone (folder deleted, removed)
                schoolsOf_.erase(ev->wd);
                for (auto& [school, s] : schools_) {
                    s.folder = s.folder == ev->wd ? -1 : s.folder;
                    s.parent = s.parent == ev->wd ? -1 : s.parent;
                }
                continue;
            }
            translate(ev->wd, ev->mask, ev->len > 0 ? std::string(ev->name) : std::string(), out);
        }
    }
    return out;
}

std::unique_ptr<FolderWatch> makeFolderWatch() {
    return std::make_unique<InotifyFolderWatch>();
}

}  // namespace misync::daemon
