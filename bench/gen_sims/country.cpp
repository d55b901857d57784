#include "bench/gen_sims/country.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>
#include <stdexcept>

#include "bench/gen_sims/timetable.h"

namespace misync::bench {
namespace {

constexpr std::uint16_t kFirstLa = 660;
// Rough relative pupil numbers of the 22 Welsh authorities, 660 Anglesey … 681 Cardiff.
constexpr std::array<std::uint32_t, 22> kLaWeights = {4, 7, 6, 6,  9, 8,  7, 3, 6, 11, 14,
                                                      8, 8, 8, 14, 4, 11, 4, 6, 5, 10, 20};
constexpr double kSecondaryShare = 0.13;

std::int32_t civil(int year, unsigned month, unsigned day) {
    using namespace std::chrono;
    return sys_days{std::chrono::year{year} / month / day}.time_since_epoch().count();
}

int calendarYear(std::int32_t days) {
    using namespace std::chrono;
    return static_cast<int>(year_month_day{sys_days{std::chrono::days{days}}}.year());
}

// The year group a child born on `dob` belongs to by the 1 September cut-off (R = 0).
int expectedYear(std::int32_t dob) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{std::chrono::days{dob}}};
    const int born =
        static_cast<int>(ymd.year()) - (static_cast<unsigned>(ymd.month()) >= 9 ? 0 : 1);
    return kAcademicYear - 5 - born;
}

// Splits `total` over weights so that the parts add up exactly.
std::vector<std::uint32_t> apportion(const std::vector<double>& weights, std::uint64_t total) {
    double sum = 0;
    for (const double w : weights) {
        sum += w;
    }
    std::vector<std::uint32_t> parts(weights.size(), 0);
    if (weights.empty() || sum <= 0) {
        return parts;
    }
    std::uint64_t given = 0;
    std::vector<std::pair<double, std::size_t>> remainders;
    remainders.reserve(weights.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = weights[i] / sum * static_cast<double>(total);
        parts[i] = static_cast<std::uint32_t>(exact);
        given += parts[i];
        remainders.emplace_back(exact - parts[i], i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < total; k = (k + 1) % remainders.size(), ++given) {
        ++parts[remainders[k].second];
    }
    return parts;
}

std::vector<std::uint32_t> cumulative(std::span<const std::uint32_t> weights) {
    std::vector<std::uint32_t> out;
    std::uint32_t sum = 0;
    for (const auto w : weights) {
        sum += w;
        out.push_back(sum);
    }
    return out;
}

std::string staffCode(const Names& names, const StaffMember& s,
                      const std::vector<std::string>& taken) {
    std::string code;
    code += static_cast<char>(names.forenameInitial(s.forename) - 'a' + 'A');
    const auto base = names.surnameBase(s.surname);
    for (std::size_t i = 0; i < 2; ++i) {
        code += static_cast<char>(i < base.size() ? base[i] - 'a' + 'A' : 'X');
    }
    auto isTaken = [&](const std::string& c) {
        return std::find(taken.begin(), taken.end(), c) != taken.end();
    };
    for (char suffix = '1'; isTaken(code) && suffix <= '9'; ++suffix) {
        code.resize(3);
        code.push_back(suffix);
    }
    if (isTaken(code)) {
        // Digits in second place cannot clash with initials; the count is unique per school.
        code.clear();
        code.push_back('S');
        code.append(std::to_string(taken.size()));
    }
    return code;
}

}  // namespace

std::string_view toString(StaffRole role) {
    switch (role) {
        case StaffRole::Headteacher:
            return "Headteacher";
        case StaffRole::DeputyHeadteacher:
            return "Deputy Headteacher";
        case StaffRole::Teacher:
            return "Teacher";
        case StaffRole::TeachingAssistant:
            return "Teaching Assistant";
        case StaffRole::LearningSupportAssistant:
            return "Learning Support Assistant";
        case StaffRole::CoverSupervisor:
            return "Cover Supervisor";
        case StaffRole::Technician:
            return "Technician";
        case StaffRole::Administrator:
            return "Administrator";
    }
    return "Teacher";
}

Country::Country(const GeneratorOptions& options, const Names& names)
    : options_(options), names_(names), day0_(civil(kAcademicYear, 9, 10)) {
    if (options.schools == 0 || options.schools > 60000) {
        throw std::invalid_argument("--schools must be between 1 and 60000");
    }
    Rng rng(options.seed);
    createSchools(rng);
    sizeSchools(rng);
    createLearners(rng);
    createStaff(rng);
    planTeaching();
}

std::uint16_t Country::regGroupCount(const School& school, int year) const {
    const int size = school.yearSize0[yearSlot(year)];
    const int perGroup = school.phase == Phase::Secondary ? 28 : 30;
    // Reg group indexes are stored in a byte.
    return static_cast<std::uint16_t>(std::clamp((size + perGroup - 1) / perGroup, 1, 255));
}

void Country::createSchools(Rng& rng) {
    const std::uint32_t n = options_.schools;
    const auto secondaries =
        n < 4 ? 0U
              : std::max<std::uint32_t>(
                    1, static_cast<std::uint32_t>(std::lround(n * kSecondaryShare)));
    const auto laCumulative = cumulative(kLaWeights);
    std::vector<bool> used(kLaWeights.size() * 10000, false);
    std::array<int, kLaWeights.size()> primaryNext{};
    std::array<int, kLaWeights.size()> secondaryNext{};
    primaryNext.fill(2000);
    secondaryNext.fill(4000);
    schools_.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        School school;
        school.phase = i < secondaries ? Phase::Secondary : Phase::Primary;
        const auto laIndex = rng.weighted(laCumulative);
        school.la = static_cast<std::uint16_t>(kFirstLa + laIndex);
        int& next =
            school.phase == Phase::Secondary ? secondaryNext[laIndex] : primaryNext[laIndex];
        next += 1 + static_cast<int>(rng.below(3));
        int establishment = next;
        while (establishment < 10000 && used[laIndex * 10000 + establishment]) {
            ++establishment;
        }
        if (establishment >= 10000) {
            establishment = 1000;
            while (used[laIndex * 10000 + establishment]) {
                ++establishment;
            }
        }
        used[laIndex * 10000 + establishment] = true;
        school.dfes = std::to_string(school.la) + std::to_string(establishment);
        school.name = names_.schoolName(rng, school.phase == Phase::Secondary);
        school.houses = school.phase == Phase::Secondary && rng.chance(0.5);
        schools_.push_back(std::move(school));
    }
    std::sort(schools_.begin(), schools_.end(),
              [](const School& a, const School& b) { return a.dfes < b.dfes; });
    schoolsByLa_.assign(kLaWeights.size(), {});
    for (std::size_t i = 0; i < schools_.size(); ++i) {
        schoolsByLa_[schools_[i].la - kFirstLa].push_back(static_cast<std::uint16_t>(i));
    }
}

void Country::sizeSchools(Rng& rng) {
    std::vector<double> raw;
    raw.reserve(schools_.size());
    for (const auto& school : schools_) {
        raw.push_back(school.phase == Phase::Secondary ? rng.triangular(600, 1000, 1800)
                                                       : rng.triangular(40, 180, 420));
    }
    const auto sizes = apportion(raw, options_.learners);
    for (std::size_t i = 0; i < schools_.size(); ++i) {
        auto& school = schools_[i];
        std::vector<double> weights(kYearSlots, 0.0);
        if (school.phase == Phase::Primary) {
            if (rng.chance(0.1)) {
                weights[yearSlot(-2)] = 0.4;
            }
            if (rng.chance(0.75)) {
                weights[yearSlot(-1)] = 0.75;
            }
            for (int year = 0; year <= 6; ++year) {
                weights[yearSlot(year)] = 1.0;
            }
        } else {
            for (int year = 7; year <= 11; ++year) {
                weights[yearSlot(year)] = 1.0;
            }
            if (rng.chance(0.6)) {
                weights[yearSlot(12)] = 0.5;
                weights[yearSlot(13)] = 0.45;
            }
        }
        for (auto& w : weights) {
            w *= 0.85 + 0.3 * rng.unit();
        }
        const auto cohorts = apportion(weights, sizes[i]);
        for (int slot = 0; slot < kYearSlots; ++slot) {
            school.yearSize0[slot] =
                static_cast<std::uint16_t>(std::min<std::uint32_t>(cohorts[slot], 65535));
        }
    }
}

void Country::allocateUpn(Learner& learner, std::uint16_t issuer, int issueYear, Rng& rng) {
    // Serials run 1..999 per issuing school and year. When the preferred issuer is full, another
    // school of the authority issues it, then any school, then an earlier year (only tiny
    // countries with huge schools get that far).
    const auto& local = schoolsByLa_[schools_[issuer].la - kFirstLa];
    for (int back = 0; back < 100; ++back) {
        const int yy = (issueYear - back) % 100;
        auto freeAt = [&](std::size_t s) { return upnSerials_[s * 100U + yy] < 1000; };
        std::size_t chosen = issuer;
        for (int attempt = 0; attempt < 20 && !freeAt(chosen); ++attempt) {
            chosen = local[rng.below(static_cast<std::uint32_t>(local.size()))];
        }
        for (std::size_t s = 0; s < schools_.size() && !freeAt(chosen); ++s) {
            chosen = s;
        }
        if (freeAt(chosen)) {
            learner.upnSchool = static_cast<std::uint16_t>(chosen);
            learner.upnYear = static_cast<std::uint8_t>(yy);
            learner.upnSerial = upnSerials_[chosen * 100U + yy]++;
            return;
        }
    }
    throw std::runtime_error("ran out of UPN serials");
}

Learner Country::newLearner(Rng& rng, std::uint16_t schoolIndex, int year, int admission) {
    School& school = schools_[schoolIndex];
    Learner l;
    l.school = schoolIndex;
    l.year = static_cast<std::int8_t>(year);
    l.gender = rng.chance(0.5) ? Gender::Female : Gender::Male;
    l.forename = names_.pickForename(rng, l.gender);
    l.surname = names_.pickSurname(rng);
    if (rng.chance(0.05)) {
        l.preferredForename = names_.pickPreferredForename(rng, l.forename, l.gender);
    }
    if (rng.chance(0.015)) {
        l.preferredSurname = names_.pickSurname(rng);
    }
    // Born between 1 September and 31 August of the cohort's school year.
    const int born = civil(kAcademicYear - 5 - year, 9, 1);
    const int bornEnd = civil(kAcademicYear - 4 - year, 8, 31);
    l.dob = rng.between(born, bornEnd);
    l.admission = admission;
    l.reg = static_cast<std::uint8_t>(rng.below(regGroupCount(school, year)));
    l.misId = school.nextPersonId++;
    l.adno = school.nextAdno++;
    return l;
}

void Country::createLearners(Rng& rng) {
    upnSerials_.assign(schools_.size() * 100, 1);
    learners_.reserve(options_.learners + options_.learners / 50 * (options_.day + 1));
    for (std::size_t si = 0; si < schools_.size(); ++si) {
        const auto schoolIndex = static_cast<std::uint16_t>(si);
        const School& school = schools_[si];
        const auto& local = schoolsByLa_[school.la - kFirstLa];
        for (int year = kFirstYear; year <= kLastYear; ++year) {
            const int count = school.yearSize0[yearSlot(year)];
            const auto regCount = regGroupCount(school, year);
            int entryYear = kAcademicYear - std::max(year, 0);
            if (school.phase == Phase::Secondary) {
                entryYear = kAcademicYear - (year >= 12 ? year - 12 : year - 7);
            }
            const int entry = civil(entryYear, 9, 1);
            for (int k = 0; k < count; ++k) {
                int admission = entry + static_cast<int>(rng.below(8));
                if (rng.chance(0.12) && admission < day0_ - 1) {
                    admission = rng.between(admission, day0_ - 1);
                }
                Learner l = newLearner(rng, schoolIndex, year, std::min(admission, day0_));
                l.reg = static_cast<std::uint8_t>(k % regCount);
                // Most UPNs were issued by a primary school of the same authority on entry.
                std::uint16_t issuer = schoolIndex;
                const bool fromOtherPrimary = school.phase == Phase::Secondary || rng.chance(0.15);
                if (fromOtherPrimary) {
                    for (int attempt = 0; attempt < 8; ++attempt) {
                        const auto candidate =
                            local[rng.below(static_cast<std::uint32_t>(local.size()))];
                        if (schools_[candidate].phase == Phase::Primary) {
                            issuer = candidate;
                            break;
                        }
                    }
                }
                allocateUpn(l, issuer, kAcademicYear - std::max(year, 0), rng);
                learners_.push_back(l);
            }
        }
    }
    onRoll_ = learners_.size();
}

void Country::createStaff(Rng& rng) {
    std::vector<double> weights;
    weights.reserve(schools_.size());
    for (const auto& school : schools_) {
        std::uint32_t size = 0;
        for (const auto c : school.yearSize0) {
            size += c;
        }
        weights.push_back(size * (school.phase == Phase::Secondary ? 0.095 : 0.075) + 3.0);
    }
    const auto counts = apportion(weights, options_.staff);
    staff_.reserve(options_.staff);
    std::vector<std::string> taken;
    for (std::size_t si = 0; si < schools_.size(); ++si) {
        School& school = schools_[si];
        const std::uint32_t count = counts[si];
        const bool secondary = school.phase == Phase::Secondary;
        school.firstStaff = static_cast<std::uint32_t>(staff_.size());
        school.staffCount = count;
        school.teacherCount =
            count <= 2 ? count
                       : std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(
                                                        count * (secondary ? 0.58 : 0.45))));
        taken.clear();
        for (std::uint32_t k = 0; k < count; ++k) {
            StaffMember s;
            s.school = static_cast<std::uint16_t>(si);
            s.misId = school.nextPersonId++;
            const Gender gender = rng.chance(0.7) ? Gender::Female : Gender::Male;
            s.forename = names_.pickForename(rng, gender);
            s.surname = names_.pickSurname(rng);
            s.title = names_.pickTitle(rng, gender);
            if (rng.chance(0.05)) {
                s.preferredForename = names_.pickPreferredForename(rng, s.forename, gender);
            }
            if (k == 0) {
                s.role = StaffRole::Headteacher;
            } else if (k == 1 && count >= 8) {
                s.role = StaffRole::DeputyHeadteacher;
            } else if (k < school.teacherCount) {
                s.role = StaffRole::Teacher;
            } else {
                const double u = rng.unit();
                if (secondary) {
                    s.role = u < 0.3    ? StaffRole::TeachingAssistant
                             : u < 0.55 ? StaffRole::LearningSupportAssistant
                             : u < 0.65 ? StaffRole::CoverSupervisor
                             : u < 0.75 ? StaffRole::Technician
                                        : StaffRole::Administrator;
                } else {
                    s.role = u < 0.5   ? StaffRole::TeachingAssistant
                             : u < 0.8 ? StaffRole::LearningSupportAssistant
                                       : StaffRole::Administrator;
                }
            }
            if (s.role != StaffRole::Technician && s.role != StaffRole::Administrator) {
                nextEwc_ += 1 + rng.below(40);
                s.ewc = nextEwc_;
            }
            s.start = civil(kAcademicYear - rng.between(0, 30), 9, 1);
            if (rng.chance(0.15)) {
                s.start += static_cast<std::int32_t>(rng.below(300));
            }
            s.start = std::min(s.start, day0_);
            s.code = staffCode(names_, s, taken);
            taken.push_back(s.code);
            staff_.push_back(std::move(s));
        }
    }
}

void Country::planTeaching() {
    double secondaryLearners = 0;
    double primaryLearners = 0;
    double fixed = 0;  // registration + year memberships, houses, registration tutors
    for (const auto& school : schools_) {
        const bool secondary = school.phase == Phase::Secondary;
        for (int year = kFirstYear; year <= kLastYear; ++year) {
            const int size = school.yearSize0[yearSlot(year)];
            if (size == 0) {
                continue;
            }
            if (takesClasses(school.phase, year)) {
                (secondary ? secondaryLearners : primaryLearners) += size;
            }
            fixed += 2.0 * size + (school.houses ? size : 0);
            if (school.teacherCount > 0) {
                fixed += regGroupCount(school, year);
            }
        }
    }
    // Each class also lists its teacher: about one staff membership per 22 learner ones.
    const double classMemberships =
        std::max(0.0, static_cast<double>(options_.memberships) - fixed) / (1.0 + 1.0 / 22.0);
    const double maxSecondary = static_cast<double>(kSecondarySubjects.size());
    const double maxPrimary = static_cast<double>(kPrimarySubjects.size());
    if (secondaryLearners + primaryLearners <= 0) {
        return;
    }
    const double x = classMemberships / (3.0 * secondaryLearners + primaryLearners);
    teaching_.secondary = std::min(3.0 * x, maxSecondary);
    teaching_.primary = std::min(x, maxPrimary);
    if (primaryLearners > 0 && teaching_.secondary >= maxSecondary) {
        teaching_.primary =
            std::min((classMemberships - teaching_.secondary * secondaryLearners) / primaryLearners,
                     maxPrimary);
    } else if (secondaryLearners > 0 && teaching_.primary >= maxPrimary) {
        teaching_.secondary =
            std::min((classMemberships - teaching_.primary * primaryLearners) / secondaryLearners,
                     maxSecondary);
    }
}

std::uint32_t Country::pickOnRoll(Rng& rng) const {
    for (;;) {
        const auto i = rng.below(static_cast<std::uint32_t>(learners_.size()));
        if (learners_[i].leaving == kNoDate) {
            return i;
        }
    }
}

bool Country::transfer(Rng& rng, std::uint32_t index, std::int32_t date) {
    const Learner from = learners_[index];
    const School& source = schools_[from.school];
    auto fits = [&](std::uint16_t s) {
        return s != from.school && schools_[s].phase == source.phase &&
               schools_[s].yearSize0[yearSlot(from.year)] > 0;
    };
    const auto& local = schoolsByLa_[source.la - kFirstLa];
    std::int32_t dest = -1;
    for (int attempt = 0; attempt < 40 && dest < 0; ++attempt) {
        const auto s = attempt < 30 ? local[rng.below(static_cast<std::uint32_t>(local.size()))]
                                    : static_cast<std::uint16_t>(
                                          rng.below(static_cast<std::uint32_t>(schools_.size())));
        if (fits(s)) {
            dest = s;
        }
    }
    if (dest < 0) {
        return false;
    }
    School& target = schools_[static_cast<std::size_t>(dest)];
    Learner moved = from;
    moved.school = static_cast<std::uint16_t>(dest);
    moved.misId = target.nextPersonId++;
    moved.adno = target.nextAdno++;
    moved.admission = date;
    moved.reg = static_cast<std::uint8_t>(rng.below(regGroupCount(target, from.year)));
    moved.listedAfterLeaving = false;
    Learner& old = learners_[index];
    old.leaving = std::max(old.admission, date - 1);
    old.listedAfterLeaving = rng.chance(0.5);
    learners_.push_back(moved);
    return true;
}

bool Country::changeYear(Rng& rng, Learner& learner) {
    const School& school = schools_[learner.school];
    const int up = learner.year + 1;
    const int down = learner.year - 1;
    // Held back or moved up a year, but never more than one year from the age cohort.
    const int cohort = expectedYear(learner.dob);
    const bool canUp = up <= kLastYear && up <= cohort + 1 && school.yearSize0[yearSlot(up)] > 0;
    const bool canDown =
        down >= kFirstYear && down >= cohort - 1 && school.yearSize0[yearSlot(down)] > 0;
    if (!canUp && !canDown) {
        return false;
    }
    learner.year = static_cast<std::int8_t>(canUp && (!canDown || rng.chance(0.5)) ? up : down);
    learner.reg = static_cast<std::uint8_t>(rng.below(regGroupCount(school, learner.year)));
    return true;
}

void Country::applyChurnDay(std::uint32_t day, double percent) {
    Rng rng(mix(options_.seed, 1000003ULL + day));
    const std::int32_t date = dateOfDay(day);
    const auto events =
        static_cast<std::uint64_t>(std::llround(static_cast<double>(onRoll_) * percent / 100.0));
    std::vector<char> touched(options_.churnEverySchool ? schools_.size() : 0, 0);
    for (std::uint64_t e = 0; e < events && onRoll_ > 0; ++e) {
        const auto index = pickOnRoll(rng);
        const auto eventsBefore = churn_.total();
        const auto learnersBefore = learners_.size();
        struct MarkTouched {
            Country& c;
            std::vector<char>& touched;
            std::uint32_t index;
            std::uint64_t eventsBefore;
            std::size_t learnersBefore;
            ~MarkTouched() {
                if (touched.empty() || c.churn_.total() == eventsBefore) {
                    return;
                }
                touched[c.learners_[index].school] = 1;
                for (std::size_t i = learnersBefore; i < c.learners_.size(); ++i) {
                    touched[c.learners_[i].school] = 1;
                }
            }
        } mark{*this, touched, index, eventsBefore, learnersBefore};
        const auto kind = rng.below(100);
        if (kind < 20) {  // leaver
            Learner& l = learners_[index];
            l.leaving = std::max(l.admission, date - static_cast<std::int32_t>(rng.below(3)));
            l.listedAfterLeaving = rng.chance(0.5);
            --onRoll_;
            ++churn_.leavers;
        } else if (kind < 40) {  // joiner, new to Wales: a new UPN from the joining school
            const Learner peer = learners_[index];
            Learner l = newLearner(rng, peer.school, peer.year, date);
            allocateUpn(l, peer.school, calendarYear(date), rng);
            learners_.push_back(l);
            ++onRoll_;
            ++churn_.joiners;
        } else if (kind < 55) {
            if (transfer(rng, index, date)) {
                ++churn_.transfers;
            }
        } else if (kind < 80) {
            Learner& l = learners_[index];
            const auto count = regGroupCount(schools_[l.school], l.year);
            if (count > 1) {
                l.reg = static_cast<std::uint8_t>((l.reg + 1 + rng.below(count - 1U)) % count);
                ++churn_.regChanges;
            } else if (changeYear(rng, l)) {
                ++churn_.yearChanges;
            }
        } else if (kind < 85) {
            if (changeYear(rng, learners_[index])) {
                ++churn_.yearChanges;
            }
        } else if (kind < 95) {  // legal name change (e.g. a new surname)
            Learner& l = learners_[index];
            std::uint16_t surname = names_.pickSurname(rng);
            while (surname == l.surname) {
                surname = names_.pickSurname(rng);
            }
            l.surname = surname;
            l.preferredSurname = kNoName;
            ++churn_.nameChanges;
        } else {
            Learner& l = learners_[index];
            l.preferredForename = l.preferredForename == kNoName
                                      ? names_.pickPreferredForename(rng, l.forename, l.gender)
                                      : kNoName;
            ++churn_.preferredChanges;
        }
    }
    if (!options_.churnEverySchool) {
        return;
    }
    // Its own random stream, so that the events above are the same with or without the option.
    Rng extra(mix(options_.seed, 2000003ULL + day));
    std::vector<std::vector<std::uint32_t>> onRollBySchool(schools_.size());
    for (std::uint32_t i = 0; i < learners_.size(); ++i) {
        if (learners_[i].leaving == kNoDate && !touched[learners_[i].school]) {
            onRollBySchool[learners_[i].school].push_back(i);
        }
    }
    for (std::size_t s = 0; s < schools_.size(); ++s) {
        const auto& candidates = onRollBySchool[s];
        if (touched[s] || candidates.empty()) {
            continue;
        }
        Learner& l =
            learners_[candidates[extra.below(static_cast<std::uint32_t>(candidates.size()))]];
        l.preferredForename = l.preferredForename == kNoName
                                  ? names_.pickPreferredForename(extra, l.forename, l.gender)
                                  : kNoName;
        ++churn_.preferredChanges;
        ++churn_.everySchoolExtra;
    }
}

}  // namespace misync::bench
