// The CTF parser (SPEC §6.2): header checks, pupils, SchoolHistory dates, incoming transfers,
// rejected records (R15) and refused files (DOCTYPE, not a CTF).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/ctf/ctf_parser.h"
#include "core/errors.h"
#include "ctf_test_util.h"

namespace misync::connectors {
namespace {

using testing::CtfPupil;
using testing::ctfUpn;
using testing::ctfXml;
using testing::historyEntry;
using testing::pupilXml;

constexpr const char* kSchool = "6618004";
constexpr const char* kPrimary = "6612100";
const std::string kUpn1 = ctfUpn("661800426001");
const std::string kUpn2 = ctfUpn("661800426002");

core::Date ymd(int y, unsigned m, unsigned d) {
    return core::Date::fromYmd(y, m, d);
}

CtfPupils parse(std::string bytes, CtfDirection direction = CtfDirection::Own,
                std::string_view school = kSchool, core::Date extract = ymd(2026, 11, 26),
                const std::map<std::string, std::string>& fields = {}) {
    CtfDocument doc("test.xml", bytes);
    return doc.pupils(school, direction, extract, CtfFieldMap(fields));
}

std::string refusal(std::string bytes) {
    try {
        CtfDocument doc("bad.xml", bytes, "/drop/bad.xml");
    } catch (const core::ConnectorError& e) {
        EXPECT_EQ(e.file(), "bad.xml");
        return e.what();
    }
    ADD_FAILURE() << "not refused";
    return {};
}

TEST(CtfParser, HeaderNamesBothSchoolsAndTheExtractTime) {
    std::string bytes = ctfXml(kPrimary, kSchool, "2026-07-01T09:30:00", "");
    CtfDocument doc("x.xml", bytes);
    EXPECT_EQ(doc.header().sourceSchool, kPrimary);
    EXPECT_EQ(doc.header().destSchool, kSchool);
    EXPECT_EQ(doc.header().dateTime, "2026-07-01T09:30:00");
    ASSERT_TRUE(doc.header().extractedAt);  // S6
    EXPECT_EQ(*doc.header().extractedAt, core::parseTimestamp("2026-07-01T09:30:00Z").value());
}

TEST(CtfParser, ReadsNamesYearEnrolmentAndOwnSchoolHistory) {
    CtfPupil a{.upn = kUpn1,
               .surname = " Rhys-Evans ",
               .forename = "Ffion",
               .sex = "F",
               .preferredSurname = "Evans",
               .preferredForename = "Ffi",
               .year = "8",
               .enrol = "M",
               .history = historyEntry(kPrimary, "2019-09-01", "2025-07-18") +
                          historyEntry(kSchool, "2025-09-02", "2026-12-18")};
    auto r = parse(ctfXml(kSchool, "MMMMMMM", "2026-11-26T09:00:00", pupilXml(a)));
    ASSERT_EQ(r.persons.size(), 1u);
    ASSERT_TRUE(r.rejected.empty());
    const auto& p = r.persons[0];
    EXPECT_EQ(p.role, core::Role::Learner);
    EXPECT_EQ(p.upn, kUpn1);
    EXPECT_EQ(p.misId, kUpn1);  // a CTF has no MIS id: the UPN is the learner's id
    EXPECT_EQ(p.legalSurname, "Rhys-Evans");
    EXPECT_EQ(p.legalForename, "Ffion");
    EXPECT_EQ(p.preferredSurname, "Evans");
    EXPECT_EQ(p.preferredForename, "Ffi");
    EXPECT_EQ(p.gender, "F");
    EXPECT_EQ(p.yearGroup, "8");
    EXPECT_EQ(p.enrolment, core::Enrolment::Main);
    EXPECT_EQ(p.dob, ymd(2014, 3, 2));
    EXPECT_EQ(p.admissionDate, ymd(2025, 9, 2));  // the school's own entry, not the primary's
    EXPECT_EQ(p.leavingDate, ymd(2026, 12, 18));
    EXPECT_EQ(p.source.file, "test.xml");
    EXPECT_EQ(p.source.record, 1u);
    EXPECT_EQ(r.records, 1u);
}

TEST(CtfParser, GenderOrSexAndNoHistoryMeansNoDates) {
    CtfPupil a{.upn = kUpn1, .gender = "M"};
    CtfPupil b{.upn = kUpn2, .gender = "F", .sex = "M"};  // both: Gender first
    auto r = parse(ctfXml(kSchool, kSchool, "", pupilXml(a) + pupilXml(b)));
    ASSERT_EQ(r.persons.size(), 2u);
    EXPECT_EQ(r.persons[0].gender, "M");
    EXPECT_EQ(r.persons[1].gender, "F");
    EXPECT_FALSE(r.persons[0].admissionDate);
    EXPECT_FALSE(r.persons[0].leavingDate);
}

TEST(CtfParser, LatestEntryOfTheSchoolCountsForALearnerWhoCameBack) {
    CtfPupil a{.upn = kUpn1,
               .history = historyEntry(kSchool, "2026-04-20") +
                          historyEntry(kSchool, "2022-09-01", "2024-02-01")};
    auto r = parse(ctfXml(kSchool, kSchool, "", pupilXml(a)));
    ASSERT_EQ(r.persons.size(), 1u);
    EXPECT_EQ(r.persons[0].admissionDate, ymd(2026, 4, 20));
    EXPECT_FALSE(r.persons[0].leavingDate);
}

TEST(CtfParser, IncomingLearnerIsOnRollFromTheDayAfterLeavingTheSource) {
    CtfPupil a{
        .upn = kUpn1, .year = "6", .history = historyEntry(kPrimary, "2019-09-03", "2026-07-21")};
    CtfPupil b{.upn = kUpn2, .year = "6", .history = historyEntry(kPrimary, "2019-09-03")};
    auto r = parse(ctfXml(kPrimary, kSchool, "2026-06-15T10:00:00", pupilXml(a) + pupilXml(b)),
                   CtfDirection::Incoming, kSchool, ymd(2026, 6, 15));
    ASSERT_EQ(r.persons.size(), 2u);
    EXPECT_EQ(r.persons[0].admissionDate, ymd(2026, 7, 22));  // SPEC §6.2, R7
    EXPECT_FALSE(r.persons[0].leavingDate);
    EXPECT_EQ(r.persons[1].admissionDate, ymd(2026, 9, 1));  // no leaving date: next 1 September
    EXPECT_FALSE(r.persons[1].leavingDate);
    EXPECT_EQ(r.persons[0].yearGroup, "6");  // as the source school reported it
}

TEST(CtfParser, NextFirstSeptember) {
    EXPECT_EQ(nextFirstSeptember(ymd(2026, 6, 15)), ymd(2026, 9, 1));
    EXPECT_EQ(nextFirstSeptember(ymd(2026, 9, 1)), ymd(2026, 9, 1));
    EXPECT_EQ(nextFirstSeptember(ymd(2026, 9, 2)), ymd(2027, 9, 1));
    EXPECT_EQ(nextFirstSeptember(ymd(2026, 12, 31)), ymd(2027, 9, 1));
}

TEST(CtfParser, AcceptedDateSpellingsAndYearGroups) {
    CtfPupil a{.upn = kUpn1,
               .dob = "2/3/2014",
               .year = "R",
               .history = historyEntry(kSchool, "2024-09-04T00:00:00+01:00")};
    CtfPupil b{.upn = kUpn2, .dob = "2014-03-02T00:00:00", .year = "X"};
    auto r = parse(ctfXml(kSchool, kSchool, "", pupilXml(a) + pupilXml(b)));
    ASSERT_EQ(r.persons.size(), 2u) << (r.rejected.empty() ? "" : r.rejected[0].message);
    EXPECT_EQ(r.persons[0].dob, ymd(2014, 3, 2));
    EXPECT_EQ(r.persons[0].yearGroup, "R");
    EXPECT_EQ(r.persons[0].admissionDate, ymd(2024, 9, 4));
    EXPECT_EQ(r.persons[1].yearGroup, "");  // X: not following NC years
}

TEST(CtfParser, ElementNamesIgnoreCaseSpacesAndUnderscores) {
    std::string p = "<pupil><upn>" + kUpn1 +
                    "</upn><SURNAME>Bowen</SURNAME><fore_name>Nia</fore_name>"
                    "<basicdetails><NC_Year_Actual>9</NC_Year_Actual></basicdetails></pupil>";
    auto r = parse(ctfXml(kSchool, kSchool, "", p));
    ASSERT_EQ(r.persons.size(), 1u);
    EXPECT_EQ(r.persons[0].legalForename, "Nia");
    EXPECT_EQ(r.persons[0].yearGroup, "9");
}

TEST(CtfParser, FieldsTableRenamesAnElement) {
    std::string p = "<Pupil><UPN>" + kUpn1 +
                    "</UPN><Surname>Bowen</Surname><Forename>Nia</Forename>"
                    "<BasicDetails><NCyearActual>9</NCyearActual><YearTaught>10</YearTaught>"
                    "</BasicDetails></Pupil>";
    auto r = parse(ctfXml(kSchool, kSchool, "", p), CtfDirection::Own, kSchool, ymd(2026, 11, 26),
                   {{"year_group", "Year Taught"}});
    ASSERT_EQ(r.persons.size(), 1u);
    EXPECT_EQ(r.persons[0].yearGroup, "10");
    const std::map<std::string, std::string> regGroup{{"reg_group", "Form"}};
    EXPECT_THROW(CtfFieldMap{regGroup}, core::ConfigError);
}

TEST(CtfParser, RejectsUnusableRecordsNamingFileAndRecordAndKeepsGoing) {  // R15
    std::string pupils = pupilXml({.upn = ""}) +                           // 1
                         pupilXml({.upn = kUpn1.substr(0, 12) + "Z"}) +    // 2
                         pupilXml({.upn = "B80120000500"}) +               // 3
                         pupilXml({.upn = kUpn1, .forename = ""}) +        // 4
                         pupilXml({.upn = kUpn1, .dob = "2014-02-30"}) +   // 5
                         pupilXml({.upn = kUpn1, .year = "Year 15"}) +     // 6
                         pupilXml({.upn = kUpn1, .enrol = "Q"}) +          // 7
                         pupilXml({.upn = kUpn1, .history = historyEntry(kSchool, "soon")}) +  // 8
                         pupilXml({.upn = kUpn1}) +                      // 9 accepted
                         pupilXml({.upn = kUpn1, .forename = "Twin"}) +  // 10
                         pupilXml({.upn = kUpn2});                       // 11 accepted
    auto r = parse(ctfXml(kSchool, kSchool, "", pupils));
    ASSERT_EQ(r.persons.size(), 2u);
    EXPECT_EQ(r.persons[0].source.record, 9u);
    EXPECT_EQ(r.persons[1].source.record, 11u);
    const std::vector<std::string> codes{"missing_id",
                                         "invalid_upn",
                                         "invalid_upn",
                                         "missing_name",
                                         "invalid_date",
                                         "invalid_year_group",
                                         "invalid_enrolment_status",
                                         "invalid_date",
                                         "duplicate_upn"};
    ASSERT_EQ(r.rejected.size(), codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
        EXPECT_EQ(r.rejected[i].code, codes[i]) << i;
        EXPECT_EQ(r.rejected[i].file, "test.xml");
        EXPECT_EQ(r.rejected[i].role, core::Role::Learner);
    }
    EXPECT_EQ(r.rejected[0].record, 1u);
    EXPECT_EQ(r.rejected[8].record, 10u);
    EXPECT_EQ(r.rejected[3].upn, kUpn1);  // still names the learner: not a leaver (R5)
    EXPECT_EQ(r.rejected[1].upn, kUpn1.substr(0, 12) + "Z");
    // Messages name the CTF's own elements, which the school's staff can find in the file.
    EXPECT_THAT(r.rejected[4].message, ::testing::HasSubstr("DOB '2014-02-30' is not a date"));
    EXPECT_THAT(r.rejected[7].message,
                ::testing::HasSubstr("SchoolHistory EntryDate 'soon' is not a date"));
    EXPECT_EQ(r.records, 11u);
}

TEST(CtfParser, ContactsAddressesAssessmentsAndNawDetailsAreIgnored) {
    CtfPupil a{.upn = kUpn1,
               .extra =
                   "<Contacts><Contact><Surname>Parent</Surname><Forename>P</Forename>"
                   "<Telephones><Telephone><TelephoneNumber>0123</TelephoneNumber>"
                   "</Telephone></Telephones></Contact></Contacts>"
                   "<Address><BS7666Address><Street>1 High St</Street></BS7666Address>"
                   "</Address><StageAssessments><KeyStage><Stage>KS2</Stage>"
                   "</KeyStage></StageAssessments><NAWdetails><SpeakWelsh>Y</SpeakWelsh>"
                   "</NAWdetails>"};
    auto r = parse(ctfXml(kSchool, kSchool, "", pupilXml(a)));
    ASSERT_EQ(r.persons.size(), 1u);
    EXPECT_EQ(r.persons[0].legalSurname, "Jones");  // not the contact's surname
}

TEST(CtfParser, RefusesDoctypeAndEntityDeclarations) {
    std::string body = ctfXml(kSchool, kSchool, "", "");
    body = body.substr(body.find("<CTfile>"));
    EXPECT_NE(refusal("<?xml version=\"1.0\"?><!DOCTYPE CTfile>" + body).find("DOCTYPE"),
              std::string::npos);
    EXPECT_NE(refusal("<?xml version=\"1.0\"?><!DOCTYPE CTfile [<!ENTITY a \"aaaa\">]>" + body)
                  .find("/drop/bad.xml: refused"),
              std::string::npos);
}

TEST(CtfParser, RefusesFilesThatAreNotACtf) {
    EXPECT_NE(refusal("<SuperStarReport/>").find("expected CTfile"), std::string::npos);
    EXPECT_NE(refusal("<CTfile><CTFpupilData/></CTfile>").find("no <Header>"), std::string::npos);
    EXPECT_NE(refusal("<CTfile><Header><DocumentName>Admissions Transfer File</DocumentName>"
                      "</Header></CTfile>")
                  .find("DocumentName"),
              std::string::npos);
    EXPECT_NE(refusal("<CTfile><Header><SourceSchool><LEA>66</LEA><Estab>18004</Estab>"
                      "</SourceSchool></Header></CTfile>")
                  .find("not a school number"),
              std::string::npos);
    EXPECT_NE(refusal("<CTfile><Header>").find("not well-formed"), std::string::npos);
    EXPECT_NE(refusal(std::string("<CTfile>\0</CTfile>", 18)).find("NUL byte"), std::string::npos);
    EXPECT_NE(refusal(ctfXml(kSchool, kSchool, "", "") + "junk").find("after the root"),
              std::string::npos);
    EXPECT_NE(refusal("junk" + ctfXml(kSchool, kSchool, "", "")).find("before the root"),
              std::string::npos);
    EXPECT_NE(refusal("<CTfile/><CTfile/>").find("second root"), std::string::npos);
}

TEST(CtfParser, ToleratesAByteOrderMarkAndNoPupilData) {
    std::string bytes = "\xEF\xBB\xBF" + ctfXml(kSchool, kSchool, "", pupilXml({.upn = kUpn1}));
    EXPECT_EQ(parse(bytes).persons.size(), 1u);
    std::string empty =
        "<CTfile><Header><SourceSchool><LEA>661</LEA><Estab>8004</Estab>"
        "</SourceSchool></Header></CTfile>";
    EXPECT_EQ(parse(empty).records, 0u);
}

}  // namespace
}  // namespace misync::connectors
