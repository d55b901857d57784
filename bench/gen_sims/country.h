// The synthetic country the benchmark generator writes: schools, learners, staff, and the daily
// churn that turns day 0 into day N. Kept compact (a few dozen bytes a person) so that all of
// Wales fits in tens of megabytes; group memberships are derived when writing, not stored.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "bench/gen_sims/names.h"
#include "bench/gen_sims/random.h"

namespace misync::bench {

struct GeneratorOptions {
    std::uint32_t schools = 1500;
    std::uint32_t learners = 500000;
    std::uint32_t staff = 40000;
    std::uint64_t memberships = 3000000;
    std::uint64_t seed = 1;
    std::uint32_t day = 0;
    double churnPercent = 1.0;
    // Issue 8 (--churn-every-school): after each day's random churn, every school that no event
    // touched gets one preferred-forename change of one of its learners on roll. Off: the
    // output is exactly what it was without the option.
    bool churnEverySchool = false;
};

// Year groups are numbered N1 = -2, N2 = -1, R = 0, then 1..13; a slot is the array index.
inline constexpr int kFirstYear = -2;
inline constexpr int kLastYear = 13;
inline constexpr int kYearSlots = kLastYear - kFirstYear + 1;
constexpr int yearSlot(int year) {
    return year - kFirstYear;
}

inline constexpr std::int32_t kNoDate = std::numeric_limits<std::int32_t>::min();
// 1 September of the academic year that day 0 (10 September) falls in.
inline constexpr int kAcademicYear = 2026;
// How long a leaver stays in the school's report with a Leaving Date before dropping out.
inline constexpr int kListLeaverDays = 30;

enum class Phase : std::uint8_t { Primary, Secondary };

enum class StaffRole : std::uint8_t {
    Headteacher,
    DeputyHeadteacher,
    Teacher,
    TeachingAssistant,
    LearningSupportAssistant,
    CoverSupervisor,
    Technician,
    Administrator,
};
std::string_view toString(StaffRole role);

struct School {
    std::string dfes;
    std::string name;
    std::uint16_t la = 0;
    Phase phase = Phase::Primary;
    bool houses = false;
    // Day-0 cohort sizes. Registration groups and teaching sets are counted from these, so that
    // churn moves a few learners between groups instead of re-dealing whole year groups.
    std::array<std::uint16_t, kYearSlots> yearSize0{};
    std::uint32_t nextPersonId = 1001;
    std::uint32_t nextAdno = 1;
    std::uint32_t firstStaff = 0;
    std::uint32_t staffCount = 0;
    std::uint32_t teacherCount = 0;  // the first teacherCount staff of the school teach
};

struct Learner {
    std::uint32_t misId = 0;
    std::uint32_t adno = 0;
    std::int32_t dob = 0;  // days since 1970-01-01
    std::int32_t admission = 0;
    std::int32_t leaving = kNoDate;
    std::uint16_t school = 0;
    std::uint16_t upnSchool = 0;  // the school that issued the UPN
    std::uint16_t upnSerial = 0;
    std::uint16_t forename = 0;
    std::uint16_t surname = 0;
    std::uint16_t preferredForename = kNoName;
    std::uint16_t preferredSurname = kNoName;
    std::uint8_t upnYear = 0;  // two digits
    std::int8_t year = 0;
    std::uint8_t reg = 0;
    Gender gender = Gender::Female;
    bool listedAfterLeaving = false;
};

struct StaffMember {
    std::uint32_t misId = 0;
    std::uint32_t ewc = 0;  // 0: no EWC number
    std::int32_t start = 0;
    std::uint16_t school = 0;
    std::uint16_t forename = 0;
    std::uint16_t surname = 0;
    std::uint16_t preferredForename = kNoName;
    std::uint16_t title = 0;
    StaffRole role = StaffRole::Teacher;
    std::string code;
};

// How many teaching classes a learner is in on average, chosen so that the total number of
// memberships lands near the requested figure (secondaries about three times primaries).
struct TeachingLoad {
    double secondary = 0;
    double primary = 0;
};

struct ChurnCounts {
    std::uint64_t leavers = 0;
    std::uint64_t joiners = 0;
    std::uint64_t transfers = 0;
    std::uint64_t regChanges = 0;
    std::uint64_t yearChanges = 0;
    std::uint64_t nameChanges = 0;
    std::uint64_t preferredChanges = 0;
    std::uint64_t everySchoolExtra = 0;  // of preferredChanges: added by churnEverySchool
    std::uint64_t total() const {
        return leavers + joiners + transfers + regChanges + yearChanges + nameChanges +
               preferredChanges;
    }
};

class Country {
  public:
    Country(const GeneratorOptions& options, const Names& names);

    // Applies day `day`'s churn (day ≥ 1); days must be applied in order 1, 2, ….
    void applyChurnDay(std::uint32_t day, double percent);

    std::int32_t dateOfDay(std::uint32_t day) const {
        return day0_ + static_cast<std::int32_t>(day);
    }

    const std::vector<School>& schools() const { return schools_; }
    const std::vector<Learner>& learners() const { return learners_; }
    const std::vector<StaffMember>& staff() const { return staff_; }
    const TeachingLoad& teaching() const { return teaching_; }
    const ChurnCounts& churn() const { return churn_; }
    std::uint64_t onRoll() const { return onRoll_; }

    std::uint16_t regGroupCount(const School& school, int year) const;

  private:
    void createSchools(Rng& rng);
    void sizeSchools(Rng& rng);
    void createLearners(Rng& rng);
    void createStaff(Rng& rng);
    void planTeaching();
    void allocateUpn(Learner& learner, std::uint16_t issuer, int issueYear, Rng& rng);
    Learner newLearner(Rng& rng, std::uint16_t school, int year, int admission);
    std::uint32_t pickOnRoll(Rng& rng) const;
    bool transfer(Rng& rng, std::uint32_t index, std::int32_t date);
    bool changeYear(Rng& rng, Learner& learner);

    GeneratorOptions options_;
    const Names& names_;
    std::int32_t day0_ = 0;
    std::vector<School> schools_;
    std::vector<Learner> learners_;
    std::vector<StaffMember> staff_;
    std::vector<std::vector<std::uint16_t>> schoolsByLa_;
    std::vector<std::uint16_t> upnSerials_;  // next serial per (issuing school, 2-digit year)
    TeachingLoad teaching_;
    ChurnCounts churn_;
    std::uint64_t onRoll_ = 0;
    std::uint32_t nextEwc_ = 1000000;
};

}  // namespace misync::bench
