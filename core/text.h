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
// Replaces invalid UTF-8 sequences with U+FFFD so that text is always safe to store and print.
std::string sanitizeUtf8(std::string_view s);

}  // namespace misync::core
