// Internal to the configuration loader (config.cpp, config_daemon.cpp): the schema machinery
// of DESIGN.md pattern 6 — every key checked against a table of fields with its type, problems
// collected with FILE:LINE:COL and the full dotted key, secrets read from files (or systemd
// credentials) without their content ever reaching a message. Not for use outside daemon/.
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "connectors/connector.h"
#include "daemon/config.h"

namespace misync::daemon::config_detail {

namespace fs = std::filesystem;

constexpr std::int64_t kNoMax = std::numeric_limits<unsigned>::max();

// The prefix of a file key that names a systemd credential (SPEC §7, §10: LoadCredential=).
constexpr std::string_view kCredentialPrefix = "credential:";

std::string joined(const std::vector<std::string>& items);

// The whole file, or why it cannot be read (the reason goes into messages, the content never).
std::error_code readWholeFile(const fs::path& path, std::string& out);

// A value found in the file and its full dotted key ("school[2].policy.retention_days"), so
// that every message can name both the key and where it is.
struct Value {
    const toml::node& node;
    std::string key;

    const std::string& text() const { return node.as_string()->get(); }
    std::int64_t integer() const { return node.as_integer()->get(); }
    bool boolean() const { return node.as_boolean()->get(); }
    const toml::table& table() const { return *node.as_table(); }
};

struct Problem {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string text;
};

// What one load needs besides the document: where it came from (messages and relative paths),
// the connector names it may use, where systemd credentials are, and the problems found so far.
// Problems are collected rather than thrown one at a time so that `check-config` reports
// everything wrong in one go.
class Context {
  public:
    Context(std::string fileName, fs::path baseDir, const connectors::ConnectorRegistry& registry,
            ConfigEnvironment environment)
        : fileName_(std::move(fileName)),
          baseDir_(std::move(baseDir)),
          baseText_(baseDir_ == baseDir_.lexically_normal() ? baseDir_.string() : std::string()),
          registry_(registry),
          environment_(std::move(environment)) {}

    const connectors::ConnectorRegistry& registry() const { return registry_; }

    void fail(const toml::source_region& at, std::string_view key, std::string_view what);
    void fail(const Value& v, std::string_view what) { fail(v.node.source(), v.key, what); }

    // Relative paths are taken from the configuration file's folder, never the working directory.
    std::string resolve(const std::string& path) const;

    // The path a file key names: `credential:NAME` is the file NAME in $CREDENTIALS_DIRECTORY
    // (which must be set, and hold it), anything else a path resolved as resolve() does.
    std::optional<std::string> secretPath(const Value& v);

    // A secret given as a file (SPEC §7), or a credential: the file's content without its
    // trailing line break. Messages name the key and the file, never the content.
    std::optional<std::string> readSecretFile(const Value& v);

    // Whether a key only the daemon reads names a credential that this load leaves alone
    // (ConfigEnvironment::daemonCredentialsOptional, no $CREDENTIALS_DIRECTORY).
    bool skipsDaemonCredential(const Value& v) const;

    void throwIfProblems();

  private:
    std::string fileName_;
    fs::path baseDir_;
    std::string baseText_;  // baseDir_ when it is already normal (resolve()'s quick way), or ""
    const connectors::ConnectorRegistry& registry_;
    ConfigEnvironment environment_;
    std::vector<Problem> problems_;
};

// ---- the schema: every key of every section, with its type and how it is read --------------

enum class Kind { String, Integer, Number, Boolean, Table, ArrayOfTables, StringArray };

bool hasKind(const toml::node& node, Kind kind);
std::string_view kindName(Kind kind);
std::string_view typeName(const toml::node& node);

template <class T>
struct Field {
    std::string_view key;
    Kind kind;
    void (*read)(Context&, const Value&, T&);
    std::string_view typeHint = {};  // added to a wrong-type message
};

std::string joinKey(std::string_view path, std::string_view key);

// Checks every key of `table` against `fields` (unknown key or wrong type: a problem naming
// the key and its line) and reads the rest into `out`, which already holds the defaults.
template <class T>
void readTable(Context& ctx, const toml::table& table, std::string_view path,
               std::span<const Field<T>> fields, T& out) {
    for (auto&& [key, node] : table) {
        std::string_view name = key.str();  // clang < 16 cannot capture a structured binding
        std::string fullKey = joinKey(path, name);
        auto field = std::find_if(fields.begin(), fields.end(),
                                  [name](const Field<T>& f) { return f.key == name; });
        if (field == fields.end()) {
            std::vector<std::string> known;
            for (const auto& f : fields) {
                known.emplace_back(f.key);
            }
            ctx.fail(key.source(), fullKey, "unknown key (known here: " + joined(known) + ")");
            continue;
        }
        if (!hasKind(node, field->kind)) {
            std::string what = "expected " + std::string(kindName(field->kind)) + ", found " +
                               std::string(typeName(node));
            if (!field->typeHint.empty()) {
                what += "; " + std::string(field->typeHint);
            }
            ctx.fail(node.source(), fullKey, what);
            continue;
        }
        field->read(ctx, Value{node, fullKey}, out);
    }
}

// A table whose keys are names chosen by the school ([school.fields], [school.files]) or one of
// `allowed` when that is not empty ([school.queries]); every value a non-empty string.
void readStringMap(Context& ctx, const Value& v, std::span<const std::string_view> allowed,
                   std::string_view valueMeaning, std::map<std::string, std::string>& out);

std::optional<unsigned> readCount(Context& ctx, const Value& v, std::int64_t min,
                                  std::int64_t max = kNoMax);
std::optional<double> readPercent(Context& ctx, const Value& v);
std::optional<std::string> readNonEmpty(Context& ctx, const Value& v);
std::optional<std::string> readPath(Context& ctx, const Value& v);
// A path key that may also name a systemd credential (Context::secretPath).
std::optional<std::string> readSecretPath(Context& ctx, const Value& v);
// The same for a key only the daemon reads: kept as written when the load skips it.
std::optional<std::string> readDaemonSecretPath(Context& ctx, const Value& v);

template <class T>
void assign(T& target, std::optional<T> value) {
    if (value) {
        target = std::move(*value);
    }
}

// Where `key` is in `table` (the table itself when the key is absent), for messages.
const toml::source_region& whereIs(const toml::table& table, std::string_view key);

// ---- sections read in config_daemon.cpp ----------------------------------------------------

// [daemon] (SPEC §9.1): workers, settle_seconds, stop_timeout_seconds.
void readDaemonSection(Context& ctx, const Value& v, DaemonConfig& out);
// [[notify]] (SPEC §9.1): each entry's url, on and token_file.
void readNotifyArray(Context& ctx, const Value& v, std::vector<NotifyConfig>& out);
// A school's own settle_seconds (SPEC §9.1).
void readSchoolSettle(Context& ctx, const Value& v, SchoolConfig& s);

}  // namespace misync::daemon::config_detail
