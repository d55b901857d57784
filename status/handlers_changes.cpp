// SPEC §9.2 GET /api/v1/changes?since=SEQ&limit=N: the change feed in commit order, for
// downstream systems. A consumer that stores `next` and asks again from it misses nothing and
// sees nothing twice (the log is written in the transaction of each change, R14).
#include <boost/json.hpp>

#include <limits>

#include "status/handlers.h"
#include "storage/directory.h"

namespace misync::status {

namespace json = boost::json;

Response getChanges(const Request& req, const Context& ctx) {
    checkParams(req, {"since", "limit"});
    const std::int64_t since =
        intParam(req, "since", 0, 0, std::numeric_limits<std::int64_t>::max());
    const std::int64_t limit = intParam(req, "limit", 1000, 1, 10000);
    const Scope& scope = ctx.scope();
    // A school token sees its school's changes only; a transfer belongs to both schools.
    const auto rows = ctx.env.directory.changesSince(since, static_cast<int>(limit),
                                                     scope.isAdmin() ? "" : scope.school);
    json::array changes;
    changes.reserve(rows.size());
    for (const auto& row : rows) {
        changes.push_back(storage::changeToJson(row));
    }
    const std::int64_t next = rows.empty() ? since : rows.back().seq;
    return jsonResponse(json::object{{"changes", std::move(changes)}, {"next", next}});
}

}  // namespace misync::status
