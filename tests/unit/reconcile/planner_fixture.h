// Builders and a harness for testing the pure planner against an in-memory DirectoryView
// (DESIGN.md: "the planner tested against an in-memory fake view").
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/model.h"
#include "core/upn.h"
#include "reconcile/planner.h"

namespace misync::reconcile::testing {

inline core::Date day(std::string_view iso) {
    auto d = core::parseIsoDate(iso);
    EXPECT_TRUE(d.has_value()) << iso;
    return d.value_or(core::Date{});
}

// A valid UPN (SPEC §1): LA 661, establishment `estab`, year 24, serial `serial` (0..999),
// with the check letter computed from the body.
inline std::string makeUpn(int serial, int estab = 2345) {
    char body[16];
    std::snprintf(body, sizeof body, "661%04d24%03d", estab % 10000, serial % 1000);
    auto check = core::upnCheckLetter(body);
    EXPECT_TRUE(check.has_value()) << body;
    return std::string(1, check.value_or('A')) + body;
}

inline core::Person learner(std::string misId, std::string upn, std::string forename,
                            std::string surname, std::string year = "8", std::string reg = "8A") {
    core::Person p;
    p.role = core::Role::Learner;
    p.misId = std::move(misId);
    p.upn = std::move(upn);
    p.legalForename = std::move(forename);
    p.legalSurname = std::move(surname);
    p.yearGroup = std::move(year);
    p.regGroup = std::move(reg);
    p.dob = day("2012-05-17");
    p.gender = "F";
    p.admissionDate = day("2020-09-01");
    p.enrolment = core::Enrolment::Single;
    p.source = {"students.xml", 1};
    return p;
}

inline core::Person staffMember(std::string misId, std::string forename, std::string surname,
                                std::string nationalId = "") {
    core::Person p;
    p.role = core::Role::Staff;
    p.misId = std::move(misId);
    p.legalForename = std::move(forename);
    p.legalSurname = std::move(surname);
    p.nationalId = std::move(nationalId);
    p.staffCode = "ABC";
    p.staffRole = "Teacher";
    p.title = "Mx";
    p.admissionDate = day("2015-09-01");
    p.source = {"staff.xml", 1};
    return p;
}

inline core::Snapshot snapshotOf(std::string school, std::vector<core::Person> persons,
                                 bool complete = true) {
    core::Snapshot s;
    s.school = std::move(school);
    s.connector = "test";
    s.extractedAt = "2024-03-01T05:00:00Z";
    s.complete = complete;
    s.persons = std::move(persons);
    return s;
}

inline void addGroup(core::Snapshot& s, std::string code, core::GroupType type,
                     std::string year = "") {
    core::Group g;
    g.code = std::move(code);
    g.type = type;
    g.yearGroup = std::move(year);
    s.groups.push_back(std::move(g));
}

inline void addMember(core::Snapshot& s, std::string code, const core::Person& p) {
    s.memberships.push_back({std::move(code), p.misId, p.role, {}});
}

// An account as a previous run would have stored it for `p` at `school`.
inline Account accountFor(const core::Person& p, std::string school, std::int64_t id,
                          std::string username) {
    Account a;
    a.id = id;
    a.username = std::move(username);
    a.role = p.role;
    a.source = AccountSource::Mis;
    a.school = std::move(school);
    a.attrs = attributesOf(p);
    a.displayName = displayName(a.attrs);
    a.status = AccountStatus::Active;
    a.ownerOnRoll = true;
    a.passwordAvailable = true;
    a.createdAt = "2020-09-01T06:00:00Z";
    return a;
}

inline Account manualAccount(std::string school, std::int64_t id, std::string username,
                             std::string forename, std::string surname, std::string dob = "") {
    Account a;
    a.id = id;
    a.username = std::move(username);
    a.role = core::Role::NonMis;
    a.source = AccountSource::Manual;
    a.school = std::move(school);
    a.attrs.legalForename = std::move(forename);
    a.attrs.legalSurname = std::move(surname);
    a.attrs.dob = std::move(dob);
    a.displayName = displayName(a.attrs);
    a.createdAt = "2021-01-01T06:00:00Z";
    return a;
}

inline Claim claimFor(const core::Person& p, std::int64_t accountId, std::string school,
                      std::vector<std::string> groupCodes = {}) {
    Claim c;
    c.accountId = accountId;
    c.school = std::move(school);
    c.role = p.role;
    c.attrs = attributesOf(p);
    c.groupCodes = std::move(groupCodes);
    c.claimedAt = "2024-02-29";
    return c;
}

inline const NameTransliterator& transliterator() {
    static const NameTransliterator t;
    return t;
}

// Runs makePlan with real username and password services over a registry that outlives the
// plans, as the runner does.
struct PlannerHarness {
    UsernameRegistry registry;
    SeededPasswordGenerator passwords{20240301};
    Policy policy;
    core::Date asOf = day("2024-03-01");
    std::string now = "2024-03-01T06:30:00Z";

    Plan plan(const core::Snapshot& snapshot, const DirectoryView& view) {
        UsernameAllocator allocator(registry, policy.usernameMaxLength);
        PlanServices services{allocator, passwords, transliterator()};
        PlanInput input{snapshot, view, policy, asOf, now};
        return makePlan(input, services);
    }
    // Registers the usernames of the view's accounts as the store's usernames table would.
    void reserve(const DirectoryView& view) {
        for (const auto& a : view.accounts) {
            registry.add(a.username);
            for (const auto& alias : a.aliases) {
                registry.add(alias);
            }
        }
    }
};

inline std::vector<const Action*> actionsOf(const Plan& plan, ActionKind kind) {
    std::vector<const Action*> out;
    for (const auto& a : plan.actions) {
        if (a.kind == kind) {
            out.push_back(&a);
        }
    }
    return out;
}

inline const AccountWrite* writeFor(const Plan& plan, std::int64_t id) {
    for (const auto& w : plan.accounts) {
        if (w.account.id == id) {
            return &w;
        }
    }
    return nullptr;
}

inline const AccountWrite* writeForMisId(const Plan& plan, std::string_view misId) {
    for (const auto& w : plan.accounts) {
        if (w.account.attrs.misId == misId) {
            return &w;
        }
    }
    return nullptr;
}

inline bool hasWarning(const Plan& plan, std::string_view code) {
    return std::any_of(plan.warnings.begin(), plan.warnings.end(),
                       [&](const core::Warning& w) { return w.code == code; });
}

inline const core::Warning* warningOf(const Plan& plan, std::string_view code) {
    for (const auto& w : plan.warnings) {
        if (w.code == code) {
            return &w;
        }
    }
    return nullptr;
}

inline const FieldChange* changeOf(const Action& a, std::string_view field) {
    for (const auto& c : a.changes) {
        if (c.field == field) {
            return &c;
        }
    }
    return nullptr;
}

inline bool hasMembership(const Plan& plan, std::string_view school, std::string_view code,
                          std::int64_t id, bool add) {
    return std::any_of(
        plan.memberships.begin(), plan.memberships.end(), [&](const MembershipChange& m) {
            return m.school == school && m.groupCode == code && m.accountId == id && m.add == add;
        });
}

// The total of all counts: 0 means the plan reports nothing.
inline std::uint64_t totalCount(const Plan& plan) {
    std::uint64_t n = 0;
    for (auto v : plan.counts.values) {
        n += v;
    }
    return n;
}

}  // namespace misync::reconcile::testing
