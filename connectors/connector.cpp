#include "connectors/connector.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "connectors/record_checks.h"
#include "core/errors.h"

namespace misync::connectors {

core::Snapshot Connector::read(const SchoolSource& school) {
    return finishRead(school, [&] { return doRead(school); });
}

Connector::Reading Connector::readIfChanged(const SchoolSource& school,
                                            const std::vector<core::SourceFile>& known) {
    Reading r;
    r.digests = digests(school);
    if (!r.digests || !sameFiles(*r.digests, known)) {
        r.snapshot = read(school);
    }
    return r;
}

bool sameFiles(const std::vector<core::SourceFile>& a, const std::vector<core::SourceFile>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].name != b[i].name || a[i].sha256 != b[i].sha256) {
            return false;
        }
    }
    return true;
}

core::Snapshot Connector::finishRead(const SchoolSource& school,
                                     const std::function<core::Snapshot()>& parse) {
    auto start = std::chrono::steady_clock::now();
    core::Snapshot snap;
    try {
        snap = parse();
    } catch (const core::ConnectorError&) {
        throw;
    } catch (const std::exception& e) {
        // An ODBC source is a connection string, a secret: never in a message (SPEC §6.5).
        throw core::ConnectorError(
            name_ + ": " + (name_ == "odbc" ? "the connection" : school.source) + ": " + e.what());
    }
    snap.school = school.dfes;
    snap.connector = name_;
    rejectUnusableText(snap);  // whatever the format: UTF-8, no control characters, sizes
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    spdlog::debug("connector={} school={} persons={} groups={} memberships={} rejected={} ms={}",
                  name_, school.dfes, snap.persons.size(), snap.groups.size(),
                  snap.memberships.size(), snap.rejected.size(), ms);
    return snap;
}

void ConnectorRegistry::registerFactory(const std::string& name, Factory factory) {
    factories_[name] = std::move(factory);
}

bool ConnectorRegistry::has(const std::string& name) const {
    return factories_.count(name) != 0;
}

std::unique_ptr<Connector> ConnectorRegistry::create(const std::string& name) const {
    auto it = factories_.find(name);
    if (it == factories_.end()) {
        std::string known;
        for (const auto& [n, f] : factories_) {
            known += known.empty() ? n : ", " + n;
        }
        throw core::ConfigError("unknown connector '" + name + "' (known: " + known + ")");
    }
    return it->second();
}

std::vector<std::string> ConnectorRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& [n, f] : factories_) {
        out.push_back(n);
    }
    return out;
}

}  // namespace misync::connectors
