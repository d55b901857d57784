#include "daemon/folder_watch_poll.h"

namespace misync::daemon {

namespace fs = std::filesystem;

std::optional<PollingFolderWatch::Listing> PollingFolderWatch::look(const fs::path& source) {
    std::error_code ec;
    const auto status = fs::status(source, ec);
    if (ec || !fs::exists(status)) {
        return std::nullopt;
    }
    Listing listing;
    auto entryOf = [](const fs::path& p) -> std::optional<Entry> {
        std::error_code e;
        Entry entry;
        entry.size = fs::file_size(p, e);
        if (e) {
            return std::nullopt;  // gone since the listing, or not a regular file
        }
        entry.modified = fs::last_write_time(p, e);
        if (e) {
            return std::nullopt;
        }
        return entry;
    };
    if (!fs::is_directory(status)) {  // a file source (a OneRoster zip)
        if (auto e = entryOf(source)) {
            listing.emplace(source.filename().string(), *e);
        }
        return listing;
    }
    for (fs::directory_iterator it(source, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e;
        if (!it->is_regular_file(e)) {
            continue;  // subfolders: connectors read files
        }
        if (auto entry = entryOf(it->path())) {
            listing.emplace(it->path().filename().string(), *entry);
        }
    }
    if (ec) {
        return std::nullopt;
    }
    return listing;
}

void PollingFolderWatch::compare(const std::string& school, const std::optional<Listing>& before,
                                 const std::optional<Listing>& now, std::vector<Event>& out) {
    if (before.has_value() != now.has_value()) {
        out.push_back({school, "", FileChange::Unknown});  // the source appeared or went
        return;
    }
    if (!now) {
        return;
    }
    for (const auto& [name, entry] : *now) {
        auto was = before->find(name);
        if (was == before->end() || !(was->second == entry)) {
            out.push_back({school, name, FileChange::Written});
        }
    }
    for (const auto& [name, entry] : *before) {
        if (now->count(name) == 0) {
            out.push_back({school, name, FileChange::Removed});
        }
    }
}

void PollingFolderWatch::watch(const std::string& school, const fs::path& source) {
    School& s = schools_[school];
    s.source = source.lexically_normal();
    s.seen = look(s.source);  // what is there now is the baseline, as when inotify starts
}

std::vector<std::string> PollingFolderWatch::rearm() {
    return {};  // every source is looked at whether it exists or not
}

bool PollingFolderWatch::watching(const std::string& school) const {
    return schools_.count(school) != 0;
}

std::vector<FolderWatch::Event> PollingFolderWatch::read() {
    std::vector<Event> out;
    const auto now = Clock::now();
    if (last_ && now - *last_ < every_) {
        return out;
    }
    last_ = now;
    for (auto& [school, s] : schools_) {
        auto listing = look(s.source);
        compare(school, s.seen, listing, out);
        s.seen = std::move(listing);
    }
    return out;
}

}  // namespace misync::daemon
