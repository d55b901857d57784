// The daemon's keys of the configuration (SPEC §7, §9.1): [daemon], [[notify]] and a school's
// settle_seconds, read with the same schema machinery and messages as the rest (config.cpp).
#include <algorithm>
#include <array>
#include <charconv>

#include "daemon/config_reader.h"

namespace misync::daemon {

std::string NotifyConfig::origin() const {
    const bool defaultPort =
        (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return scheme + "://" + h + (defaultPort ? "" : ":" + port);
}

bool NotifyConfig::notifiesOn(std::string_view event) const {
    return std::find(on.begin(), on.end(), event) != on.end();
}

namespace config_detail {
namespace {

constexpr std::array<std::string_view, 3> kEvents{"failed", "held", "stale"};

bool printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// http(s)://host[:port][/path][?query] into `n`; the problem otherwise. Messages never quote
// the URL: its path or query may be a secret.
std::optional<std::string> parseUrl(const std::string& url, NotifyConfig& n) {
    std::string_view rest;
    if (url.rfind("http://", 0) == 0) {
        n.scheme = "http";
        rest = std::string_view(url).substr(7);
    } else if (url.rfind("https://", 0) == 0) {
        n.scheme = "https";
        rest = std::string_view(url).substr(8);
    } else {
        return "must be an http:// or https:// URL";
    }
    const std::size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    std::string_view target = end == rest.npos ? std::string_view() : rest.substr(end);
    if (auto hash = target.find('#'); hash != target.npos) {
        target = target.substr(0, hash);
    }
    if (authority.find('@') != authority.npos) {
        return "a user name or password in the URL is not supported: give the token in "
               "token_file";
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == authority.npos || close == 1) {
            return "the URL's IPv6 host must be written [address]";
        }
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') {
            return "the URL's host is malformed";
        }
        port = after.empty() ? after : after.substr(1);
    } else if (auto colon = authority.rfind(':'); colon != authority.npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty() || !printable(host)) {
        return "the URL has no host";
    }
    if (authority.find(':') != authority.npos || !port.empty()) {
        unsigned p = 0;
        auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || p < 1 ||
            p > 65535) {
            return "the URL's port must be a number from 1 to 65535";
        }
        n.port = std::string(port);
    } else {
        n.port = n.scheme == "https" ? "443" : "80";
    }
    if (!printable(target)) {
        return "the URL's path holds spaces or control characters (write them %-encoded)";
    }
    n.host = std::string(host);
    n.target = target.empty() ? "/" : (target.front() == '?' ? "/" : "") + std::string(target);
    return std::nullopt;
}

constexpr Field<DaemonConfig> kDaemonFields[] = {
    {"workers", Kind::Integer,
     [](Context& ctx, const Value& v, DaemonConfig& d) {
         assign(d.workers, readCount(ctx, v, 1, 64));
     }},
    {"settle_seconds", Kind::Integer,
     [](Context& ctx, const Value& v, DaemonConfig& d) {
         assign(d.settleSeconds, readCount(ctx, v, 1, 3600));
     }},
    {"stop_timeout_seconds", Kind::Integer,
     [](Context& ctx, const Value& v, DaemonConfig& d) {
         assign(d.stopTimeoutSeconds, readCount(ctx, v, 1, 3600));
     }},
};

constexpr Field<NotifyConfig> kNotifyFields[] = {
    {"url", Kind::String,
     [](Context& ctx, const Value& v, NotifyConfig& n) {
         if (auto problem = parseUrl(v.text(), n)) {
             ctx.fail(v, *problem);
             return;
         }
         n.url = v.text();
     }},
    {"on", Kind::StringArray,
     [](Context& ctx, const Value& v, NotifyConfig& n) {
         std::vector<std::string> given;
         for (const auto& item : *v.node.as_array()) {
             const std::string& event = item.as_string()->get();
             if (std::find(kEvents.begin(), kEvents.end(), event) == kEvents.end()) {
                 ctx.fail(item.source(), v.key,
                          "unknown event '" + event + "' (known: failed, held, stale)");
                 return;
             }
             if (std::find(given.begin(), given.end(), event) != given.end()) {
                 ctx.fail(item.source(), v.key, "'" + event + "' is listed twice");
                 return;
             }
             given.push_back(event);
         }
         if (given.empty()) {
             ctx.fail(v,
                      "must name at least one of failed, held, stale (or leave 'on' out for "
                      "all three)");
             return;
         }
         n.on.clear();
         for (auto event : kEvents) {  // a fixed order, whatever the file's
             if (std::find(given.begin(), given.end(), event) != given.end()) {
                 n.on.emplace_back(event);
             }
         }
     }},
    {"token_file", Kind::String,
     [](Context& ctx, const Value& v, NotifyConfig& n) {
         if (!readNonEmpty(ctx, v) || ctx.skipsDaemonCredential(v)) {
             return;  // a command that sends no notifications needs no token
         }
         auto token = ctx.readSecretFile(v);
         if (token && !printable(*token)) {
             ctx.fail(v,
                      "the file holds characters a bearer token cannot have (only visible "
                      "ASCII, no spaces or line breaks inside)");
             return;
         }
         assign(n.token, std::move(token));
     }},
};

}  // namespace

void readDaemonSection(Context& ctx, const Value& v, DaemonConfig& out) {
    readTable<DaemonConfig>(ctx, v.table(), v.key, kDaemonFields, out);
}

void readNotifyArray(Context& ctx, const Value& v, std::vector<NotifyConfig>& out) {
    std::map<std::string, std::size_t> lineOfUrl;
    std::size_t number = 0;
    for (const auto& element : *v.node.as_array()) {
        const toml::table& table = *element.as_table();
        const std::string path = "notify[" + std::to_string(++number) + "]";
        NotifyConfig n;
        readTable<NotifyConfig>(ctx, table, path, kNotifyFields, n);
        if (!table.contains("url")) {
            ctx.fail(table.source(), joinKey(path, "url"), "is required");
            continue;
        }
        if (n.url.empty()) {
            continue;  // already reported
        }
        auto [it, added] = lineOfUrl.emplace(n.url, table.source().begin.line);
        if (!added) {
            ctx.fail(whereIs(table, "url"), joinKey(path, "url"),
                     "the same URL is already a target at line " + std::to_string(it->second));
            continue;
        }
        out.push_back(std::move(n));
    }
}

void readSchoolSettle(Context& ctx, const Value& v, SchoolConfig& s) {
    assign(s.settleSeconds, readCount(ctx, v, 1, 3600));
}

}  // namespace config_detail
}  // namespace misync::daemon
