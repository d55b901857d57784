// The handlers of SPEC §9's routes (private to status/; the table is standardRoutes() in
// routes.cpp) and the helpers they share for query parameters.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "status/routes.h"

namespace misync::status {

// handlers_public.cpp
Response getHealthz(const Request& req, const Context& ctx);
Response getAsset(const Request& req, const Context& ctx);
Response getMetrics(const Request& req, const Context& ctx);

// handlers_runs.cpp
Response getSchools(const Request& req, const Context& ctx);
Response getSchoolRuns(const Request& req, const Context& ctx);
Response getRun(const Request& req, const Context& ctx);
Response postSync(const Request& req, const Context& ctx);
Response postApprove(const Request& req, const Context& ctx);

// handlers_changes.cpp
Response getChanges(const Request& req, const Context& ctx);

// Throws RequestError(400) naming the first query parameter that is not in `known` or that is
// given twice.
void checkParams(const Request& req, std::initializer_list<std::string_view> known);
// The value of query parameter `name`, or nullopt when absent.
std::optional<std::string_view> param(const Request& req, std::string_view name);
// Integer parameter `name` from `min` to `max`, `fallback` when absent; a value that is not a
// decimal integer in range is a RequestError(400) naming the parameter and the range.
std::int64_t intParam(const Request& req, std::string_view name, std::int64_t fallback,
                      std::int64_t min, std::int64_t max);

}  // namespace misync::status
