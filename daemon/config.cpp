#include "daemon/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>

#include "core/errors.h"
#include "core/school.h"
#include "daemon/config_reader.h"

namespace misync::daemon {
namespace {

using namespace config_detail;

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
     [](Context& ctx, const Value& v, SecretsConfig& s) {
         assign(s.keyFile, readSecretPath(ctx, v));
     }},
};

constexpr Field<StatusConfig> kStatusFields[] = {
    {"listen", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) {
         if (!isListenAddress(v.text())) {
             ctx.fail(v, "must be HOST:PORT with a port from 0 to 65535, e.g. \"127.0.0.1:8750\"");
             return;
         }
         s.listen = v.text();
     }},
    {"tokens_file", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) {
         assign(s.tokensFile, readDaemonSecretPath(ctx, v));
     }},
    {"tls_certificate", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) {
         assign(s.tlsCertificate, readDaemonSecretPath(ctx, v));
     }},
    {"tls_private_key", Kind::String,
     [](Context& ctx, const Value& v, StatusConfig& s) {
         assign(s.tlsPrivateKey, readDaemonSecretPath(ctx, v));
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
    {"settle_seconds", Kind::Integer, readSchoolSettle},
};

// Rules that join several keys of one section; run after the section's keys were read.

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
    if (t.contains("files") && (s.connector == "ctf" || s.connector == "oneroster")) {
        ctx.fail(whereIs(t, "files"), joinKey(path, "files"),
                 "connector \"" + s.connector + "\" finds its files by name (" +
                     (s.connector == "ctf" ? "every *.xml in the folder" : "SPEC §6.3") +
                     "); [school.files] does not apply");
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
    {"daemon", Kind::Table,
     [](Context& ctx, const Value& v, Draft& d) { readDaemonSection(ctx, v, d.config.daemon); }},
    {"notify", Kind::ArrayOfTables,
     [](Context& ctx, const Value& v, Draft& d) { readNotifyArray(ctx, v, d.config.notify); },
     "write each target as a [[notify]] block"},
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
        if (!table.contains("settle_seconds")) {
            school.settleSeconds = config.daemon.settleSeconds;  // §9.1: per school or [daemon]
        }
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
                   const connectors::ConnectorRegistry& registry,
                   const ConfigEnvironment& environment) {
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

    Context ctx(fileName, absolute.parent_path(), registry, environment);
    Draft draft;
    draft.config.file = absolute;
    readTable<Draft>(ctx, document, "", kTopFields, draft);
    if (draft.schools != nullptr) {
        readSchools(ctx, *draft.schools, draft.config);
    }
    ctx.throwIfProblems();
    return std::move(draft.config);
}

Config loadConfig(const std::filesystem::path& file, const connectors::ConnectorRegistry& registry,
                  const ConfigEnvironment& environment) {
    std::string text;
    if (auto ec = readWholeFile(file, text)) {
        throw core::ConfigError(file.string() + ": cannot read the configuration: " + ec.message());
    }
    return parseConfig(text, file, registry, environment);
}

}  // namespace misync::daemon
