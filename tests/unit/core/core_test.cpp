#include <gtest/gtest.h>

#include "core/date.h"
#include "core/model.h"
#include "core/school.h"
#include "core/text.h"
#include "core/upn.h"
#include "core/year_group.h"

using namespace misync::core;

TEST(Upn, CheckLetterFromSpecExamples) {
    EXPECT_TRUE(isValidUpn("B801200005001"));
    EXPECT_EQ(upnCheckLetter("207000016049"), 'P');
    EXPECT_TRUE(isValidUpn("P207000016049"));
    EXPECT_TRUE(isValidUpn("p207000016049"));  // case-insensitive
    EXPECT_FALSE(isValidUpn("A801200005001"));
    EXPECT_FALSE(isValidUpn("B80120000500"));
    EXPECT_FALSE(isValidUpn("B8012000050011"));
    EXPECT_FALSE(isValidUpn("B80120000X001"));
}

TEST(Upn, TemporaryUpnHasLetterInLastPlace) {
    auto check = upnCheckLetter("80120000500A");
    ASSERT_TRUE(check);
    std::string upn = std::string(1, *check) + "80120000500A";
    EXPECT_TRUE(isValidUpn(upn));
    EXPECT_TRUE(hasUpnShape("X80120000500A"));
    EXPECT_FALSE(upnCheckLetter("80120000500I"));  // I is not in the UPN alphabet
}

TEST(Upn, SampleExtractUpnsAreValid) {
    for (const char* u : {"X661200026001", "L661200026002", "P661200025003", "T661200024004"}) {
        EXPECT_TRUE(isValidUpn(u)) << u;
    }
}

TEST(Date, ThreeAcceptedSpellings) {
    EXPECT_EQ(parseDate("2024-09-04")->toString(), "2024-09-04");
    EXPECT_EQ(parseDate("2024-09-04T00:00:00+01:00")->toString(), "2024-09-04");
    EXPECT_EQ(parseDate("2023-05-01T18:25:43.511Z")->toString(), "2023-05-01");
    EXPECT_EQ(parseDate("2017-05-06 08:01:05")->toString(), "2017-05-06");
    EXPECT_EQ(parseDate("4/9/2024")->toString(), "2024-09-04");
    EXPECT_EQ(parseDate("04/09/2024")->toString(), "2024-09-04");
    EXPECT_EQ(parseDate(" 2024-09-04 ")->toString(), "2024-09-04");
}

TEST(Date, RejectsNonsense) {
    for (const char* s :
         {"", "2024-13-01", "2024-02-30", "31/2/2024", "2024/09/04", "9/4/24", "2024-09-04T25:00",
          "2024-09-04X", "yesterday", "123/1/2024", "2024-09-04T10:00:00+1"}) {
        EXPECT_FALSE(parseDate(s)) << s;
    }
    EXPECT_TRUE(parseDate("29/2/2024"));
}

TEST(Date, ArithmeticAndOrder) {
    Date d = Date::fromYmd(2026, 8, 31);
    EXPECT_EQ(d.addDays(1).toString(), "2026-09-01");
    EXPECT_LT(Date::fromYmd(2026, 1, 1), d);
    EXPECT_EQ(d.year(), 2026);
    EXPECT_EQ(d.month(), 8u);
    EXPECT_EQ(d.day(), 31u);
}

TEST(YearGroup, NormalisesAcceptedSpellings) {
    EXPECT_EQ(*normalizeYearGroup("Year  7"), "7");
    EXPECT_EQ(*normalizeYearGroup("Year 7"), "7");
    EXPECT_EQ(*normalizeYearGroup("Y7"), "7");
    EXPECT_EQ(*normalizeYearGroup("7"), "7");
    EXPECT_EQ(*normalizeYearGroup("07"), "7");
    EXPECT_EQ(*normalizeYearGroup("Reception"), "R");
    EXPECT_EQ(*normalizeYearGroup("Nursery 1"), "N1");
    EXPECT_EQ(*normalizeYearGroup("Nursery 2"), "N2");
    EXPECT_EQ(*normalizeYearGroup("N2"), "N2");
    EXPECT_EQ(*normalizeYearGroup("year 14"), "14");
    EXPECT_EQ(*normalizeYearGroup(""), "");
    EXPECT_FALSE(normalizeYearGroup("Year 15"));
    EXPECT_FALSE(normalizeYearGroup("banana"));
    EXPECT_EQ(*normalizeYearGroup("NC 10"), "10");
    EXPECT_EQ(*normalizeYearGroup("Nur-2"), "N2");
    EXPECT_EQ(*normalizeYearGroup("Year R"), "R");
    // Normalised in a fixed buffer: a long value is refused, whatever it ends with; spaces,
    // dashes and underscores are dropped before they count.
    EXPECT_FALSE(normalizeYearGroup("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy7"));
    EXPECT_EQ(*normalizeYearGroup("Year" + std::string(100, ' ') + "7"), "7");
    EXPECT_EQ(yearNumber("11"), 11);
    EXPECT_EQ(yearNumber("R"), 0);
}

TEST(School, DfesIsSevenDigits) {
    EXPECT_TRUE(isValidDfes("6612345"));
    EXPECT_FALSE(isValidDfes("661234"));
    EXPECT_FALSE(isValidDfes("66123456"));
    EXPECT_FALSE(isValidDfes("661234a"));
}

TEST(Text, FieldNamesIgnoreCaseSpacesUnderscores) {
    EXPECT_EQ(normalizeFieldName("Legal Forename"), normalizeFieldName("legal_forename"));
    EXPECT_EQ(normalizeFieldName("REG_GROUP"), "reggroup");
    EXPECT_EQ(sanitizeUtf8("ok\xff"), "ok\xEF\xBF\xBD");
    EXPECT_EQ(sanitizeUtf8("Siân"), "Siân");
}

TEST(Model, EnrolmentWordsAndLetters) {
    EXPECT_EQ(parseEnrolment("C"), Enrolment::Single);
    EXPECT_EQ(parseEnrolment("Single Registration"), Enrolment::Single);
    EXPECT_EQ(parseEnrolment("m"), Enrolment::Main);
    EXPECT_EQ(parseEnrolment("Subsidiary - Dual Registration"), Enrolment::Subsidiary);
    EXPECT_EQ(parseEnrolment("Guest"), Enrolment::Guest);
    EXPECT_FALSE(parseEnrolment("Banana"));
    EXPECT_EQ(parseGroupType("registration"), GroupType::Registration);
    EXPECT_EQ(parseGroupType("HOUSE"), GroupType::House);
}

// Roles and group types are matched in a fixed buffer (issue 8): the words are matched as
// normalizeFieldName() has them, and a value too long for the buffer matches none of them,
// however it ends.
TEST(Model, RolesAndGroupTypesIgnoreCaseSpacesAndUnderscoresAndNothingLongMatches) {
    EXPECT_EQ(parseGroupType("Registration Group"), GroupType::Registration);
    EXPECT_EQ(parseGroupType(" Teaching_Group\t"), GroupType::Class);
    EXPECT_EQ(parseRole("PUPIL"), Role::Learner);
    EXPECT_EQ(parseRole("Non MIS"), Role::NonMis);
    EXPECT_EQ(parseRole("s t a f f"), Role::Staff);
    EXPECT_FALSE(parseRole(""));
    EXPECT_FALSE(parseGroupType(""));
    // 23 characters once normalised still fit; one more and nothing matches.
    EXPECT_FALSE(parseGroupType("registrationgroupxxxxxx"));
    EXPECT_EQ(ShortName("registrationgroupxxxxxx").view(), "registrationgroupxxxxxx");
    EXPECT_EQ(ShortName("registrationgroupxxxxxxx").view(), "\x7f");
    EXPECT_FALSE(parseGroupType(std::string(40, 'x') + "house"));
    EXPECT_FALSE(parseRole(std::string(1000, ' ') + "staff" + std::string(30, 'x')));
    // Spaces do not count towards the length, as normalizeFieldName() drops them.
    EXPECT_EQ(parseRole(std::string(1000, ' ') + "staff"), Role::Staff);
}
