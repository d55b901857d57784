// Connectors read a school's MIS extract into a Snapshot (SPEC §6). They register a factory by
// name in a ConnectorRegistry (DESIGN.md pattern 1); main() calls registerBuiltinConnectors().
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace misync::connectors {

// What a connector needs to know about one school, taken from its [[school]] configuration.
struct SchoolSource {
    std::string dfes;
    std::string source;            // drop folder, file, zip or connection string
    std::optional<bool> complete;  // overrides the connector's default (SPEC §6)
    // Canonical field name (e.g. "reg_group") → the school's own column name (SPEC §6 `fields`).
    std::map<std::string, std::string> fields;
    // Logical file ("students", "staff", "groups") → file name inside `source` (names
    // configurable).
    std::map<std::string, std::string> files;
    // ctf: also read files addressed to this school (incoming transfers, SPEC §6.2).
    bool incoming = false;
    // odbc: "learners", "staff", "memberships" → SQL with `?` bound to the DfES number (§6.5).
    std::map<std::string, std::string> queries;
    // oneroster: the school's org (its sourcedId or identifier) when the org's identifier is not
    // the DfES number (SPEC §6.3); empty: the org of type school whose identifier is.
    std::string org;
};

class Connector {
  public:
    virtual ~Connector() = default;
    Connector(const Connector&) = delete;
    Connector& operator=(const Connector&) = delete;

    const std::string& name() const { return name_; }

    // What readIfChanged() found: the files' digests, and the snapshot unless they are the same.
    struct Reading {
        std::optional<std::vector<core::SourceFile>> digests;  // nullopt: the connector cannot tell
        std::optional<core::Snapshot> snapshot;  // absent when the digests equal `known`
    };

    // Reads one school's snapshot. Records that cannot be used are returned in
    // Snapshot::rejected (R15); a source that cannot be read or parsed at all throws
    // core::ConnectorError naming the file. Never returns a half-read snapshot.
    core::Snapshot read(const SchoolSource& school);

    // A cheap fingerprint of the school's sources (file names, sizes, modification times and
    // inodes), or nullopt when the connector cannot tell without reading. Equal fingerprints
    // mean the sources were not rewritten; the runner then may skip re-reading them.
    virtual std::optional<std::string> fingerprint(const SchoolSource& /*school*/) const {
        return std::nullopt;
    }
    // The sources' files with their sha256 and no record counts (cheaper than read(): no
    // parsing), for sources rewritten with the same content as an MIS's nightly export is;
    // nullopt when the connector cannot tell.
    virtual std::optional<std::vector<core::SourceFile>> digests(
        const SchoolSource& /*school*/) const {
        return std::nullopt;
    }
    // Rewritten sources, read once (issue 8): their digests and, unless those equal `known`
    // (the files of the school's last run, sameFiles()), the snapshot parsed from the very bytes
    // hashed. Throws as read() does. This default hashes with digests() and then reads.
    virtual Reading readIfChanged(const SchoolSource& school,
                                  const std::vector<core::SourceFile>& known);
    // S6: when the sources were extracted (ISO-8601 UTC), as read() would set
    // Snapshot::extractedAt, without parsing them; nullopt when the connector cannot tell. A run
    // over files rewritten with the same content is not re-read, but they are a fresh export.
    virtual std::optional<std::string> extractedAt(const SchoolSource& /*school*/) const {
        return std::nullopt;
    }

  protected:
    explicit Connector(std::string name) : name_(std::move(name)) {}
    virtual core::Snapshot doRead(const SchoolSource& school) = 0;
    // What read() does around doRead(): `parse` gives the snapshot; its failures are named
    // after the school's source, and what no record may hold is rejected.
    core::Snapshot finishRead(const SchoolSource& school,
                              const std::function<core::Snapshot()>& parse);

  private:
    std::string name_;
};

// The same files in the same order with the same sha256 (record counts are not compared).
bool sameFiles(const std::vector<core::SourceFile>& a, const std::vector<core::SourceFile>& b);

class ConnectorRegistry {
  public:
    using Factory = std::function<std::unique_ptr<Connector>()>;

    void registerFactory(const std::string& name, Factory factory);
    bool has(const std::string& name) const;
    // Throws core::ConfigError listing the known names when `name` is unknown.
    std::unique_ptr<Connector> create(const std::string& name) const;
    std::vector<std::string> names() const;

  private:
    std::map<std::string, Factory> factories_;
};

void registerBuiltinConnectors(ConnectorRegistry& registry);

}  // namespace misync::connectors
