// Administrators' changes on SQLite (SPEC §8): a plain write of what reconcile/admin.h decided,
// with the change log rows in the same transaction (R14, SPEC §9.2).
#include <set>
#include <tuple>

#include "core/date.h"
#include "reconcile/admin.h"
#include "storage/sql_directory.h"

namespace misync::storage {

std::vector<std::int64_t> SqlDirectory::applyAdmin(const reconcile::AdminChange& change,
                                                   const std::string& actor, const SecretBox* box) {
    std::vector<std::int64_t> ids;
    const std::string stamp = core::nowIso();
    inTransaction([&] {
        writeAccountRows(change.accounts, box, stamp, ids);
        std::vector<reconcile::ChangeEvent> events = change.events;
        std::set<std::string> touched;
        Stmt claimants(statements_, "SELECT school FROM claims WHERE account_id = ?");
        for (std::size_t i = 0; i < change.accounts.size(); ++i) {
            touched.insert(change.accounts[i].account.school);
            // A school that claims the account plans with its state (R7): it must plan again.
            claimants.integer(1, ids[i]);
            while (claimants.step()) {
                touched.insert(claimants.columnText(0));
            }
            claimants.reset();
        }
        // R11: the account leaves every group it is a member of.
        Stmt groups(statements_,
                    "SELECT g.id, g.school, g.code FROM memberships m JOIN groups g ON "
                    "g.id = m.group_id WHERE m.account_id = ? ORDER BY g.school, g.code");
        Stmt remove(statements_, "DELETE FROM memberships WHERE group_id = ? AND account_id = ?");
        for (const auto& leave : change.leaveGroups) {
            std::vector<std::tuple<std::int64_t, std::string, std::string>> of;
            groups.integer(1, leave.accountId);
            while (groups.step()) {
                of.emplace_back(groups.columnInt(0), groups.columnText(1), groups.columnText(2));
            }
            groups.reset();
            for (const auto& [gid, school, code] : of) {
                remove.integer(1, gid).integer(2, leave.accountId).exec();
                reconcile::ChangeEvent e;
                e.kind = "membership.removed";
                e.school = school;
                e.group = code;
                e.username = leave.username;
                e.role = leave.role;
                events.push_back(std::move(e));
                touched.insert(school);
            }
        }
        // The next run of every school concerned plans again instead of replaying its last one.
        Stmt dirty(statements_, "UPDATE school_state SET dirty = 1 WHERE school = ?");
        for (const auto& s : touched) {
            dirty.text(1, s).exec();
        }
        writeChanges(events, std::nullopt, actor, stamp);
    });
    return ids;
}

}  // namespace misync::storage
