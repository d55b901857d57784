// The sims-xml report parser (SPEC §6.1): column names, values and R15 record validation.
#include <gtest/gtest.h>

#include "connectors/sims_xml/sims_fields.h"
#include "connectors/sims_xml/sims_parser.h"
#include "core/errors.h"
#include "sims_test_util.h"

namespace misync::connectors {
namespace {

using testing::learner;
using testing::member;
using testing::parseOne;
using testing::record;
using testing::report;

// (code, record) pairs of the rejected records, for compact comparisons.
std::vector<std::pair<std::string, std::uint32_t>> rejects(const core::Snapshot& s) {
    std::vector<std::pair<std::string, std::uint32_t>> out;
    for (const auto& r : s.rejected) {
        out.emplace_back(r.code, r.record);
    }
    return out;
}

TEST(SimsXmlName, DecodesEscapes) {
    EXPECT_EQ(decodeXmlName("Legal_x0020_Forename"), "Legal Forename");
    EXPECT_EQ(decodeXmlName("_x0049__x0044_"), "ID");
    EXPECT_EQ(decodeXmlName("Caf_x00E9_"), "Café");
    EXPECT_EQ(decodeXmlName("Caf_x00e9_"), "Café");
    EXPECT_EQ(decodeXmlName("Cost_x20AC_"), "Cost€");
    EXPECT_EQ(decodeXmlName("Year_x002F_Group"), "Year/Group");
    EXPECT_EQ(decodeXmlName("_x0001F600_"), "\xF0\x9F\x98\x80");
    EXPECT_EQ(decodeXmlName("_xD83D__xDE00_"), "\xF0\x9F\x98\x80");  // UTF-16 surrogate pair
    EXPECT_EQ(decodeXmlName("_xD800_"), "\xEF\xBF\xBD");             // lone surrogate
    EXPECT_EQ(decodeXmlName("_x00110000_"), "\xEF\xBF\xBD");         // past U+10FFFF
}

TEST(SimsXmlName, LeavesMalformedEscapesAlone) {
    for (const char* s : {"_x12_", "_xZZZZ_", "_x0020", "x0020_", "_X", "_", "__", "a_x002_b"}) {
        EXPECT_EQ(decodeXmlName(s), s) << s;
    }
    EXPECT_EQ(decodeXmlName("_X0020_"), " ");  // .NET reads an upper-case X too
}

TEST(SimsXmlName, CanonicalFieldNames) {
    EXPECT_EQ(parseCanonicalField("reg_group"), SimsField::RegGroup);
    EXPECT_EQ(parseCanonicalField("RegGroup"), SimsField::RegGroup);
    EXPECT_EQ(parseCanonicalField("REG GROUP"), SimsField::RegGroup);
    EXPECT_EQ(parseCanonicalField("role"), SimsField::StaffRole);
    EXPECT_EQ(parseCanonicalField("start_date"), SimsField::AdmissionDate);
    EXPECT_FALSE(parseCanonicalField("reg_grp"));
    EXPECT_EQ(canonicalName(SimsField::MemberType), "member_type");
}

TEST(SimsXmlFields, NameVariationsAllMatch) {
    for (const char* name : {"Legal_x0020_Forename", "Legal_Forename", "LEGAL_x0020_FORENAME",
                             "legalforename", "Forename", "_x004C_egal_x0020_Forename"}) {
        auto s = parseOne(SimsFileKind::Students,
                          report(record({{"ID", "1"}, {name, "Siân"}, {"Surname", "Llŷr"}})));
        ASSERT_EQ(s.persons.size(), 1u) << name;
        EXPECT_EQ(s.persons[0].legalForename, "Siân") << name;
        EXPECT_EQ(s.persons[0].legalSurname, "Llŷr") << name;
    }
}

TEST(SimsXmlFields, LegalNameIsPreferredOverPlainForename) {
    for (const auto& rec : {record({{"ID", "1"},
                                    {"Forename", "Plain"},
                                    {"Legal_x0020_Forename", "Legal"},
                                    {"Surname", "S"}}),
                            record({{"ID", "1"},
                                    {"Legal_x0020_Forename", "Legal"},
                                    {"Forename", "Plain"},
                                    {"Surname", "S"}}),
                            record({{"ID", "1"},
                                    {"Legal_x0020_Forename", "Legal"},
                                    {"Forename", ""},
                                    {"Surname", "S"}})}) {
        auto s = parseOne(SimsFileKind::Students, report(rec));
        ASSERT_EQ(s.persons.size(), 1u);
        EXPECT_EQ(s.persons[0].legalForename, "Legal");
    }
    // An empty legal forename is absent, so the alternative fills it.
    auto s = parseOne(SimsFileKind::Students, report(record({{"ID", "1"},
                                                             {"Legal_x0020_Forename", " "},
                                                             {"Forename", "Plain"},
                                                             {"Surname", "S"}})));
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].legalForename, "Plain");
}

TEST(SimsXmlFields, ColumnOrderMayChangeBetweenRecords) {
    auto s = parseOne(
        SimsFileKind::Students,
        report(record({{"ID", "1"}, {"Forename", "A1"}, {"Surname", "B1"}, {"Reg", "R1"}}) +
               record({{"Reg", "R2"}, {"Surname", "B2"}, {"ID", "2"}, {"Forename", "A2"}}) +
               record({{"ID", "3"}, {"Other", "x"}, {"Forename", "A3"}, {"Surname", "B3"}}) +
               record({{"ID", "4"}, {"Forename", "A4"}, {"Surname", "B4"}, {"Reg", "R4"}})));
    ASSERT_EQ(s.persons.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        const std::string n = std::to_string(i + 1);
        EXPECT_EQ(s.persons[i].misId, n);
        EXPECT_EQ(s.persons[i].legalForename, "A" + n);
        EXPECT_EQ(s.persons[i].legalSurname, "B" + n);
        EXPECT_EQ(s.persons[i].regGroup, i == 2 ? "" : "R" + n);
    }
}

TEST(SimsXmlFields, ManyUnknownColumnsDoNotHideKnownOnes) {
    // Past the name cache's bound (and the position hints) names are resolved one by one.
    std::string filler;
    for (int i = 0; i < 1000; ++i) {
        filler +=
            "<Extra_x0020_" + std::to_string(i) + ">v</Extra_x0020_" + std::to_string(i) + ">";
    }
    std::string records;
    for (const char* id : {"1", "2"}) {
        records += "<Record>" + filler + "<ID>" + id +
                   "</ID><Forename>A</Forename><Surname>B</Surname><Reg>7" + id +
                   "</Reg></Record>\n";
    }
    auto s = parseOne(SimsFileKind::Students, report(records));
    ASSERT_EQ(s.persons.size(), 2u);
    EXPECT_EQ(s.persons[1].misId, "2");
    EXPECT_EQ(s.persons[1].legalSurname, "B");
    EXPECT_EQ(s.persons[1].regGroup, "72");
}

TEST(SimsXmlFields, SchoolFieldsReplaceTheDefaults) {
    const std::string rec = record({{"ID", "1"},
                                    {"Legal_x0020_Forename", "A"},
                                    {"Legal_x0020_Surname", "B"},
                                    {"Reg", "WRONG"},
                                    {"Form", "10A"},
                                    {"Form_x0020_Group", "10B"}});
    for (const char* key : {"reg_group", "RegGroup", "REG_GROUP"}) {
        auto s = parseOne(SimsFileKind::Students, report(rec), {{key, "Form"}});
        ASSERT_EQ(s.persons.size(), 1u);
        EXPECT_EQ(s.persons[0].regGroup, "10A") << key;
    }
    auto spaced = parseOne(SimsFileKind::Students, report(rec), {{"reg_group", "form group"}});
    EXPECT_EQ(spaced.persons.at(0).regGroup, "10B");
    auto plain = parseOne(SimsFileKind::Students, report(rec));
    EXPECT_EQ(plain.persons.at(0).regGroup, "WRONG");
}

TEST(SimsXmlFields, OverrideWinsOverAnotherFieldsDefaultName) {
    // The school's "Preferred Forename" column holds the legal forename.
    auto s = parseOne(SimsFileKind::Students,
                      report(record({{"ID", "1"},
                                     {"Preferred_x0020_Forename", "Real"},
                                     {"Legal_x0020_Forename", "Ignored"},
                                     {"Legal_x0020_Surname", "B"}})),
                      {{"legal_forename", "Preferred Forename"}});
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].legalForename, "Real");
    EXPECT_EQ(s.persons[0].preferredForename, "");
}

TEST(SimsXmlFields, UnknownCanonicalNameIsAConfigError) {
    EXPECT_THROW(parseOne(SimsFileKind::Students, report(""), {{"reg_grp", "Form"}}),
                 core::ConfigError);
    EXPECT_THROW(parseOne(SimsFileKind::Students, report(""), {{"reg_group", " "}}),
                 core::ConfigError);
    // A field of another report is not an error for this one.
    EXPECT_NO_THROW(parseOne(SimsFileKind::Students, report(""), {{"member_type", "Kind"}}));
}

TEST(SimsXmlValues, MissingElementsAreEmptyAndDefaultsApply) {
    auto s = parseOne(SimsFileKind::Students, report(learner("42")));
    ASSERT_EQ(s.persons.size(), 1u);
    const auto& p = s.persons[0];
    EXPECT_EQ(p.misId, "42");
    EXPECT_EQ(p.role, core::Role::Learner);
    EXPECT_EQ(p.upn, "");
    EXPECT_EQ(p.gender, "");
    EXPECT_EQ(p.regGroup, "");
    EXPECT_EQ(p.yearGroup, "");
    EXPECT_FALSE(p.dob);
    EXPECT_FALSE(p.leavingDate);
    EXPECT_EQ(p.enrolment, core::Enrolment::Single);
    EXPECT_EQ(p.source.file, "students.xml");
    EXPECT_EQ(p.source.record, 1u);
}

TEST(SimsXmlValues, TrimmedDecodedAndNormalised) {
    auto s = parseOne(
        SimsFileKind::Students,
        report("<Record><ID>\n  7 </ID><UPN>x661200026001</UPN><Legal_x0020_Forename>Ann &amp; "
               "Bob</Legal_x0020_Forename><Legal_x0020_Surname>O&apos;Brien</Legal_x0020_Surname>"
               "<Reg><![CDATA[10A]]></Reg><Year>Y7</Year><DOB>4/9/2012</DOB>"
               "<Leaving_x0020_Date>2026-07-20T00:00:00+01:00</Leaving_x0020_Date>"
               "<Enrolment_x0020_Status>Main - Dual Registration</Enrolment_x0020_Status>"
               "<Unused>whatever</Unused></Record>\n"));
    ASSERT_EQ(s.persons.size(), 1u) << (s.rejected.empty() ? "" : s.rejected[0].message);
    const auto& p = s.persons[0];
    EXPECT_EQ(p.misId, "7");
    EXPECT_EQ(p.upn, "X661200026001");  // canonical upper case
    EXPECT_EQ(p.legalForename, "Ann & Bob");
    EXPECT_EQ(p.legalSurname, "O'Brien");
    EXPECT_EQ(p.regGroup, "10A");
    EXPECT_EQ(p.yearGroup, "7");
    EXPECT_EQ(p.dob->toString(), "2012-09-04");
    EXPECT_EQ(p.leavingDate->toString(), "2026-07-20");
    EXPECT_EQ(p.enrolment, core::Enrolment::Main);
}

// The parser keeps bytes as they are; Connector::read() rejects the record (record_checks.h),
// instead of replacing bytes and silently dropping a name out of the username.
TEST(SimsXmlValues, InvalidUtf8IsKeptForTheRecordCheck) {
    auto s =
        parseOne(SimsFileKind::Students,
                 report("<Record><ID>1</ID><Legal_x0020_Forename>Si\xE2n</Legal_x0020_Forename>"
                        "<Legal_x0020_Surname>Jones</Legal_x0020_Surname></Record>"));
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].legalForename, "Si\xE2n");
}

TEST(SimsXmlValidation, EveryStudentRejectCodeWithItsRecordNumber) {
    std::string records =
        learner("1") +  // 1 ok
        record({{"Legal_x0020_Forename", "A"}, {"Legal_x0020_Surname", "B"}}) +
        learner("1") +  // 3 duplicate_id
        record({{"ID", "4"}, {"Legal_x0020_Surname", "B"}}) +
        record({{"ID", "5"}, {"Legal_x0020_Forename", "A"}}) +
        record({{"ID", "6"},
                {"UPN", "A801200005001"},
                {"Forename", "A"},
                {"Surname", "B"}}) +  // wrong check letter
        record({{"ID", "7"},
                {"UPN", "B80120000500"},
                {"Forename", "A"},
                {"Surname", "B"}}) +  // wrong shape
        record({{"ID", "8"}, {"DOB", "2012-02-30"}, {"Forename", "A"}, {"Surname", "B"}}) +
        record(
            {{"ID", "9"}, {"Admission_x0020_Date", "soon"}, {"Forename", "A"}, {"Surname", "B"}}) +
        record({{"ID", "10"},
                {"Leaving_x0020_Date", "31/13/2025"},
                {"Forename", "A"},
                {"Surname", "B"}}) +
        record({{"ID", "11"}, {"Year", "Year 15"}, {"Forename", "A"}, {"Surname", "B"}}) +
        record({{"ID", "12"},
                {"Enrolment_x0020_Status", "Part-time"},
                {"Forename", "A"},
                {"Surname", "B"}}) +
        record({{"ID", "13"}, {"UPN", "B801200005001"}, {"Forename", "A"}, {"Surname", "B"}}) +
        record({{"ID", "14"},
                {"UPN", "b801200005001"},
                {"Forename", "A"},
                {"Surname", "B"}}) +  // duplicate_upn
        learner("15");
    auto s = parseOne(SimsFileKind::Students, report(records));
    using R = std::vector<std::pair<std::string, std::uint32_t>>;
    EXPECT_EQ(rejects(s), (R{{"missing_id", 2},
                             {"duplicate_id", 3},
                             {"missing_name", 4},
                             {"missing_name", 5},
                             {"invalid_upn", 6},
                             {"invalid_upn", 7},
                             {"invalid_date", 8},
                             {"invalid_date", 9},
                             {"invalid_date", 10},
                             {"invalid_year_group", 11},
                             {"invalid_enrolment_status", 12},
                             {"duplicate_upn", 14}}));
    for (const auto& r : s.rejected) {
        EXPECT_EQ(r.file, "students.xml");
        EXPECT_FALSE(r.message.empty());
    }
    // The rest of the file is still read.
    ASSERT_EQ(s.persons.size(), 3u);
    EXPECT_EQ(s.persons[0].misId, "1");
    EXPECT_EQ(s.persons[1].misId, "13");
    EXPECT_EQ(s.persons[1].source.record, 13u);
    EXPECT_EQ(s.persons[2].misId, "15");
    EXPECT_EQ(s.files.at(0).records, 15u);
    // Messages name the offending value.
    EXPECT_NE(s.rejected[4].message.find("A801200005001"), std::string::npos);
    EXPECT_NE(s.rejected[6].message.find("2012-02-30"), std::string::npos);
    EXPECT_NE(s.rejected[9].message.find("Year 15"), std::string::npos);
    EXPECT_NE(s.rejected[10].message.find("Part-time"), std::string::npos);
    EXPECT_NE(s.rejected[11].message.find("B801200005001"), std::string::npos);
}

TEST(SimsXmlValidation, ARejectedRecordDoesNotClaimItsUpn) {
    auto s = parseOne(
        SimsFileKind::Students,
        report(
            record({{"ID", "1"},
                    {"UPN", "B801200005001"},
                    {"DOB", "bad"},
                    {"Forename", "A"},
                    {"Surname", "B"}}) +
            record({{"ID", "2"}, {"UPN", "B801200005001"}, {"Forename", "A"}, {"Surname", "B"}})));
    EXPECT_EQ(rejects(s),
              (std::vector<std::pair<std::string, std::uint32_t>>{{"invalid_date", 1}}));
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].upn, "B801200005001");
}

TEST(SimsXmlValidation, HugeValuesAreCutShortInMessages) {
    const std::string huge(1 << 20, '9');
    auto s =
        parseOne(SimsFileKind::Students,
                 report(record({{"ID", "1"}, {"UPN", huge}, {"Forename", "A"}, {"Surname", "B"}})));
    ASSERT_EQ(s.rejected.size(), 1u);
    EXPECT_EQ(s.rejected[0].code, "invalid_upn");
    EXPECT_LT(s.rejected[0].message.size(), 200u);
}

TEST(SimsXmlValidation, StaffRecords) {
    std::string records =
        record({{"ID", "S1"},
                {"Staff_x0020_Code", "ABC"},
                {"Title", "Mrs"},
                {"Legal_x0020_Forename", "Llŷr"},
                {"Legal_x0020_Surname", "Lewis"},
                {"Preferred_x0020_Surname", "Lew"},
                {"Start_x0020_Date", "2024-09-01"},
                {"Role", "Teacher"},
                {"EWC_x0020_Number", "W123"},
                {"Year", "7"},
                {"UPN", "not-a-upn"}}) +
        record({{"Legal_x0020_Forename", "A"}, {"Legal_x0020_Surname", "B"}}) +
        record({{"ID", "S1"}, {"Legal_x0020_Forename", "A"}, {"Legal_x0020_Surname", "B"}}) +
        record({{"ID", "S4"}, {"Legal_x0020_Forename", "A"}}) +
        record({{"ID", "S5"}, {"Forename", "A"}, {"Surname", "B"}, {"Start_x0020_Date", "x"}}) +
        record({{"ID", "S6"}, {"Forename", "A"}, {"Surname", "B"}, {"Leaving_x0020_Date", "y"}});
    auto s = parseOne(SimsFileKind::Staff, report(records));
    using R = std::vector<std::pair<std::string, std::uint32_t>>;
    EXPECT_EQ(rejects(s), (R{{"missing_id", 2},
                             {"duplicate_id", 3},
                             {"missing_name", 4},
                             {"invalid_date", 5},
                             {"invalid_date", 6}}));
    for (const auto& r : s.rejected) {
        EXPECT_EQ(r.file, "staff.xml");
    }
    ASSERT_EQ(s.persons.size(), 1u);
    const auto& p = s.persons[0];
    EXPECT_EQ(p.role, core::Role::Staff);
    EXPECT_EQ(p.staffCode, "ABC");
    EXPECT_EQ(p.title, "Mrs");
    EXPECT_EQ(p.legalForename, "Llŷr");
    EXPECT_EQ(p.preferredSurname, "Lew");
    EXPECT_EQ(p.admissionDate->toString(), "2024-09-01");
    EXPECT_EQ(p.staffRole, "Teacher");
    EXPECT_EQ(p.nationalId, "W123");
    EXPECT_EQ(p.yearGroup, "");  // staff have no year group; a Year column is not read
    EXPECT_EQ(p.upn, "");        // nor a UPN
    EXPECT_EQ(p.source.file, "staff.xml");
}

// Students 1–3 (2 rejected for its date), staff T1, then the groups report.
core::Snapshot parseSchool(const std::string& groups) {
    SimsXmlParser parser;
    core::Snapshot s;
    std::string students =
        report(learner("1") + learner("3") +
               record({{"ID", "2"}, {"Forename", "A"}, {"Surname", "B"}, {"DOB", "never"}}));
    std::string staff = report(learner("T1"));
    std::string g = groups;
    parser.parse(SimsFileKind::Students, "students.xml", students, s);
    parser.parse(SimsFileKind::Staff, "staff.xml", staff, s);
    parser.parse(SimsFileKind::Groups, "groups.xml", g, s);
    return s;
}

TEST(SimsXmlGroups, MembershipsGroupsAndWarnings) {
    std::string groups =
        record({{"Group", "10A/Ma1"},
                {"Group_x0020_Type", "Class"},
                {"Subject", "Ma"},
                {"Year", "Year 10"},
                {"ID", "1"},
                {"Member_x0020_Type", "Pupil"}}) +  // 1
        record({{"Group", "10A/Ma1"},
                {"Group_x0020_Type", "Registration"},
                {"Subject", "En"},
                {"Year", "9"},
                {"ID", "3"},
                {"Member_x0020_Type", "pupil"}}) +                     // 2: type from 1
        member("10A/Ma1", "1") +                                       // 3: duplicate
        member("10A/Ma1", "T1", "Staff") +                             // 4: teacher
        member("10A/Ma1", "2") +                                       // 5: rejected person
        member("10A/Ma1", "99") +                                      // 6: unknown learner
        member("10A/Ma1", "1", "Staff") +                              // 7: 1 is not staff
        record({{"Group", "Chess"}, {"Group_x0020_Type", "House"}}) +  // 8: no members
        record({{"Group_x0020_Type", "Class"}, {"ID", "1"}, {"Member_x0020_Type", "Pupil"}}) +
        member("X", "1", "Pupil", "Clique") +                                          // 10
        record({{"Group", "Y"}, {"ID", "1"}, {"Member_x0020_Type", "Pupil"}}) +        // 11
        member("Z", "1", "Governor") +                                                 // 12
        record({{"Group", "Z"}, {"Group_x0020_Type", "Class"}, {"ID", "1"}}) +         // 13
        record({{"Group", "W"}, {"Group_x0020_Type", "Year"}, {"Year", "Year 99"}}) +  // 14
        record({{"Group", "Y"}, {"Group_x0020_Type", "Year"}}) +                // 15: defines Y
        record({{"Group", "Y"}, {"ID", "3"}, {"Member_x0020_Type", "Pupil"}});  // 16
    auto s = parseSchool(report(groups));

    using R = std::vector<std::pair<std::string, std::uint32_t>>;
    R expected{{"invalid_date", 3},        {"missing_group", 9},        {"invalid_group_type", 10},
               {"invalid_group_type", 11}, {"invalid_member_type", 12}, {"invalid_member_type", 13},
               {"invalid_year_group", 14}};
    EXPECT_EQ(rejects(s), expected);
    for (std::size_t i = 1; i < s.rejected.size(); ++i) {
        EXPECT_EQ(s.rejected[i].file, "groups.xml");
    }

    ASSERT_EQ(s.groups.size(), 3u);
    EXPECT_EQ(s.groups[0].code, "10A/Ma1");
    EXPECT_EQ(s.groups[0].type, core::GroupType::Class);
    EXPECT_EQ(s.groups[0].subject, "Ma");
    EXPECT_EQ(s.groups[0].yearGroup, "10");
    EXPECT_EQ(s.groups[0].source.record, 1u);
    EXPECT_EQ(s.groups[1].code, "Chess");
    EXPECT_EQ(s.groups[1].type, core::GroupType::House);
    EXPECT_EQ(s.groups[2].code, "Y");
    EXPECT_EQ(s.groups[2].type, core::GroupType::Year);
    EXPECT_EQ(s.groups[2].source.record, 15u);

    ASSERT_EQ(s.memberships.size(), 4u);
    EXPECT_EQ(s.memberships[0].memberMisId, "1");
    EXPECT_EQ(s.memberships[1].memberMisId, "3");
    EXPECT_EQ(s.memberships[2].memberMisId, "T1");
    EXPECT_EQ(s.memberships[2].memberRole, core::Role::Staff);
    EXPECT_EQ(s.memberships[2].source.record, 4u);
    EXPECT_EQ(s.memberships[3].groupCode, "Y");
    EXPECT_EQ(s.memberships[3].source.file, "groups.xml");

    ASSERT_EQ(s.warnings.size(), 2u);
    EXPECT_EQ(s.warnings[0].code, "unknown_member");
    EXPECT_EQ(s.warnings[0].message, "groups.xml record 6: member ID 99 is not in students.xml");
    EXPECT_EQ(s.warnings[1].message, "groups.xml record 7: member ID 1 is not in staff.xml");
    EXPECT_EQ(s.files.at(2).records, 16u);
}

// A repeated membership counts once; the same id as a learner and as a member of staff, or the
// same member in another group, is another membership (the assembler tells repeats by the
// group's and the member's own entries, issue 8).
TEST(SimsXmlGroups, RepeatsCountOnceAndRoleAndGroupTellMembershipsApart) {
    SimsXmlParser parser;
    core::Snapshot s;
    std::string students = report(learner("1") + learner("2"));
    std::string staff = report(learner("1") + learner("T2"));
    std::string groups =
        report(member("A", "1") + member("A", "1", "Staff") + member("A", "1") + member("B", "1") +
               member("A", "1", "Staff") + member("B", "2") + member("B", "1"));
    parser.parse(SimsFileKind::Students, "students.xml", students, s);
    parser.parse(SimsFileKind::Staff, "staff.xml", staff, s);
    parser.parse(SimsFileKind::Groups, "groups.xml", groups, s);
    std::vector<std::tuple<std::string, core::Role, std::string>> got;
    for (const auto& m : s.memberships) {
        got.emplace_back(m.groupCode, m.memberRole, m.memberMisId);
    }
    using T = std::tuple<std::string, core::Role, std::string>;
    const std::vector<T> expected{{"A", core::Role::Learner, "1"},
                                  {"A", core::Role::Staff, "1"},
                                  {"B", core::Role::Learner, "1"},
                                  {"B", core::Role::Learner, "2"}};
    EXPECT_EQ(got, expected);
    EXPECT_TRUE(s.rejected.empty());
    EXPECT_TRUE(s.warnings.empty());
}

TEST(SimsXmlGroups, WarningsNameTheConfiguredFiles) {
    SimsXmlParser parser;
    core::Snapshot s;
    std::string students = report(learner("1"));
    std::string groups = report(member("G", "2"));
    parser.parse(SimsFileKind::Students, "pupils.xml", students, s);
    parser.parse(SimsFileKind::Groups, "classes.xml", groups, s);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0].message, "classes.xml record 1: member ID 2 is not in pupils.xml");
    EXPECT_EQ(s.persons.at(0).source.file, "pupils.xml");
    EXPECT_EQ(s.groups.at(0).source.file, "classes.xml");
}

TEST(SimsXmlGroups, GroupFieldRemapping) {
    SimsXmlParser parser({{"member_id", "Person ID"}, {"group_code", "Class"}});
    core::Snapshot s;
    std::string students = report(learner("1"));
    std::string groups = report(record({{"Class", "G1"},
                                        {"Group_x0020_Type", "Class"},
                                        {"ID", "wrong"},
                                        {"Person_x0020_ID", "1"},
                                        {"Member_x0020_Type", "Pupil"}}));
    parser.parse(SimsFileKind::Students, "students.xml", students, s);
    parser.parse(SimsFileKind::Groups, "groups.xml", groups, s);
    EXPECT_TRUE(s.warnings.empty());
    ASSERT_EQ(s.memberships.size(), 1u);
    EXPECT_EQ(s.memberships[0].groupCode, "G1");
    EXPECT_EQ(s.memberships[0].memberMisId, "1");
}

TEST(SimsXmlParse, AFailedReportLeavesTheSnapshotAlone) {
    SimsXmlParser parser;
    core::Snapshot s;
    std::string students = report(learner("1"));
    parser.parse(SimsFileKind::Students, "students.xml", students, s);
    std::string staff = report(learner("T1") + learner("T2"));
    staff.resize(staff.size() - 30);  // cut off inside the last record
    try {
        parser.parse(SimsFileKind::Staff, "staff.xml", staff, s, "/drop/6612000/staff.xml");
        ADD_FAILURE() << "no ConnectorError";
    } catch (const core::ConnectorError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind("/drop/6612000/staff.xml: not well-formed XML: ", 0), 0u) << what;
        EXPECT_NE(what.find("byte offset"), std::string::npos) << what;
    }
    EXPECT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.files.size(), 1u);
    EXPECT_TRUE(s.rejected.empty());
}

TEST(SimsXmlParse, EachReportOnlyOnce) {
    SimsXmlParser parser;
    core::Snapshot s;
    std::string a = report("");
    std::string b = report("");
    parser.parse(SimsFileKind::Staff, "staff.xml", a, s);
    EXPECT_THROW(parser.parse(SimsFileKind::Staff, "staff.xml", b, s), std::logic_error);
}

}  // namespace
}  // namespace misync::connectors
