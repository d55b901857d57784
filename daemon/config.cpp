#include "daemon/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <limits>
#include <span>
#include <system_error>
#include <utility>

#include "core/errors.h"
#include "core/school.h"

namespace misync::daemon {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNoMax = std::numeric_limits<unsigned>::max();

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += out.empty() ? item : ", " + item;
    }
    return out;
}

// The whole file, or why it cannot be read (the reason goes into messages, the content never).
std::error_code readWholeFile(const fs::path& path, std::string& out) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec) {
        return ec;
    }
    if (fs::is_directory(status)) {
        return std::make_error_code(std::errc::is_a_directory);
    }
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        // The stream hides the reason; libstdc++ leaves open(2)'s errno in place.
        return errno != 0 ? std::error_code(errno, std::generic_category())
                          : std::make_error_code(std::errc::permission_denied);
    }
    out.clear();
    std::array<char, 8192> buffer{};
    while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
        out.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        return std::make_error_code(std::errc::io_error);
    }
    return {};
}

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
// the connector names it may use, and the problems found so far. Problems are collected rather
// than thrown one at a time so that `check-config` reports everything wrong in one go.
class Context {
  public:
    Context(std::string fileName, fs::path baseDir, const connectors::ConnectorRegistry& registry)
        : fileName_(std::move(fileName)), baseDir_(std::move(baseDir)), registry_(registry) {}

    const connectors::ConnectorRegistry& registry() const { return registry_; }

    void fail(const toml::source_region& at, std::string_view key, std::string_view what) {
        problems_.push_back({at.begin.line, at.begin.column,
                             fileName_ + ":" + std::to_string(at.begin.line) + ":" +
                                 std::to_string(at.begin.column) + ": key '" + std::string(key) +
                                 "': " + std::string(what)});
    }
    void fail(const Value& v, std::string_view what) { fail(v.node.source(), v.key, what); }

    // Relative paths are taken from the configuration file's folder, never the working directory.
    std::string resolve(const std::string& path) const {
        fs::path p(path);
        return p.is_absolute() ? p.lexically_normal().string()
                               : (baseDir_ / p).lexically_normal().string();
    }

    // A secret given as a file (SPEC §7): the file's content without its trailing line break.
    // Messages name the key and the file, never the content.
    std::optional<std::string> readSecretFile(const Value& v) {
        std::string path = resolve(v.text());
        std::string content;
        if (auto ec = readWholeFile(path, content)) {
            fail(v, "cannot read '" + path + "': " + ec.message());
            return std::nullopt;
        }
        while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
            content.pop_back();
        }
        if (content.empty()) {
            fail(v, "file '" + path + "' is empty");
            return std::nullopt;
        }
        return content;
    }

    void throwIfProblems() {
        if (problems_.empty()) {
            return;
        }
        std::stable_sort(problems_.begin(), problems_.end(), [](const auto& a, const auto& b) {
            return std::pair(a.line, a.column) < std::pair(b.line, b.column);
        });
        std::string message;
        for (const auto& p : problems_) {
            message += message.empty() ? p.text : "\n" + p.text;
        }
        throw core::ConfigError(message);
    }

  private:
    std::string fileName_;
    fs::path baseDir_;
    const connectors::ConnectorRegistry& registry_;
    std::vector<Problem> problems_;
};

// ---- the schema: every key of every section, with its type and how it is read --------------

enum class Kind { String, Integer, Number, Boolean, Table, ArrayOfTables };

bool hasKind(const toml::node& node, Kind kind) {
    switch (kind) {
        case Kind::String:
            return node.is_string();
        case Kind::Integer:
            return node.is_integer();
        case Kind::Number:
            return node.is_integer() || node.is_floating_point();
        case Kind::Boolean:
            return node.is_boolean();
        case Kind::Table:
            return node.is_table();
        case Kind::ArrayOfTables: {
            const auto* array = node.as_array();
            return array != nullptr && (array->empty() || array->is_array_of_tables());
        }
    }
    return false;
}

std::string_view kindName(Kind kind) {
    switch (kind) {
        case Kind::String:
            return "a string";
        case Kind::Integer:
            return "an integer";
        case Kind::Number:
            return "a number";
        case Kind::Boolean:
            return "a boolean (true or false)";
        case Kind::Table:
            return "a table";
        case Kind::ArrayOfTables:
            return "an array of tables";
    }
    return "?";
}

std::string_view typeName(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

template <class T>
struct Field {
    std::string_view key;
    Kind kind;
    void (*read)(Context&, const Value&, T&);
    std::string_view typeHint = {};  // added to a wrong-type message
};

std::string joinKey(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

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
                   std::string_view valueMeaning, std::map<std::string, std::string>& out) {
    for (auto&& [key, node] : v.table()) {
        std::string fullKey = joinKey(v.key, key.str());
        if (!allowed.empty() &&
            std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
            std::vector<std::string> known(allowed.begin(), allowed.end());
            ctx.fail(key.source(), fullKey, "unknown key (known here: " + joined(known) + ")");
            continue;
        }
        if (!node.is_string()) {
            ctx.fail(node.source(), fullKey,
                     "expected a string (" + std::string(valueMeaning) + "), found " +
                         std::string(typeName(node)));
            continue;
        }
        const std::string& text = node.as_string()->get();
        if (text.empty()) {
            ctx.fail(node.source(), fullKey, "must not be empty");
            continue;
        }
        out[std::string(key.str())] = text;
    }
}

std::optional<unsigned> readCount(Context& ctx, const Value& v, std::int64_t min,
                                  std::int64_t max = kNoMax) {
    std::int64_t n = v.integer();
    if (n >= min && n <= max) {
        return static_cast<unsigned>(n);
    }
    std::string what;
    if (max != kNoMax) {
        what = "must be between " + std::to_string(min) + " and " + std::to_string(max);
    } else if (n > max) {
        what = "must be at most " + std::to_string(max);
    } else {
        what = min == 0 ? "must not be negative" : "must be at least " + std::to_string(min);
    }
    ctx.fail(v, what + " (found " + std::to_string(n) + ")");
    return std::nullopt;
}

std::optional<double> readPercent(Context& ctx, const Value& v) {
    double x = v.node.value<double>().value_or(-1);
    if (!(x >= 0 && x <= 100)) {  // also rejects nan
        ctx.fail(v, "must be a percentage between 0 and 100");
        return std::nullopt;
    }
    return x;
}

std::optional<std::string> readNonEmpty(Context& ctx, const Value& v) {
    if (v.text().empty()) {
        ctx.fail(v, "must not be empty");
        return std::nullopt;
    }
    return v.text();
}

std::optional<std::string> readPath(Context& ctx, const Value& v) {
    auto text = readNonEmpty(ctx, v);
    return text ? std::optional(ctx.resolve(*text)) : std::nullopt;
}

template <class T>
void assign(T& target, std::optional<T> value) {
    if (value) {
        target = std::move(*value);
    }
}

// ---- sections -----------------------------------------------------------------------------

using reconcile::Policy;

constexpr Field<Policy> kPolicyFields[] = {
    {"email_domain", Kind::String,
     [](Context& ctx, const Value& v, Policy& p) {
         if (!isEmailDomain(v.text())) {
             ctx.fail(v, "must be a mail domain such as \"hwbcymru.net\" (no '@' or spaces)");
             return;
         }
         p.emailDomain = v.text();
     }},
    {"username_max_length", Kind::Integer,
     [](Context& ctx, const Value& v, Policy& p) {
         assign(p.usernameMaxLength, readCount(ctx, v, 8, 64));
     }},
    {"regenerate_username_on_rename", Kind::Boolean,
     [](Context&, const Value& v, Policy& p) { p.regenerateUsernameOnRename = v.boolean(); }},
    {"staff_transfer", Kind::String,
     [](Context& ctx, const Value& v, Policy& p) {
         if (v.text() == "manual") {
             p.staffTransfer = reconcile::StaffTransfer::Manual;
         } else if (v.text() == "automatic") {
             p.staffTransfer = reconcile::StaffTransfer::Automatic;
         } else {
             ctx.fail(v, "must be \"manual\" or \"automatic\"");
         }
     }},
    {"retention_days", Kind::Integer,
     [](Context& ctx, const Value& v, Policy& p) {
         assign(p.retentionDays, readCount(ctx, v, 1));
     }},
    {"max_deactivate_percent", Kind::Number,
     [](Context& ctx, const Value& v, Policy& p) {
         assign(p.maxDeactivatePercent, readPercent(ctx, v));
     }},
    {"min_deactivate_guard", Kind::Integer,
     [](Context& ctx, const Value& v, Policy& p) {
         assign(p.minDeactivateGuard, readCount(ctx, v, 0));
     }},
    {"max_deactivate_count", Kind::Integer,
     [](Context& ctx, const Value& v, Policy& p) {
         assign(p.maxDeactivateCount, readCount(ctx, v, 0));
     }},
    {"min_roll_percent", Kind::Number,
     [](Context& ctx, const Value& v, Policy& p) {
         assign(p.minRollPercent, readPercent(ctx, v));
     }},
    {"stale_after_hours", Kind::Integer,
     [](Context& ctx, const Value& v, Policy& p) {
         assign(p.staleAfterHours, readCount(ctx, v, 1));
     }},
    {"summer_leaver_until", Kind::String,
     [](Context& ctx, const Value& v, Policy& p) {
         auto day = parseMonthDay(v.text());
         if (!day) {
             ctx.fail(v, "must be \"MM-DD\", a day that occurs every year, e.g. \"08-30\"");
             return;
         }
         p.summerLeaverUntil = *day;
     }},
};

constexpr Field<DirectoryConfig> kDirectoryFields[] = {
    {"backend", Kind::String,
     [](Context& ctx, const Value& v, DirectoryConfig& d) {
         if (v.text() != "sqlite" && v.text() != "postgresql") {
             ctx.fail(v, "must be \"sqlite\" or \"postgresql\"");
             return;
         }
         d.backend = v.text();
     }},
    {"path", Kind::String,
     [](Context& ctx, const Value& v, DirectoryConfig& d) { assign(d.path, readPath(ctx, v)); }},
    {"connection", Kind::String,
     [](Context& ctx, const Value& v, DirectoryConfig& d) {
         assign(d.connection, readNonEmpty(ctx, v));
     }},
    {"connection_file", Kind::String,
     [](Context& ctx, const Value& v, DirectoryConfig& d) {
         if (readNonEmpty(ctx, v)) {
             assign(d.connection, ctx.readSecretFile(v));
         }
     }},
};

constexpr Field<SecretsConfig> kSecretsFields[] = {
    {"key_file", Kind::String,
     [](Context& ctx, const Value& v, SecretsConfig& s) { assign(s.keyFile, readPath(ctx, v)); }},
};

constexpr Field<StatusConfig> kStatusFields[] = {
    {"listen", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) {
         if (!isListenAddress(v.text())) {
             ctx.fail(v, "must be HOST:PORT with a port from 1 to 65535, e.g. \"127.0.0.1:8750\"");
             return;
         }
         s.listen = v.text();
     }},
    {"tokens_file", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) { assign(s.tokensFile, readPath(ctx, v)); }},
    {"tls_certificate", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) {
         assign(s.tlsCertificate, readPath(ctx, v));
     }},
    {"tls_private_key", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) {
         assign(s.tlsPrivateKey, readPath(ctx, v));
     }},
};

constexpr std::string_view kQueryNames[] = {"learners", "staff", "memberships"};

constexpr Field<SchoolConfig> kSchoolFields[] = {
    {"dfes", Kind::String,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         if (!core::isValidDfes(v.text())) {
             ctx.fail(v, "'" + v.text() +
                             "' is not a DfES number (7 digits: LA code and establishment)");
             return;
         }
         s.dfes = v.text();
     },
     "write it in quotes, e.g. dfes = \"6612345\""},
    {"name", Kind::String, [](Context&, const Value& v, SchoolConfig& s) { s.name = v.text(); }},
    {"connector", Kind::String,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         if (!ctx.registry().has(v.text())) {
             ctx.fail(v, "unknown connector '" + v.text() +
                             "' (known: " + joined(ctx.registry().names()) + ")");
             return;
         }
         s.connector = v.text();
     }},
    {"source", Kind::String,
     [](Context& ctx, const Value& v, SchoolConfig& s) { assign(s.source, readNonEmpty(ctx, v)); }},
    {"source_file", Kind::String,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         if (readNonEmpty(ctx, v)) {
             assign(s.source, ctx.readSecretFile(v));
         }
     }},
    {"schedule", Kind::String,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         if (auto problem = scheduleProblem(v.text())) {
             ctx.fail(v, "'" + v.text() + "': " + *problem);
             return;
         }
         s.schedule = v.text();
     }},
    {"complete", Kind::Boolean,
     [](Context&, const Value& v, SchoolConfig& s) { s.complete = v.boolean(); }},
    {"incoming", Kind::Boolean,
     [](Context&, const Value& v, SchoolConfig& s) { s.incoming = v.boolean(); }},
    {"org", Kind::String,
     [](Context& ctx, const Value& v, SchoolConfig& s) { assign(s.org, readNonEmpty(ctx, v)); }},
    {"fields", Kind::Table,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         readStringMap(ctx, v, {}, "the school's column name", s.fields);
     }},
    {"files", Kind::Table,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         readStringMap(ctx, v, {}, "a file name", s.files);
     }},
    {"queries", Kind::Table,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         readStringMap(ctx, v, kQueryNames, "an SQL query", s.queries);
     }},
    {"policy", Kind::Table,
     [](Context& ctx, const Value& v, SchoolConfig& s) {
         readTable<Policy>(ctx, v.table(), v.key, kPolicyFields, s.policy);
     }},
};

// Rules that join several keys of one section; run after the section's keys were read.

const toml::source_region& whereIs(const toml::table& table, std::string_view key) {
    const toml::node* node = table.get(key);
    return node != nullptr ? node->source() : table.source();
}

void checkDirectory(Context& ctx, const toml::table& t, const DirectoryConfig& d) {
    bool postgres = d.backend == "postgresql";
    if (t.contains("connection") && t.contains("connection_file")) {
        ctx.fail(whereIs(t, "connection_file"), "directory.connection_file",
                 "give either 'connection' or 'connection_file', not both");
    }
    for (std::string_view key : {"connection", "connection_file"}) {
        if (!postgres && t.contains(key)) {
            ctx.fail(whereIs(t, key), joinKey("directory", key),
                     "applies only to backend = \"postgresql\"");
        }
    }
    if (postgres && !t.contains("connection") && !t.contains("connection_file")) {
        ctx.fail(whereIs(t, "backend"), "directory.connection",
                 "backend \"postgresql\" needs 'connection' or 'connection_file'");
    }
    if (postgres && t.contains("path")) {
        ctx.fail(whereIs(t, "path"), "directory.path", "applies only to backend = \"sqlite\"");
    }
}

void checkStatus(Context& ctx, const toml::table& t) {
    bool certificate = t.contains("tls_certificate");
    bool key = t.contains("tls_private_key");
    if (certificate != key) {
        std::string_view given = certificate ? "tls_certificate" : "tls_private_key";
        ctx.fail(whereIs(t, given), joinKey("status", given),
                 "TLS needs both 'tls_certificate' and 'tls_private_key'");
    }
}

// Keys that only make sense for one connector (SPEC §6.2, §6.3, §6.5).
void checkConnectorKeys(Context& ctx, const toml::table& t, const std::string& path,
                        const SchoolConfig& s) {
    struct OnlyFor {
        std::string_view key;
        std::string_view connector;
    };
    static constexpr std::array<OnlyFor, 4> kOnlyFor{
        {{"incoming", "ctf"}, {"org", "oneroster"}, {"queries", "odbc"}, {"source_file", "odbc"}}};
    for (const auto& rule : kOnlyFor) {
        if (t.contains(rule.key) && s.connector != rule.connector) {
            ctx.fail(whereIs(t, rule.key), joinKey(path, rule.key),
                     "applies only to connector \"" + std::string(rule.connector) + "\"");
        }
    }
    if (s.connector != "odbc") {
        return;
    }
    if (t.contains("files")) {
        ctx.fail(whereIs(t, "files"), joinKey(path, "files"),
                 "connector \"odbc\" reads no files; it runs [school.queries]");
    }
    const toml::table* queries = t.get_as<toml::table>("queries");
    for (std::string_view name : kQueryNames) {
        if (queries == nullptr || !queries->contains(name)) {
            ctx.fail(queries != nullptr ? queries->source() : t.source(),
                     joinKey(joinKey(path, "queries"), name),
                     "is required for connector \"odbc\" (SQL returning canonical field names)");
        }
    }
}

void checkSchool(Context& ctx, const toml::table& t, const std::string& path, SchoolConfig& s) {
    for (std::string_view key : {"dfes", "connector"}) {
        if (!t.contains(key)) {
            ctx.fail(t.source(), joinKey(path, key), "is required");
        }
    }
    bool source = t.contains("source");
    bool sourceFile = t.contains("source_file");
    if (!source && !sourceFile) {
        ctx.fail(t.source(), joinKey(path, "source"), "is required");
    }
    if (source && sourceFile) {
        ctx.fail(whereIs(t, "source_file"), joinKey(path, "source_file"),
                 "give either 'source' or 'source_file', not both");
    }
    if (s.connector.empty()) {
        return;  // missing or unknown: already reported
    }
    checkConnectorKeys(ctx, t, path, s);
    // For odbc `source` is a connection string; for every other connector it is a path.
    if (s.connector != "odbc" && !s.source.empty()) {
        s.source = ctx.resolve(s.source);
    }
}

// The top level: sections are read as they come, but schools only once [policy] is known,
// because each school's policy starts from it.
struct Draft {
    Config config;
    const toml::array* schools = nullptr;
};

constexpr Field<Draft> kTopFields[] = {
    {"directory", Kind::Table,
     [](Context& ctx, const Value& v, Draft& d) {
         readTable<DirectoryConfig>(ctx, v.table(), v.key, kDirectoryFields, d.config.directory);
         checkDirectory(ctx, v.table(), d.config.directory);
     }},
    {"secrets", Kind::Table,
     [](Context& ctx, const Value& v, Draft& d) {
         readTable<SecretsConfig>(ctx, v.table(), v.key, kSecretsFields, d.config.secrets);
     }},
    {"status", Kind::Table,
     [](Context& ctx, const Value& v, Draft& d) {
         readTable<StatusConfig>(ctx, v.table(), v.key, kStatusFields, d.config.status);
         checkStatus(ctx, v.table());
     }},
    {"policy", Kind::Table,
     [](Context& ctx, const Value& v, Draft& d) {
         readTable<Policy>(ctx, v.table(), v.key, kPolicyFields, d.config.policy);
     }},
    {"school", Kind::ArrayOfTables,
     [](Context&, const Value& v, Draft& d) { d.schools = v.node.as_array(); },
     "write each school as a [[school]] block"},
};

void readSchools(Context& ctx, const toml::array& array, Config& config) {
    std::map<std::string, std::size_t> lineOfDfes;
    std::size_t number = 0;
    for (const auto& element : array) {
        const toml::table& table = *element.as_table();
        std::string path = "school[" + std::to_string(++number) + "]";
        SchoolConfig school;
        school.policy = config.policy;
        readTable<SchoolConfig>(ctx, table, path, kSchoolFields, school);
        checkSchool(ctx, table, path, school);
        if (!school.dfes.empty()) {
            auto [it, added] = lineOfDfes.emplace(school.dfes, table.source().begin.line);
            if (!added) {
                ctx.fail(whereIs(table, "dfes"), joinKey(path, "dfes"),
                         "school " + school.dfes + " is already configured at line " +
                             std::to_string(it->second));
            }
        }
        config.schools.push_back(std::move(school));
    }
}

}  // namespace

const SchoolConfig* Config::findSchool(std::string_view dfes) const {
    auto it = std::find_if(schools.begin(), schools.end(),
                           [&](const SchoolConfig& s) { return s.dfes == dfes; });
    return it == schools.end() ? nullptr : &*it;
}

std::vector<const SchoolConfig*> Config::select(const std::vector<std::string>& dfes) const {
    std::vector<const SchoolConfig*> out;
    if (dfes.empty()) {
        for (const auto& s : schools) {
            out.push_back(&s);
        }
        return out;
    }
    for (const auto& d : dfes) {
        const SchoolConfig* s = findSchool(d);
        if (s == nullptr) {
            throw core::ConfigError("school " + d + " is not in " + file.string());
        }
        if (std::find(out.begin(), out.end(), s) == out.end()) {
            out.push_back(s);
        }
    }
    return out;
}

Config parseConfig(std::string_view text, const std::filesystem::path& sourceName,
                   const connectors::ConnectorRegistry& registry) {
    std::string fileName = sourceName.string();
    toml::table document;
    try {
        document = toml::parse(text, std::string_view(fileName));
    } catch (const toml::parse_error& e) {
        throw core::ConfigError(fileName + ":" + std::to_string(e.source().begin.line) + ":" +
                                std::to_string(e.source().begin.column) + ": " +
                                std::string(e.description()));
    }

    std::error_code ec;
    fs::path absolute = fs::absolute(sourceName, ec);
    absolute = ec ? sourceName : absolute.lexically_normal();

    Context ctx(fileName, absolute.parent_path(), registry);
    Draft draft;
    draft.config.file = absolute;
    readTable<Draft>(ctx, document, "", kTopFields, draft);
    if (draft.schools != nullptr) {
        readSchools(ctx, *draft.schools, draft.config);
    }
    ctx.throwIfProblems();
    return std::move(draft.config);
}

Config loadConfig(const std::filesystem::path& file,
                  const connectors::ConnectorRegistry& registry) {
    std::string text;
    if (auto ec = readWholeFile(file, text)) {
        throw core::ConfigError(file.string() + ": cannot read the configuration: " + ec.message());
    }
    return parseConfig(text, file, registry);
}

}  // namespace misync::daemon
