// P3 on SQLite: facts about the directory (directory_meta, schema 3) and its sealed passwords as
// a whole. The rules that use them (which key may seal, when a key file may be created, rotation)
// are in directory_key.cpp.
#include <sodium.h>

#include "core/errors.h"
#include "storage/secret_box.h"
#include "storage/sqlite_directory.h"
#include "storage/sqlite_stmt.h"

namespace misync::storage {

namespace {

int forgetOnCommit(void* confirmations) {
    static_cast<MetaConfirmations*>(confirmations)->pairs.clear();
    return 0;  // 0: let the commit go ahead
}

void forgetOnRollback(void* confirmations) {
    static_cast<MetaConfirmations*>(confirmations)->pairs.clear();
}

}  // namespace

MetaConfirmations::~MetaConfirmations() {
    if (hooked != nullptr) {
        sqlite3_commit_hook(hooked, nullptr, nullptr);
        sqlite3_rollback_hook(hooked, nullptr, nullptr);
    }
}

std::optional<std::string> SqliteDirectory::metaValue(const std::string& key) {
    SqliteStmt q(statements_, "SELECT value FROM directory_meta WHERE key = ?");
    q.text(1, key);
    if (!q.step()) {
        return std::nullopt;
    }
    return q.columnText(0);
}

void SqliteDirectory::setMetaValue(const std::string& key, const std::string& value) {
    inTransaction([&] {
        SqliteStmt up(statements_,
                      "INSERT INTO directory_meta (key, value) VALUES (?, ?) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        up.text(1, key).text(2, value).exec();
    });
    std::erase_if(confirmed_.pairs, [&](const auto& p) { return p.first == key; });
}

bool SqliteDirectory::metaMatches(const std::string& key, const std::string& value) {
    const bool transactionOpen = sqlite3_get_autocommit(db()) == 0;
    if (transactionOpen && confirmed_.pairs.count({key, value}) != 0) {
        return true;
    }
    SqliteStmt ins(statements_, "INSERT OR IGNORE INTO directory_meta (key, value) VALUES (?, ?)");
    ins.text(1, key).text(2, value).exec();
    const bool matches = metaValue(key) == value;
    // The INSERT took the write lock (or failed) for the rest of the transaction: no other
    // connection can commit another value before it ends, and its commit or rollback forgets
    // what was confirmed.
    if (matches && transactionOpen) {
        if (confirmed_.hooked != db()) {
            sqlite3_commit_hook(db(), forgetOnCommit, &confirmed_);
            sqlite3_rollback_hook(db(), forgetOnRollback, &confirmed_);
            confirmed_.hooked = db();
        }
        confirmed_.pairs.insert({key, value});
    }
    return matches;
}

std::int64_t SqliteDirectory::sealedPasswordCount() {
    SqliteStmt q(statements_, "SELECT count(*) FROM accounts WHERE password_sealed <> ''");
    q.step();
    return q.columnInt(0);
}

void SqliteDirectory::forEachSealedPassword(
    const std::function<void(const std::string&, const std::string&)>& visit) {
    SqliteStmt q(statements_,
                 "SELECT username, password_sealed FROM accounts WHERE password_sealed <> '' "
                 "ORDER BY id");
    while (q.step()) {
        visit(q.columnText(0), q.columnText(1));
    }
}

ResealReport SqliteDirectory::resealPasswords(const SecretBox& from, const SecretBox& to) {
    ResealReport report;
    inTransaction([&] {
        // Read first, then write: updating the rows a statement is still stepping through would
        // let SQLite meet the same row twice.
        std::vector<std::pair<std::int64_t, std::string>> sealed;
        {
            SqliteStmt q(statements_,
                         "SELECT id, username, password_sealed FROM accounts "
                         "WHERE password_sealed <> '' ORDER BY id");
            while (q.step()) {
                std::optional<std::string> plain = from.open(q.columnText(2));
                if (!plain) {
                    report.unreadable.push_back(q.columnText(1));
                    continue;
                }
                sealed.emplace_back(q.columnInt(0), to.seal(*plain));
                sodium_memzero(plain->data(), plain->size());
            }
        }
        SqliteStmt up(statements_, "UPDATE accounts SET password_sealed = ? WHERE id = ?");
        for (const auto& [id, value] : sealed) {
            try {
                up.text(1, value).integer(2, id).exec();
            } catch (const core::StoreError& e) {
                throw core::StoreError(path_ + ": cannot re-seal the password of account " +
                                       std::to_string(id) + ": " + e.what() +
                                       " (nothing was changed)");
            }
        }
        report.resealed = static_cast<std::int64_t>(sealed.size());
    });
    return report;
}

std::vector<std::string> SqliteDirectory::forgetSealedPasswords(const std::string& actor,
                                                                const std::string& at) {
    std::vector<std::string> names;
    inTransaction([&] {
        std::vector<reconcile::ChangeEvent> events;
        {
            SqliteStmt q(statements_,
                         "SELECT username, school, role FROM accounts WHERE password_sealed <> '' "
                         "ORDER BY id");
            while (q.step()) {
                reconcile::ChangeEvent e;
                e.kind = "account.updated";
                e.username = q.columnText(0);
                e.school = q.columnText(1);
                e.role = core::parseRole(q.columnText(2));
                e.fields.push_back({"password_available", "false", true});
                names.push_back(e.username);
                events.push_back(std::move(e));
            }
        }
        SqliteStmt up(statements_,
                      "UPDATE accounts SET password_sealed = '', updated_at = ? "
                      "WHERE password_sealed <> ''");
        up.text(1, at).exec();
        writeChanges(events, std::nullopt, actor, at);
    });
    return names;
}

}  // namespace misync::storage
