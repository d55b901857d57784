#include <Poco/Data/SQLite/Utility.h>
#include <spdlog/spdlog.h>

#include <map>

#include "core/date.h"
#include "core/errors.h"
#include "storage/secret_box.h"
#include "storage/sqlite_directory.h"
#include "storage/sqlite_stmt.h"

using namespace Poco::Data::Keywords;
using Poco::Data::Statement;

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

// Runs `body` inside BEGIN IMMEDIATE … COMMIT; any failure rolls everything back (R14).
template <typename F>
void inTransaction(Poco::Data::Session& s, const std::string& path, F&& body) {
    try {
        s << "BEGIN IMMEDIATE", now;
    } catch (const Poco::Exception& e) {
        throw core::StoreError(path + ": cannot start a transaction: " + e.displayText());
    }
    try {
        body();
        s << "COMMIT", now;
    } catch (const Poco::Exception& e) {
        s << "ROLLBACK", now;
        throw core::StoreError(path + ": " + e.displayText() + " (nothing was changed)");
    } catch (...) {
        s << "ROLLBACK", now;
        throw;
    }
}

}  // namespace

void SqliteDirectory::writeAccounts(const reconcile::Plan& plan, const SecretBox& box,
                                    const std::string& stamp, std::vector<std::int64_t>& ids) {
    Poco::Int64 next = 0;
    session_ << "SELECT coalesce(max(id), 0) + 1 FROM accounts", into(next), now;
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session_);
    SqliteStmt upsert(db, upsertAccountSql());
    SqliteStmt reserve(db, "INSERT INTO usernames (name, account_id, is_alias) VALUES (?, ?, 0)");
    SqliteStmt alias(db, "UPDATE usernames SET is_alias = 1 WHERE account_id = ? AND name <> ?");
    AccountValues v;
    ids.clear();
    ids.reserve(plan.accounts.size());
    for (const auto& w : plan.accounts) {
        const std::int64_t id = w.account.id == 0 ? next++ : w.account.id;
        ids.push_back(id);
        std::string sealed = w.newPassword ? box.seal(*w.newPassword) : std::string();
        v.load(w.account, sealed, stamp);
        v.id = id;
        v.bind(upsert);
        upsert.exec();
        for (const auto& n : w.newNames) {
            reserve.text(1, n).integer(2, id).exec();
        }
        if (!w.newNames.empty()) {
            alias.integer(1, id).text(2, w.account.username).exec();
        }
    }
}

void SqliteDirectory::writeGroupsAndMemberships(const reconcile::Plan& plan,
                                                const std::vector<std::int64_t>& ids) {
    for (const auto& gw : plan.groups) {
        const auto& g = gw.group;
        std::string school = g.school;
        std::string code = g.code;
        std::string type = core::toString(g.type);
        std::string subject = g.subject;
        std::string year = g.yearGroup;
        int archived = g.archived ? 1 : 0;
        if (g.id == 0) {
            session_ << "INSERT INTO groups (school, code, type, subject, year_group, archived) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                use(school), use(code), use(type), use(subject), use(year), use(archived), now;
        } else {
            Poco::Int64 id = g.id;
            session_ << "UPDATE groups SET type = ?, subject = ?, year_group = ?, archived = ? "
                        "WHERE id = ?",
                use(type), use(subject), use(year), use(archived), use(id), now;
        }
    }
    // Group ids by (school, code), read once per school that the plan's memberships touch.
    std::map<std::string, std::map<std::string, Poco::Int64>> groupIds;
    auto groupId = [&](const std::string& school, const std::string& code) -> Poco::Int64 {
        auto it = groupIds.find(school);
        if (it == groupIds.end()) {
            std::vector<Poco::Int64> gids;
            std::vector<std::string> codes;
            std::string s = school;
            session_ << "SELECT id, code FROM groups WHERE school = ?", use(s), into(gids),
                into(codes), now;
            auto& m = groupIds[school];
            for (std::size_t i = 0; i < gids.size(); ++i) {
                m[codes[i]] = gids[i];
            }
            it = groupIds.find(school);
        }
        auto c = it->second.find(code);
        return c == it->second.end() ? 0 : c->second;
    };
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session_);
    SqliteStmt add(db, "INSERT OR IGNORE INTO memberships (group_id, account_id) VALUES (?, ?)");
    SqliteStmt remove(db, "DELETE FROM memberships WHERE group_id = ? AND account_id = ?");
    for (const auto& m : plan.memberships) {
        const Poco::Int64 gid = groupId(m.school, m.groupCode);
        if (gid == 0) {
            spdlog::warn("school={} group={} missing: membership change skipped", m.school,
                         m.groupCode);
            continue;
        }
        const std::int64_t aid =
            m.accountWrite >= 0 ? ids.at(static_cast<std::size_t>(m.accountWrite)) : m.accountId;
        (m.add ? add : remove).integer(1, gid).integer(2, aid).exec();
    }
}

void SqliteDirectory::writeClaims(const reconcile::Plan& plan) {
    for (const auto& cw : plan.claims) {
        const auto& c = cw.claim;
        Poco::Int64 id = c.accountId;
        std::string school = c.school;
        if (cw.remove) {
            session_ << "DELETE FROM claims WHERE account_id = ? AND school = ?", use(id),
                use(school), now;
            continue;
        }
        std::string role = core::toString(c.role);
        std::string attrs = encodeAttributes(c.attrs);
        std::string codes = encodeGroupCodes(c.groupCodes);
        std::string at = c.claimedAt;
        session_ << "INSERT OR REPLACE INTO claims (account_id, school, role, attrs, group_codes, "
                    "claimed_at) VALUES (?, ?, ?, ?, ?, ?)",
            use(id), use(school), use(role), use(attrs), use(codes), use(at), now;
    }
}

void SqliteDirectory::insertRun(RunRecord& r) {
    std::string school = r.school;
    std::string trigger = r.trigger;
    std::string connector = r.connector;
    std::string asOf = r.asOf;
    std::string started = r.startedAt;
    std::string finished = r.finishedAt;
    std::string outcome = r.outcome;
    std::string files = json::serialize(filesToJson(r.files));
    std::string counts = json::serialize(countsToJson(r.counts));
    std::string warnings = json::serialize(warningsToJson(r.warnings));
    std::string errors = json::serialize(errorsToJson(r.errors));
    std::string digest = r.planDigest;
    std::string extracted = r.extractedAt;
    session_ << "INSERT INTO runs (school, trigger, connector, as_of, started_at, finished_at, "
                "outcome, files, counts, warnings, errors, plan_digest, extracted_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(school), use(trigger), use(connector), use(asOf), use(started), use(finished),
        use(outcome), use(files), use(counts), use(warnings), use(errors), use(digest),
        use(extracted), now;
    Poco::Int64 id = 0;
    session_ << "SELECT last_insert_rowid()", into(id), now;
    r.id = id;
    SqliteStmt act(Poco::Data::SQLite::Utility::dbHandle(session_),
                   "INSERT INTO run_actions (run_id, seq, body) VALUES (?, ?, ?)");
    std::int64_t seq = 0;
    for (const auto& a : r.actions) {
        act.integer(1, id).integer(2, ++seq).text(3, json::serialize(actionToJson(a))).exec();
    }
}

void SqliteDirectory::apply(const reconcile::Plan& plan, RunRecord& record, const SecretBox& box) {
    ensureIndex();
    std::vector<std::int64_t> ids;
    const std::string stamp = core::nowIso();
    inTransaction(session_, path_, [&] {
        writeAccounts(plan, box, stamp, ids);
        writeGroupsAndMemberships(plan, ids);
        writeClaims(plan);
        insertRun(record);
    });
    for (std::size_t i = 0; i < plan.accounts.size(); ++i) {
        const auto& a = plan.accounts[i].account;
        if (a.role == core::Role::Learner && !a.attrs.upn.empty()) {
            upnIndex_[a.attrs.upn] = ids[i];
        }
        if (a.role == core::Role::Staff && !a.attrs.nationalId.empty()) {
            nationalIndex_[a.attrs.nationalId] = ids[i];
        }
    }
}

void SqliteDirectory::recordRun(RunRecord& record) {
    inTransaction(session_, path_, [&] { insertRun(record); });
}

}  // namespace misync::storage
