// The romanisation and letter case that a build without ICU uses (reconcile/latin_fallback.h,
// the Windows build): Latin names come out as ICU's Latin-ASCII makes them.
#include <gtest/gtest.h>

#include "reconcile/latin_fallback.h"

using misync::reconcile::latinToAscii;
using misync::reconcile::LetterCase;
using misync::reconcile::letterCase;
using misync::reconcile::nextCodePoint;

TEST(LatinFallback, FoldsLatinLettersAsIcuDoes) {
    EXPECT_EQ(latinToAscii("Siân Ŵyn Llŷr"), "Sian Wyn Llyr");
    EXPECT_EQ(latinToAscii("Müller-Łukasz Øberg Straße Æthelflæd Þór Đorđe"),
              "Muller-Lukasz Oberg Strasse AEthelflaed THor Dorde");
    EXPECT_EQ(latinToAscii("Zoe\xCC\x88"), "Zoe");              // a combining diaeresis
    EXPECT_EQ(latinToAscii("\xEF\xBC\xA1\xEF\xBD\x82"), "Ab");  // full-width
    EXPECT_EQ(latinToAscii("Nguyễn Thị ẅ"), "Nguyen Thi w");    // Latin Extended Additional
    EXPECT_EQ(latinToAscii("①⑳"), "120");
    EXPECT_EQ(latinToAscii("Иван"), "");  // no fallback for Cyrillic
    EXPECT_EQ(latinToAscii("a\xFF"
                           "b\xC3"),
              "ab");  // invalid bytes dropped
}

TEST(LatinFallback, DecodesUtf8AndRejectsInvalidSequences) {
    std::size_t at = 0;
    const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    EXPECT_EQ(nextCodePoint(s, at), 'a');
    EXPECT_EQ(nextCodePoint(s, at), 0xE9);
    EXPECT_EQ(nextCodePoint(s, at), 0x20AC);
    EXPECT_EQ(nextCodePoint(s, at), 0x1F600);
    EXPECT_EQ(at, s.size());
    for (const std::string bad : {"\xC0\x80", "\xED\xA0\x80", "\xE2\x82", "\x80"}) {
        at = 0;
        EXPECT_EQ(nextCodePoint(bad, at), -1) << bad.size();
        EXPECT_EQ(at, 1u);
    }
}

TEST(LatinFallback, LetterCase) {
    EXPECT_EQ(letterCase('Q'), LetterCase::Upper);
    EXPECT_EQ(letterCase('q'), LetterCase::Lower);
    EXPECT_EQ(letterCase(0xC9), LetterCase::Upper);   // É
    EXPECT_EQ(letterCase(0x175), LetterCase::Lower);  // ŵ
    EXPECT_EQ(letterCase(0xD7), LetterCase::None);    // ×
    EXPECT_EQ(letterCase('7'), LetterCase::None);
}
