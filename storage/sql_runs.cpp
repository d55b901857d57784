// Run history (S1; SPEC §9 GET /api/v1/schools/{D}/runs and /api/v1/runs/{id}). The status
// endpoint lists runs at thousands of requests a second: the stored JSON is copied, not parsed.
#include <limits>
#include <map>

#include "core/date.h"
#include "core/errors.h"
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

// The errors of a run found interrupted at `now`.
std::string interruptedErrors(const std::string& now) {
    core::RecordError e;
    e.code = "interrupted";
    e.message = "the process running it ended before it finished (found " + now +
                "); nothing of it was committed (R14)";
    return json::serialize(errorsToJson({e}));
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

// RunMarkers (docs/reliability.md). Outside a batch the marker is the run's own small transaction
// before its real one; a batch writes its markers in one transaction before the batch opens
// (the runner announces the schools), so batching keeps its speed.
void SqlDirectory::markRunning(const std::vector<RunRecord*>& records) {
    if (depth_ > 0 || readOnly_) {
        throw core::StoreError(where_ +
                               ": a run's `running` row is written before its transaction, not "
                               "inside one");
    }
    flush();  // the markers must commit on their own, ahead of the runs they announce
    const bool batching = batching_;
    batching_ = false;  // so that this is a transaction of its own, not a batch's first savepoint
    try {
        inTransaction([&] {
            bool fresh = false;
            const std::int64_t owner = ownerKey(fresh);
            if (fresh) {
                // A key this process has just taken: rows naming it are a dead holder's.
                Stmt q(statements_,
                       "SELECT school FROM runs WHERE owner = ? AND outcome = 'running'");
                q.integer(1, owner);
                const bool stale = q.step();
                q.reset();
                if (stale) {
                    Stmt u(statements_,
                           "UPDATE runs SET outcome = 'interrupted', finished_at = ?, errors = ? "
                           "WHERE owner = ? AND outcome = 'running'");
                    const std::string now = core::nowIso();
                    u.text(1, now).text(2, interruptedErrors(now)).integer(3, owner).exec();
                }
            }
            for (RunRecord* r : records) {
                r->id = 0;
                r->outcome = "running";
                r->finishedAt.clear();
                insertRun(*r, owner);
            }
        });
    } catch (...) {
        batching_ = batching;
        throw;
    }
    batching_ = batching;
}

std::vector<RunRecord> SqlDirectory::markInterrupted(const std::string& school) {
    if (readOnly_) {
        return {};
    }
    std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> rows;  // id, owner
    {
        Stmt q(statements_, school.empty()
                                ? "SELECT id, owner FROM runs WHERE outcome = 'running'"
                                : "SELECT id, owner FROM runs WHERE school = ? AND outcome = "
                                  "'running'");
        if (!school.empty()) {
            q.text(1, school);
        }
        while (q.step()) {
            rows.emplace_back(q.columnInt(0), q.columnIsNull(1)
                                                  ? std::nullopt
                                                  : std::optional<std::int64_t>(q.columnInt(1)));
        }
    }
    if (rows.empty()) {
        return {};
    }
    // A row is read before its owner is asked about: an owner that commits the run's outcome and
    // ends in between is caught by the UPDATE's condition (it runs under the write lock).
    std::map<std::int64_t, bool> alive;
    std::vector<std::int64_t> dead;
    for (const auto& [id, owner] : rows) {
        if (owner) {
            auto it = alive.find(*owner);
            if (it == alive.end()) {
                it = alive.emplace(*owner, ownerAlive(*owner)).first;
            }
            if (it->second) {
                continue;
            }
        }
        dead.push_back(id);
    }
    std::vector<RunRecord> out;
    if (dead.empty()) {
        return out;
    }
    inTransaction([&] {
        const std::string now = core::nowIso();
        const std::string errors = interruptedErrors(now);
        Stmt u(statements_,
               "UPDATE runs SET outcome = 'interrupted', finished_at = ?, errors = ? WHERE id = ? "
               "AND outcome = 'running' RETURNING id");
        Stmt read(statements_, std::string(kRunColumns) + "WHERE id = ?");
        for (const std::int64_t id : dead) {
            u.text(1, now).text(2, errors).integer(3, id);
            const bool marked = u.step();
            u.reset();
            if (!marked) {
                continue;
            }
            read.integer(1, id);
            if (read.step()) {
                out.push_back(runFromRow(read));
            }
            read.reset();
        }
    });
    return out;
}

}  // namespace misync::storage
