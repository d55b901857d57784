// One HTTP/1.1 POST of a JSON body through Boost.Beast, for notifications (SPEC §9.1): http, or
// https with the server's certificate verified against the system's trust store and its host
// name checked (SNI sent). Bounded by a timeout; never throws.
#pragma once

#include <chrono>
#include <string>

#include "daemon/config.h"

namespace misync::daemon {

struct PostResult {
    bool delivered = false;  // a 2xx answer
    bool retry = false;      // worth trying again: no answer, a timeout, 408, 429 or 5xx
    // What went wrong ("HTTP 500", "connection refused", "certificate verify failed"), for the
    // log: it never holds the token, the body or the URL's path.
    std::string problem;
};

// POSTs `body` (application/json) to `target`, with `Authorization: Bearer` when it has a token
// and `Connection: close`; the whole exchange (resolve, connect, TLS, request, answer) within
// `timeout`.
PostResult postJson(const NotifyConfig& target, const std::string& body,
                    std::chrono::milliseconds timeout);

}  // namespace misync::daemon
