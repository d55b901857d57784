// `misync status`: per configured school the last run, its outcome and the flags the status
// endpoint shows (SPEC §9 GET /api/v1/schools): held (S3), stale (S6), failed (S2) and
// no_digital_champion (R10). The facts come from one store query (StatusQueries); the flags and
// the JSON object are storage/school_status.h's, shared with the HTTP endpoint.
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>

#include "core/errors.h"
#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/context.h"
#include "daemon/output.h"

namespace misync::daemon {

namespace json = boost::json;

int cmdStatus(const GlobalOptions& g, const std::vector<std::string>& schools, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        // Every configured school in config order, or the named ones in the order given.
        const std::vector<const SchoolConfig*> todo = ctx.config.select(schools);
        std::vector<std::string> named;
        for (const auto* s : todo) {
            named.push_back(s->dfes);
        }
        std::map<std::string, storage::SchoolStatusRow> rows;
        if (!named.empty()) {
            for (auto& row : ctx.directory().schoolStatuses(named)) {
                rows[row.school] = std::move(row);
            }
        }
        // S6 compares with the wall clock, not --as-of: staleness is about when runs happened.
        const auto now = std::chrono::system_clock::now();
        std::vector<SchoolStatusLine> lines;
        for (const auto* s : todo) {
            SchoolStatusLine line;
            if (auto it = rows.find(s->dfes); it != rows.end()) {
                line.row = std::move(it->second);
            } else {
                line.row.school = s->dfes;  // never run, no accounts
            }
            line.name = s->name;
            line.flags =
                storage::statusFlags(line.row, std::chrono::hours(s->policy.staleAfterHours), now);
            lines.push_back(std::move(line));
        }
        if (g.json) {
            json::array a;
            for (const auto& l : lines) {
                a.push_back(storage::schoolStatusToJson(l.row, l.name, l.flags));
            }
            io.out << json::serialize(a) << "\n";
        } else if (lines.empty()) {
            io.out << "No schools configured in " << ctx.config.file.string() << "\n";
        } else {
            printStatus(io.out, lines);
        }
        return kExitOk;
    });
}

}  // namespace misync::daemon
