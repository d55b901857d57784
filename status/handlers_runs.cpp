// The school and run routes of SPEC §9: the school list, a school's run history, one run with
// its actions paged, POST …/sync and POST …/approve. P4: runs are shown as storage/run_record.h
// writes them, which never holds a password.
#include <boost/json.hpp>

#include <ctime>
#include <limits>
#include <map>

#include "status/daemon_control.h"
#include "status/handlers.h"
#include "status/run_cache.h"
#include "storage/approval_rules.h"
#include "storage/directory.h"

namespace misync::status {

namespace json = boost::json;

namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

// 2026-11-28T06:30:00Z, as the store writes times.
std::string isoUtc(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

const ConfiguredSchool* findConfigured(const std::vector<ConfiguredSchool>& schools,
                                       std::string_view dfes) {
    for (const auto& s : schools) {
        if (s.dfes == dfes) {
            return &s;
        }
    }
    return nullptr;
}

// A school the endpoint knows: configured, or with runs or accounts in the directory (a school
// taken out of the configuration keeps its history).
bool knownSchool(const Context& ctx, std::string_view dfes) {
    if (findConfigured(ctx.env.daemon.schools(), dfes) != nullptr) {
        return true;
    }
    return !ctx.env.directory.schoolStatuses({std::string(dfes)}).empty();
}

// What a caller who may not see a run is told, whether or not it exists (SPEC §9); an admin
// asking for a run that does not exist learns just that.
[[noreturn]] void noRun(const Context& ctx) {
    if (ctx.scope().isAdmin()) {
        throw RequestError(404, "no run " + std::to_string(ctx.params.id));
    }
    throw RequestError(403, std::string(kForbidden));
}

}  // namespace

// SPEC §9 GET /api/v1/schools: the configured schools the token may see, in configuration order.
Response getSchools(const Request& req, const Context& ctx) {
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
    json::array list;
    list.reserve(named.size());
    for (const auto& s : configured) {
        if (!scope.allows(s.dfes)) {
            continue;
        }
        storage::SchoolStatusRow row;
        row.school = s.dfes;  // never run, no accounts
        if (auto it = rows.find(s.dfes); it != rows.end()) {
            row = std::move(it->second);
        }
        // S6 compares with the wall clock: staleness is about when runs happened.
        const auto flags =
            storage::statusFlags(row, std::chrono::hours(s.staleAfterHours), ctx.env.now);
        list.push_back(storage::schoolStatusToJson(row, s.name, flags, s.nextRunAt));
    }
    return jsonResponse(json::object{{"schools", std::move(list)}});
}

// SPEC §9 GET /api/v1/schools/{D}/runs?limit=N&before=ID: run summaries (§8 RUN without actions),
// newest first; `before` pages back (the run_id of the last one seen). The hot route of the
// endpoint: the store writes the summaries' JSON straight into the body (appendRunSummaries).
Response getSchoolRuns(const Request& req, const Context& ctx) {
    checkParams(req, {"limit", "before"});
    const std::int64_t limit = intParam(req, "limit", 20, 1, 500);
    const std::int64_t before = intParam(req, "before", 0, 1, kMaxId);
    const std::string school(ctx.params.school);
    Response r;
    RunPageCache* cache = ctx.env.runPages;
    const std::uint64_t version = cache != nullptr ? ctx.env.directory.dataVersion() : 0;
    if (cache != nullptr) {
        if (const std::string* page = cache->find(version, school, limit, before)) {
            r.body = *page;
            return r;
        }
    }
    r.body.reserve(static_cast<std::size_t>(limit) * 1024);
    r.body += "{\"runs\":[";
    const int n =
        ctx.env.directory.appendRunSummaries(school, static_cast<int>(limit), before, r.body);
    if (n == 0 && ctx.scope().isAdmin() && !knownSchool(ctx, school)) {
        throw RequestError(404, "no school " + school);
    }
    r.body += "]}";
    if (cache != nullptr) {
        cache->store(version, school, limit, before, r.body);
    }
    return r;
}

// SPEC §9 GET /api/v1/runs/{id}?offset=&limit=: the §8 RUN object with one page of its actions,
// plus actions_total (how many it has) and actions_offset (where the page starts).
Response getRun(const Request& req, const Context& ctx) {
    checkParams(req, {"offset", "limit"});
    const std::int64_t offset = intParam(req, "offset", 0, 0, kMaxId);
    const std::int64_t limit = intParam(req, "limit", 100, 1, 1000);
    auto page = ctx.env.directory.getRunPage(ctx.params.id, offset, static_cast<int>(limit));
    if (!page || !ctx.scope().allows(page->run.school)) {
        noRun(ctx);
    }
    json::object o = storage::runToJson(page->run, true);
    o["actions_total"] = page->totalActions;
    o["actions_offset"] = offset;
    return jsonResponse(o);
}

// SPEC §9 POST /api/v1/schools/{D}/sync: 202, a run with trigger "api" is queued (merged into
// one already queued or running, §9.1).
Response postSync(const Request& req, const Context& ctx) {
    checkParams(req, {});
    const std::string school(ctx.params.school);
    if (findConfigured(ctx.env.daemon.schools(), school) == nullptr) {
        throw RequestError(404, "school " + school + " is not configured");
    }
    if (!ctx.env.daemon.requestSync(school)) {
        throw RequestError(503, "the daemon is not taking new runs (it is stopping)");
    }
    return jsonResponse(json::object{{"school", school}, {"trigger", "api"}, {"queued", true}},
                        202);
}

// SPEC §9 POST /api/v1/runs/{id}/approve: S3, with the rules of `misync approve`
// (storage/approval_rules.h); the actor recorded is the token's name.
Response postApprove(const Request& req, const Context& ctx) {
    checkParams(req, {});
    const Scope& scope = ctx.scope();
    const auto result = storage::approveHeldRun(
        ctx.env.directory, ctx.params.id, ctx.token->name, isoUtc(ctx.env.now),
        [&](const storage::RunRecord& run) { return scope.allows(run.school); });
    switch (result.status) {
        case storage::ApproveResult::Status::Approved:
            break;
        case storage::ApproveResult::Status::NoSuchRun:
        case storage::ApproveResult::Status::Hidden:
            noRun(ctx);
        case storage::ApproveResult::Status::Refused:
            throw RequestError(409, result.problem);
    }
    const storage::Approval& a = result.approval;
    return jsonResponse(json::object{{"run_id", a.runId},
                                     {"school", a.school},
                                     {"plan_digest", a.planDigest},
                                     {"approved_by", a.approvedBy},
                                     {"approved_at", a.approvedAt}});
}

}  // namespace misync::status
