// The world of the R13 randomized test: what four schools' MIS extracts say, day by day —
// learners join, leave by date and by absence, move between schools with the old school late to
// record the leaver, hold dual registrations, change year, registration group and names, and
// rejoin — and the snapshots each school's connector would read from it.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "planner_fixture.h"

namespace misync::reconcile::testing::world {

inline const std::vector<std::string> kSchools = {"6610001", "6610002", "6620003", "6630004"};
inline const std::vector<std::string> kSurnames = {"Jones",  "Davies",    "Williams",    "Evans",
                                                   "Thomas", "Roberts",   "Hughes",      "Lewis",
                                                   "Morgan", "Griffiths", "Llŷr-Hughes", "Prŷs"};
inline const std::vector<std::string> kForenames = {
    "Aled", "Alys", "Anna",  "Bryn",  "Carys", "Dafydd", "Elin", "Ffion", "Gethin",
    "Huw",  "Iolo", "Lowri", "Megan", "Nia",   "Osian",  "Rhys", "Siân",  "Tomos"};

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

}  // namespace misync::reconcile::testing::world
