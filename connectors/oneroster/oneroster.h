// The `oneroster` connector (SPEC §6.3): an IMS OneRoster 1.1 CSV set in a folder or a .zip,
// which may hold many schools. The set is parsed once per version of its files and shared by
// every school configured on it (RosterCache), so a run over an authority's schools parses the
// authority's set once, not once per school.
#pragma once

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>

#include "connectors/connector.h"
#include "connectors/oneroster/roster_set.h"

namespace misync::connectors {

namespace oneroster {

// Parsed sets by source path. Thread-safe: the daemon's workers and the runner's read-ahead ask
// for schools of one set at once, and one of them parses it while the others wait for it. A set
// is parsed again when its files' stat fingerprint changes; one that no school asked for in
// `idle` is let go, so that a daemon does not keep a large set in memory between runs.
class RosterCache {
  public:
    explicit RosterCache(std::chrono::seconds idle = std::chrono::minutes(10)) : idle_(idle) {}

    // The set at `source` as its files are now. Rethrows what parsing threw (core::ConnectorError
    // naming the file); a failed parse is not kept, so the next call tries again.
    std::shared_ptr<const RosterSet> get(const std::filesystem::path& source);
    // How many times a set was parsed (tests check that schools share one parse).
    std::size_t parses() const;

  private:
    using Future = std::shared_future<std::shared_ptr<const RosterSet>>;
    struct Entry {
        std::string fingerprint;
        Future set;
        std::chrono::steady_clock::time_point used;
        std::uint64_t parse = 0;  // which parse made it
    };
    std::chrono::seconds idle_;
    mutable std::mutex mu_;
    std::map<std::string, Entry> entries_;
    std::size_t parses_ = 0;
};

}  // namespace oneroster

class OneRosterConnector : public Connector {
  public:
    static constexpr const char* kName = "oneroster";
    explicit OneRosterConnector(std::shared_ptr<oneroster::RosterCache> cache)
        : Connector(kName), cache_(std::move(cache)) {}

    std::optional<std::string> fingerprint(const SchoolSource& school) const override;
    std::optional<std::vector<core::SourceFile>> digests(const SchoolSource& school) const override;
    std::optional<std::string> extractedAt(const SchoolSource& school) const override;

  protected:
    core::Snapshot doRead(const SchoolSource& school) override;

  private:
    std::shared_ptr<oneroster::RosterCache> cache_;
};

}  // namespace misync::connectors
