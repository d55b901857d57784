// Deterministic randomness for the benchmark generator: the same seed gives the same country on
// every platform, so only the raw engine output is used (the standard distributions are
// implementation-defined).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <span>

namespace misync::bench {

// A stateless 64-bit mixer: derives stable per-record choices (teaching sets, houses) from a key,
// so that one learner's churn never reshuffles another learner's classes.
constexpr std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dULL;
    x ^= x >> 33;
    return x;
}

constexpr std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    return mix(a * 0x9e3779b97f4a7c15ULL + mix(b + 0x632be59bd9b4e019ULL));
}

class Rng {
  public:
    explicit Rng(std::uint64_t seed) : engine_(mix(seed)) {}

    std::uint64_t next() { return engine_(); }

    // Uniform in [0, n); n > 0. The modulo bias is negligible for the ranges used here.
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(engine_() % n); }

    // Uniform in [lo, hi].
    int between(int lo, int hi) {
        return lo + static_cast<int>(below(static_cast<std::uint32_t>(hi - lo + 1)));
    }

    // Uniform in [0, 1).
    double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

    bool chance(double p) { return unit() < p; }

    // Triangular distribution on [lo, hi] with the given mode.
    double triangular(double lo, double mode, double hi) {
        const double u = unit();
        const double split = (mode - lo) / (hi - lo);
        if (u < split) {
            return lo + std::sqrt(u * (hi - lo) * (mode - lo));
        }
        return hi - std::sqrt((1.0 - u) * (hi - lo) * (hi - mode));
    }

    // Index into a table of cumulative weights (strictly increasing where weights are positive).
    std::uint32_t weighted(std::span<const std::uint32_t> cumulative) {
        const std::uint32_t r = below(cumulative.back());
        std::uint32_t lo = 0;
        std::uint32_t hi = static_cast<std::uint32_t>(cumulative.size()) - 1;
        while (lo < hi) {
            const std::uint32_t mid = (lo + hi) / 2;
            if (cumulative[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

  private:
    std::mt19937_64 engine_;
};

}  // namespace misync::bench
