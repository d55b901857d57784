#include "status/routes.h"

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <limits>

#include "core/errors.h"
#include "core/school.h"
#include "status/assets.h"
#include "status/handlers.h"

namespace misync::status {

namespace json = boost::json;

namespace {

// What a message may quote of a value the client sent.
std::string shown(std::string_view text, std::size_t max = 40) {
    return text.size() > max ? std::string(text.substr(0, max)) + "…" : std::string(text);
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// application/x-www-form-urlencoded decoding of one query name or value.
std::string decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            const int hi = i + 2 < in.size() ? hexDigit(in[i + 1]) : -1;
            const int lo = i + 2 < in.size() ? hexDigit(in[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                throw RequestError(400, "the query has a bad %-escape near '" +
                                            std::string(in.substr(i, 3)) + "'");
            }
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

// "/a/b" → {"a", "b"}; "/" → {""}.
void split(std::string_view path, std::vector<std::string_view>& out) {
    out.clear();
    path.remove_prefix(1);
    while (true) {
        const std::size_t slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) {
            return;
        }
        path.remove_prefix(slash + 1);
    }
}

bool parseId(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 18) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    std::from_chars(s.data(), s.data() + s.size(), out);
    return out > 0;
}

bool matches(const std::vector<std::string_view>& pattern,
             const std::vector<std::string_view>& path, Params& params) {
    if (pattern.size() != path.size()) {
        return false;
    }
    Params p;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const std::string_view want = pattern[i];
        const std::string_view have = path[i];
        if (want == "{D}") {
            if (!core::isValidDfes(have)) {
                return false;
            }
            p.school = have;
        } else if (want == "{id}") {
            if (!parseId(have, p.id)) {
                return false;
            }
        } else if (want == "{asset}") {
            // Embedded names are "/name.ext"; the segment is that name without its slash.
            if (have.empty() || !findAsset("/" + std::string(have))) {
                return false;
            }
        } else if (want != have) {
            return false;
        }
    }
    params = p;
    return true;
}

bool startsWithIgnoringCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = s[i];
        if (a >= 'A' && a <= 'Z') {
            a = static_cast<char>(a - 'A' + 'a');
        }
        if (a != prefix[i]) {
            return false;
        }
    }
    return true;
}

// The token of an `Authorization: Bearer TOKEN` header (RFC 6750), or "" when there is none.
std::string_view bearerToken(std::string_view header) {
    if (!startsWithIgnoringCase(header, "bearer ")) {
        return {};
    }
    header.remove_prefix(7);
    while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) {
        header.remove_prefix(1);
    }
    while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) {
        header.remove_suffix(1);
    }
    return header;
}

Response unauthorized(std::string_view message, bool presented) {
    Response r = errorResponse(401, message);
    r.headers.push_back(
        {"WWW-Authenticate", presented ? "Bearer realm=\"misync\", error=\"invalid_token\""
                                       : "Bearer realm=\"misync\""});
    return r;
}

const Scope kNoScope;

}  // namespace

Request Request::make(std::string_view method, std::string_view target,
                      std::string_view authorization, std::string_view body) {
    Request r;
    r.method = method;
    r.authorization = authorization;
    r.body = body;
    if (target.empty() || target.front() != '/') {
        throw RequestError(400, "the request target must be a path starting with '/'");
    }
    const std::size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q == std::string_view::npos) {
        return r;
    }
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view piece = query.substr(0, amp);
        if (!piece.empty()) {
            const std::size_t eq = piece.find('=');
            r.query.emplace_back(decode(piece.substr(0, eq)),
                                 eq == std::string_view::npos ? "" : decode(piece.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return r;
}

std::string_view Response::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (h.name == name) {
            return h.value;
        }
    }
    return {};
}

Response jsonResponse(const json::value& v, unsigned status) {
    Response r;
    r.status = status;
    r.body = json::serialize(v);
    return r;
}

Response errorResponse(unsigned status, std::string_view message) {
    return jsonResponse(json::object{{"error", message}}, status);
}

const Scope& Context::scope() const {
    return token != nullptr ? token->scope : kNoScope;
}

void Context::requireSchool(std::string_view school) const {
    if (!scope().allows(school)) {
        throw RequestError(403, std::string(kForbidden));
    }
}

Router::Router() : Router(standardRoutes()) {}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
    for (const auto& r : routes_) {
        segments_.emplace_back();
        split(r.pattern, segments_.back());
    }
}

Router::Admission Router::admit(const Request& req, const TokenSet& tokens) const {
    Admission a;
    std::vector<std::string_view> path;
    split(req.path.empty() ? std::string_view("/") : req.path, path);
    std::string allow;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        Params params;
        if (!matches(segments_[i], path, params)) {
            continue;
        }
        if (routes_[i].method != req.method) {
            if (allow.find(routes_[i].method) == std::string::npos) {
                allow += (allow.empty() ? "" : ", ") + std::string(routes_[i].method);
            }
            continue;
        }
        a.route = &routes_[i];
        a.params = params;
        break;
    }
    if (a.route == nullptr) {
        if (allow.empty()) {
            a.refusal = errorResponse(404, "no such route: " + shown(req.path, 120));
        } else {
            a.refusal = errorResponse(405, std::string(req.method) + " is not allowed on " +
                                               std::string(req.path) + " (allowed: " + allow + ")");
            a.refusal->headers.push_back({"Allow", allow});
        }
        return a;
    }
    if (a.route->access == Access::Public) {
        return a;
    }
    const std::string_view bearer = bearerToken(req.authorization);
    if (bearer.empty()) {
        a.refusal = unauthorized("this route needs an Authorization: Bearer token", false);
        return a;
    }
    a.token = tokens.check(bearer);
    if (a.token == nullptr) {
        a.refusal = unauthorized("the bearer token is not valid", true);
        return a;
    }
    if (!a.params.school.empty() && !a.token->scope.allows(a.params.school)) {
        a.refusal = errorResponse(403, kForbidden);
    }
    return a;
}

Response Router::run(const Admission& admission, const Request& req, const Env& env) const {
    if (admission.refusal) {
        return *admission.refusal;
    }
    const Context ctx{env, admission.token, admission.params};
    try {
        return admission.route->handler(req, ctx);
    } catch (const RequestError& e) {
        return errorResponse(e.status(), e.what());
    } catch (const core::StoreError& e) {
        // The directory cannot be reached (a PostgreSQL restart, a lost network): the next
        // request connects again. The reason names the server, so it goes to the log only.
        spdlog::error("status: {} {} failed: {}", req.method, req.path, e.what());
        return errorResponse(503, "the directory is unavailable; try again shortly");
    } catch (const std::exception& e) {
        // The reason goes to the log only: it may name files and SQL (SPEC §9: no internals).
        spdlog::error("status: {} {} failed: {}", req.method, req.path, e.what());
        return errorResponse(500, "internal error");
    }
}

Response Router::handle(const Request& req, const TokenSet& tokens, const Env& env) const {
    Response r = run(admit(req, tokens), req, env);
    finish(r, env.tls);
    return r;
}

void finish(Response& r, bool tls) {
    const bool page = r.contentType.substr(0, 5) == "text/" && r.contentType != kMetricsType;
    const bool image = r.contentType.substr(0, 6) == "image/";
    r.headers.push_back({"X-Content-Type-Options", "nosniff"});
    r.headers.push_back({"X-Frame-Options", "DENY"});
    r.headers.push_back({"Referrer-Policy", "no-referrer"});
    // The page loads only its own files; API answers may load nothing at all.
    r.headers.push_back({"Content-Security-Policy",
                         page || image ? "default-src 'self'; base-uri 'none'; form-action 'self'; "
                                         "frame-ancestors 'none'"
                                       : "default-src 'none'; frame-ancestors 'none'"});
    if (r.header("Cache-Control").empty()) {
        r.headers.push_back({"Cache-Control", "no-store"});
    }
    if (tls) {
        r.headers.push_back({"Strict-Transport-Security", "max-age=31536000"});
    }
}

std::vector<Route> standardRoutes() {
    return {
        {"GET", "/healthz", Access::Public, &getHealthz},
        {"GET", "/", Access::Public, &getAsset},
        {"GET", "/metrics", Access::Token, &getMetrics},
        {"GET", "/api/v1/schools", Access::Token, &getSchools},
        {"GET", "/api/v1/schools/{D}/runs", Access::Token, &getSchoolRuns},
        {"POST", "/api/v1/schools/{D}/sync", Access::Token, &postSync},
        {"GET", "/api/v1/runs/{id}", Access::Token, &getRun},
        {"POST", "/api/v1/runs/{id}/approve", Access::Token, &postApprove, true},
        {"GET", "/api/v1/changes", Access::Token, &getChanges},
        // Last: any other one-segment path is a dashboard file or nothing.
        {"GET", "/{asset}", Access::Public, &getAsset},
    };
}

}  // namespace misync::status

namespace misync::status {

void checkParams(const Request& req, std::initializer_list<std::string_view> known) {
    for (std::size_t i = 0; i < req.query.size(); ++i) {
        const std::string& name = req.query[i].first;
        bool ok = false;
        for (std::string_view k : known) {
            ok = ok || k == name;
        }
        if (!ok) {
            std::string list;
            for (std::string_view k : known) {
                list += (list.empty() ? "" : ", ") + std::string(k);
            }
            throw RequestError(
                400, "unknown query parameter '" + shown(name) + "'" +
                         (list.empty() ? " (this route takes none)" : " (known: " + list + ")"));
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (req.query[j].first == name) {
                throw RequestError(400, "query parameter '" + shown(name) + "' is given twice");
            }
        }
    }
}

std::optional<std::string_view> param(const Request& req, std::string_view name) {
    for (const auto& [k, v] : req.query) {
        if (k == name) {
            return std::string_view(v);
        }
    }
    return std::nullopt;
}

std::int64_t intParam(const Request& req, std::string_view name, std::int64_t fallback,
                      std::int64_t min, std::int64_t max) {
    const auto text = param(req, name);
    if (!text) {
        return fallback;
    }
    std::int64_t v = 0;
    const char* end = text->data() + text->size();
    auto [p, ec] = std::from_chars(text->data(), end, v);
    const bool digits = !text->empty() && (text->front() != '+');
    if (!digits || ec != std::errc() || p != end || v < min || v > max) {
        const std::string range =
            max == std::numeric_limits<std::int64_t>::max()
                ? "a whole number of at least " + std::to_string(min)
                : "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
        throw RequestError(400, "query parameter '" + std::string(name) + "' must be " + range +
                                    ", not '" + shown(*text) + "'");
    }
    return v;
}

}  // namespace misync::status
