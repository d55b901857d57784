// Administrators at work between the days of the R13 randomized test: they confirm and withdraw
// consent, promote Digital Champions, deactivate and reactivate accounts, reset passwords and
// rename learners, through the same pure operations the commands use (reconcile/admin.h). What
// they set is portal-owned (R9): every later sync, in any run order, must keep it.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "planner_sim.h"
#include "reconcile/admin.h"

namespace misync::reconcile::testing {

// What administrators set, by UPN for learners (their accounts may move) and by id for staff.
struct PortalState {
    std::map<std::string, bool> consent;
    std::set<std::string> deactivated;  // R9: deactivated by an administrator
    std::map<std::string, std::tuple<std::string, std::string, std::string, std::string>>
        names;                                      // R9: legal and preferred names after a rename
    std::map<std::int64_t, std::string> passwords;  // R9: the administrator's password
    std::map<std::int64_t, bool> champions;         // R10: staff account → Digital Champion
    std::map<std::string, int> seen;                // what happened, for the coverage check
};

class Administrator {
  public:
    explicit Administrator(std::uint32_t seed) : rng_(seed) {}

    // A few operations on random accounts of `sim`, each applied as the store would.
    void act(DirectorySim& sim, PortalState& portal, const std::string& now) {
        const int n = 1 + pick(3);
        for (int i = 0; i < n; ++i) {
            std::vector<const Account*> all;
            for (const auto& [id, a] : sim.accounts) {
                if (a.status != AccountStatus::Purged) {
                    all.push_back(&a);
                }
            }
            if (all.empty()) {
                return;
            }
            const Account a = *all[static_cast<std::size_t>(pick(static_cast<int>(all.size())))];
            AdminResult r = operate(sim, a, portal, now);
            if (!r.refused()) {
                sim.applyAdmin(r.change);
            }
        }
    }

  private:
    std::mt19937 rng_;
    int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

    std::vector<Account> champions(const DirectorySim& sim, const std::string& school) {
        std::vector<Account> out;
        for (const auto& [id, a] : sim.accounts) {
            if (a.school == school && a.digitalChampion) {
                out.push_back(a);
            }
        }
        return out;
    }

    AdminResult operate(DirectorySim& sim, const Account& a, PortalState& portal,
                        const std::string& now) {
        const bool learner = a.role == core::Role::Learner && !a.attrs.upn.empty();
        const std::string& upn = a.attrs.upn;
        switch (pick(6)) {
            case 0: {  // consent
                if (!learner) {
                    return AdminResult::refuse("", "");
                }
                const bool give = pick(3) != 0;
                auto r = setConsent({{a.username, a}}, give);
                portal.consent[upn] = give;
                ++portal.seen["administrator consent"];
                return r;
            }
            case 1: {  // Digital Champion
                if (a.role != core::Role::Staff) {
                    return AdminResult::refuse("", "");
                }
                auto r = a.digitalChampion ? demoteChampion(a, champions(sim, a.school), "admin")
                                           : promoteChampion(a);
                if (!r.refused()) {
                    portal.champions[a.id] = !a.digitalChampion;
                    ++portal.seen["administrator champion"];
                }
                return r;
            }
            case 2: {  // deactivate (sticky while on roll, R9) or reactivate
                if (!learner) {
                    return AdminResult::refuse("", "");
                }
                if (a.status == AccountStatus::Active && pick(2) == 0) {
                    auto r = deactivateAccount(a, champions(sim, a.school), now);
                    portal.deactivated.insert(upn);
                    ++portal.seen["administrator deactivation"];
                    return r;
                }
                if (a.status == AccountStatus::Deactivated && a.adminDeactivated && a.ownerOnRoll) {
                    auto r = reactivateAccount(a);
                    portal.deactivated.erase(upn);
                    ++portal.seen["administrator reactivation"];
                    return r;
                }
                return AdminResult::refuse("", "");
            }
            case 3: {  // a typed password
                auto r = resetPassword(a, std::nullopt, generator_);
                if (!r.refused()) {
                    portal.passwords[a.id] = *r.change.accounts[0].newPassword;
                    ++portal.seen["administrator password"];
                }
                return r;
            }
            case 4: {  // rename (names locked against the MIS, R9)
                if (!learner || a.status != AccountStatus::Active) {
                    return AdminResult::refuse("", "");
                }
                RenameRequest req;
                req.surname = a.attrs.legalSurname + "-Portal";
                UsernameAllocator allocator(sim.registry, 20);
                AdminServices services{allocator, generator_, transliterator()};
                auto r = renameAccount(a, req, services);
                if (!r.refused()) {
                    const Attributes& n = r.change.accounts[0].account.attrs;
                    portal.names[upn] = {n.legalForename, n.legalSurname, n.preferredForename,
                                         n.preferredSurname};
                    allocator.commit();
                    ++portal.seen["administrator rename"];
                }
                return r;
            }
            default:
                return AdminResult::refuse("", "");
        }
    }

    SeededPasswordGenerator generator_{99};
};

// R9: every account still shows what administrators set.
inline void expectPortalKept(const DirectorySim& sim, const PortalState& portal,
                             const std::string& where) {
    SCOPED_TRACE(where);
    for (const auto& [id, a] : sim.accounts) {
        if (a.status == AccountStatus::Purged) {
            continue;
        }
        if (a.role == core::Role::Learner && !a.attrs.upn.empty()) {
            const std::string& upn = a.attrs.upn;
            auto c = portal.consent.find(upn);
            EXPECT_EQ(a.consent, c != portal.consent.end() && c->second) << upn << " consent";
            if (portal.deactivated.count(upn) != 0) {
                EXPECT_EQ(toString(a.status), std::string("deactivated")) << upn;
                EXPECT_TRUE(a.adminDeactivated) << upn;
            }
            if (auto n = portal.names.find(upn); n != portal.names.end()) {
                EXPECT_EQ(std::tie(a.attrs.legalForename, a.attrs.legalSurname,
                                   a.attrs.preferredForename, a.attrs.preferredSurname),
                          n->second)
                    << upn << " names";
            }
        }
        if (auto p = portal.passwords.find(id); p != portal.passwords.end()) {
            ASSERT_EQ(sim.passwords.count(id), 1u) << a.username;
            EXPECT_EQ(sim.passwords.at(id), p->second) << a.username << ": R9 password";
        }
        if (auto c = portal.champions.find(id); c != portal.champions.end()) {
            EXPECT_EQ(a.digitalChampion, c->second) << a.username << " Digital Champion";
        }
    }
}

}  // namespace misync::reconcile::testing
