// Which groups a learner is in, derived from stable keys instead of stored: registration group,
// year group, teaching classes (subject sets) and houses.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "bench/gen_sims/country.h"
#include "bench/gen_sims/random.h"

namespace misync::bench {

inline constexpr std::array<std::string_view, 14> kSecondarySubjects = {
    "Ma", "En", "Cy", "Sc", "Hi", "Gg", "RE", "PE", "Fr", "Ar", "Mu", "DT", "Co", "Dr"};
inline constexpr std::array<std::string_view, 4> kPrimarySubjects = {"Ma", "Rd", "Cy", "Sc"};
inline constexpr int kCoreSubjects = 4;  // secondary: everyone's first subjects; then options
inline constexpr int kOptionSubjects = static_cast<int>(kSecondarySubjects.size()) - kCoreSubjects;
inline constexpr std::array<std::string_view, 4> kHouses = {"Dewi", "Glyndŵr", "Llywelyn", "Hywel"};

inline int subjectCount(Phase phase) {
    return phase == Phase::Secondary ? static_cast<int>(kSecondarySubjects.size())
                                     : static_cast<int>(kPrimarySubjects.size());
}

inline std::string_view subjectCode(Phase phase, int subject) {
    return phase == Phase::Secondary ? kSecondarySubjects[subject] : kPrimarySubjects[subject];
}

inline double classLoad(const TeachingLoad& load, Phase phase) {
    return phase == Phase::Secondary ? load.secondary : load.primary;
}

// Nursery and reception classes are not set for subjects.
inline bool takesClasses(Phase phase, int year) {
    return phase == Phase::Secondary || year >= 1;
}

// A learner takes floor(load) classes, or one more with probability frac(load).
inline int classCount(double load, std::uint64_t key) {
    const double whole = std::floor(load);
    const double frac = load - whole;
    const double u = static_cast<double>(mix(key, 7) >> 11) * 0x1.0p-53;
    return static_cast<int>(whole) + (u < frac ? 1 : 0);
}

// The i-th subject a learner takes: the core subjects in order, then a run of options starting
// at a per-learner offset, so every option is equally popular.
inline int subjectAt(Phase phase, int i, std::uint64_t key) {
    if (phase == Phase::Primary || i < kCoreSubjects) {
        return i;
    }
    const auto offset = static_cast<int>(mix(key, 11) % kOptionSubjects);
    return kCoreSubjects + (offset + i - kCoreSubjects) % kOptionSubjects;
}

// The share of a year group that takes a subject.
inline double takeRate(Phase phase, int subject, double load) {
    const double whole = std::floor(load);
    const double frac = load - whole;
    if (phase == Phase::Primary || subject < kCoreSubjects) {
        if (whole > subject) {
            return 1.0;
        }
        return whole == subject ? frac : 0.0;
    }
    const double options = (1.0 - frac) * std::max(whole - kCoreSubjects, 0.0) +
                           frac * std::max(whole + 1 - kCoreSubjects, 0.0);
    return options / kOptionSubjects;
}

inline int setCount(Phase phase, int yearSize0, double rate) {
    if (rate <= 0.0 || yearSize0 == 0) {
        return 0;
    }
    const double classSize = phase == Phase::Secondary ? 24.0 : 28.0;
    return std::max(1, static_cast<int>(std::lround(yearSize0 * rate / classSize)));
}

inline int setOf(std::uint64_t key, int subject, int sets) {
    return static_cast<int>(mix(key, 100 + static_cast<std::uint64_t>(subject)) %
                            static_cast<std::uint64_t>(sets));
}

inline int houseOf(std::uint64_t key) {
    return static_cast<int>(mix(key, 5) % kHouses.size());
}

}  // namespace misync::bench
