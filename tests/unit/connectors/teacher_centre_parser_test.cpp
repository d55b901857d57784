// The Teacher Centre parser (SPEC §6.4): columns by header name in any order, `fields`
// remapping, the SPEC §6 date spellings and enumerated values, R15 rejections with file and
// record, and the errors that fail a file.
#include <gtest/gtest.h>

#include <string>

#include "connectors/teacher_centre/tc_parser.h"
#include "core/errors.h"

namespace misync::connectors {
namespace {

constexpr const char* kPupilsHeader =
    "UPN,Pupil ID,Admission Number,Legal Forename,Legal Surname,Preferred Forename,Preferred "
    "Surname,Date of Birth,Gender,Year Group,Registration Group,Admission Date,Leaving "
    "Date,Enrolment Status\n";
constexpr const char* kStaffHeader =
    "Staff ID,Staff Code,Title,Legal Forename,Legal Surname,Preferred Forename,Preferred "
    "Surname,Start Date,Leaving Date,Role,EWC Number\n";
constexpr const char* kGroupsHeader =
    "Group Code,Group Type,Subject Code,Year Group,Member ID,Member Type\n";

// A valid UPN of the example school (check letter computed by core::upnCheckLetter's rules).
constexpr const char* kUpn = "Y663000219011";

core::Snapshot parseAll(const std::string& pupils, const std::string& staff = kStaffHeader,
                        const std::string& groups = kGroupsHeader,
                        std::map<std::string, std::string> fields = {}) {
    TeacherCentreParser parser(std::move(fields));
    core::Snapshot s;
    parser.parse(TcFileKind::Pupils, "pupils.csv", pupils, s);
    parser.parse(TcFileKind::Staff, "staff.csv", staff, s);
    parser.parse(TcFileKind::Groups, "groups.csv", groups, s);
    return s;
}

TEST(TeacherCentreParser, ReadsTheDocumentedLayout) {
    auto s = parseAll(
        std::string(kPupilsHeader) + kUpn +
            ",p1,000011,Elis,Gruffydd,Eli,,14/05/2014,M,Year 7,7G,1/9/2025,,"
            "Single Registration\r\n",
        std::string(kStaffHeader) + "s1,GGR,Mrs,Gwen,Griffiths,,,01/09/2010,,Teacher,123456\n",
        std::string(kGroupsHeader) + "7G,Registration,,7,p1,Pupil\n" +
            "7G,Registration,,7,s1,Staff\n" + "10Ma1,Class,MA,10,,\n");
    ASSERT_TRUE(s.rejected.empty()) << s.rejected[0].message;
    ASSERT_EQ(s.persons.size(), 2u);
    const auto& p = s.persons[0];
    EXPECT_EQ(p.role, core::Role::Learner);
    EXPECT_EQ(p.upn, kUpn);
    EXPECT_EQ(p.misId, "p1");
    EXPECT_EQ(p.admissionNumber, "000011");
    EXPECT_EQ(p.preferredForename, "Eli");
    EXPECT_EQ(p.dob, core::Date::fromYmd(2014, 5, 14));           // D/M/YYYY (SPEC §6)
    EXPECT_EQ(p.admissionDate, core::Date::fromYmd(2025, 9, 1));  // one-digit D/M
    EXPECT_EQ(p.yearGroup, "7");
    EXPECT_EQ(p.regGroup, "7G");
    EXPECT_EQ(p.enrolment, core::Enrolment::Single);
    EXPECT_EQ(p.source.file, "pupils.csv");
    EXPECT_EQ(p.source.record, 1u);
    const auto& t = s.persons[1];
    EXPECT_EQ(t.role, core::Role::Staff);
    EXPECT_EQ(t.staffCode, "GGR");
    EXPECT_EQ(t.title, "Mrs");
    EXPECT_EQ(t.nationalId, "123456");
    EXPECT_EQ(t.staffRole, "Teacher");
    EXPECT_EQ(t.admissionDate, core::Date::fromYmd(2010, 9, 1));
    ASSERT_EQ(s.groups.size(), 2u);
    EXPECT_EQ(s.groups[0].type, core::GroupType::Registration);
    EXPECT_EQ(s.groups[1].code, "10Ma1");  // a group without members (R11)
    EXPECT_EQ(s.groups[1].subject, "MA");
    ASSERT_EQ(s.memberships.size(), 2u);
    EXPECT_EQ(s.memberships[1].memberRole, core::Role::Staff);
    ASSERT_EQ(s.files.size(), 3u);
    EXPECT_EQ(s.files[0].records, 1u);
    EXPECT_EQ(s.files[2].records, 3u);
}

TEST(TeacherCentreParser, ColumnsInAnyOrderAndAnySpelling) {
    auto s = parseAll(
        "legal_surname,YEAR GROUP,date of birth,pupil_id,Legal Forename,Extra Column\n"
        "\"O'Neill, Jr\",Y8,2013-02-03T00:00:00+01:00,P9,\"Siân \"\"Si\"\"\",ignored\n");
    ASSERT_TRUE(s.rejected.empty()) << s.rejected[0].message;
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].misId, "P9");
    EXPECT_EQ(s.persons[0].legalSurname, "O'Neill, Jr");
    EXPECT_EQ(s.persons[0].legalForename, "Siân \"Si\"");
    EXPECT_EQ(s.persons[0].yearGroup, "8");
    EXPECT_EQ(s.persons[0].dob, core::Date::fromYmd(2013, 2, 3));
}

// SPEC §6 spellings, plus a D/M/YYYY date with a time of day as spreadsheets save date cells.
TEST(TeacherCentreParser, DateSpellings) {
    auto s = parseAll(
        "Pupil ID,Legal Forename,Legal Surname,Date of Birth,Admission Date,Leaving Date\n"
        "1,A,B,4/5/2014,2025-09-01,\n"
        "2,A,B,04/05/2014,2025-09-01T00:00:00+01:00,31/7/2026\n"
        "3,A,B,4/5/2014 00:00,1/9/2025 0:00:00,2017-05-06 08:01:05\n"
        "4,A,B,5/4/14,,\n"
        "5,A,B,4/5/2014 noon,,\n"
        "6,A,B,4/5/2014 0:0,,\n");
    ASSERT_EQ(s.persons.size(), 3u);
    for (const auto& p : s.persons) {
        EXPECT_EQ(p.dob, core::Date::fromYmd(2014, 5, 4)) << p.misId;  // UK order: 4 May
        EXPECT_EQ(p.admissionDate, core::Date::fromYmd(2025, 9, 1)) << p.misId;
    }
    EXPECT_EQ(s.persons[1].leavingDate, core::Date::fromYmd(2026, 7, 31));
    ASSERT_EQ(s.rejected.size(), 3u);
    for (const auto& r : s.rejected) {
        EXPECT_EQ(r.code, "invalid_date") << r.record;
    }
}

TEST(TeacherCentreParser, FieldsRemapColumns) {
    auto s = parseAll("Ref,First,Last,Form\n1,Ann,Jones,7B\n", "ID,First,Last\nT1,Bob,Ray\n",
                      kGroupsHeader,
                      {{"mis_id", "Ref"},
                       {"legal_forename", "First"},
                       {"Legal Surname", "Last"},
                       {"reg_group", "Form"}});
    ASSERT_TRUE(s.rejected.empty()) << s.rejected[0].message;
    ASSERT_EQ(s.persons.size(), 2u);
    EXPECT_EQ(s.persons[0].misId, "1");
    EXPECT_EQ(s.persons[0].regGroup, "7B");
    EXPECT_EQ(s.persons[1].misId, "T1");  // staff.csv has no "Ref": its own "ID" still counts
    EXPECT_EQ(s.persons[1].legalForename, "Bob");
}

TEST(TeacherCentreParser, UnknownFieldsNameIsAConfigError) {
    EXPECT_THROW(parseAll(kPupilsHeader, kStaffHeader, kGroupsHeader, {{"shoe_size", "Shoe"}}),
                 core::ConfigError);
}

TEST(TeacherCentreParser, MissingRequiredColumnFailsNamingFileAndColumn) {
    TeacherCentreParser parser;
    core::Snapshot s;
    try {
        parser.parse(TcFileKind::Pupils, "pupils.csv", "UPN,Pupil ID,Legal Forename\n1,2,3\n", s,
                     "/srv/mis/6630002/pupils.csv");
        FAIL() << "no ConnectorError";
    } catch (const core::ConnectorError& e) {
        const std::string what = e.what();
        EXPECT_EQ(e.file(), "pupils.csv");
        EXPECT_NE(what.find("/srv/mis/6630002/pupils.csv"), std::string::npos) << what;
        EXPECT_NE(what.find("'Legal Surname'"), std::string::npos) << what;
        EXPECT_NE(what.find("the header has: UPN, Pupil ID, Legal Forename"), std::string::npos)
            << what;
    }
    EXPECT_TRUE(s.files.empty());
    EXPECT_TRUE(s.persons.empty());
}

TEST(TeacherCentreParser, SemicolonOrTabSeparatedFileGetsAHint) {
    for (const char* header : {"Pupil ID;Legal Forename;Legal Surname\n1;A;B\n",
                               "Pupil ID\tLegal Forename\tLegal Surname\n1\tA\tB\n"}) {
        TeacherCentreParser parser;
        core::Snapshot s;
        try {
            parser.parse(TcFileKind::Pupils, "pupils.csv", header, s);
            ADD_FAILURE() << "no ConnectorError";
        } catch (const core::ConnectorError& e) {
            EXPECT_NE(std::string(e.what()).find("save it as CSV with commas"), std::string::npos)
                << e.what();
        }
    }
}

TEST(TeacherCentreParser, FileFailingHalfWayLeavesTheSnapshotAlone) {
    TeacherCentreParser parser;
    core::Snapshot s;
    EXPECT_THROW(parser.parse(TcFileKind::Pupils, "pupils.csv",
                              "Pupil ID,Legal Forename,Legal Surname\n1,A,B\n2,\"C,D\n", s),
                 core::ConnectorError);
    EXPECT_TRUE(s.persons.empty());
    EXPECT_TRUE(s.files.empty());
    // The same kind may be parsed again after a failure.
    parser.parse(TcFileKind::Pupils, "pupils.csv", "Pupil ID,Legal Forename,Legal Surname\n1,A,B\n",
                 s);
    EXPECT_EQ(s.persons.size(), 1u);
    EXPECT_THROW(parser.parse(TcFileKind::Pupils, "pupils.csv", "x\n", s), std::logic_error);
}

// The groups and memberships of a groups file that failed half-way are forgotten with it, so
// that reading it again defines its groups afresh (RecordAssembler::forgetGroups).
TEST(TeacherCentreParser, GroupsFileFailingHalfWayIsReadAgainFromTheStart) {
    TeacherCentreParser parser;
    core::Snapshot s;
    parser.parse(TcFileKind::Pupils, "pupils.csv", "Pupil ID,Legal Forename,Legal Surname\n1,A,B\n",
                 s);
    parser.parse(TcFileKind::Staff, "staff.csv", kStaffHeader, s);
    const std::string groups = std::string(kGroupsHeader) + "7A,Registration,,7,1,Pupil\n";
    EXPECT_THROW(parser.parse(TcFileKind::Groups, "groups.csv", groups + "7B,\"Class\n", s),
                 core::ConnectorError);
    EXPECT_TRUE(s.groups.empty());
    parser.parse(TcFileKind::Groups, "groups.csv", groups, s);
    ASSERT_EQ(s.groups.size(), 1u);
    EXPECT_EQ(s.groups[0].code, "7A");
    ASSERT_EQ(s.memberships.size(), 1u);
    EXPECT_TRUE(s.rejected.empty());
}

TEST(TeacherCentreParser, RejectsUnusableRecordsNamingFileAndRecord) {
    std::string upnBadCheck = kUpn;
    upnBadCheck[0] = upnBadCheck[0] == 'A' ? 'B' : 'A';
    auto s =
        parseAll(std::string(kPupilsHeader) +
                     // 1 good, 2 no id, 3 no surname, 4 bad UPN, 5 bad date, 6 duplicate id,
                     // 7 bad year, 8 bad status, 9 duplicate UPN
                     kUpn + ",1,,Ann,Jones,,,,,7,,,,\n" + ",,,Ben,Jones,,,,,7,,,,\n" +
                     ",3,,Cai,,,,,,7,,,,\n" + upnBadCheck + ",4,,Dai,Jones,,,,,7,,,,\n" +
                     ",5,,Efa,Jones,,,31/02/2014,,7,,,,\n" + ",1,,Fay,Jones,,,,,7,,,,\n" +
                     ",7,,Gwil,Jones,,,,,Year 17,,,,\n" + ",8,,Huw,Jones,,,,,7,,,,Visitor\n" +
                     kUpn + ",9,,Ian,Jones,,,,,7,,,,\n",
                 std::string(kStaffHeader) + "T1,,,Gwen,,,,,,,\n",
                 std::string(kGroupsHeader) + ",Class,,7,1,Pupil\n" + "7A,Club,,7,1,Pupil\n" +
                     "7A,Class,,7,1,Parent\n" + "7A,Class,,7,4,Pupil\n" + "7A,Class,,7,99,Pupil\n");
    ASSERT_EQ(s.persons.size(), 1u);
    struct Expected {
        const char* code;
        const char* file;
        std::uint32_t record;
    };
    const std::vector<Expected> expected{
        {"missing_id", "pupils.csv", 2},
        {"missing_name", "pupils.csv", 3},
        {"invalid_upn", "pupils.csv", 4},
        {"invalid_date", "pupils.csv", 5},
        {"duplicate_id", "pupils.csv", 6},
        {"invalid_year_group", "pupils.csv", 7},
        {"invalid_enrolment_status", "pupils.csv", 8},
        {"duplicate_upn", "pupils.csv", 9},
        {"missing_name", "staff.csv", 1},
        {"missing_group", "groups.csv", 1},
        {"invalid_group_type", "groups.csv", 2},
        {"invalid_member_type", "groups.csv", 3},
    };
    ASSERT_EQ(s.rejected.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(s.rejected[i].code, expected[i].code) << i;
        EXPECT_EQ(s.rejected[i].file, expected[i].file) << i;
        EXPECT_EQ(s.rejected[i].record, expected[i].record) << i;
    }
    EXPECT_NE(s.rejected[3].message.find("(line 6)"), std::string::npos) << s.rejected[3].message;
    EXPECT_EQ(s.rejected[2].misId, "4");  // who it was about is kept (R15, not R5)
    EXPECT_EQ(s.rejected[2].role, core::Role::Learner);
    // Group row 4 names a rejected pupil (no warning), row 5 an unknown one (a warning).
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0].code, "unknown_member");
    EXPECT_NE(s.warnings[0].message.find("groups.csv record 5"), std::string::npos);
    EXPECT_EQ(s.memberships.size(), 0u);
}

}  // namespace
}  // namespace misync::connectors
