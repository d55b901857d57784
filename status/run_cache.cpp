#include "status/run_cache.h"

namespace misync::status {

std::string RunPageCache::key(std::string_view school, std::int64_t limit, std::int64_t before) {
    std::string k(school);
    k += '/';
    k += std::to_string(limit);
    k += '/';
    k += std::to_string(before);
    return k;
}

void RunPageCache::sync(std::uint64_t version) {
    if (!haveVersion_ || version != version_) {
        pages_.clear();
        bytes_ = 0;
        version_ = version;
        haveVersion_ = true;
    }
}

const std::string* RunPageCache::find(std::uint64_t version, std::string_view school,
                                      std::int64_t limit, std::int64_t before) {
    sync(version);
    auto it = pages_.find(key(school, limit, before));
    return it == pages_.end() ? nullptr : &it->second;
}

void RunPageCache::store(std::uint64_t version, std::string_view school, std::int64_t limit,
                         std::int64_t before, const std::string& body) {
    sync(version);
    if (body.size() > maxBytes_) {
        return;
    }
    if (bytes_ + body.size() > maxBytes_) {
        pages_.clear();
        bytes_ = 0;
    }
    auto [it, added] = pages_.try_emplace(key(school, limit, before), body);
    if (added) {
        bytes_ += body.size();
    }
}

}  // namespace misync::status
