#include "daemon/config_reader.h"

#include "core/toml_type_name.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "core/errors.h"

namespace misync::daemon {

ConfigEnvironment ConfigEnvironment::fromProcess() {
    ConfigEnvironment env;
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0') {
        env.credentialsDirectory = std::filesystem::path(dir);
    }
    return env;
}

ConfigEnvironment ConfigEnvironment::forCommands() {
    ConfigEnvironment env = fromProcess();
    env.daemonCredentialsOptional = true;
    return env;
}

namespace config_detail {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += out.empty() ? item : ", " + item;
    }
    return out;
}

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

void Context::fail(const toml::source_region& at, std::string_view key, std::string_view what) {
    problems_.push_back({at.begin.line, at.begin.column,
                         fileName_ + ":" + std::to_string(at.begin.line) + ":" +
                             std::to_string(at.begin.column) + ": key '" + std::string(key) +
                             "': " + std::string(what)});
}

namespace {

// A relative path of plain names ("6602001", "schools/6602001"): no ".", "..", empty name or
// trailing "/", so that joining it to a normal folder gives a normal path.
bool plainRelative(std::string_view path) {
    if (path.empty() || path.front() == '/') {
        return false;
    }
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = path.find('/', start);
        const std::string_view name = path.substr(start, end - start);
        if (name.empty() || name == "." || name == "..") {
            return false;
        }
        if (end == std::string_view::npos) {
            return true;
        }
        start = end + 1;
    }
}

}  // namespace

std::string Context::resolve(const std::string& path) const {
    if (!baseText_.empty() && plainRelative(path)) {
        // What lexically_normal() would give, without its work for every school's source (issue
        // 8: 6,000 instructions a path, 9 M for Wales's 1,480 schools on every run).
        return baseText_.back() == '/' ? baseText_ + path : baseText_ + '/' + path;
    }
    fs::path p(path);
    return p.is_absolute() ? p.lexically_normal().string()
                           : (baseDir_ / p).lexically_normal().string();
}

std::optional<std::string> Context::secretPath(const Value& v) {
    const std::string& text = v.text();
    if (text.rfind(kCredentialPrefix, 0) != 0) {
        return resolve(text);
    }
    const std::string name = text.substr(kCredentialPrefix.size());
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
        fail(v, "'" + text + "': a credential name is a file name, without '/'");
        return std::nullopt;
    }
    if (!environment_.credentialsDirectory) {
        fail(v, "'" + text +
                    "' needs $CREDENTIALS_DIRECTORY, which systemd sets for a service with "
                    "LoadCredential=; it is not set");
        return std::nullopt;
    }
    const fs::path file = *environment_.credentialsDirectory / name;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        fail(v, "credential '" + name + "' is not in $CREDENTIALS_DIRECTORY (" +
                    environment_.credentialsDirectory->string() + ")");
        return std::nullopt;
    }
    return file.string();
}

bool Context::skipsDaemonCredential(const Value& v) const {
    return environment_.daemonCredentialsOptional && !environment_.credentialsDirectory &&
           v.text().rfind(kCredentialPrefix, 0) == 0;
}

std::optional<std::string> Context::readSecretFile(const Value& v) {
    auto path = secretPath(v);
    if (!path) {
        return std::nullopt;
    }
    std::string content;
    if (auto ec = readWholeFile(*path, content)) {
        fail(v, "cannot read '" + *path + "': " + ec.message());
        return std::nullopt;
    }
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
        content.pop_back();
    }
    if (content.empty()) {
        fail(v, "file '" + *path + "' is empty");
        return std::nullopt;
    }
    return content;
}

void Context::throwIfProblems() {
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
        case Kind::StringArray: {
            const auto* array = node.as_array();
            return array != nullptr &&
                   std::all_of(array->begin(), array->end(),
                               [](const toml::node& n) { return n.is_string(); });
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
        case Kind::StringArray:
            return "an array of strings";
    }
    return "?";
}

std::string_view typeName(const toml::node& node) {
    return core::tomlTypeName(node);
}

std::string joinKey(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

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
                                  std::int64_t max) {
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

std::optional<std::string> readSecretPath(Context& ctx, const Value& v) {
    return readNonEmpty(ctx, v) ? ctx.secretPath(v) : std::nullopt;
}

std::optional<std::string> readDaemonSecretPath(Context& ctx, const Value& v) {
    if (ctx.skipsDaemonCredential(v)) {
        return v.text();
    }
    return readSecretPath(ctx, v);
}

const toml::source_region& whereIs(const toml::table& table, std::string_view key) {
    const toml::node* node = table.get(key);
    return node != nullptr ? node->source() : table.source();
}

}  // namespace config_detail
}  // namespace misync::daemon
