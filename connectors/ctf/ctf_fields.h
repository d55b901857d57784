// Element names of a Common Transfer File pupil (SPEC §6.2) and how they map to canonical fields.
// Names are matched ignoring case, spaces and underscores (SPEC §6); a school's `fields` table
// replaces the default element name of a field.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace misync::connectors {

// The pupil fields misync reads, found under <Pupil> or <Pupil><BasicDetails>. Admission and
// leaving dates come from <SchoolHistory> instead and cannot be renamed.
enum class CtfField : std::uint8_t {
    Upn,
    LegalSurname,
    LegalForename,
    Dob,
    Gender,
    PreferredSurname,
    PreferredForename,
    YearGroup,
    EnrolmentStatus,
};
inline constexpr std::size_t kCtfFieldCount =
    static_cast<std::size_t>(CtfField::EnrolmentStatus) + 1;

// Canonical name as written in configuration, e.g. "year_group".
std::string_view canonicalName(CtfField field);

// Lower-cased `name` without spaces and underscores into `out` (at most out.size() characters);
// returns the normalised length, or 0 when the name is empty or too long to be one misync reads.
std::size_t normalizeInto(std::string_view name, std::array<char, 32>& out);

// Maps element names to fields. Built once per connector read; lookups do not allocate.
class CtfFieldMap {
  public:
    // `fields`: canonical name → the school's element name. Throws core::ConfigError when a
    // canonical name is not a ctf field, naming the known ones.
    explicit CtfFieldMap(const std::map<std::string, std::string>& fields = {});

    struct Hit {
        CtfField field;
        std::uint8_t rank;  // 0 = first choice (Gender before Sex)
    };
    std::optional<Hit> find(std::string_view elementName) const;

  private:
    struct Entry {
        std::string normalized;
        Hit hit;
    };
    std::vector<Entry> entries_;
};

}  // namespace misync::connectors
