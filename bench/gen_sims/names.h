// Name tables for the benchmark generator: Welsh-heavy surnames and forenames (with diacritics)
// weighted so that username bases (surname + initial, SPEC U1) collide as they do in Wales.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/gen_sims/random.h"

namespace misync::bench {

enum class Gender : std::uint8_t { Female, Male };

inline constexpr std::uint16_t kNoName = 0xffff;

// Plain lower-case ASCII of a name as SPEC U1/U2 would reduce it (only the letters these tables
// use are folded; anything else outside [a-z0-9] is dropped).
std::string asciiFold(std::string_view utf8);

class Names {
  public:
    Names();

    std::uint16_t pickSurname(Rng& rng) const;
    std::uint16_t pickForename(Rng& rng, Gender gender) const;
    // A short form of the legal forename when it has one, else another forename of the gender.
    std::uint16_t pickPreferredForename(Rng& rng, std::uint16_t legal, Gender gender) const;
    std::uint16_t pickTitle(Rng& rng, Gender gender) const;

    std::string_view surname(std::uint16_t i) const { return surnames_[i].text; }
    std::string_view forename(std::uint16_t i) const { return forenames_[i].text; }
    std::string_view title(std::uint16_t i) const;
    Gender forenameGender(std::uint16_t i) const { return forenames_[i].gender; }

    // Username base pieces (SPEC U1): folded surname, folded forename's first letter.
    std::string_view surnameBase(std::uint16_t i) const { return surnames_[i].base; }
    char forenameInitial(std::uint16_t i) const { return forenames_[i].initial; }
    std::size_t surnameCount() const { return surnames_.size(); }

    std::string schoolName(Rng& rng, bool secondary) const;

  private:
    struct SurnameEntry {
        std::string text;
        std::string base;
    };
    struct ForenameEntry {
        std::string_view text;
        Gender gender;
        char initial;
        std::uint16_t shortForm;
    };

    std::vector<SurnameEntry> surnames_;
    std::vector<std::uint32_t> surnameCumulative_;
    std::vector<ForenameEntry> forenames_;
    std::vector<std::uint16_t> femaleIndex_;
    std::vector<std::uint16_t> maleIndex_;
    std::vector<std::uint32_t> femaleCumulative_;
    std::vector<std::uint32_t> maleCumulative_;
};

}  // namespace misync::bench
