#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <stdexcept>
#include <system_error>

#include "core/date.h"
#include "core/errors.h"
#include "reconcile/changes.h"
#include "storage/secret_box.h"
#include "storage/sql_directory.h"

namespace misync::storage {

namespace json = boost::json;

namespace {

std::string upsertAccountSql() {
    std::string cols = accountColumnList();
    std::string marks;
    std::string updates;
    for (const char* c : kAccountColumns) {
        marks += marks.empty() ? "?" : ", ?";
        std::string col = c;
        if (col == "id" || col == "created_at") {
            continue;
        }
        if (!updates.empty()) {
            updates += ", ";
        }
        if (col == "password_sealed") {
            // An update without a new password keeps the sealed one (P3).
            updates +=
                "password_sealed = CASE WHEN excluded.password_sealed <> '' THEN "
                "excluded.password_sealed ELSE accounts.password_sealed END";
        } else {
            updates += col + " = excluded." + col;
        }
    }
    return "INSERT INTO accounts (" + cols + ") VALUES (" + marks +
           ") ON CONFLICT (id) DO UPDATE SET " + updates;
}

}  // namespace

void SqlDirectory::writeAccounts(const reconcile::Plan& plan, const SecretBox& box,
                                 const std::string& stamp, std::vector<std::int64_t>& ids) {
    writeAccountRows(plan.accounts, &box, stamp, ids);
}

// Every account write goes through here: a run's plan and an administrator's change alike.
void SqlDirectory::writeAccountRows(const std::vector<reconcile::AccountWrite>& writes,
                                    const SecretBox* box, const std::string& stamp,
                                    std::vector<std::int64_t>& ids) {
    std::int64_t next = 0;
    {
        Stmt q(statements_, "SELECT coalesce(max(id), 0) + 1 FROM accounts");
        next = q.step() ? q.columnInt(0) : 1;
    }
    // S7/U3: every name reserved gets the next sequence number, so that other processes load
    // only the names above the last number they saw (loadUsernames). Numbers are taken under
    // the write lock, so a name committed later always has a higher number than any seen before.
    std::int64_t seq = 0;
    {
        Stmt q(statements_, "SELECT coalesce(max(seq), 0) FROM usernames");
        seq = q.step() ? q.columnInt(0) : 0;
    }
    Stmt upsert(statements_, upsertAccountSql());
    Stmt reserve(statements_,
                 "INSERT INTO usernames (name, account_id, is_alias, seq) VALUES (?, ?, 0, ?)");
    Stmt alias(statements_, "UPDATE usernames SET is_alias = 1 WHERE account_id = ? AND name <> ?");
    Stmt clearPassword(statements_, "UPDATE accounts SET password_sealed = '' WHERE id = ?");
    AccountValues v;
    ids.clear();
    ids.reserve(writes.size());
    for (const auto& w : writes) {
        const std::int64_t id = w.account.id == 0 ? next++ : w.account.id;
        ids.push_back(id);
        if (w.newPassword && box == nullptr) {
            throw core::StoreError(where_ + ": a new password for " + w.account.username +
                                   " needs the secret key (nothing was changed)");
        }
        std::string sealed = w.newPassword ? box->seal(*w.newPassword) : std::string();
        v.load(w.account, sealed, stamp);
        v.id = id;
        v.bind(upsert);
        upsert.exec();
        for (const auto& n : w.newNames) {
            reserve.text(1, n).integer(2, id).integer(3, ++seq).exec();
        }
        if (!w.newNames.empty() && w.account.id != 0) {  // a rename: the old name is an alias
            alias.integer(1, id).text(2, w.account.username).exec();
        }
        if (w.clearPassword) {  // R5 purge
            clearPassword.integer(1, id).exec();
        }
    }
}

void SqlDirectory::writeGroupsAndMemberships(const reconcile::Plan& plan,
                                             const std::vector<std::int64_t>& ids) {
    // Group ids by (school, code): the plan's own school from its writes and one query, others
    // (a hand-over into the claimant's groups) on first use.
    std::map<std::string, std::map<std::string, std::int64_t>> groupIds;
    auto loadGroups = [&](const std::string& school) -> std::map<std::string, std::int64_t>& {
        auto it = groupIds.find(school);
        if (it == groupIds.end()) {
            Stmt q(statements_, "SELECT id, code FROM groups WHERE school = ?");
            q.text(1, school);
            auto& m = groupIds[school];
            while (q.step()) {
                m[q.columnText(1)] = q.columnInt(0);
            }
            it = groupIds.find(school);
        }
        return it->second;
    };
    Stmt insertGroup(statements_,
                     "INSERT INTO groups (school, code, type, subject, year_group, archived) "
                     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    Stmt updateGroup(statements_,
                     "UPDATE groups SET type = ?, subject = ?, year_group = ?, archived = ? "
                     "WHERE id = ?");
    for (const auto& gw : plan.groups) {
        const auto& g = gw.group;
        if (g.id == 0) {
            auto& known = loadGroups(g.school);
            insertGroup.text(1, g.school)
                .text(2, g.code)
                .text(3, core::toString(g.type))
                .text(4, g.subject)
                .text(5, g.yearGroup)
                .integer(6, g.archived ? 1 : 0);
            if (!insertGroup.step()) {
                throw core::StoreError(where_ + ": group " + g.code + " was not created");
            }
            known[g.code] = insertGroup.columnInt(0);
            insertGroup.reset();
        } else {
            updateGroup.text(1, core::toString(g.type))
                .text(2, g.subject)
                .text(3, g.yearGroup)
                .integer(4, g.archived ? 1 : 0)
                .integer(5, g.id)
                .exec();
        }
    }
    auto groupId = [&](const std::string& school, const std::string& code) -> std::int64_t {
        auto& m = loadGroups(school);
        auto c = m.find(code);
        return c == m.end() ? 0 : c->second;
    };
    Stmt add(statements_,
             "INSERT INTO memberships (group_id, account_id) VALUES (?, ?) "
             "ON CONFLICT DO NOTHING");
    Stmt remove(statements_, "DELETE FROM memberships WHERE group_id = ? AND account_id = ?");
    // Where the dialect has a many-row form, consecutive adds go in statements of up to
    // kBulkRows (a remove in between is written after the adds before it, as planned).
    const bool bulk = *dialect_.membershipsAdd != '\0';
    constexpr std::size_t kBulkRows = 2000;
    std::string groupList;
    std::string accountList;
    std::size_t pending = 0;
    auto flushAdds = [&] {
        if (pending == 0) {
            return;
        }
        Stmt many(statements_, dialect_.membershipsAdd);
        many.text(1, "{" + groupList + "}").text(2, "{" + accountList + "}").exec();
        groupList.clear();
        accountList.clear();
        pending = 0;
    };
    for (const auto& m : plan.memberships) {
        const std::int64_t gid = groupId(m.school, m.groupCode);
        if (gid == 0) {
            spdlog::warn("school={} group={} missing: membership change skipped", m.school,
                         m.groupCode);
            continue;
        }
        const std::int64_t aid =
            m.accountWrite >= 0 ? ids.at(static_cast<std::size_t>(m.accountWrite)) : m.accountId;
        if (m.add && bulk) {
            groupList += (pending == 0 ? "" : ",") + std::to_string(gid);
            accountList += (pending == 0 ? "" : ",") + std::to_string(aid);
            if (++pending == kBulkRows) {
                flushAdds();
            }
            continue;
        }
        flushAdds();
        (m.add ? add : remove).integer(1, gid).integer(2, aid).exec();
    }
    flushAdds();
}

void SqlDirectory::writeClaims(const reconcile::Plan& plan) {
    Stmt drop(statements_, "DELETE FROM claims WHERE account_id = ? AND school = ?");
    Stmt upsert(statements_,
                "INSERT INTO claims (account_id, school, role, attrs, group_codes, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, school) DO UPDATE SET "
                "role = excluded.role, attrs = excluded.attrs, group_codes = excluded.group_codes, "
                "claimed_at = excluded.claimed_at");
    for (const auto& cw : plan.claims) {
        const auto& c = cw.claim;
        if (cw.remove) {
            drop.integer(1, c.accountId).text(2, c.school).exec();
            continue;
        }
        upsert.integer(1, c.accountId)
            .text(2, c.school)
            .text(3, core::toString(c.role))
            .text(4, encodeAttributes(c.attrs))
            .text(5, encodeGroupCodes(c.groupCodes))
            .text(6, c.claimedAt)
            .exec();
    }
}

void SqlDirectory::insertRun(RunRecord& r, std::optional<std::int64_t> owner,
                             const std::vector<std::string>* actionBodies) {
    if (actionBodies != nullptr && actionBodies->size() != r.actions.size()) {
        throw std::logic_error("insertRun: action bodies do not match the record's actions");
    }
    std::string files = json::serialize(filesToJson(r.files));
    std::string counts = json::serialize(countsToJson(r.counts));
    std::string warnings = json::serialize(warningsToJson(r.warnings));
    std::string errors = json::serialize(errorsToJson(r.errors));
    auto bindColumns = [&](Stmt& st) {
        st.text(1, r.school)
            .text(2, r.trigger)
            .text(3, r.connector)
            .text(4, r.asOf)
            .text(5, r.startedAt)
            .text(6, r.finishedAt)
            .text(7, r.outcome)
            .text(8, files)
            .text(9, counts)
            .text(10, warnings)
            .text(11, errors)
            .text(12, r.planDigest)
            .text(13, r.extractedAt);
        if (r.approvedRun) {
            st.integer(14, *r.approvedRun);
        } else {
            st.null(14);
        }
    };
    if (r.replacesRun != 0 && r.id == 0) {
        // An announced row keeps its id unless a run of the school committed after it was
        // announced: then the record is a new row, so that the school's ids keep commit order.
        Stmt later(statements_, "SELECT 1 FROM runs WHERE school = ? AND id > ? LIMIT 1");
        later.text(1, r.school).integer(2, r.replacesRun);
        const bool newer = later.step();
        later.reset();
        if (!newer) {
            r.id = r.replacesRun;
        }
    }
    std::int64_t id = 0;
    if (r.id != 0) {
        // The run's `running` row (RunMarkers) gets its final outcome, in the run's transaction.
        Stmt finish(statements_,
                    "UPDATE runs SET school = ?, trigger = ?, connector = ?, as_of = ?, "
                    "started_at = ?, finished_at = ?, outcome = ?, files = ?, counts = ?, "
                    "warnings = ?, errors = ?, plan_digest = ?, extracted_at = ?, approved_run = "
                    "? WHERE id = ? AND outcome IN ('running', 'interrupted') RETURNING id");
        bindColumns(finish);
        finish.integer(15, r.id);
        if (finish.step()) {
            id = finish.columnInt(0);
        }
        finish.reset();
        if (id != 0) {
            Stmt drop(statements_, "DELETE FROM run_actions WHERE run_id = ?");
            drop.integer(1, id).exec();
        }
    }
    if (id == 0) {
        Stmt run(statements_,
                 "INSERT INTO runs (school, trigger, connector, as_of, started_at, finished_at, "
                 "outcome, files, counts, warnings, errors, plan_digest, extracted_at, "
                 "approved_run, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                 "RETURNING id");
        bindColumns(run);
        if (owner) {
            run.integer(15, *owner);
        } else {
            run.null(15);
        }
        if (!run.step()) {
            throw core::StoreError(where_ + ": the run record was not written");
        }
        id = run.columnInt(0);
        run.reset();
    }
    r.id = id;
    if (r.replacesRun != 0 && r.replacesRun != id) {
        Stmt drop(statements_,
                  "DELETE FROM runs WHERE id = ? AND outcome IN ('running', 'interrupted')");
        drop.integer(1, r.replacesRun).exec();
    }
    if (r.spendsApproval) {
        Stmt spend(statements_, "UPDATE approvals SET spent_by_run = ? WHERE run_id = ?");
        spend.integer(1, id).integer(2, *r.spendsApproval).exec();
    }
    Stmt act(statements_, "INSERT INTO run_actions (run_id, seq, body) VALUES (?, ?, ?)");
    std::int64_t seq = 0;
    for (std::size_t i = 0; i < r.actions.size(); ++i) {
        act.integer(1, id).integer(2, ++seq);
        if (actionBodies != nullptr) {
            act.text(3, (*actionBodies)[i]);
        } else {
            act.text(3, json::serialize(actionToJson(r.actions[i])));
        }
        act.exec();
    }
}

namespace {

// What apply() writes after the accounts and groups, derived from the plan and the run record
// alone, encoded as the rows hold them: the change log's events with their fields, and the run's
// actions (run_actions.body).
struct DerivedRows {
    std::vector<reconcile::ChangeEvent> changes;
    std::vector<std::string> changeFields;
    std::vector<std::string> actionBodies;
};

DerivedRows deriveRows(const reconcile::Plan& plan, const RunRecord& record) {
    DerivedRows d;
    d.changes = reconcile::changesOf(plan);
    d.changeFields.reserve(d.changes.size());
    for (const auto& e : d.changes) {
        d.changeFields.push_back(encodeChangeFields(e.fields));
    }
    d.actionBodies.reserve(record.actions.size());
    for (const auto& a : record.actions) {
        d.actionBodies.push_back(json::serialize(actionToJson(a)));
    }
    return d;
}

// From this many actions and memberships, a plan's DerivedRows are made on a second thread
// while this one writes its accounts and memberships (issue 8: on an initial load they were a
// sixth of the thread that writes, and the other core was mostly idle). Below it, a thread
// costs more than it saves (a daily run's plans are a few actions).
constexpr std::size_t kDeriveAside = 256;

}  // namespace

void SqlDirectory::apply(const reconcile::Plan& plan, RunRecord& record, const SecretBox& box,
                         const SchoolState* state) {
    // Reads only `plan` and `record`, which nothing changes until the rows are written (the
    // record gets its id in insertRun, after get()). Launched before the transaction, so that a
    // failure anywhere still waits for it (the future's destructor) before they go.
    std::future<DerivedRows> aside;
    if (plan.actions.size() + plan.memberships.size() >= kDeriveAside) {
        try {
            aside = std::async(std::launch::async, deriveRows, std::cref(plan), std::cref(record));
        } catch (const std::system_error& e) {  // no thread to be had: made in line below
            spdlog::debug("school={} change log encoded in line: {}", plan.school, e.what());
        }
    }
    std::vector<std::int64_t> ids;
    const std::string stamp = core::nowIso();
    using Clock = std::chrono::steady_clock;
    auto t0 = Clock::now();
    std::array<Clock::time_point, 5> t{};
    inTransaction([&] {
        // Schools whose next plan could differ because of this one: claimants of this school's
        // accounts (before and after), the other side of transfers, schools whose groups or
        // claims this plan touches.
        std::set<std::string> touched = claimantsOfSchool(plan.school);
        for (const auto& a : plan.actions) {
            touched.insert(a.fromSchool);
            touched.insert(a.school);
        }
        for (const auto& m : plan.memberships) {
            touched.insert(m.school);
        }
        writeAccounts(plan, box, stamp, ids);
        t[0] = Clock::now();
        writeGroupsAndMemberships(plan, ids);
        t[1] = Clock::now();
        writeClaims(plan);
        for (const auto& c : plan.claims) {
            touched.insert(c.claim.school);
            Stmt owner(statements_, "SELECT school FROM accounts WHERE id = ?");
            owner.integer(1, c.claim.accountId);
            if (owner.step()) {
                touched.insert(owner.columnText(0));
            }
        }
        for (const auto& s : claimantsOfSchool(plan.school)) {
            touched.insert(s);
        }
        touched.erase(plan.school);
        touched.erase("");
        Stmt dirty(statements_, "UPDATE school_state SET dirty = 1 WHERE school = ?");
        for (const auto& s : touched) {
            dirty.text(1, s).exec();
        }
        if (state != nullptr) {
            writeSchoolState(*state);
        }
        t[2] = Clock::now();
        DerivedRows derived = aside.valid() ? aside.get() : deriveRows(plan, record);
        insertRun(record, std::nullopt, &derived.actionBodies);
        t[3] = Clock::now();
        writeChanges(derived.changes, record.id, "", stamp, &derived.changeFields);
        t[4] = Clock::now();
    });
    const auto done = Clock::now();
    auto ms = [](Clock::time_point a, Clock::time_point b) {
        return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count() / 1000.0;
    };
    spdlog::debug(
        "school={} accounts_ms={} groups_ms={} state_ms={} record_ms={} changes_ms={} commit_ms={}",
        plan.school, ms(t0, t[0]), ms(t[0], t[1]), ms(t[1], t[2]), ms(t[2], t[3]), ms(t[3], t[4]),
        ms(t[4], done));
}

void SqlDirectory::recordRun(RunRecord& record, const SchoolState* state) {
    inTransaction([&] {
        if (state != nullptr) {
            writeSchoolState(*state);
        }
        insertRun(record);
    });
}

std::set<std::string> SqlDirectory::claimantsOfSchool(const std::string& school) {
    Stmt q(statements_,
           "SELECT DISTINCT c.school FROM claims c JOIN accounts a ON a.id = c.account_id "
           "WHERE a.school = ?");
    q.text(1, school);
    std::set<std::string> out;
    while (q.step()) {
        out.insert(q.columnText(0));
    }
    return out;
}

void SqlDirectory::writeSchoolState(const SchoolState& st) {
    Stmt w(statements_,
           "INSERT INTO school_state (school, fingerprint, as_of, next_change, dirty, files, "
           "echo) VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT (school) DO UPDATE SET "
           "fingerprint = excluded.fingerprint, as_of = excluded.as_of, next_change = "
           "excluded.next_change, dirty = 0, files = excluded.files, echo = excluded.echo");
    w.text(1, st.school)
        .text(2, st.fingerprint)
        .text(3, st.asOf)
        .text(4, st.nextChange)
        .text(5, st.files)
        .text(6, st.echo)
        .exec();
}

std::optional<SchoolState> SqlDirectory::schoolState(const std::string& school) {
    Stmt q(statements_,
           "SELECT fingerprint, as_of, next_change, dirty, files, echo FROM school_state "
           "WHERE school = ?");
    q.text(1, school);
    if (!q.step()) {
        return std::nullopt;
    }
    return SchoolState{school,          q.columnText(0),     q.columnText(1),
                       q.columnText(2), q.columnInt(3) != 0, q.columnText(4),
                       q.columnText(5)};
}

void SqlDirectory::forgetSchoolState(const std::string& school) {
    inTransaction([&] {
        Stmt d(statements_, "DELETE FROM school_state WHERE school = ?");
        d.text(1, school).exec();
    });
}

// R14: one run's writes are all or nothing. Outside a batch that is its own transaction; in a
// batch (setBatching) each run is a SAVEPOINT inside one longer transaction, so a national run
// pays for a commit every few hundred schools instead of every school (docs/performance.md),
// while a failing run still rolls back alone. S7: the batch also commits as soon as anyone else
// waits (the bell), so another process never waits for a whole batch.
void SqlDirectory::inTransaction(const std::function<void()>& body) {
    if (readOnly_) {
        throw core::StoreError(where_ + ": a write inside a read-only snapshot");
    }
    if (batching_ && !inBatch_ && depth_ == 0) {
        beginWrite();
        inBatch_ = true;
        batchStarted_ = std::chrono::steady_clock::now();
        batchRuns_ = 0;
    }
    const bool nested = inBatch_ || depth_ > 0;
    const bool outermost = depth_ == 0;
    if (nested) {
        execOrThrow("SAVEPOINT run");
    } else {
        beginWrite();
    }
    ++depth_;
    try {
        body();
        connection_->drain();  // a statement sent ahead that failed fails this run
    } catch (...) {
        --depth_;
        if (nested) {
            // What went wrong is the error that got here, not a rollback that fails after it
            // (a lost connection, or SQLite having rolled back the whole transaction itself on
            // a full disk).
            bool rolledBack = false;
            try {
                execOrThrow("ROLLBACK TO run");
                execOrThrow("RELEASE run");
                rolledBack = true;
            } catch (const core::StoreError& e) {
                spdlog::debug("directory={}: {}", where_, e.what());
            }
            if (outermost && inBatch_ && (!rolledBack || !connection_->transactionOpen())) {
                batchLost();
            }
        } else {
            execQuietly("ROLLBACK");
            endTransaction();
        }
        throw;
    }
    --depth_;
    if (nested) {
        execOrThrow("RELEASE run");
    } else {
        try {
            connection_->exec("COMMIT");
        } catch (const core::StoreError& e) {
            execQuietly("ROLLBACK");
            endTransaction();
            throw core::StoreError(where_ + ": COMMIT failed: " + e.what() +
                                   " (nothing was changed)");
        }
        endTransaction();
    }
    if (outermost && inBatch_ &&
        (++batchRuns_ >= kBatchRuns ||
         std::chrono::steady_clock::now() - batchStarted_ > kBatchTime || someoneWaiting())) {
        flush();
    }
}

// The batch went with the run that failed in it: what that run's error was, and that the runs
// committed into the batch before it are undone too (BatchLostError), unless there were none.
void SqlDirectory::batchLost() {
    const int lost = batchRuns_;
    inBatch_ = false;
    execQuietly("ROLLBACK");
    endTransaction();
    if (lost == 0) {
        return;  // only the failing run was in it: it fails as it would alone
    }
    std::string why = "unknown error";
    try {
        throw;
    } catch (const std::exception& e) {
        why = e.what();
    } catch (...) {
    }
    throw core::BatchLostError(where_ + ": " + why + "; the database rolled back the " +
                               std::to_string(lost) +
                               " runs of the batch before it as well (each whole, R14)");
}

void SqlDirectory::endTransaction() {
    confirmed_.clear();
    transactionEnded();
}

void SqlDirectory::exclusive(const std::function<void()>& body) {
    inTransaction(body);
}

void SqlDirectory::setBatching(bool on) {
    if (!on) {
        flush();
    }
    batching_ = on && canBatch();
}

void SqlDirectory::flush() {
    if (!inBatch_) {
        return;
    }
    if (depth_ > 0) {
        throw core::StoreError(where_ + ": a batch cannot be committed from inside a run");
    }
    inBatch_ = false;
    try {
        connection_->exec("COMMIT");
    } catch (const core::StoreError& e) {
        execQuietly("ROLLBACK");
        endTransaction();
        throw core::BatchLostError(where_ + ": committing the last " + std::to_string(batchRuns_) +
                                   " runs failed: " + e.what() + " (they were rolled back)");
    }
    endTransaction();  // S7: the batch's schools are free once it has committed
}

}  // namespace misync::storage
