// Run history (S1; SPEC §9 GET /api/v1/schools/{D}/runs and /api/v1/runs/{id}). The status
// endpoint lists runs at thousands of requests a second: the stored JSON is copied, not parsed.
#include <limits>

#include "storage/sql_directory.h"

namespace misync::storage {

namespace json = boost::json;

namespace {

constexpr const char* kRunColumns =
    "SELECT id, school, trigger, connector, as_of, started_at, finished_at, outcome, files, "
    "counts, warnings, errors, plan_digest, extracted_at, approved_run FROM runs ";

RunRecord runFromRow(const Stmt& q) {
    RunRecord r;
    r.id = q.columnInt(0);
    r.school = q.columnText(1);
    r.trigger = q.columnText(2);
    r.connector = q.columnText(3);
    r.asOf = q.columnText(4);
    r.startedAt = q.columnText(5);
    r.finishedAt = q.columnText(6);
    r.outcome = q.columnText(7);
    r.files = filesFromJson(json::parse(q.columnText(8)));
    r.counts = countsFromJson(json::parse(q.columnText(9)));
    r.warnings = warningsFromJson(json::parse(q.columnText(10)));
    r.errors = errorsFromJson(json::parse(q.columnText(11)));
    r.planDigest = q.columnText(12);
    r.extractedAt = q.columnText(13);
    if (!q.columnIsNull(14)) {
        r.approvedRun = q.columnInt(14);
    }
    return r;
}

// A JSON string as json::serialize writes it: the common case (nothing to escape) by hand.
void appendString(std::string& out, std::string_view s) {
    for (unsigned char c : s) {
        if (c < 0x20 || c == '"' || c == '\\') {
            out += json::serialize(json::string_view(s.data(), s.size()));
            return;
        }
    }
    out += '"';
    out += s;
    out += '"';
}

}  // namespace

int SqlDirectory::appendRunSummaries(const std::string& school, int limit, std::int64_t beforeId,
                                     std::string& out) {
    Stmt q(statements_,
           "SELECT id, school, outcome, trigger, as_of, started_at, finished_at, connector, "
           "files, "
           "extracted_at, counts, approved_run, warnings, errors FROM runs WHERE school = ? AND "
           "id < ? ORDER BY id DESC LIMIT ?");
    q.text(1, school)
        .integer(2, beforeId > 0 ? beforeId : std::numeric_limits<std::int64_t>::max())
        .integer(3, limit > 0 ? limit : 20);
    int n = 0;
    // The keys in runToJson's order; files, counts, warnings and errors are stored as
    // json::serialize wrote them (insertRun), so they are copied, not parsed.
    while (q.step()) {
        out += n == 0 ? "{\"run_id\":" : ",{\"run_id\":";
        out += std::to_string(q.columnInt(0));
        static constexpr const char* kKeys[] = {
            ",\"school\":", ",\"outcome\":",    ",\"trigger\":",
            ",\"as_of\":",  ",\"started_at\":", ",\"finished_at\":"};
        for (int i = 0; i < 6; ++i) {
            out += kKeys[i];
            appendString(out, q.columnView(1 + i));
        }
        out += ",\"source\":{\"connector\":";
        appendString(out, q.columnView(7));
        out += ",\"files\":";
        out += q.columnView(8);
        out += '}';
        if (const auto extracted = q.columnView(9); !extracted.empty()) {
            out += ",\"extracted_at\":";
            appendString(out, extracted);
        }
        out += ",\"counts\":";
        out += q.columnView(10);
        if (!q.columnIsNull(11)) {
            out += ",\"approved_run\":";
            out += std::to_string(q.columnInt(11));
        }
        out += ",\"warnings\":";
        out += q.columnView(12);
        out += ",\"errors\":";
        out += q.columnView(13);
        out += '}';
        ++n;
    }
    return n;
}

std::vector<RunRecord> SqlDirectory::listRuns(const std::string& school, int limit,
                                              std::int64_t beforeId) {
    Stmt q(statements_,
           std::string(kRunColumns) + "WHERE school = ? AND id < ? ORDER BY id DESC LIMIT ?");
    q.text(1, school)
        .integer(2, beforeId > 0 ? beforeId : std::numeric_limits<std::int64_t>::max())
        .integer(3, limit > 0 ? limit : 20);
    std::vector<RunRecord> out;
    while (q.step()) {
        out.push_back(runFromRow(q));
    }
    return out;
}

std::optional<RunRecord> SqlDirectory::getRun(std::int64_t id) {
    auto page = getRunPage(id, 0, std::numeric_limits<int>::max());
    if (!page) {
        return std::nullopt;
    }
    return std::move(page->run);
}

std::optional<RunPage> SqlDirectory::getRunPage(std::int64_t id, std::int64_t offset, int limit) {
    std::optional<RunPage> page;
    // One read transaction, so that the run, its count and its page agree.
    readSnapshot([&] {
        Stmt q(statements_, std::string(kRunColumns) + "WHERE id = ?");
        q.integer(1, id);
        if (!q.step()) {
            return;
        }
        page.emplace();
        page->run = runFromRow(q);
        Stmt count(statements_, "SELECT count(*) FROM run_actions WHERE run_id = ?");
        count.integer(1, id);
        count.step();
        page->totalActions = count.columnInt(0);
        if (limit <= 0 || offset >= page->totalActions) {
            return;
        }
        // seq numbers a run's actions 1, 2, … in order (insertRun), so a page is a range scan.
        Stmt acts(statements_,
                  "SELECT body FROM run_actions WHERE run_id = ? AND seq > ? ORDER BY seq "
                  "LIMIT ?");
        acts.integer(1, id).integer(2, offset).integer(3, limit);
        while (acts.step()) {
            page->run.actions.push_back(
                actionFromJson(json::parse(acts.columnText(0)).as_object()));
        }
    });
    return page;
}

}  // namespace misync::storage
