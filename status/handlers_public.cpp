// The routes anyone may call (SPEC §9: /healthz and the dashboard's static files, which hold no
// data) and /metrics (SPEC §9.3).
#include <chrono>
#include <map>

#include "status/assets.h"
#include "status/daemon_control.h"
#include "status/handlers.h"
#include "status/metrics.h"
#include "storage/directory.h"

namespace misync::status {

Response getHealthz(const Request& req, const Context&) {
    checkParams(req, {});
    Response r;
    r.body = R"({"status":"ok"})";
    return r;
}

Response getAsset(const Request& req, const Context&) {
    const auto asset = findAsset(req.path);
    if (!asset) {
        throw RequestError(404, "no such file: " + std::string(req.path));
    }
    Response r;
    r.contentType = asset->contentType;
    r.body = std::string(asset->contents);
    // The files are compiled into the binary: revalidate, so an upgrade is seen at once.
    r.headers.push_back({"Cache-Control", "no-cache"});
    return r;
}

// Per-school samples only of the schools the token may see: a school token sees its own school's
// runs and gauges, and the daemon-wide metrics (SPEC §9.3).
Response getMetrics(const Request& req, const Context& ctx) {
    checkParams(req, {});
    const Scope& scope = ctx.scope();
    std::vector<ConfiguredSchool> configured = ctx.env.daemon.schools();
    std::vector<std::string> named;
    for (const auto& s : configured) {
        if (scope.allows(s.dfes)) {
            named.push_back(s.dfes);
        }
    }
    std::map<std::string, storage::SchoolStatusRow> rows;
    if (!named.empty()) {
        for (auto& row : ctx.env.directory.schoolStatuses(named)) {
            rows[row.school] = std::move(row);
        }
    }
    std::vector<Metrics::SchoolGauge> gauges;
    for (const auto& s : configured) {
        if (!scope.allows(s.dfes)) {
            continue;
        }
        storage::SchoolStatusRow row;
        row.school = s.dfes;
        if (auto it = rows.find(s.dfes); it != rows.end()) {
            row = std::move(it->second);
        }
        Metrics::SchoolGauge g;
        g.school = s.dfes;
        if (auto t = storage::parseTimestamp(row.lastSuccessAt)) {
            g.lastSuccessTimestamp = static_cast<double>(
                std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count());
        }
        g.stale =
            storage::statusFlags(row, std::chrono::hours(s.staleAfterHours), ctx.env.now).stale;
        gauges.push_back(std::move(g));
    }
    Response r;
    r.contentType = kMetricsType;
    r.body =
        ctx.env.metrics.render(gauges, ctx.env.daemon.queueLength(), std::string(ctx.env.version),
                               scope.isAdmin() ? std::string_view() : scope.school);
    return r;
}

}  // namespace misync::status
