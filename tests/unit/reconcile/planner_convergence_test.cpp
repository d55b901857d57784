// R13 convergence: a randomized multi-school, multi-day scenario (learners join, leave by date
// and by absence, move between schools with the old school late to record the leaver, change
// year, registration group and names, rejoin) run through the pure planner over an in-memory
// directory that loads views and applies plans as the SQLite store does. Each day every school
// runs once, in several orders, each from the same starting directory; the resulting
// directories must agree modulo what R13 allows, match what the schools' extracts say, plan
// nothing when run again (R12), and never give a learner two accounts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "planner_fixture.h"
#include "planner_portal_sim.h"
#include "planner_sim.h"
#include "planner_world.h"

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;
using namespace misync::reconcile::testing::world;

namespace {

// ---- the oracle ----------------------------------------------------------------------------

// The directory says what the extracts say: a learner on roll at one school has an active
// account there with that school's data and groups; on roll nowhere, a deactivated one (or
// none); on roll at two (the old school late), an active account at one of them.
void expectMatchesWorld(const DirectorySim& sim, const World& world, const PortalState& portal,
                        const std::string& where) {
    SCOPED_TRACE(where);
    std::map<std::string, const Account*> byKey;
    for (const auto& [id, a] : sim.accounts) {
        byKey[accountKey(a)] = &a;
    }
    std::map<std::int64_t, std::set<std::string>> groupsOf;
    for (const auto& [gk, g] : sim.groups) {
        for (auto id : g.members) {
            groupsOf[id].insert(gk.first + "/" + gk.second);
        }
    }
    std::vector<core::Snapshot> snaps;
    for (std::size_t s = 0; s < world.schools().size(); ++s) {
        snaps.push_back(world.snapshot(s));
    }
    auto expectedGroups = [&](std::size_t s, const core::Person& p) {
        std::set<std::string> out;
        for (const auto& m : snaps[s].memberships) {
            if (m.memberRole == p.role && m.memberMisId == p.misId) {
                out.insert(world.schools()[s].dfes + "/" + m.groupCode);
            }
        }
        return out;
    };
    for (const auto& l : world.learners()) {
        auto at = world.onRollAt(l.upn);
        auto it = byKey.find("upn:" + l.upn);
        const Account* a = it == byKey.end() ? nullptr : it->second;
        if (at.empty()) {
            if (a != nullptr) {
                EXPECT_EQ(toString(a->status), std::string("deactivated")) << l.upn;
            }
            continue;
        }
        if (a == nullptr) {
            ADD_FAILURE() << l.upn << " is on roll but has no account";
            continue;
        }
        // R9: an administrator's deactivation holds while the learner is on roll.
        const bool byAdmin = portal.deactivated.count(l.upn) != 0;
        EXPECT_EQ(toString(a->status), std::string(byAdmin ? "deactivated" : "active")) << l.upn;
        std::size_t owner = at[0];
        if (at.size() > 1 && world.schools()[at[1]].dfes == a->school) {
            owner = at[1];
        }
        // R7 dual registration: the main school owns the account, a guest member of the
        // subsidiary school's groups.
        const auto dual = world.dualOf(l.upn);
        if (dual) {
            owner = dual->first;
        }
        const auto& school = world.schools()[owner];
        EXPECT_EQ(a->school, school.dfes) << l.upn;
        const core::Person& p = school.learners.at(l.upn).person;
        Attributes expected = attributesOf(p);
        if (auto n = portal.names.find(l.upn); n != portal.names.end()) {
            std::tie(expected.legalForename, expected.legalSurname, expected.preferredForename,
                     expected.preferredSurname) = n->second;  // R9: the administrator's names
        }
        EXPECT_TRUE(a->attrs == expected) << l.upn << " at " << school.dfes;
        EXPECT_EQ(a->displayName, displayName(expected)) << l.upn;
        auto groups = expectedGroups(owner, p);
        if (byAdmin) {
            groups.clear();  // a deactivated account is in no group (R11)
        } else if (dual) {
            const auto& guest = world.schools()[dual->second].learners.at(l.upn).person;
            auto more = expectedGroups(dual->second, guest);
            groups.insert(more.begin(), more.end());
        }
        EXPECT_EQ(groupsOf[a->id], groups) << l.upn;
    }
    for (std::size_t s = 0; s < world.schools().size(); ++s) {
        const auto& m = world.schools()[s];
        for (const auto& [id, r] : m.staff) {
            auto it = byKey.find("mis:" + m.dfes + ":" + id);
            const bool on = r.listed && isOnRoll(r.person, world.asOf(), Policy{});
            if (it == byKey.end()) {
                EXPECT_FALSE(on) << id << " at " << m.dfes << " has no account";
                continue;
            }
            EXPECT_EQ(it->second->status == AccountStatus::Active, on) << id;
            if (on) {
                EXPECT_EQ(groupsOf[it->second->id], expectedGroups(s, r.person)) << id;
            }
        }
        // The snapshot's groups are live; a complete snapshot's are the only live ones.
        std::set<std::string> live;
        for (const auto& [gk, g] : sim.groups) {
            if (gk.first == m.dfes && !g.state.archived) {
                live.insert(gk.second);
            }
        }
        std::set<std::string> listed;
        for (const auto& g : snaps[s].groups) {
            listed.insert(g.code);
            EXPECT_EQ(live.count(g.code), 1u) << m.dfes << "/" << g.code;
        }
        if (m.complete) {
            EXPECT_EQ(live, listed) << m.dfes;
        }
    }
}

std::string orderText(const std::vector<std::size_t>& order) {
    std::string out;
    for (auto s : order) {
        out += (out.empty() ? "" : ",") + kSchools[s];
    }
    return out;
}

// What the scenarios exercised, so that a generator that stops producing the interesting cases
// fails the test instead of passing it vacuously.
struct Coverage {
    std::map<std::string, int> seen;

    void record(const Plan& plan) {
        for (const auto& a : plan.actions) {
            ++seen[toString(a.kind)];
            if (a.kind == ActionKind::Transfer) {
                // The old school's run hands over (DESIGN.md) or the new school's run takes over.
                ++seen[a.fromSchool == plan.school ? "transfer by the old school"
                       : a.school == plan.school   ? "transfer by the new school"
                                                   : "transfer by a third school"];
            }
        }
        for (const auto& w : plan.warnings) {
            ++seen[w.code];
        }
        for (const auto& a : plan.actions) {
            if (a.kind == ActionKind::Transfer &&
                a.reason.find("subsidiary") != std::string::npos) {
                ++seen["main registration takes over from a subsidiary one"];
            }
        }
        for (const auto& c : plan.claims) {
            if (!c.remove && c.claim.attrs.enrolmentStatus == "S") {
                ++seen["guest of a dual registration"];
            }
        }
        for (const auto& m : plan.memberships) {
            if (m.add && m.school == plan.school) {
                for (const auto& c : plan.claims) {
                    if (c.claim.accountId == m.accountId && c.claim.school == plan.school &&
                        !c.remove && c.claim.attrs.enrolmentStatus == "S") {
                        ++seen["guest membership added"];
                        break;
                    }
                }
            }
        }
    }
    void recordOwners(const DirectorySummary& x, const DirectorySummary& y) {
        for (const auto& [k, v] : x.accounts) {
            auto it = y.accounts.find(k);
            if (it != y.accounts.end() && it->second.size() == 1 && v.size() == 1 &&
                v[0].school != it->second[0].school) {
                ++seen["deactivated account kept by either of two schools"];
            }
        }
    }
};

void runScenario(std::uint32_t seed, core::Date start, int days, int orders, Coverage& coverage) {
    World world(seed, start);
    DirectorySim sim;
    PortalState portal;
    Administrator admin(seed * 31u + 7u);
    std::mt19937 rng(seed * 7919u + 13u);
    for (int day = 0; day < days; ++day) {
        world.advanceTo(day);
        if (day > 0) {  // administrators work between the days' runs
            admin.act(sim, portal, world.asOf().toString() + "T05:00:00Z");
        }
        std::vector<core::Snapshot> snaps;
        for (std::size_t s = 0; s < kSchools.size(); ++s) {
            snaps.push_back(world.snapshot(s));
        }
        std::vector<std::size_t> order(kSchools.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::vector<DirectorySim> results;
        std::vector<DirectorySummary> summaries;
        std::vector<std::string> orderNames;
        for (int o = 0; o < orders; ++o) {
            if (o == 1) {
                std::reverse(order.begin(), order.end());
            } else if (o > 1) {
                std::shuffle(order.begin(), order.end(), rng);
            }
            DirectorySim d = sim;
            const std::string where = "seed " + std::to_string(seed) + " day " +
                                      std::to_string(day) + " (" + world.asOf().toString() +
                                      ") order " + orderText(order);
            for (auto s : order) {
                core::Snapshot snap = snaps[s];
                std::shuffle(snap.persons.begin(), snap.persons.end(), rng);  // U6
                coverage.record(d.run(snap, Policy{}, world.asOf(), transliterator(), rng(), &rng));
                expectInvariants(d, where + " after " + kSchools[s]);
            }
            // R12/R13: running any school again changes nothing.
            for (std::size_t s = 0; s < kSchools.size(); ++s) {
                DirectorySim again = d;
                Plan plan =
                    again.run(snaps[s], Policy{}, world.asOf(), transliterator(), rng(), &rng);
                if (plan.changesDirectory()) {
                    std::string what;
                    for (const auto& a : plan.actions) {
                        what += std::string(" ") + toString(a.kind) + ":" + a.upn + a.group;
                    }
                    ADD_FAILURE() << where << ": running " << kSchools[s]
                                  << " again changes the directory:" << what << " ("
                                  << plan.accounts.size() << " accounts, "
                                  << plan.memberships.size() << " memberships, "
                                  << plan.claims.size() << " claims)";
                }
            }
            expectMatchesWorld(d, world, portal, where);
            expectPortalKept(d, portal, where);
            summaries.push_back(summarize(d));
            orderNames.push_back(where);
            results.push_back(std::move(d));
        }
        for (int o = 1; o < orders; ++o) {
            expectConverged(summaries[0], summaries[static_cast<std::size_t>(o)],
                            orderNames[0] + " vs " + orderNames[static_cast<std::size_t>(o)]);
            coverage.recordOwners(summaries[0], summaries[static_cast<std::size_t>(o)]);
        }
        if (::testing::Test::HasFailure()) {
            ADD_FAILURE() << "scenario so far:\n" << world.log();
            return;
        }
        sim = std::move(results[rng() % results.size()]);
    }
    for (const auto& [k, n] : portal.seen) {
        coverage.seen[k] += n;
    }
}

void expectCovered(const Coverage& c, const std::vector<std::string>& needed) {
    std::string all;
    for (const auto& [k, n] : c.seen) {
        all += " " + k + "=" + std::to_string(n);
    }
    ::testing::Test::RecordProperty("coverage", all);
    for (const auto& k : needed) {
        EXPECT_GT(c.seen.count(k) ? c.seen.at(k) : 0, 0) << k << " never happened:" << all;
    }
}

}  // namespace

TEST(PlannerR13, ConvergesWhateverTheOrderOfSchools) {
    Coverage coverage;
    for (std::uint32_t seed = 1; seed <= 24; ++seed) {
        runScenario(seed, day("2024-03-04"), 10, 5, coverage);
        if (HasFailure()) {
            return;
        }
    }
    expectCovered(coverage, {"create",
                             "update",
                             "rename",
                             "deactivate",
                             "reactivate",
                             "transfer by the old school",
                             "transfer by the new school",
                             "transfer_conflict",
                             "awaiting_transfer",
                             "group_create",
                             "group_archive",
                             "group_update",
                             "deactivated account kept by either of two schools",
                             "guest of a dual registration",
                             "guest membership added",
                             "main registration takes over from a subsidiary one",
                             "administrator consent",
                             "administrator champion",
                             "administrator deactivation",
                             "administrator reactivation",
                             "administrator password",
                             "administrator rename"});
}

TEST(PlannerR13, ConvergesAcrossTheSummerLeaverCutOff) {
    Coverage coverage;
    for (std::uint32_t seed = 101; seed <= 124; ++seed) {
        runScenario(seed, day("2024-08-26"), 10, 5, coverage);
        if (HasFailure()) {
            return;
        }
    }
    expectCovered(coverage, {"create", "deactivate", "transfer by the old school",
                             "transfer by the new school", "awaiting_transfer"});
}
