// The status endpoint's routes (SPEC §9, DESIGN.md pattern 7): one table of (method, path
// pattern, who may call it, handler), handlers as pure Request → Response functions, and one
// wrapper for authentication, scopes, errors and security headers. Nothing here touches a socket:
// the server (status/server.h) turns Beast messages into Requests and Responses back, and the
// unit tests call Router::handle directly.
//
// Scopes (SPEC §9): an admin token sees everything; a school:D token sees only school D. A route
// whose path names a school ({D}) is refused with 403 before its handler runs when the token may
// not see D; routes that find the school in what they read (a run by id, the change feed, the
// school list, metrics) filter or refuse in the handler. A refusal of another school's data has
// one body whether or not that school or run exists (no hint that it exists).
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "status/tokens.h"

namespace misync::storage {
class Directory;
}

namespace misync::status {

class DaemonControl;
class Metrics;
class RunPageCache;

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
// SPEC §9: request bodies over 1 MiB are refused with 413.
inline constexpr std::size_t kBodyLimit = 1 << 20;

// A request as handlers see it. The views point into the server's buffers (or a test's strings),
// which outlive the handling of the request.
struct Request {
    std::string_view method;  // "GET", "POST", … as sent
    std::string_view path;    // the target without its query, not decoded
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in the order sent
    std::string_view authorization;                          // the header, "" when absent
    std::string_view body;

    // Splits `target` ("/a/b?x=1&y=%32") into path and decoded query. Throws RequestError (400)
    // for a target that is not an origin-form path or a query with a bad %-escape.
    static Request make(std::string_view method, std::string_view target,
                        std::string_view authorization = "", std::string_view body = "");
};

struct Header {
    std::string_view name;  // always a constant
    std::string value;
};

struct Response {
    unsigned status = 200;
    std::string_view contentType = kJsonType;
    std::vector<Header> headers;  // besides Content-Type and Content-Length
    std::string body;

    // The value of header `name` (case-sensitive, as the code writes them), or "" when absent.
    std::string_view header(std::string_view name) const;
};

// A JSON body; `status` 200 unless given.
Response jsonResponse(const boost::json::value& v, unsigned status = 200);
// {"error": message} with `status` (SPEC §9: JSON everywhere but / and /metrics).
Response errorResponse(unsigned status, std::string_view message);

// An error that is the caller's: its status (400, 404, 409, …) and a message that may be shown
// (it names the parameter or thing at fault and never holds internals or secrets).
class RequestError : public core::Error {
  public:
    RequestError(unsigned status, const std::string& message)
        : core::Error(message), status_(status) {}
    unsigned status() const { return status_; }

  private:
    unsigned status_;
};

// The one body of every refusal of another school's data (SPEC §9: no hint that it exists).
inline constexpr std::string_view kForbidden = "this token may not see that";

// What every handler may use. The server gives each of its threads its own Directory (a reader:
// SQLite WAL readers never wait for the writer), and runs the routes that write on a thread of
// their own with another.
struct Env {
    storage::Directory& directory;
    DaemonControl& daemon;
    Metrics& metrics;
    std::string_view version;
    std::chrono::system_clock::time_point now;
    bool tls = false;  // adds Strict-Transport-Security
    // The calling thread's cache of run pages over `directory`, or nullptr for none.
    RunPageCache* runPages = nullptr;
};

// The values of a matched route's placeholders.
struct Params {
    std::string_view school;  // {D}: a 7-digit DfES number
    std::int64_t id = 0;      // {id}: a positive decimal number
};

struct Context {
    const Env& env;
    const Token* token;  // the caller; nullptr on a public route
    Params params;

    // The caller's scope (Kind::None on a public route).
    const Scope& scope() const;
    // Throws RequestError(403, kForbidden) unless the caller may see `school`.
    void requireSchool(std::string_view school) const;
};

using Handler = Response (*)(const Request&, const Context&);

enum class Access {
    Public,  // no token (healthz, the dashboard's files)
    Token,   // any valid token; a {D} in the path must be in the token's scope
};

struct Route {
    std::string_view method;
    // Segments separated by '/'; "{D}" matches a 7-digit DfES number, "{id}" a positive decimal
    // number (up to 18 digits), "{asset}" the name of an embedded dashboard file.
    std::string_view pattern;
    Access access;
    Handler handler;
    // The handler writes to the directory: the server runs it on its writer thread, so a write
    // that waits for a run's transaction never holds up a reader thread.
    bool writes = false;
};

class Router {
  public:
    explicit Router(std::vector<Route> routes);
    // The routes of SPEC §9 (standardRoutes()).
    Router();

    // Which route a request is for and whether its caller may call it.
    struct Admission {
        const Route* route = nullptr;
        Params params;
        const Token* token = nullptr;
        std::optional<Response> refusal;  // set: answer this instead of running the route
    };
    // 404 (no route has this path), 405 (one has, not for this method; Allow lists them), 401
    // (a token route without a valid bearer token, with WWW-Authenticate: Bearer), 403 (a {D}
    // the token may not see). `tokens` must outlive the use of the admission's token.
    Admission admit(const Request& req, const TokenSet& tokens) const;
    // Runs the admitted route (or returns its refusal). A RequestError becomes its status with
    // its message; any other exception becomes 500 "internal error" (logged, never shown).
    Response run(const Admission& admission, const Request& req, const Env& env) const;
    // admit, run and finish: what the server does, in one call (tests use it).
    Response handle(const Request& req, const TokenSet& tokens, const Env& env) const;

    const std::vector<Route>& routes() const { return routes_; }

  private:
    std::vector<Route> routes_;
    std::vector<std::vector<std::string_view>> segments_;  // routes_[i].pattern split
};

// Security headers on every response (X-Content-Type-Options, X-Frame-Options, Referrer-Policy,
// Content-Security-Policy, Cache-Control; Strict-Transport-Security under TLS). The dashboard's
// page may load only its own files ('self'); everything else may load nothing.
void finish(Response& r, bool tls);

// SPEC §9's routes, in one table.
std::vector<Route> standardRoutes();

}  // namespace misync::status
