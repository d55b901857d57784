// Small text helpers shared by connectors, the planner and the CLI.
#pragma once

#include <string>
#include <string_view>

namespace misync::core {

std::string_view trim(std::string_view s);
// ASCII lower-casing (identifiers, codes, enumerated values; SPEC §6 case-insensitive matching).
std::string lowerAscii(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Field and column names are matched ignoring case, spaces and underscores (SPEC §6).
std::string normalizeFieldName(std::string_view s);
// A short name normalised as normalizeFieldName() does, held in place: for matching a value
// against a few keywords (roles, group types) in every record of a file without allocating
// (issue 8). Longer than kMaxShortName after normalising, view() is "\x7f", which no keyword
// equals.
class ShortName {
  public:
    static constexpr std::size_t kMaxShortName = 23;
    explicit ShortName(std::string_view s);
    std::string_view view() const { return {buf_, size_}; }

  private:
    char buf_[kMaxShortName + 1];
    std::size_t size_ = 0;
};
// Replaces invalid UTF-8 sequences with U+FFFD so that text is always safe to store and print.
std::string sanitizeUtf8(std::string_view s);

}  // namespace misync::core
