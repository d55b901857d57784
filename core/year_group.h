// Year groups normalised to N1, N2, R, 1..14 (SPEC §6).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace misync::core {

// Accepts `Year  7`, `Year 7`, `Y7`, `7`, `07`, `Reception`, `R`, `Nursery 1`, `N1`, `NC 7` …,
// case-insensitively. Returns nullopt when the text is not a year group; "" stays "".
std::optional<std::string> normalizeYearGroup(std::string_view text);

// The numeric year (1..14) of a normalised year group, or 0 for N1, N2, R and "".
int yearNumber(std::string_view normalized);

}  // namespace misync::core
