#include "reconcile/latin_fallback.h"

#include <array>
#include <string>

namespace misync::reconcile {

namespace {

struct Latin {
    const char* ascii;  // what the letter romanises to
    char letterCase;    // 'U', 'L' or '-'
};

// Latin-1 Supplement and Latin Extended-A and -B (U+00C0–U+024F), and Latin Extended
// Additional (U+1E00–U+1EFF: Vietnamese, Welsh ẁ ẃ ẅ …), generated from Unicode's
// compatibility decompositions (the ASCII letters of each) and general categories, with the
// letters that decompose to nothing spelled out.
constexpr std::int32_t kFirst = 0xC0;
constexpr std::array<Latin, 0x250 - kFirst> kLatin{{
    {"A", 'U'},   // U+00C0 latin capital letter a with grave
    {"A", 'U'},   // U+00C1 latin capital letter a with acute
    {"A", 'U'},   // U+00C2 latin capital letter a with circumflex
    {"A", 'U'},   // U+00C3 latin capital letter a with tilde
    {"A", 'U'},   // U+00C4 latin capital letter a with diaeresis
    {"A", 'U'},   // U+00C5 latin capital letter a with ring above
    {"AE", 'U'},  // U+00C6 latin capital letter ae
    {"C", 'U'},   // U+00C7 latin capital letter c with cedilla
    {"E", 'U'},   // U+00C8 latin capital letter e with grave
    {"E", 'U'},   // U+00C9 latin capital letter e with acute
    {"E", 'U'},   // U+00CA latin capital letter e with circumflex
    {"E", 'U'},   // U+00CB latin capital letter e with diaeresis
    {"I", 'U'},   // U+00CC latin capital letter i with grave
    {"I", 'U'},   // U+00CD latin capital letter i with acute
    {"I", 'U'},   // U+00CE latin capital letter i with circumflex
    {"I", 'U'},   // U+00CF latin capital letter i with diaeresis
    {"D", 'U'},   // U+00D0 latin capital letter eth
    {"N", 'U'},   // U+00D1 latin capital letter n with tilde
    {"O", 'U'},   // U+00D2 latin capital letter o with grave
    {"O", 'U'},   // U+00D3 latin capital letter o with acute
    {"O", 'U'},   // U+00D4 latin capital letter o with circumflex
    {"O", 'U'},   // U+00D5 latin capital letter o with tilde
    {"O", 'U'},   // U+00D6 latin capital letter o with diaeresis
    {"", '-'},    // U+00D7 multiplication sign
    {"O", 'U'},   // U+00D8 latin capital letter o with stroke
    {"U", 'U'},   // U+00D9 latin capital letter u with grave
    {"U", 'U'},   // U+00DA latin capital letter u with acute
    {"U", 'U'},   // U+00DB latin capital letter u with circumflex
    {"U", 'U'},   // U+00DC latin capital letter u with diaeresis
    {"Y", 'U'},   // U+00DD latin capital letter y with acute
    {"TH", 'U'},  // U+00DE latin capital letter thorn
    {"ss", 'L'},  // U+00DF latin small letter sharp s
    {"a", 'L'},   // U+00E0 latin small letter a with grave
    {"a", 'L'},   // U+00E1 latin small letter a with acute
    {"a", 'L'},   // U+00E2 latin small letter a with circumflex
    {"a", 'L'},   // U+00E3 latin small letter a with tilde
    {"a", 'L'},   // U+00E4 latin small letter a with diaeresis
    {"a", 'L'},   // U+00E5 latin small letter a with ring above
    {"ae", 'L'},  // U+00E6 latin small letter ae
    {"c", 'L'},   // U+00E7 latin small letter c with cedilla
    {"e", 'L'},   // U+00E8 latin small letter e with grave
    {"e", 'L'},   // U+00E9 latin small letter e with acute
    {"e", 'L'},   // U+00EA latin small letter e with circumflex
    {"e", 'L'},   // U+00EB latin small letter e with diaeresis
    {"i", 'L'},   // U+00EC latin small letter i with grave
    {"i", 'L'},   // U+00ED latin small letter i with acute
    {"i", 'L'},   // U+00EE latin small letter i with circumflex
    {"i", 'L'},   // U+00EF latin small letter i with diaeresis
    {"d", 'L'},   // U+00F0 latin small letter eth
    {"n", 'L'},   // U+00F1 latin small letter n with tilde
    {"o", 'L'},   // U+00F2 latin small letter o with grave
    {"o", 'L'},   // U+00F3 latin small letter o with acute
    {"o", 'L'},   // U+00F4 latin small letter o with circumflex
    {"o", 'L'},   // U+00F5 latin small letter o with tilde
    {"o", 'L'},   // U+00F6 latin small letter o with diaeresis
    {"", '-'},    // U+00F7 division sign
    {"o", 'L'},   // U+00F8 latin small letter o with stroke
    {"u", 'L'},   // U+00F9 latin small letter u with grave
    {"u", 'L'},   // U+00FA latin small letter u with acute
    {"u", 'L'},   // U+00FB latin small letter u with circumflex
    {"u", 'L'},   // U+00FC latin small letter u with diaeresis
    {"y", 'L'},   // U+00FD latin small letter y with acute
    {"th", 'L'},  // U+00FE latin small letter thorn
    {"y", 'L'},   // U+00FF latin small letter y with diaeresis
    {"A", 'U'},   // U+0100 latin capital letter a with macron
    {"a", 'L'},   // U+0101 latin small letter a with macron
    {"A", 'U'},   // U+0102 latin capital letter a with breve
    {"a", 'L'},   // U+0103 latin small letter a with breve
    {"A", 'U'},   // U+0104 latin capital letter a with ogonek
    {"a", 'L'},   // U+0105 latin small letter a with ogonek
    {"C", 'U'},   // U+0106 latin capital letter c with acute
    {"c", 'L'},   // U+0107 latin small letter c with acute
    {"C", 'U'},   // U+0108 latin capital letter c with circumflex
    {"c", 'L'},   // U+0109 latin small letter c with circumflex
    {"C", 'U'},   // U+010A latin capital letter c with dot above
    {"c", 'L'},   // U+010B latin small letter c with dot above
    {"C", 'U'},   // U+010C latin capital letter c with caron
    {"c", 'L'},   // U+010D latin small letter c with caron
    {"D", 'U'},   // U+010E latin capital letter d with caron
    {"d", 'L'},   // U+010F latin small letter d with caron
    {"D", 'U'},   // U+0110 latin capital letter d with stroke
    {"d", 'L'},   // U+0111 latin small letter d with stroke
    {"E", 'U'},   // U+0112 latin capital letter e with macron
    {"e", 'L'},   // U+0113 latin small letter e with macron
    {"E", 'U'},   // U+0114 latin capital letter e with breve
    {"e", 'L'},   // U+0115 latin small letter e with breve
    {"E", 'U'},   // U+0116 latin capital letter e with dot above
    {"e", 'L'},   // U+0117 latin small letter e with dot above
    {"E", 'U'},   // U+0118 latin capital letter e with ogonek
    {"e", 'L'},   // U+0119 latin small letter e with ogonek
    {"E", 'U'},   // U+011A latin capital letter e with caron
    {"e", 'L'},   // U+011B latin small letter e with caron
    {"G", 'U'},   // U+011C latin capital letter g with circumflex
    {"g", 'L'},   // U+011D latin small letter g with circumflex
    {"G", 'U'},   // U+011E latin capital letter g with breve
    {"g", 'L'},   // U+011F latin small letter g with breve
    {"G", 'U'},   // U+0120 latin capital letter g with dot above
    {"g", 'L'},   // U+0121 latin small letter g with dot above
    {"G", 'U'},   // U+0122 latin capital letter g with cedilla
    {"g", 'L'},   // U+0123 latin small letter g with cedilla
    {"H", 'U'},   // U+0124 latin capital letter h with circumflex
    {"h", 'L'},   // U+0125 latin small letter h with circumflex
    {"H", 'U'},   // U+0126 latin capital letter h with stroke
    {"h", 'L'},   // U+0127 latin small letter h with stroke
    {"I", 'U'},   // U+0128 latin capital letter i with tilde
    {"i", 'L'},   // U+0129 latin small letter i with tilde
    {"I", 'U'},   // U+012A latin capital letter i with macron
    {"i", 'L'},   // U+012B latin small letter i with macron
    {"I", 'U'},   // U+012C latin capital letter i with breve
    {"i", 'L'},   // U+012D latin small letter i with breve
    {"I", 'U'},   // U+012E latin capital letter i with ogonek
    {"i", 'L'},   // U+012F latin small letter i with ogonek
    {"I", 'U'},   // U+0130 latin capital letter i with dot above
    {"i", 'L'},   // U+0131 latin small letter dotless i
    {"IJ", 'U'},  // U+0132 latin capital ligature ij
    {"ij", 'L'},  // U+0133 latin small ligature ij
    {"J", 'U'},   // U+0134 latin capital letter j with circumflex
    {"j", 'L'},   // U+0135 latin small letter j with circumflex
    {"K", 'U'},   // U+0136 latin capital letter k with cedilla
    {"k", 'L'},   // U+0137 latin small letter k with cedilla
    {"q", 'L'},   // U+0138 latin small letter kra
    {"L", 'U'},   // U+0139 latin capital letter l with acute
    {"l", 'L'},   // U+013A latin small letter l with acute
    {"L", 'U'},   // U+013B latin capital letter l with cedilla
    {"l", 'L'},   // U+013C latin small letter l with cedilla
    {"L", 'U'},   // U+013D latin capital letter l with caron
    {"l", 'L'},   // U+013E latin small letter l with caron
    {"L", 'U'},   // U+013F latin capital letter l with middle dot
    {"l", 'L'},   // U+0140 latin small letter l with middle dot
    {"L", 'U'},   // U+0141 latin capital letter l with stroke
    {"l", 'L'},   // U+0142 latin small letter l with stroke
    {"N", 'U'},   // U+0143 latin capital letter n with acute
    {"n", 'L'},   // U+0144 latin small letter n with acute
    {"N", 'U'},   // U+0145 latin capital letter n with cedilla
    {"n", 'L'},   // U+0146 latin small letter n with cedilla
    {"N", 'U'},   // U+0147 latin capital letter n with caron
    {"n", 'L'},   // U+0148 latin small letter n with caron
    {"n", 'L'},   // U+0149 latin small letter n preceded by apostrophe
    {"N", 'U'},   // U+014A latin capital letter eng
    {"n", 'L'},   // U+014B latin small letter eng
    {"O", 'U'},   // U+014C latin capital letter o with macron
    {"o", 'L'},   // U+014D latin small letter o with macron
    {"O", 'U'},   // U+014E latin capital letter o with breve
    {"o", 'L'},   // U+014F latin small letter o with breve
    {"O", 'U'},   // U+0150 latin capital letter o with double acute
    {"o", 'L'},   // U+0151 latin small letter o with double acute
    {"OE", 'U'},  // U+0152 latin capital ligature oe
    {"oe", 'L'},  // U+0153 latin small ligature oe
    {"R", 'U'},   // U+0154 latin capital letter r with acute
    {"r", 'L'},   // U+0155 latin small letter r with acute
    {"R", 'U'},   // U+0156 latin capital letter r with cedilla
    {"r", 'L'},   // U+0157 latin small letter r with cedilla
    {"R", 'U'},   // U+0158 latin capital letter r with caron
    {"r", 'L'},   // U+0159 latin small letter r with caron
    {"S", 'U'},   // U+015A latin capital letter s with acute
    {"s", 'L'},   // U+015B latin small letter s with acute
    {"S", 'U'},   // U+015C latin capital letter s with circumflex
    {"s", 'L'},   // U+015D latin small letter s with circumflex
    {"S", 'U'},   // U+015E latin capital letter s with cedilla
    {"s", 'L'},   // U+015F latin small letter s with cedilla
    {"S", 'U'},   // U+0160 latin capital letter s with caron
    {"s", 'L'},   // U+0161 latin small letter s with caron
    {"T", 'U'},   // U+0162 latin capital letter t with cedilla
    {"t", 'L'},   // U+0163 latin small letter t with cedilla
    {"T", 'U'},   // U+0164 latin capital letter t with caron
    {"t", 'L'},   // U+0165 latin small letter t with caron
    {"T", 'U'},   // U+0166 latin capital letter t with stroke
    {"t", 'L'},   // U+0167 latin small letter t with stroke
    {"U", 'U'},   // U+0168 latin capital letter u with tilde
    {"u", 'L'},   // U+0169 latin small letter u with tilde
    {"U", 'U'},   // U+016A latin capital letter u with macron
    {"u", 'L'},   // U+016B latin small letter u with macron
    {"U", 'U'},   // U+016C latin capital letter u with breve
    {"u", 'L'},   // U+016D latin small letter u with breve
    {"U", 'U'},   // U+016E latin capital letter u with ring above
    {"u", 'L'},   // U+016F latin small letter u with ring above
    {"U", 'U'},   // U+0170 latin capital letter u with double acute
    {"u", 'L'},   // U+0171 latin small letter u with double acute
    {"U", 'U'},   // U+0172 latin capital letter u with ogonek
    {"u", 'L'},   // U+0173 latin small letter u with ogonek
    {"W", 'U'},   // U+0174 latin capital letter w with circumflex
    {"w", 'L'},   // U+0175 latin small letter w with circumflex
    {"Y", 'U'},   // U+0176 latin capital letter y with circumflex
    {"y", 'L'},   // U+0177 latin small letter y with circumflex
    {"Y", 'U'},   // U+0178 latin capital letter y with diaeresis
    {"Z", 'U'},   // U+0179 latin capital letter z with acute
    {"z", 'L'},   // U+017A latin small letter z with acute
    {"Z", 'U'},   // U+017B latin capital letter z with dot above
    {"z", 'L'},   // U+017C latin small letter z with dot above
    {"Z", 'U'},   // U+017D latin capital letter z with caron
    {"z", 'L'},   // U+017E latin small letter z with caron
    {"s", 'L'},   // U+017F latin small letter long s
    {"b", 'L'},   // U+0180 latin small letter b with stroke
    {"", 'U'},    // U+0181 latin capital letter b with hook
    {"", 'U'},    // U+0182 latin capital letter b with topbar
    {"", 'L'},    // U+0183 latin small letter b with topbar
    {"", 'U'},    // U+0184 latin capital letter tone six
    {"", 'L'},    // U+0185 latin small letter tone six
    {"", 'U'},    // U+0186 latin capital letter open o
    {"", 'U'},    // U+0187 latin capital letter c with hook
    {"", 'L'},    // U+0188 latin small letter c with hook
    {"", 'U'},    // U+0189 latin capital letter african d
    {"", 'U'},    // U+018A latin capital letter d with hook
    {"", 'U'},    // U+018B latin capital letter d with topbar
    {"", 'L'},    // U+018C latin small letter d with topbar
    {"", 'L'},    // U+018D latin small letter turned delta
    {"", 'U'},    // U+018E latin capital letter reversed e
    {"", 'U'},    // U+018F latin capital letter schwa
    {"", 'U'},    // U+0190 latin capital letter open e
    {"", 'U'},    // U+0191 latin capital letter f with hook
    {"", 'L'},    // U+0192 latin small letter f with hook
    {"", 'U'},    // U+0193 latin capital letter g with hook
    {"", 'U'},    // U+0194 latin capital letter gamma
    {"", 'L'},    // U+0195 latin small letter hv
    {"", 'U'},    // U+0196 latin capital letter iota
    {"I", 'U'},   // U+0197 latin capital letter i with stroke
    {"", 'U'},    // U+0198 latin capital letter k with hook
    {"", 'L'},    // U+0199 latin small letter k with hook
    {"", 'L'},    // U+019A latin small letter l with bar
    {"", 'L'},    // U+019B latin small letter lambda with stroke
    {"", 'U'},    // U+019C latin capital letter turned m
    {"", 'U'},    // U+019D latin capital letter n with left hook
    {"", 'L'},    // U+019E latin small letter n with long right leg
    {"", 'U'},    // U+019F latin capital letter o with middle tilde
    {"O", 'U'},   // U+01A0 latin capital letter o with horn
    {"o", 'L'},   // U+01A1 latin small letter o with horn
    {"", 'U'},    // U+01A2 latin capital letter oi
    {"", 'L'},    // U+01A3 latin small letter oi
    {"", 'U'},    // U+01A4 latin capital letter p with hook
    {"", 'L'},    // U+01A5 latin small letter p with hook
    {"", 'U'},    // U+01A6 latin letter yr
    {"", 'U'},    // U+01A7 latin capital letter tone two
    {"", 'L'},    // U+01A8 latin small letter tone two
    {"", 'U'},    // U+01A9 latin capital letter esh
    {"", 'L'},    // U+01AA latin letter reversed esh loop
    {"", 'L'},    // U+01AB latin small letter t with palatal hook
    {"", 'U'},    // U+01AC latin capital letter t with hook
    {"", 'L'},    // U+01AD latin small letter t with hook
    {"", 'U'},    // U+01AE latin capital letter t with retroflex hook
    {"U", 'U'},   // U+01AF latin capital letter u with horn
    {"u", 'L'},   // U+01B0 latin small letter u with horn
    {"", 'U'},    // U+01B1 latin capital letter upsilon
    {"", 'U'},    // U+01B2 latin capital letter v with hook
    {"", 'U'},    // U+01B3 latin capital letter y with hook
    {"", 'L'},    // U+01B4 latin small letter y with hook
    {"Z", 'U'},   // U+01B5 latin capital letter z with stroke
    {"z", 'L'},   // U+01B6 latin small letter z with stroke
    {"", 'U'},    // U+01B7 latin capital letter ezh
    {"", 'U'},    // U+01B8 latin capital letter ezh reversed
    {"", 'L'},    // U+01B9 latin small letter ezh reversed
    {"", 'L'},    // U+01BA latin small letter ezh with tail
    {"", '-'},    // U+01BB latin letter two with stroke
    {"", 'U'},    // U+01BC latin capital letter tone five
    {"", 'L'},    // U+01BD latin small letter tone five
    {"", 'L'},    // U+01BE latin letter inverted glottal stop with stroke
    {"", 'L'},    // U+01BF latin letter wynn
    {"", '-'},    // U+01C0 latin letter dental click
    {"", '-'},    // U+01C1 latin letter lateral click
    {"", '-'},    // U+01C2 latin letter alveolar click
    {"", '-'},    // U+01C3 latin letter retroflex click
    {"DZ", 'U'},  // U+01C4 latin capital letter dz with caron
    {"Dz", '-'},  // U+01C5 latin capital letter d with small letter z with caron
    {"dz", 'L'},  // U+01C6 latin small letter dz with caron
    {"LJ", 'U'},  // U+01C7 latin capital letter lj
    {"Lj", '-'},  // U+01C8 latin capital letter l with small letter j
    {"lj", 'L'},  // U+01C9 latin small letter lj
    {"NJ", 'U'},  // U+01CA latin capital letter nj
    {"Nj", '-'},  // U+01CB latin capital letter n with small letter j
    {"nj", 'L'},  // U+01CC latin small letter nj
    {"A", 'U'},   // U+01CD latin capital letter a with caron
    {"a", 'L'},   // U+01CE latin small letter a with caron
    {"I", 'U'},   // U+01CF latin capital letter i with caron
    {"i", 'L'},   // U+01D0 latin small letter i with caron
    {"O", 'U'},   // U+01D1 latin capital letter o with caron
    {"o", 'L'},   // U+01D2 latin small letter o with caron
    {"U", 'U'},   // U+01D3 latin capital letter u with caron
    {"u", 'L'},   // U+01D4 latin small letter u with caron
    {"U", 'U'},   // U+01D5 latin capital letter u with diaeresis and macron
    {"u", 'L'},   // U+01D6 latin small letter u with diaeresis and macron
    {"U", 'U'},   // U+01D7 latin capital letter u with diaeresis and acute
    {"u", 'L'},   // U+01D8 latin small letter u with diaeresis and acute
    {"U", 'U'},   // U+01D9 latin capital letter u with diaeresis and caron
    {"u", 'L'},   // U+01DA latin small letter u with diaeresis and caron
    {"U", 'U'},   // U+01DB latin capital letter u with diaeresis and grave
    {"u", 'L'},   // U+01DC latin small letter u with diaeresis and grave
    {"", 'L'},    // U+01DD latin small letter turned e
    {"A", 'U'},   // U+01DE latin capital letter a with diaeresis and macron
    {"a", 'L'},   // U+01DF latin small letter a with diaeresis and macron
    {"A", 'U'},   // U+01E0 latin capital letter a with dot above and macron
    {"a", 'L'},   // U+01E1 latin small letter a with dot above and macron
    {"", 'U'},    // U+01E2 latin capital letter ae with macron
    {"", 'L'},    // U+01E3 latin small letter ae with macron
    {"G", 'U'},   // U+01E4 latin capital letter g with stroke
    {"g", 'L'},   // U+01E5 latin small letter g with stroke
    {"G", 'U'},   // U+01E6 latin capital letter g with caron
    {"g", 'L'},   // U+01E7 latin small letter g with caron
    {"K", 'U'},   // U+01E8 latin capital letter k with caron
    {"k", 'L'},   // U+01E9 latin small letter k with caron
    {"O", 'U'},   // U+01EA latin capital letter o with ogonek
    {"o", 'L'},   // U+01EB latin small letter o with ogonek
    {"O", 'U'},   // U+01EC latin capital letter o with ogonek and macron
    {"o", 'L'},   // U+01ED latin small letter o with ogonek and macron
    {"", 'U'},    // U+01EE latin capital letter ezh with caron
    {"", 'L'},    // U+01EF latin small letter ezh with caron
    {"j", 'L'},   // U+01F0 latin small letter j with caron
    {"DZ", 'U'},  // U+01F1 latin capital letter dz
    {"Dz", '-'},  // U+01F2 latin capital letter d with small letter z
    {"dz", 'L'},  // U+01F3 latin small letter dz
    {"G", 'U'},   // U+01F4 latin capital letter g with acute
    {"g", 'L'},   // U+01F5 latin small letter g with acute
    {"", 'U'},    // U+01F6 latin capital letter hwair
    {"", 'U'},    // U+01F7 latin capital letter wynn
    {"N", 'U'},   // U+01F8 latin capital letter n with grave
    {"n", 'L'},   // U+01F9 latin small letter n with grave
    {"A", 'U'},   // U+01FA latin capital letter a with ring above and acute
    {"a", 'L'},   // U+01FB latin small letter a with ring above and acute
    {"", 'U'},    // U+01FC latin capital letter ae with acute
    {"", 'L'},    // U+01FD latin small letter ae with acute
    {"", 'U'},    // U+01FE latin capital letter o with stroke and acute
    {"", 'L'},    // U+01FF latin small letter o with stroke and acute
    {"A", 'U'},   // U+0200 latin capital letter a with double grave
    {"a", 'L'},   // U+0201 latin small letter a with double grave
    {"A", 'U'},   // U+0202 latin capital letter a with inverted breve
    {"a", 'L'},   // U+0203 latin small letter a with inverted breve
    {"E", 'U'},   // U+0204 latin capital letter e with double grave
    {"e", 'L'},   // U+0205 latin small letter e with double grave
    {"E", 'U'},   // U+0206 latin capital letter e with inverted breve
    {"e", 'L'},   // U+0207 latin small letter e with inverted breve
    {"I", 'U'},   // U+0208 latin capital letter i with double grave
    {"i", 'L'},   // U+0209 latin small letter i with double grave
    {"I", 'U'},   // U+020A latin capital letter i with inverted breve
    {"i", 'L'},   // U+020B latin small letter i with inverted breve
    {"O", 'U'},   // U+020C latin capital letter o with double grave
    {"o", 'L'},   // U+020D latin small letter o with double grave
    {"O", 'U'},   // U+020E latin capital letter o with inverted breve
    {"o", 'L'},   // U+020F latin small letter o with inverted breve
    {"R", 'U'},   // U+0210 latin capital letter r with double grave
    {"r", 'L'},   // U+0211 latin small letter r with double grave
    {"R", 'U'},   // U+0212 latin capital letter r with inverted breve
    {"r", 'L'},   // U+0213 latin small letter r with inverted breve
    {"U", 'U'},   // U+0214 latin capital letter u with double grave
    {"u", 'L'},   // U+0215 latin small letter u with double grave
    {"U", 'U'},   // U+0216 latin capital letter u with inverted breve
    {"u", 'L'},   // U+0217 latin small letter u with inverted breve
    {"S", 'U'},   // U+0218 latin capital letter s with comma below
    {"s", 'L'},   // U+0219 latin small letter s with comma below
    {"T", 'U'},   // U+021A latin capital letter t with comma below
    {"t", 'L'},   // U+021B latin small letter t with comma below
    {"", 'U'},    // U+021C latin capital letter yogh
    {"", 'L'},    // U+021D latin small letter yogh
    {"H", 'U'},   // U+021E latin capital letter h with caron
    {"h", 'L'},   // U+021F latin small letter h with caron
    {"", 'U'},    // U+0220 latin capital letter n with long right leg
    {"", 'L'},    // U+0221 latin small letter d with curl
    {"", 'U'},    // U+0222 latin capital letter ou
    {"", 'L'},    // U+0223 latin small letter ou
    {"", 'U'},    // U+0224 latin capital letter z with hook
    {"", 'L'},    // U+0225 latin small letter z with hook
    {"A", 'U'},   // U+0226 latin capital letter a with dot above
    {"a", 'L'},   // U+0227 latin small letter a with dot above
    {"E", 'U'},   // U+0228 latin capital letter e with cedilla
    {"e", 'L'},   // U+0229 latin small letter e with cedilla
    {"O", 'U'},   // U+022A latin capital letter o with diaeresis and macron
    {"o", 'L'},   // U+022B latin small letter o with diaeresis and macron
    {"O", 'U'},   // U+022C latin capital letter o with tilde and macron
    {"o", 'L'},   // U+022D latin small letter o with tilde and macron
    {"O", 'U'},   // U+022E latin capital letter o with dot above
    {"o", 'L'},   // U+022F latin small letter o with dot above
    {"O", 'U'},   // U+0230 latin capital letter o with dot above and macron
    {"o", 'L'},   // U+0231 latin small letter o with dot above and macron
    {"Y", 'U'},   // U+0232 latin capital letter y with macron
    {"y", 'L'},   // U+0233 latin small letter y with macron
    {"", 'L'},    // U+0234 latin small letter l with curl
    {"", 'L'},    // U+0235 latin small letter n with curl
    {"", 'L'},    // U+0236 latin small letter t with curl
    {"", 'L'},    // U+0237 latin small letter dotless j
    {"", 'L'},    // U+0238 latin small letter db digraph
    {"", 'L'},    // U+0239 latin small letter qp digraph
    {"", 'U'},    // U+023A latin capital letter a with stroke
    {"", 'U'},    // U+023B latin capital letter c with stroke
    {"", 'L'},    // U+023C latin small letter c with stroke
    {"", 'U'},    // U+023D latin capital letter l with bar
    {"", 'U'},    // U+023E latin capital letter t with diagonal stroke
    {"", 'L'},    // U+023F latin small letter s with swash tail
    {"", 'L'},    // U+0240 latin small letter z with swash tail
    {"", 'U'},    // U+0241 latin capital letter glottal stop
    {"", 'L'},    // U+0242 latin small letter glottal stop
    {"", 'U'},    // U+0243 latin capital letter b with stroke
    {"", 'U'},    // U+0244 latin capital letter u bar
    {"", 'U'},    // U+0245 latin capital letter turned v
    {"", 'U'},    // U+0246 latin capital letter e with stroke
    {"", 'L'},    // U+0247 latin small letter e with stroke
    {"", 'U'},    // U+0248 latin capital letter j with stroke
    {"", 'L'},    // U+0249 latin small letter j with stroke
    {"", 'U'},    // U+024A latin capital letter small q with hook tail
    {"", 'L'},    // U+024B latin small letter q with hook tail
    {"", 'U'},    // U+024C latin capital letter r with stroke
    {"", 'L'},    // U+024D latin small letter r with stroke
    {"", 'U'},    // U+024E latin capital letter y with stroke
    {"", 'L'},    // U+024F latin small letter y with stroke
}};
constexpr std::int32_t kFirstAdditional = 0x1E00;
constexpr std::array<Latin, 0x100> kLatinAdditional{{
    {"A", 'U'},   // U+1E00 latin capital letter a with ring below
    {"a", 'L'},   // U+1E01 latin small letter a with ring below
    {"B", 'U'},   // U+1E02 latin capital letter b with dot above
    {"b", 'L'},   // U+1E03 latin small letter b with dot above
    {"B", 'U'},   // U+1E04 latin capital letter b with dot below
    {"b", 'L'},   // U+1E05 latin small letter b with dot below
    {"B", 'U'},   // U+1E06 latin capital letter b with line below
    {"b", 'L'},   // U+1E07 latin small letter b with line below
    {"C", 'U'},   // U+1E08 latin capital letter c with cedilla and acute
    {"c", 'L'},   // U+1E09 latin small letter c with cedilla and acute
    {"D", 'U'},   // U+1E0A latin capital letter d with dot above
    {"d", 'L'},   // U+1E0B latin small letter d with dot above
    {"D", 'U'},   // U+1E0C latin capital letter d with dot below
    {"d", 'L'},   // U+1E0D latin small letter d with dot below
    {"D", 'U'},   // U+1E0E latin capital letter d with line below
    {"d", 'L'},   // U+1E0F latin small letter d with line below
    {"D", 'U'},   // U+1E10 latin capital letter d with cedilla
    {"d", 'L'},   // U+1E11 latin small letter d with cedilla
    {"D", 'U'},   // U+1E12 latin capital letter d with circumflex below
    {"d", 'L'},   // U+1E13 latin small letter d with circumflex below
    {"E", 'U'},   // U+1E14 latin capital letter e with macron and grave
    {"e", 'L'},   // U+1E15 latin small letter e with macron and grave
    {"E", 'U'},   // U+1E16 latin capital letter e with macron and acute
    {"e", 'L'},   // U+1E17 latin small letter e with macron and acute
    {"E", 'U'},   // U+1E18 latin capital letter e with circumflex below
    {"e", 'L'},   // U+1E19 latin small letter e with circumflex below
    {"E", 'U'},   // U+1E1A latin capital letter e with tilde below
    {"e", 'L'},   // U+1E1B latin small letter e with tilde below
    {"E", 'U'},   // U+1E1C latin capital letter e with cedilla and breve
    {"e", 'L'},   // U+1E1D latin small letter e with cedilla and breve
    {"F", 'U'},   // U+1E1E latin capital letter f with dot above
    {"f", 'L'},   // U+1E1F latin small letter f with dot above
    {"G", 'U'},   // U+1E20 latin capital letter g with macron
    {"g", 'L'},   // U+1E21 latin small letter g with macron
    {"H", 'U'},   // U+1E22 latin capital letter h with dot above
    {"h", 'L'},   // U+1E23 latin small letter h with dot above
    {"H", 'U'},   // U+1E24 latin capital letter h with dot below
    {"h", 'L'},   // U+1E25 latin small letter h with dot below
    {"H", 'U'},   // U+1E26 latin capital letter h with diaeresis
    {"h", 'L'},   // U+1E27 latin small letter h with diaeresis
    {"H", 'U'},   // U+1E28 latin capital letter h with cedilla
    {"h", 'L'},   // U+1E29 latin small letter h with cedilla
    {"H", 'U'},   // U+1E2A latin capital letter h with breve below
    {"h", 'L'},   // U+1E2B latin small letter h with breve below
    {"I", 'U'},   // U+1E2C latin capital letter i with tilde below
    {"i", 'L'},   // U+1E2D latin small letter i with tilde below
    {"I", 'U'},   // U+1E2E latin capital letter i with diaeresis and acute
    {"i", 'L'},   // U+1E2F latin small letter i with diaeresis and acute
    {"K", 'U'},   // U+1E30 latin capital letter k with acute
    {"k", 'L'},   // U+1E31 latin small letter k with acute
    {"K", 'U'},   // U+1E32 latin capital letter k with dot below
    {"k", 'L'},   // U+1E33 latin small letter k with dot below
    {"K", 'U'},   // U+1E34 latin capital letter k with line below
    {"k", 'L'},   // U+1E35 latin small letter k with line below
    {"L", 'U'},   // U+1E36 latin capital letter l with dot below
    {"l", 'L'},   // U+1E37 latin small letter l with dot below
    {"L", 'U'},   // U+1E38 latin capital letter l with dot below and macron
    {"l", 'L'},   // U+1E39 latin small letter l with dot below and macron
    {"L", 'U'},   // U+1E3A latin capital letter l with line below
    {"l", 'L'},   // U+1E3B latin small letter l with line below
    {"L", 'U'},   // U+1E3C latin capital letter l with circumflex below
    {"l", 'L'},   // U+1E3D latin small letter l with circumflex below
    {"M", 'U'},   // U+1E3E latin capital letter m with acute
    {"m", 'L'},   // U+1E3F latin small letter m with acute
    {"M", 'U'},   // U+1E40 latin capital letter m with dot above
    {"m", 'L'},   // U+1E41 latin small letter m with dot above
    {"M", 'U'},   // U+1E42 latin capital letter m with dot below
    {"m", 'L'},   // U+1E43 latin small letter m with dot below
    {"N", 'U'},   // U+1E44 latin capital letter n with dot above
    {"n", 'L'},   // U+1E45 latin small letter n with dot above
    {"N", 'U'},   // U+1E46 latin capital letter n with dot below
    {"n", 'L'},   // U+1E47 latin small letter n with dot below
    {"N", 'U'},   // U+1E48 latin capital letter n with line below
    {"n", 'L'},   // U+1E49 latin small letter n with line below
    {"N", 'U'},   // U+1E4A latin capital letter n with circumflex below
    {"n", 'L'},   // U+1E4B latin small letter n with circumflex below
    {"O", 'U'},   // U+1E4C latin capital letter o with tilde and acute
    {"o", 'L'},   // U+1E4D latin small letter o with tilde and acute
    {"O", 'U'},   // U+1E4E latin capital letter o with tilde and diaeresis
    {"o", 'L'},   // U+1E4F latin small letter o with tilde and diaeresis
    {"O", 'U'},   // U+1E50 latin capital letter o with macron and grave
    {"o", 'L'},   // U+1E51 latin small letter o with macron and grave
    {"O", 'U'},   // U+1E52 latin capital letter o with macron and acute
    {"o", 'L'},   // U+1E53 latin small letter o with macron and acute
    {"P", 'U'},   // U+1E54 latin capital letter p with acute
    {"p", 'L'},   // U+1E55 latin small letter p with acute
    {"P", 'U'},   // U+1E56 latin capital letter p with dot above
    {"p", 'L'},   // U+1E57 latin small letter p with dot above
    {"R", 'U'},   // U+1E58 latin capital letter r with dot above
    {"r", 'L'},   // U+1E59 latin small letter r with dot above
    {"R", 'U'},   // U+1E5A latin capital letter r with dot below
    {"r", 'L'},   // U+1E5B latin small letter r with dot below
    {"R", 'U'},   // U+1E5C latin capital letter r with dot below and macron
    {"r", 'L'},   // U+1E5D latin small letter r with dot below and macron
    {"R", 'U'},   // U+1E5E latin capital letter r with line below
    {"r", 'L'},   // U+1E5F latin small letter r with line below
    {"S", 'U'},   // U+1E60 latin capital letter s with dot above
    {"s", 'L'},   // U+1E61 latin small letter s with dot above
    {"S", 'U'},   // U+1E62 latin capital letter s with dot below
    {"s", 'L'},   // U+1E63 latin small letter s with dot below
    {"S", 'U'},   // U+1E64 latin capital letter s with acute and dot above
    {"s", 'L'},   // U+1E65 latin small letter s with acute and dot above
    {"S", 'U'},   // U+1E66 latin capital letter s with caron and dot above
    {"s", 'L'},   // U+1E67 latin small letter s with caron and dot above
    {"S", 'U'},   // U+1E68 latin capital letter s with dot below and dot above
    {"s", 'L'},   // U+1E69 latin small letter s with dot below and dot above
    {"T", 'U'},   // U+1E6A latin capital letter t with dot above
    {"t", 'L'},   // U+1E6B latin small letter t with dot above
    {"T", 'U'},   // U+1E6C latin capital letter t with dot below
    {"t", 'L'},   // U+1E6D latin small letter t with dot below
    {"T", 'U'},   // U+1E6E latin capital letter t with line below
    {"t", 'L'},   // U+1E6F latin small letter t with line below
    {"T", 'U'},   // U+1E70 latin capital letter t with circumflex below
    {"t", 'L'},   // U+1E71 latin small letter t with circumflex below
    {"U", 'U'},   // U+1E72 latin capital letter u with diaeresis below
    {"u", 'L'},   // U+1E73 latin small letter u with diaeresis below
    {"U", 'U'},   // U+1E74 latin capital letter u with tilde below
    {"u", 'L'},   // U+1E75 latin small letter u with tilde below
    {"U", 'U'},   // U+1E76 latin capital letter u with circumflex below
    {"u", 'L'},   // U+1E77 latin small letter u with circumflex below
    {"U", 'U'},   // U+1E78 latin capital letter u with tilde and acute
    {"u", 'L'},   // U+1E79 latin small letter u with tilde and acute
    {"U", 'U'},   // U+1E7A latin capital letter u with macron and diaeresis
    {"u", 'L'},   // U+1E7B latin small letter u with macron and diaeresis
    {"V", 'U'},   // U+1E7C latin capital letter v with tilde
    {"v", 'L'},   // U+1E7D latin small letter v with tilde
    {"V", 'U'},   // U+1E7E latin capital letter v with dot below
    {"v", 'L'},   // U+1E7F latin small letter v with dot below
    {"W", 'U'},   // U+1E80 latin capital letter w with grave
    {"w", 'L'},   // U+1E81 latin small letter w with grave
    {"W", 'U'},   // U+1E82 latin capital letter w with acute
    {"w", 'L'},   // U+1E83 latin small letter w with acute
    {"W", 'U'},   // U+1E84 latin capital letter w with diaeresis
    {"w", 'L'},   // U+1E85 latin small letter w with diaeresis
    {"W", 'U'},   // U+1E86 latin capital letter w with dot above
    {"w", 'L'},   // U+1E87 latin small letter w with dot above
    {"W", 'U'},   // U+1E88 latin capital letter w with dot below
    {"w", 'L'},   // U+1E89 latin small letter w with dot below
    {"X", 'U'},   // U+1E8A latin capital letter x with dot above
    {"x", 'L'},   // U+1E8B latin small letter x with dot above
    {"X", 'U'},   // U+1E8C latin capital letter x with diaeresis
    {"x", 'L'},   // U+1E8D latin small letter x with diaeresis
    {"Y", 'U'},   // U+1E8E latin capital letter y with dot above
    {"y", 'L'},   // U+1E8F latin small letter y with dot above
    {"Z", 'U'},   // U+1E90 latin capital letter z with circumflex
    {"z", 'L'},   // U+1E91 latin small letter z with circumflex
    {"Z", 'U'},   // U+1E92 latin capital letter z with dot below
    {"z", 'L'},   // U+1E93 latin small letter z with dot below
    {"Z", 'U'},   // U+1E94 latin capital letter z with line below
    {"z", 'L'},   // U+1E95 latin small letter z with line below
    {"h", 'L'},   // U+1E96 latin small letter h with line below
    {"t", 'L'},   // U+1E97 latin small letter t with diaeresis
    {"w", 'L'},   // U+1E98 latin small letter w with ring above
    {"y", 'L'},   // U+1E99 latin small letter y with ring above
    {"a", 'L'},   // U+1E9A latin small letter a with right half ring
    {"s", 'L'},   // U+1E9B latin small letter long s with dot above
    {"", 'L'},    // U+1E9C latin small letter long s with diagonal stroke
    {"", 'L'},    // U+1E9D latin small letter long s with high stroke
    {"SS", 'U'},  // U+1E9E latin capital letter sharp s
    {"", 'L'},    // U+1E9F latin small letter delta
    {"A", 'U'},   // U+1EA0 latin capital letter a with dot below
    {"a", 'L'},   // U+1EA1 latin small letter a with dot below
    {"A", 'U'},   // U+1EA2 latin capital letter a with hook above
    {"a", 'L'},   // U+1EA3 latin small letter a with hook above
    {"A", 'U'},   // U+1EA4 latin capital letter a with circumflex and acute
    {"a", 'L'},   // U+1EA5 latin small letter a with circumflex and acute
    {"A", 'U'},   // U+1EA6 latin capital letter a with circumflex and grave
    {"a", 'L'},   // U+1EA7 latin small letter a with circumflex and grave
    {"A", 'U'},   // U+1EA8 latin capital letter a with circumflex and hook above
    {"a", 'L'},   // U+1EA9 latin small letter a with circumflex and hook above
    {"A", 'U'},   // U+1EAA latin capital letter a with circumflex and tilde
    {"a", 'L'},   // U+1EAB latin small letter a with circumflex and tilde
    {"A", 'U'},   // U+1EAC latin capital letter a with circumflex and dot below
    {"a", 'L'},   // U+1EAD latin small letter a with circumflex and dot below
    {"A", 'U'},   // U+1EAE latin capital letter a with breve and acute
    {"a", 'L'},   // U+1EAF latin small letter a with breve and acute
    {"A", 'U'},   // U+1EB0 latin capital letter a with breve and grave
    {"a", 'L'},   // U+1EB1 latin small letter a with breve and grave
    {"A", 'U'},   // U+1EB2 latin capital letter a with breve and hook above
    {"a", 'L'},   // U+1EB3 latin small letter a with breve and hook above
    {"A", 'U'},   // U+1EB4 latin capital letter a with breve and tilde
    {"a", 'L'},   // U+1EB5 latin small letter a with breve and tilde
    {"A", 'U'},   // U+1EB6 latin capital letter a with breve and dot below
    {"a", 'L'},   // U+1EB7 latin small letter a with breve and dot below
    {"E", 'U'},   // U+1EB8 latin capital letter e with dot below
    {"e", 'L'},   // U+1EB9 latin small letter e with dot below
    {"E", 'U'},   // U+1EBA latin capital letter e with hook above
    {"e", 'L'},   // U+1EBB latin small letter e with hook above
    {"E", 'U'},   // U+1EBC latin capital letter e with tilde
    {"e", 'L'},   // U+1EBD latin small letter e with tilde
    {"E", 'U'},   // U+1EBE latin capital letter e with circumflex and acute
    {"e", 'L'},   // U+1EBF latin small letter e with circumflex and acute
    {"E", 'U'},   // U+1EC0 latin capital letter e with circumflex and grave
    {"e", 'L'},   // U+1EC1 latin small letter e with circumflex and grave
    {"E", 'U'},   // U+1EC2 latin capital letter e with circumflex and hook above
    {"e", 'L'},   // U+1EC3 latin small letter e with circumflex and hook above
    {"E", 'U'},   // U+1EC4 latin capital letter e with circumflex and tilde
    {"e", 'L'},   // U+1EC5 latin small letter e with circumflex and tilde
    {"E", 'U'},   // U+1EC6 latin capital letter e with circumflex and dot below
    {"e", 'L'},   // U+1EC7 latin small letter e with circumflex and dot below
    {"I", 'U'},   // U+1EC8 latin capital letter i with hook above
    {"i", 'L'},   // U+1EC9 latin small letter i with hook above
    {"I", 'U'},   // U+1ECA latin capital letter i with dot below
    {"i", 'L'},   // U+1ECB latin small letter i with dot below
    {"O", 'U'},   // U+1ECC latin capital letter o with dot below
    {"o", 'L'},   // U+1ECD latin small letter o with dot below
    {"O", 'U'},   // U+1ECE latin capital letter o with hook above
    {"o", 'L'},   // U+1ECF latin small letter o with hook above
    {"O", 'U'},   // U+1ED0 latin capital letter o with circumflex and acute
    {"o", 'L'},   // U+1ED1 latin small letter o with circumflex and acute
    {"O", 'U'},   // U+1ED2 latin capital letter o with circumflex and grave
    {"o", 'L'},   // U+1ED3 latin small letter o with circumflex and grave
    {"O", 'U'},   // U+1ED4 latin capital letter o with circumflex and hook above
    {"o", 'L'},   // U+1ED5 latin small letter o with circumflex and hook above
    {"O", 'U'},   // U+1ED6 latin capital letter o with circumflex and tilde
    {"o", 'L'},   // U+1ED7 latin small letter o with circumflex and tilde
    {"O", 'U'},   // U+1ED8 latin capital letter o with circumflex and dot below
    {"o", 'L'},   // U+1ED9 latin small letter o with circumflex and dot below
    {"O", 'U'},   // U+1EDA latin capital letter o with horn and acute
    {"o", 'L'},   // U+1EDB latin small letter o with horn and acute
    {"O", 'U'},   // U+1EDC latin capital letter o with horn and grave
    {"o", 'L'},   // U+1EDD latin small letter o with horn and grave
    {"O", 'U'},   // U+1EDE latin capital letter o with horn and hook above
    {"o", 'L'},   // U+1EDF latin small letter o with horn and hook above
    {"O", 'U'},   // U+1EE0 latin capital letter o with horn and tilde
    {"o", 'L'},   // U+1EE1 latin small letter o with horn and tilde
    {"O", 'U'},   // U+1EE2 latin capital letter o with horn and dot below
    {"o", 'L'},   // U+1EE3 latin small letter o with horn and dot below
    {"U", 'U'},   // U+1EE4 latin capital letter u with dot below
    {"u", 'L'},   // U+1EE5 latin small letter u with dot below
    {"U", 'U'},   // U+1EE6 latin capital letter u with hook above
    {"u", 'L'},   // U+1EE7 latin small letter u with hook above
    {"U", 'U'},   // U+1EE8 latin capital letter u with horn and acute
    {"u", 'L'},   // U+1EE9 latin small letter u with horn and acute
    {"U", 'U'},   // U+1EEA latin capital letter u with horn and grave
    {"u", 'L'},   // U+1EEB latin small letter u with horn and grave
    {"U", 'U'},   // U+1EEC latin capital letter u with horn and hook above
    {"u", 'L'},   // U+1EED latin small letter u with horn and hook above
    {"U", 'U'},   // U+1EEE latin capital letter u with horn and tilde
    {"u", 'L'},   // U+1EEF latin small letter u with horn and tilde
    {"U", 'U'},   // U+1EF0 latin capital letter u with horn and dot below
    {"u", 'L'},   // U+1EF1 latin small letter u with horn and dot below
    {"Y", 'U'},   // U+1EF2 latin capital letter y with grave
    {"y", 'L'},   // U+1EF3 latin small letter y with grave
    {"Y", 'U'},   // U+1EF4 latin capital letter y with dot below
    {"y", 'L'},   // U+1EF5 latin small letter y with dot below
    {"Y", 'U'},   // U+1EF6 latin capital letter y with hook above
    {"y", 'L'},   // U+1EF7 latin small letter y with hook above
    {"Y", 'U'},   // U+1EF8 latin capital letter y with tilde
    {"y", 'L'},   // U+1EF9 latin small letter y with tilde
    {"", 'U'},    // U+1EFA latin capital letter middle-welsh ll
    {"", 'L'},    // U+1EFB latin small letter middle-welsh ll
    {"", 'U'},    // U+1EFC latin capital letter middle-welsh v
    {"", 'L'},    // U+1EFD latin small letter middle-welsh v
    {"", 'U'},    // U+1EFE latin capital letter y with loop
    {"", 'L'},    // U+1EFF latin small letter y with loop
}};

// The table entry of `cp`, or nullptr.
const Latin* latinOf(std::int32_t cp) {
    if (cp >= kFirst && cp < kFirst + static_cast<std::int32_t>(kLatin.size())) {
        return &kLatin[static_cast<std::size_t>(cp - kFirst)];
    }
    if (cp >= kFirstAdditional &&
        cp < kFirstAdditional + static_cast<std::int32_t>(kLatinAdditional.size())) {
        return &kLatinAdditional[static_cast<std::size_t>(cp - kFirstAdditional)];
    }
    return nullptr;
}

}  // namespace

std::int32_t nextCodePoint(std::string_view s, std::size_t& at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b0 = byte(at);
    int extra = 0;
    std::int32_t cp = 0;
    if (b0 < 0x80) {
        ++at;
        return b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
        extra = 1;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        extra = 2;
        cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        extra = 3;
        cp = b0 & 0x07;
    } else {
        ++at;
        return -1;
    }
    if (at + static_cast<std::size_t>(extra) >= s.size()) {  // cut short
        ++at;
        return -1;
    }
    for (int i = 1; i <= extra; ++i) {
        const unsigned char b = byte(at + static_cast<std::size_t>(i));
        if ((b & 0xC0) != 0x80) {
            ++at;
            return -1;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    static constexpr std::int32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        ++at;
        return -1;
    }
    at += static_cast<std::size_t>(extra) + 1;
    return cp;
}

LetterCase letterCase(std::int32_t cp) {
    if (cp >= 'A' && cp <= 'Z') {
        return LetterCase::Upper;
    }
    if (cp >= 'a' && cp <= 'z') {
        return LetterCase::Lower;
    }
    if (cp >= 0xFF21 && cp <= 0xFF3A) {  // full-width A–Z
        return LetterCase::Upper;
    }
    if (cp >= 0xFF41 && cp <= 0xFF5A) {
        return LetterCase::Lower;
    }
    if (const Latin* l = latinOf(cp)) {
        const char c = l->letterCase;
        return c == 'U' ? LetterCase::Upper : c == 'L' ? LetterCase::Lower : LetterCase::None;
    }
    return LetterCase::None;
}

std::string latinToAscii(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t at = 0; at < utf8.size();) {
        const std::int32_t cp = nextCodePoint(utf8, at);
        if (cp < 0) {
            continue;
        }
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp >= 0xFF01 && cp <= 0xFF5E) {  // full-width ASCII (NFKC)
            out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
        } else if (cp >= 0x2460 && cp <= 0x2473) {  // circled 1–20 (NFKC)
            out += std::to_string(cp - 0x2460 + 1);
        } else if (const Latin* l = latinOf(cp)) {
            out += l->ascii;
        }
        // Anything else (combining marks included) romanises to nothing.
    }
    return out;
}

}  // namespace misync::reconcile
