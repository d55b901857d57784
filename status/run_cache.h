// Pages of GET /api/v1/schools/{D}/runs already answered, per server thread (no locks): a page is
// served again from here while the directory's dataVersion() is what it was when the page was
// read, so the dashboard's repeated polls of the same schools cost no query. Any commit to the
// directory, by a run, an approval or another process, changes the version and empties the
// cache: what is served is always what the directory holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace misync::status {

class RunPageCache {
  public:
    // At most `maxBytes` of bodies; when full, it starts again empty.
    explicit RunPageCache(std::size_t maxBytes) : maxBytes_(maxBytes) {}

    // The body of the page (school, limit, before) when it was stored at `version`; nullptr
    // otherwise. Another version empties the cache first.
    const std::string* find(std::uint64_t version, std::string_view school, std::int64_t limit,
                            std::int64_t before);
    void store(std::uint64_t version, std::string_view school, std::int64_t limit,
               std::int64_t before, const std::string& body);

    std::size_t size() const { return pages_.size(); }

  private:
    static std::string key(std::string_view school, std::int64_t limit, std::int64_t before);
    void sync(std::uint64_t version);

    std::size_t maxBytes_;
    std::size_t bytes_ = 0;
    std::uint64_t version_ = 0;
    bool haveVersion_ = false;
    std::unordered_map<std::string, std::string> pages_;
};

}  // namespace misync::status
