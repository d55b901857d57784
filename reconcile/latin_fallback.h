// What a build without ICU (Windows, docs/windows.md) uses for ICU's two jobs in reconcile/:
// romanising names for usernames (U2) and telling upper from lower case in passwords (P1).
// It knows the Latin letters (U+00C0–U+024F and U+1E00–U+1EFF: every letter with a diacritic
// folds to its base, ß→ss, æ→ae, ø→o, ł→l, đ→d, þ→th, …), combining marks (dropped), full-width
// ASCII and circled numbers; every
// other character (Greek, Cyrillic, CJK …) romanises to nothing and has no case. ICU's
// "NFKC; Any-Latin; Latin-ASCII" gives the same for Latin names; for others the username
// falls back as U2 says (`user`). Portable, so it is tested on Linux too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace misync::reconcile {

// `utf8` romanised to ASCII (letters and digits as they are, everything else as above); invalid
// UTF-8 sequences are dropped.
std::string latinToAscii(std::string_view utf8);

// The next code point of `utf8` from `at` (advanced past it), or -1 for an invalid sequence
// (`at` then past its first byte).
std::int32_t nextCodePoint(std::string_view utf8, std::size_t& at);

enum class LetterCase { None, Upper, Lower };
LetterCase letterCase(std::int32_t cp);

}  // namespace misync::reconcile
