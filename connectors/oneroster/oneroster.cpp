#include "connectors/oneroster/oneroster.h"

#include <spdlog/spdlog.h>

#include "connectors/oneroster/roster_school.h"
#include "core/errors.h"

namespace misync::connectors {

namespace fs = std::filesystem;

namespace oneroster {

std::shared_ptr<const RosterSet> RosterCache::get(const fs::path& source) {
    const std::string key = fs::absolute(source).lexically_normal().string();
    auto fp = setFingerprint(source);  // before reading: a rewrite during the read parses again
    if (!fp) {
        return std::make_shared<const RosterSet>(buildRosterSet(readRawSet(source)));  // throws
    }
    std::promise<std::shared_ptr<const RosterSet>> promise;
    Future future;
    std::uint64_t mine = 0;  // this call's parse, when it is this call's to do
    {
        std::lock_guard lock(mu_);
        const auto now = std::chrono::steady_clock::now();
        for (auto it = entries_.begin(); it != entries_.end();) {
            it = it->first != key && now - it->second.used > idle_ ? entries_.erase(it) : ++it;
        }
        auto it = entries_.find(key);
        if (it != entries_.end() && it->second.fingerprint == *fp) {
            it->second.used = now;
            future = it->second.set;
        } else {
            future = promise.get_future().share();
            mine = ++parses_;
            entries_[key] = Entry{*fp, future, now, mine};
        }
    }
    if (mine != 0) {
        try {
            const auto start = std::chrono::steady_clock::now();
            auto set = std::make_shared<const RosterSet>(buildRosterSet(readRawSet(source)));
            spdlog::info(
                "oneroster: parsed {} once for its schools: users={} classes={} enrollments={} "
                "ms={}",
                key, set->table(FileKind::Users).rows(), set->table(FileKind::Classes).rows(),
                set->table(FileKind::Enrollments).rows(),
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count());
            promise.set_value(std::move(set));
        } catch (...) {
            promise.set_exception(std::current_exception());
            std::lock_guard lock(mu_);
            if (auto it = entries_.find(key); it != entries_.end() && it->second.parse == mine) {
                entries_.erase(it);  // the next school tries again, and says what is wrong
            }
        }
    }
    return future.get();
}

std::size_t RosterCache::parses() const {
    std::lock_guard lock(mu_);
    return parses_;
}

}  // namespace oneroster

std::optional<std::string> OneRosterConnector::fingerprint(const SchoolSource& school) const {
    return oneroster::setFingerprint(school.source);
}

std::optional<std::vector<core::SourceFile>> OneRosterConnector::digests(
    const SchoolSource& school) const {
    try {
        return cache_->get(school.source)->files;  // parsed once for all the set's schools
    } catch (const core::Error&) {
        return std::nullopt;  // read() will say what is wrong
    }
}

std::optional<std::string> OneRosterConnector::extractedAt(const SchoolSource& school) const {
    return oneroster::setExtractedAt(school.source);
}

core::Snapshot OneRosterConnector::doRead(const SchoolSource& school) {
    auto set = cache_->get(school.source);
    return oneroster::schoolSnapshot(*set, school);
}

}  // namespace misync::connectors
