// The parts of a school's DirectoryView beyond accounts, claims and groups (sqlite_directory.cpp
// loadView): what R7's dual registration and R10's Digital Champion check need.
#include <map>
#include <set>

#include "storage/sqlite_directory.h"
#include "storage/sqlite_stmt.h"

namespace misync::storage {

void SqliteDirectory::completeView(reconcile::DirectoryView& view) {
    // R7: the school's own accounts that another school claims carry their memberships, so
    // that a hand-over keeps a guest's memberships instead of adding them again.
    std::map<std::int64_t, reconcile::Account*> claimed;
    for (const auto& c : view.claims) {
        if (c.school == view.school) {
            continue;
        }
        for (auto& a : view.accounts) {
            if (a.id == c.accountId && a.school == view.school && a.memberOf.empty()) {
                claimed[a.id] = &a;
            }
        }
    }
    if (!claimed.empty()) {
        SqliteStmt q(db(),
                     "SELECT g.school, g.code FROM memberships m JOIN groups g ON g.id = "
                     "m.group_id WHERE m.account_id = ? ORDER BY g.school, g.code");
        for (auto& [id, a] : claimed) {
            q.integer(1, id);
            while (q.step()) {
                a->memberOf.push_back({q.columnText(0), q.columnText(1)});
            }
            q.reset();
        }
    }
    // R10: active Digital Champions of this school and of every school owning a Champion in
    // the view (a staff transfer may take one away).
    std::set<std::string> schools{view.school};
    for (const auto& a : view.accounts) {
        if (a.digitalChampion) {
            schools.insert(a.school);
        }
    }
    SqliteStmt count(db(),
                     "SELECT count(*) FROM accounts WHERE school = ? AND digital_champion = 1 "
                     "AND status = 'active'");
    for (const auto& s : schools) {
        count.text(1, s);
        if (count.step()) {
            view.activeChampions[s] = static_cast<int>(count.columnInt(0));
        }
        count.reset();
    }
}

}  // namespace misync::storage
