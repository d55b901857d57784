// P3: facts about the directory (directory_meta, schema 3) and its sealed passwords as
// a whole. The rules that use them (which key may seal, when a key file may be created, rotation)
// are in directory_key.cpp.
#include <sodium.h>

#include "core/errors.h"
#include "storage/secret_box.h"
#include "storage/sql_directory.h"

namespace misync::storage {

std::optional<std::string> SqlDirectory::metaValue(const std::string& key) {
    Stmt q(statements_, "SELECT value FROM directory_meta WHERE key = ?");
    q.text(1, key);
    if (!q.step()) {
        return std::nullopt;
    }
    return q.columnText(0);
}

void SqlDirectory::setMetaValue(const std::string& key, const std::string& value) {
    inTransaction([&] {
        Stmt up(statements_,
                "INSERT INTO directory_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        up.text(1, key).text(2, value).exec();
    });
    std::erase_if(confirmed_, [&](const auto& p) { return p.first == key; });
}

bool SqlDirectory::metaMatches(const std::string& key, const std::string& value) {
    const bool transactionOpen = inTransactionNow();
    if (transactionOpen && confirmed_.count({key, value}) != 0) {
        return true;
    }
    Stmt ins(statements_,
             "INSERT INTO directory_meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING");
    ins.text(1, key).text(2, value).exec();
    const bool matches = metaValue(key) == value;
    // A write transaction holds the directory's write lock to its end (S7): no other connection
    // can commit another value before then, and its commit or rollback forgets what was
    // confirmed (endTransaction).
    if (matches && transactionOpen) {
        confirmed_.insert({key, value});
    }
    return matches;
}

std::int64_t SqlDirectory::sealedPasswordCount() {
    Stmt q(statements_, "SELECT count(*) FROM accounts WHERE password_sealed <> ''");
    q.step();
    return q.columnInt(0);
}

void SqlDirectory::forEachSealedPassword(
    const std::function<void(const std::string&, const std::string&)>& visit) {
    Stmt q(statements_,
           "SELECT username, password_sealed FROM accounts WHERE password_sealed <> '' "
           "ORDER BY id");
    while (q.step()) {
        visit(q.columnText(0), q.columnText(1));
    }
}

ResealReport SqlDirectory::resealPasswords(const SecretBox& from, const SecretBox& to) {
    ResealReport report;
    inTransaction([&] {
        // Read first, then write: updating the rows a statement is still stepping through would
        // let SQLite meet the same row twice.
        std::vector<std::pair<std::int64_t, std::string>> sealed;
        {
            Stmt q(statements_,
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
        Stmt up(statements_, "UPDATE accounts SET password_sealed = ? WHERE id = ?");
        for (const auto& [id, value] : sealed) {
            try {
                up.text(1, value).integer(2, id).exec();
            } catch (const core::StoreError& e) {
                throw core::StoreError(where_ + ": cannot re-seal the password of account " +
                                       std::to_string(id) + ": " + e.what() +
                                       " (nothing was changed)");
            }
        }
        report.resealed = static_cast<std::int64_t>(sealed.size());
    });
    return report;
}

std::vector<std::string> SqlDirectory::forgetSealedPasswords(const std::string& actor,
                                                             const std::string& at) {
    std::vector<std::string> names;
    inTransaction([&] {
        std::vector<reconcile::ChangeEvent> events;
        {
            Stmt q(statements_,
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
        Stmt up(statements_,
                "UPDATE accounts SET password_sealed = '', updated_at = ? "
                "WHERE password_sealed <> ''");
        up.text(1, at).exec();
        writeChanges(events, std::nullopt, actor, at);
    });
    return names;
}

}  // namespace misync::storage
