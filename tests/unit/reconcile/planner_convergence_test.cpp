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

using namespace misync;
using namespace misync::reconcile;
using namespace misync::reconcile::testing;

namespace {

const std::vector<std::string> kSchools = {"6610001", "6610002", "6620003", "6630004"};
const std::vector<std::string> kSurnames = {"Jones",  "Davies",    "Williams",    "Evans",
                                            "Thomas", "Roberts",   "Hughes",      "Lewis",
                                            "Morgan", "Griffiths", "Llŷr-Hughes", "Prŷs"};
const std::vector<std::string> kForenames = {"Aled",  "Alys",  "Anna",   "Bryn", "Carys", "Dafydd",
                                             "Elin",  "Ffion", "Gethin", "Huw",  "Iolo",  "Lowri",
                                             "Megan", "Nia",   "Osian",  "Rhys", "Siân",  "Tomos"};

struct Record {
    core::Person person;
    bool listed = true;  // in the school's extract
};

struct SchoolMis {
    std::string dfes;
    bool complete = true;
    std::map<std::string, Record> learners;     // by UPN
    std::map<std::string, Record> staff;        // by MIS id
    std::map<std::string, std::string> misIds;  // UPN → this school's MIS id (kept for rejoiners)
    int nextId = 1;
};

struct LearnerInfo {
    std::string upn;
    std::string forename;
    std::string surname;
    core::Date dob;
    int year = 7;
};

enum class PendingKind { LeaveByDate, LeaveByAbsence, Unlist };

struct Pending {
    int day = 0;
    std::size_t school = 0;
    std::string key;  // UPN
    PendingKind kind = PendingKind::Unlist;
};

// What the schools' MIS extracts say, day by day.
class World {
  public:
    World(std::uint32_t seed, core::Date start) : rng_(seed), start_(start), asOf_(start) {
        for (std::size_t s = 0; s < kSchools.size(); ++s) {
            SchoolMis m;
            m.dfes = kSchools[s];
            // The last school sends partial extracts on some seeds: its leavers come by date.
            m.complete = !(s == kSchools.size() - 1 && seed % 2 == 1);
            schools_.push_back(std::move(m));
        }
        for (std::size_t s = 0; s < schools_.size(); ++s) {
            for (int i = 0; i < 9; ++i) {
                join(s, newLearner(), asOf_.addDays(-400));
            }
            for (int i = 0; i < 2; ++i) {
                addStaff(s);
            }
        }
        if (start.month() == 8) {
            summerLeavers();
        }
    }

    core::Date asOf() const { return asOf_; }
    const std::vector<SchoolMis>& schools() const { return schools_; }
    const std::vector<LearnerInfo>& learners() const { return learners_; }

    void advanceTo(int day) {
        day_ = day;
        asOf_ = start_.addDays(day);
        std::vector<Pending> due;
        std::vector<Pending> later;
        for (auto& p : pending_) {
            (p.day <= day ? due : later).push_back(p);
        }
        pending_ = std::move(later);
        for (const auto& p : due) {
            perform(p);
        }
        if (day == 0) {
            return;
        }
        const int events = 3 + pick(6);
        for (int i = 0; i < events; ++i) {
            randomEvent();
        }
    }

    core::Snapshot snapshot(std::size_t s) const {
        const SchoolMis& m = schools_[s];
        core::Snapshot snap = snapshotOf(m.dfes, {}, m.complete);
        std::map<std::string, std::string> regYear;
        std::set<std::string> years;
        bool staffGroup = false;
        for (const auto& [upn, r] : m.learners) {
            if (!r.listed) {
                continue;
            }
            snap.persons.push_back(r.person);
            if (isOnRoll(r.person, asOf_, policy_)) {
                addMember(snap, r.person.regGroup, r.person);
                addMember(snap, "Y" + r.person.yearGroup, r.person);
                regYear[r.person.regGroup] = r.person.yearGroup;
                years.insert(r.person.yearGroup);
            }
        }
        for (const auto& [id, r] : m.staff) {
            if (!r.listed) {
                continue;
            }
            snap.persons.push_back(r.person);
            if (isOnRoll(r.person, asOf_, policy_)) {
                addMember(snap, "Staff", r.person);
                staffGroup = true;
            }
        }
        for (const auto& [code, year] : regYear) {
            addGroup(snap, code, core::GroupType::Registration, year);
        }
        for (const auto& year : years) {
            addGroup(snap, "Y" + year, core::GroupType::Year, year);
        }
        if (staffGroup) {
            addGroup(snap, "Staff", core::GroupType::Class);
            snap.groups.back().subject = "PD";
        }
        return snap;
    }

    // The schools whose extract has the learner on roll today.
    std::vector<std::size_t> onRollAt(const std::string& upn) const {
        std::vector<std::size_t> out;
        for (std::size_t s = 0; s < schools_.size(); ++s) {
            auto it = schools_[s].learners.find(upn);
            if (it != schools_[s].learners.end() && it->second.listed &&
                isOnRoll(it->second.person, asOf_, policy_)) {
                out.push_back(s);
            }
        }
        return out;
    }

    // R7: (owner, guest) when the learner is on roll at exactly two schools and at least one
    // of them has a subsidiary registration: the main one owns the account, or of two
    // subsidiary ones the lower school number.
    std::optional<std::pair<std::size_t, std::size_t>> dualOf(const std::string& upn) const {
        auto at = onRollAt(upn);
        if (at.size() != 2) {
            return std::nullopt;
        }
        auto enrolment = [&](std::size_t s) {
            return schools_[s].learners.at(upn).person.enrolment;
        };
        const bool s0 = enrolment(at[0]) == core::Enrolment::Subsidiary;
        const bool s1 = enrolment(at[1]) == core::Enrolment::Subsidiary;
        if (!s0 && !s1) {
            return std::nullopt;
        }
        if (s0 && s1) {  // at is in school order: the lower number owns it
            return std::make_pair(at[0], at[1]);
        }
        return s0 ? std::make_pair(at[1], at[0]) : std::make_pair(at[0], at[1]);
    }

    std::string log() const { return log_.str(); }

  private:
    std::mt19937 rng_;
    Policy policy_;
    core::Date start_;
    core::Date asOf_;
    int day_ = 0;
    std::vector<SchoolMis> schools_;
    std::vector<LearnerInfo> learners_;
    std::map<std::string, int> busyUntil_;  // UPN → last day of a transition in progress
    std::vector<Pending> pending_;
    int staffCount_ = 0;
    std::ostringstream log_;

    int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
    template <typename T>
    const T& pickOf(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))];
    }
    std::size_t otherSchool(std::size_t s) {
        return (s + 1 + static_cast<std::size_t>(pick(static_cast<int>(schools_.size()) - 1))) %
               schools_.size();
    }
    std::string reg(int year) { return std::to_string(year) + static_cast<char>('A' + pick(3)); }

    std::size_t newLearner() {
        LearnerInfo l;
        const int n = static_cast<int>(learners_.size());
        l.upn = makeUpn(n % 1000, 1000 + n / 1000);
        l.forename = pickOf(kForenames);
        l.surname = pickOf(kSurnames);
        l.dob = core::Date::fromYmd(2008 + pick(6), 1 + pick(12), 1 + pick(28));
        l.year = 7 + pick(7);
        learners_.push_back(l);
        return learners_.size() - 1;
    }

    // The learner is on roll at `s` from `admitted`, with `s`'s own MIS record.
    void join(std::size_t s, std::size_t li, core::Date admitted,
              core::Enrolment enrolment = core::Enrolment::Single) {
        SchoolMis& m = schools_[s];
        const LearnerInfo& l = learners_[li];
        auto [idIt, fresh] = m.misIds.try_emplace(l.upn, "");
        if (fresh) {
            idIt->second = std::to_string(s) + "-" + std::to_string(m.nextId++);
        }
        core::Person p = learner(idIt->second, l.upn, l.forename, l.surname, std::to_string(l.year),
                                 reg(l.year));
        p.dob = l.dob;
        p.admissionDate = admitted;
        if (pick(4) == 0) {
            p.preferredForename = l.forename.substr(0, 3);
        }
        p.admissionNumber = m.dfes.substr(3) + "/" + idIt->second;
        p.enrolment = enrolment;
        m.learners[l.upn] = Record{p, true};
        // Settled by tomorrow: two schools admitting a learner nobody has an account for yet
        // is the conflict R13 exempts, not a state to converge on.
        int& until = busyUntil_[l.upn];
        until = std::max({until, day_, admitted.days() - start_.days()});
        log_ << "day " << day_ << ": " << l.upn << " joins " << m.dfes << " from "
             << admitted.toString()
             << (enrolment == core::Enrolment::Subsidiary ? " (subsidiary)" : "") << "\n";
    }

    void addStaff(std::size_t s) {
        SchoolMis& m = schools_[s];
        std::string id = "T" + std::to_string(staffCount_++);
        core::Person p = staffMember(id, pickOf(kForenames), pickOf(kSurnames));
        m.staff[id] = Record{p, true};
    }

    void summerLeavers() {
        // Exam-year learners who left in July stay on roll until 30 August (R5); some start at
        // a sixth form elsewhere, from 2 September or (overlapping) from 28 August.
        for (std::size_t s = 0; s < schools_.size(); ++s) {
            for (int i = 0; i < 3; ++i) {
                std::size_t li = newLearner();
                learners_[li].year = 11 + pick(3);
                join(s, li, asOf_.addDays(-700));
                auto& r = schools_[s].learners[learners_[li].upn];
                r.person.leavingDate = core::Date::fromYmd(start_.year(), 7, 19);
                busyUntil_[learners_[li].upn] = 1000;
                if (pick(3) != 0 && learners_[li].year < 13) {
                    learners_[li].year += 1;
                    const auto from = pick(2) == 0 ? core::Date::fromYmd(start_.year(), 9, 2)
                                                   : core::Date::fromYmd(start_.year(), 8, 28);
                    join(otherSchool(s), li, from);
                }
            }
        }
    }

    bool busy(const std::string& upn) const {
        auto it = busyUntil_.find(upn);
        return it != busyUntil_.end() && it->second >= day_;
    }

    void perform(const Pending& p) {
        SchoolMis& m = schools_[p.school];
        auto it = m.learners.find(p.key);
        if (it == m.learners.end()) {
            return;
        }
        Record& r = it->second;
        switch (p.kind) {
            case PendingKind::LeaveByDate: {
                core::Date left = asOf_.addDays(-pick(3));
                if (r.person.admissionDate && left < *r.person.admissionDate) {
                    left = *r.person.admissionDate;
                }
                r.person.leavingDate = left;
                log_ << "day " << day_ << ": " << p.key << " leaves " << m.dfes << " on "
                     << left.toString() << "\n";
                if (!m.complete) {
                    pending_.push_back({day_ + 2, p.school, p.key, PendingKind::Unlist});
                }
                break;
            }
            case PendingKind::LeaveByAbsence:
            case PendingKind::Unlist:
                if (!m.complete && isOnRoll(r.person, asOf_.addDays(-1), policy_)) {
                    // A partial extract's silence says nothing (R5): a school drops a leaver
                    // from it only after a run that saw them off roll (the summer rule may keep
                    // them on past their leaving date).
                    pending_.push_back({day_ + 1, p.school, p.key, PendingKind::Unlist});
                    break;
                }
                r.listed = false;
                log_ << "day " << day_ << ": " << p.key << " no longer listed at " << m.dfes
                     << "\n";
                break;
        }
    }

    // The school lets the learner go today (by date, or by absence when its roll is complete).
    Pending leaving(std::size_t s, const std::string& upn, int day) {
        bool byDate = !schools_[s].complete || pick(2) == 0;
        return {day, s, upn, byDate ? PendingKind::LeaveByDate : PendingKind::LeaveByAbsence};
    }

    // A learner on roll at an old school that is late to record the leaver (S) and at the school
    // they moved to (T) moves on to U; T records its leaver at once, so that only S and U have
    // them on roll (both with T's claim possibly still standing): S's release meets a stale claim
    // and a fresh one.
    void chainMove() {
        std::vector<std::pair<std::size_t, std::size_t>> candidates;  // learner, T
        for (std::size_t i = 0; i < learners_.size(); ++i) {
            const std::string& upn = learners_[i].upn;
            auto at = onRollAt(upn);
            if (at.size() != 2 || (asOf_.month() >= 6 && asOf_.month() <= 8)) {
                continue;
            }
            std::vector<std::size_t> late;
            for (const auto& p : pending_) {
                if (p.key == upn) {
                    late.push_back(p.school);
                }
            }
            if (late.size() != 1 || (late[0] != at[0] && late[0] != at[1])) {
                continue;
            }
            const std::size_t from = late[0] == at[0] ? at[1] : at[0];
            const auto& admitted = schools_[from].learners.at(upn).person.admissionDate;
            if (admitted && *admitted < asOf_) {  // T has run with them on roll: T claims
                candidates.push_back({i, from});
            }
        }
        if (candidates.empty()) {
            return;
        }
        const auto [li, from] = pickOf(candidates);
        const std::string upn = learners_[li].upn;
        auto due = std::find_if(pending_.begin(), pending_.end(),
                                [&upn](const Pending& p) { return p.key == upn; });
        const Pending lateLeaver = *due;
        const std::size_t late = lateLeaver.school;
        const bool sameDay = pick(2) == 0;
        if (sameDay) {
            pending_.erase(due);  // performed below, today
        }
        std::size_t to = otherSchool(from);
        while (to == late) {
            to = otherSchool(from);
        }
        log_ << "day " << day_ << ": " << upn << " moves on while " << schools_[late].dfes
             << " is late\n";
        perform(leaving(from, upn, day_));
        join(to, li, asOf_);
        if (sameDay) {
            // The late school records its leaver today too: its run may meet T's claim, stale
            // unless T has run, and U's, fresh if U has run.
            perform(lateLeaver);
        }
        busyUntil_[upn] = std::max(busyUntil_[upn], day_ + 3);
    }

    // A learner with a main and a subsidiary registration loses one of them today: the
    // subsidiary school lets them go (the account stays), or the main school does (the
    // account moves to the subsidiary school, R7).
    void endDual() {
        std::vector<std::size_t> duals;
        for (std::size_t i = 0; i < learners_.size(); ++i) {
            if (!busy(learners_[i].upn) && dualOf(learners_[i].upn)) {
                duals.push_back(i);
            }
        }
        if (duals.empty()) {
            return;
        }
        const std::string upn = learners_[pickOf(duals)].upn;
        const auto [main, sub] = *dualOf(upn);
        log_ << "day " << day_ << ": " << upn << " dual registration ends\n";
        perform(leaving(pick(2) == 0 ? main : sub, upn, day_));
        busyUntil_[upn] = day_ + 3;
    }

    void randomEvent() {
        const int kind = pick(100);
        if (kind < 15) {
            std::size_t s = static_cast<std::size_t>(pick(static_cast<int>(schools_.size())));
            const core::Date from = pick(5) == 0 ? asOf_.addDays(1) : asOf_;
            const std::size_t li = newLearner();
            join(s, li, from);
            if (pick(4) == 0) {  // R7: dual registration from the first day
                join(otherSchool(s), li, from, core::Enrolment::Subsidiary);
            }
            return;
        }
        if (kind < 20) {
            std::size_t s = static_cast<std::size_t>(pick(static_cast<int>(schools_.size())));
            if (pick(2) == 0) {
                addStaff(s);
            } else if (!schools_[s].staff.empty()) {
                auto it = schools_[s].staff.begin();
                std::advance(it, pick(static_cast<int>(schools_[s].staff.size())));
                if (schools_[s].complete && pick(2) == 0) {
                    it->second.listed = false;
                } else {
                    it->second.person.leavingDate = asOf_;
                }
            }
            return;
        }
        if (kind < 30) {  // a rejoiner, at their last school or another
            std::vector<std::size_t> away;
            for (std::size_t i = 0; i < learners_.size(); ++i) {
                if (!busy(learners_[i].upn) && onRollAt(learners_[i].upn).empty()) {
                    away.push_back(i);
                }
            }
            if (!away.empty()) {
                const std::size_t li = pickOf(away);
                std::size_t s = static_cast<std::size_t>(pick(static_cast<int>(schools_.size())));
                for (std::size_t t = 0; t < schools_.size() && pick(2) == 0; ++t) {
                    if (schools_[t].learners.count(learners_[li].upn) != 0) {
                        s = t;  // a school that had them before
                    }
                }
                join(s, li, asOf_);
            }
            return;
        }
        if (kind < 36) {  // moves on while the school before is still late: a chain of claims
            chainMove();
            return;
        }
        if (kind < 40) {  // a dual registration ends at one of its two schools
            endDual();
            return;
        }
        // The rest act on one learner on roll at one school and not in a transition.
        const LearnerInfo& l = pickOf(learners_);
        auto at = onRollAt(l.upn);
        if (busy(l.upn) || at.size() != 1) {
            return;
        }
        const std::size_t home = at[0];
        const std::string upn = l.upn;
        if (kind < 45) {  // leaves the system
            perform(leaving(home, upn, day_));
            busyUntil_[upn] = day_ + 3;
            return;
        }
        if (kind < 52) {  // R7: another school adds a subsidiary registration
            const std::size_t sub = otherSchool(home);
            if (pick(2) == 0) {
                schools_[home].learners[upn].person.enrolment = core::Enrolment::Main;
            }
            join(sub, static_cast<std::size_t>(&l - learners_.data()), asOf_,
                 core::Enrolment::Subsidiary);
            return;
        }
        if (kind < 70) {  // moves; the old school may be late to record the leaver
            const std::size_t to = otherSchool(home);
            join(to, static_cast<std::size_t>(&l - learners_.data()),
                 pick(5) == 0 ? asOf_.addDays(1) : asOf_);
            const int lag = std::vector<int>{0, 0, 1, 1, 2, 3}[static_cast<std::size_t>(pick(6))];
            Pending p = leaving(home, upn, day_ + lag);
            if (lag == 0) {
                perform(p);
            } else {
                pending_.push_back(p);
                if (pick(6) == 0) {  // the new school drops them again while the old one is late
                    pending_.push_back(leaving(to, upn, day_ + 1 + pick(lag)));
                }
            }
            busyUntil_[upn] = day_ + lag + 3;
            return;
        }
        // Changes of MIS attributes at the school that has the learner.
        Record& r = schools_[home].learners[upn];
        LearnerInfo& info = learners_[static_cast<std::size_t>(&l - learners_.data())];
        switch (pick(5)) {
            case 0:
                if (info.year < 13) {
                    info.year += 1;
                    r.person.yearGroup = std::to_string(info.year);
                    r.person.regGroup = reg(info.year);
                }
                break;
            case 1:
                r.person.regGroup = reg(info.year);
                break;
            case 2:
                r.person.preferredForename =
                    r.person.preferredForename.empty() ? info.forename.substr(0, 2) : "";
                break;
            case 3:
                info.surname = pickOf(kSurnames);
                r.person.legalSurname = info.surname;
                break;
            default:
                r.person.preferredSurname = r.person.preferredSurname.empty() ? "Pryce" : "";
                break;
        }
        log_ << "day " << day_ << ": " << upn << " changes at " << schools_[home].dfes << "\n";
    }
};

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
