// Unique Pupil Numbers (SPEC §1): 13 characters, a check letter first, a temporary UPN has a
// letter in position 13. R1 matches learners by UPN; R15 rejects a UPN with a wrong check letter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace misync::core {

// The check letter for a 12-character body (characters 2..13), or nullopt when the body
// has the wrong shape (11 digits then a digit or a letter of the UPN alphabet).
std::optional<char> upnCheckLetter(std::string_view body);

// True when `upn` has the UPN shape (a letter, 11 digits, a digit or letter), whatever its
// check letter. Used by connectors that must tell a UPN from another identifier.
bool hasUpnShape(std::string_view upn);

// True when `upn` has the shape and a correct check letter. Letters are accepted in either case.
bool isValidUpn(std::string_view upn);

// Upper-cases a UPN for storage and matching.
std::string canonicalUpn(std::string_view upn);

}  // namespace misync::core
