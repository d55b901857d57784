#include <spdlog/spdlog.h>

#include <map>

#include "core/date.h"
#include "core/errors.h"
#include "storage/secret_box.h"
#include "storage/sqlite_directory.h"

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
    AccountValues v;
    Statement upsert(session_);
    upsert << upsertAccountSql();
    v.bind(upsert);
    std::string name;
    Poco::Int64 nameOwner = 0;
    Statement reserve(session_);
    reserve << "INSERT INTO usernames (name, account_id, is_alias) VALUES (?, ?, 0)", use(name),
        use(nameOwner);
    Statement alias(session_);
    alias << "UPDATE usernames SET is_alias = 1 WHERE account_id = ? AND name <> ?", use(nameOwner),
        use(name);
    ids.clear();
    for (const auto& w : plan.accounts) {
        reconcile::Account a = w.account;
        if (a.id == 0) {
            a.id = next++;
        }
        ids.push_back(a.id);
        std::string sealed = w.newPassword ? box.seal(*w.newPassword) : std::string();
        v.load(a, sealed, stamp);
        upsert.execute();
        nameOwner = a.id;
        for (const auto& n : w.newNames) {
            name = n;
            reserve.execute();
        }
        if (!w.newNames.empty()) {
            name = a.username;
            alias.execute();
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
    Poco::Int64 gid = 0;
    Poco::Int64 aid = 0;
    Statement add(session_);
    add << "INSERT OR IGNORE INTO memberships (group_id, account_id) VALUES (?, ?)", use(gid),
        use(aid);
    Statement remove(session_);
    remove << "DELETE FROM memberships WHERE group_id = ? AND account_id = ?", use(gid), use(aid);
    for (const auto& m : plan.memberships) {
        gid = groupId(m.school, m.groupCode);
        if (gid == 0) {
            spdlog::warn("school={} group={} missing: membership change skipped", m.school,
                         m.groupCode);
            continue;
        }
        aid = m.accountWrite >= 0 ? ids.at(static_cast<std::size_t>(m.accountWrite)) : m.accountId;
        (m.add ? add : remove).execute();
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
    Poco::Int64 runId = id;
    int seq = 0;
    std::string body;
    Statement act(session_);
    act << "INSERT INTO run_actions (run_id, seq, body) VALUES (?, ?, ?)", use(runId), use(seq),
        use(body);
    for (const auto& a : r.actions) {
        ++seq;
        body = json::serialize(actionToJson(a));
        act.execute();
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
