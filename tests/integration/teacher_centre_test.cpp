// The teacher-centre connector through the real binary (SPEC §6.4, §6 CSV rules, R5, R15):
// a first run, a leaver on the next (complete roll), columns in unusual order, quoted fields,
// CRLF with a byte-order mark, D/M/YYYY dates, `fields` and `files`, a missing column failing
// the run and bad records rejected with file and record number.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;
using testing::UnorderedElementsAre;

constexpr const char* kSchool = "6616003";

constexpr const char* kPupilsHeader =
    "UPN,Pupil ID,Admission Number,Legal Forename,Legal Surname,Preferred Forename,Preferred "
    "Surname,Date of Birth,Gender,Year Group,Registration Group,Admission Date,Leaving "
    "Date,Enrolment Status\n";
constexpr const char* kStaffHeader =
    "Staff ID,Staff Code,Title,Legal Forename,Legal Surname,Preferred Forename,Preferred "
    "Surname,Start Date,Leaving Date,Role,EWC Number\n";
constexpr const char* kGroupsHeader =
    "Group Code,Group Type,Subject Code,Year Group,Member ID,Member Type\n";

std::string pupilRow(int serial, const std::string& id, const std::string& forename,
                     const std::string& surname, const std::string& reg = "7A") {
    return makeUpn(kSchool, serial) + "," + id + ",," + forename + "," + surname +
           ",,,4/5/2014,F,Year 7," + reg + ",1/9/2025,,Single Registration\n";
}

std::set<std::string> activeMisIds(const json::array& all) {
    std::set<std::string> out;
    for (const auto& a : all) {
        if (str(a, "status") == "active") {
            out.insert(str(a, "mis_id"));
        }
    }
    return out;
}

class TeacherCentreTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        configure();
    }
    void configure(const std::string& extra = "") {
        writeConfig({{.dfes = kSchool, .extraToml = extra, .connector = "teacher-centre"}});
    }
    void write(const std::string& pupils, const std::string& staff = kStaffHeader,
               const std::string& groups = kGroupsHeader) {
        writeFile(schoolDir(kSchool) / "pupils.csv", pupils);
        writeFile(schoolDir(kSchool) / "staff.csv", staff);
        writeFile(schoolDir(kSchool) / "groups.csv", groups);
    }
};

TEST_F(TeacherCentreTest, FirstRunCreatesAccountsAndALeaverFollowsOnTheNextRun) {
    write(std::string(kPupilsHeader) + pupilRow(1, "p1", "Aled", "Jones") +
              pupilRow(2, "p2", "Bethan", "Evans") + pupilRow(3, "p3", "Carys", "Hughes"),
          std::string(kStaffHeader) + "s1,GGR,Mrs,Gwen,Griffiths,,,01/09/2010,,Teacher,123456\n",
          std::string(kGroupsHeader) +
              "7A,Registration,,7,p1,Pupil\n7A,Registration,,7,p2,Pupil\n" +
              "7A,Registration,,7,p3,Pupil\n7A,Registration,,7,s1,Staff\n");
    const json::object d1 = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(str(d1, "outcome"), "applied");
    EXPECT_EQ(countOf(d1, "rejected"), 0) << json::serialize(d1.at("errors"));
    EXPECT_EQ(countOf(d1, "create"), 4);
    auto aled = byMisId(accounts(), kSchool, "p1");
    ASSERT_TRUE(aled);
    EXPECT_EQ(str(*aled, "upn"), makeUpn(kSchool, 1));
    EXPECT_EQ(str(*aled, "username"), "jonesa");
    auto reg = groupOf(groups(), kSchool, "7A");
    ASSERT_TRUE(reg);
    EXPECT_EQ(membersOf(*reg).size(), 4u);

    // Carys is absent from the next export: a complete roll by default (SPEC §6, R5).
    write(std::string(kPupilsHeader) + pupilRow(1, "p1", "Aled", "Jones") +
              pupilRow(2, "p2", "Bethan", "Evans"),
          std::string(kStaffHeader) + "s1,GGR,Mrs,Gwen,Griffiths,,,01/09/2010,,Teacher,123456\n",
          std::string(kGroupsHeader) +
              "7A,Registration,,7,p1,Pupil\n7A,Registration,,7,p2,Pupil\n" +
              "7A,Registration,,7,s1,Staff\n");
    const json::object d2 = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(countOf(d2, "deactivate"), 1);
    EXPECT_EQ(str(*byMisId(accounts(), kSchool, "p3"), "status"), "deactivated");
    EXPECT_EQ(activeMisIds(accounts()), (std::set<std::string>{"p1", "p2", "s1"}));

    // A third run over the same files changes nothing (R12).
    const json::object d3 = runOf(runJson("2025-10-03"), kSchool);
    EXPECT_EQ(totalCounts(d3), 0) << json::serialize(d3);
}

TEST_F(TeacherCentreTest, CompleteFalseMakesAbsenceNoLeaver) {
    configure("complete = false");
    write(std::string(kPupilsHeader) + pupilRow(1, "p1", "Aled", "Jones") +
          pupilRow(2, "p2", "Bethan", "Evans"));
    runJson("2025-10-01");
    write(std::string(kPupilsHeader) + pupilRow(1, "p1", "Aled", "Jones"));
    const json::object d2 = runOf(runJson("2025-10-02"), kSchool);
    EXPECT_EQ(countOf(d2, "deactivate"), 0);
    EXPECT_EQ(activeMisIds(accounts()), (std::set<std::string>{"p1", "p2"}));
}

// Columns in an unusual order and spelling, every field quoted, commas, doubled quotes and a
// line break inside fields, CRLF line ends, a byte-order mark, trailing empty header columns, no
// final newline, and dates as D/M/YYYY with one or two digits (SPEC §6).
TEST_F(TeacherCentreTest, NastyButValidCsv) {
    const std::string upn = makeUpn(kSchool, 7);
    write(
        "\xEF\xBB\xBF\"registration_group\",\"LEGAL SURNAME\",\"Pupil ID\",\"Legal Forename\","
        "\"Date Of Birth\",\"Admission Date\",\"year group\",\"upn\",\"\",\"\"\r\n"
        "\"7B\",\"O'Brien, Jr\",\"p7\",\"Siân \"\"Si\"\"\",\"3/2/2014\",\"01/09/2025\","
        "\"7\",\"" +
            upn +
            "\",\"\",\"\"\r\n"
            "\"7B\",\"Lloyd\r\nJones\",\"p8\",\"Ffion\",\"13/12/2013\",\"1/9/2025\",\"Y7\",\"\","
            "\"\",\"\"",
        std::string(kStaffHeader),
        std::string(kGroupsHeader) +
            "\"7B\",\"Registration\",\"\","
            "\"7\",\"p7\",\"pupil\"\r\n");
    const json::object d1 = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(countOf(d1, "rejected"), 0) << json::serialize(d1.at("errors"));
    EXPECT_EQ(countOf(d1, "create"), 2);
    auto p7 = byMisId(accounts(), kSchool, "p7");
    ASSERT_TRUE(p7);
    EXPECT_EQ(str(*p7, "legal_surname"), "O'Brien, Jr");
    EXPECT_EQ(str(*p7, "legal_forename"), "Siân \"Si\"");
    EXPECT_EQ(str(*p7, "upn"), upn);
    EXPECT_EQ(str(*p7, "dob"), "2014-02-03");
    EXPECT_EQ(str(*p7, "year_group"), "7");
    EXPECT_EQ(str(*p7, "reg_group"), "7B");
    auto p8 = byMisId(accounts(), kSchool, "p8");
    ASSERT_TRUE(p8);
    EXPECT_EQ(str(*p8, "dob"), "2013-12-13");
    EXPECT_EQ(str(*p8, "legal_surname"), "Lloyd Jones");  // a line break in a cell is a space
    auto reg = groupOf(groups(), kSchool, "7B");
    ASSERT_TRUE(reg);
    EXPECT_EQ(membersOf(*reg).size(), 1u);
}

// R2/R5 compare D/M/YYYY dates as UK dates: 1/10/2025 is 1 October, not 10 January.
TEST_F(TeacherCentreTest, DmyAdmissionAndLeavingDatesDecideWhoIsOnRoll) {
    write(std::string(kPupilsHeader) + pupilRow(1, "p1", "Aled", "Jones") + makeUpn(kSchool, 2) +
          ",p2,,Bethan,Evans,,,,,7,7A,2/10/2025,,\n" +  // starts 2 Oct
          makeUpn(kSchool, 3) + ",p3,,Carys,Hughes,,,,,7,7A,1/9/2025,5/10/2025,\n");
    const json::object d1 = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(countOf(d1, "create"), 2) << json::serialize(d1);
    EXPECT_EQ(activeMisIds(accounts()), (std::set<std::string>{"p1", "p3"}));
    runJson("2025-10-05");  // Bethan has started, Carys has left (leaving date <= as-of)
    EXPECT_EQ(activeMisIds(accounts()), (std::set<std::string>{"p1", "p2"}));
    EXPECT_EQ(str(*byMisId(accounts(), kSchool, "p3"), "status"), "deactivated");
}

TEST_F(TeacherCentreTest, FieldsAndFilesRemapTheSchoolsOwnNames) {
    configure(
        "[school.fields]\nmis_id = \"Ref\"\nreg_group = \"Form\"\n"
        "[school.files]\npupils = \"Pupils Export.csv\"\n");
    writeFile(schoolDir(kSchool) / "Pupils Export.csv",
              "Ref,Legal Forename,Legal Surname,Form,Admission Date\n"
              "r1,Aled,Jones,7C,2025-09-01\n");
    writeFile(schoolDir(kSchool) / "staff.csv", kStaffHeader);
    writeFile(schoolDir(kSchool) / "groups.csv", kGroupsHeader);
    const json::object d1 = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(countOf(d1, "create"), 1) << json::serialize(d1);
    auto a = byMisId(accounts(), kSchool, "r1");
    ASSERT_TRUE(a);
    EXPECT_EQ(str(*a, "reg_group"), "7C");
}

TEST_F(TeacherCentreTest, MissingRequiredColumnFailsTheRunNamingFileAndColumn) {
    write("UPN,Pupil ID,Legal Forename\n,p1,Aled\n");
    Result r = misync({"run", "--json", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 1) << r.err;
    const json::object run = runOf(parseJson(r.out), kSchool);
    EXPECT_EQ(str(run, "outcome"), "failed");
    EXPECT_EQ(totalCounts(run), 0);
    ASSERT_FALSE(run.at("errors").as_array().empty());
    const auto& first = run.at("errors").as_array().front();
    EXPECT_EQ(str(first, "file"), "pupils.csv");
    EXPECT_THAT(str(first, "message"), HasSubstr("Legal Surname"));
    EXPECT_THAT(str(first, "message"), HasSubstr("pupils.csv"));
    EXPECT_TRUE(accounts().empty());
}

TEST_F(TeacherCentreTest, MalformedCsvFailsTheRun) {
    write(std::string(kPupilsHeader) + pupilRow(1, "p1", "Aled", "Jones") +
          "\"unterminated,p2,,Bethan,Evans\n");
    Result r = misync({"run", "--json", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 1) << r.err;
    const json::object run = runOf(parseJson(r.out), kSchool);
    EXPECT_EQ(str(run, "outcome"), "failed");
    EXPECT_THAT(str(run.at("errors").as_array().front(), "message"), HasSubstr("line 3"));
    EXPECT_TRUE(accounts().empty());
}

TEST_F(TeacherCentreTest, BadRecordsAreRejectedWithFileAndRecordNumber) {
    std::string badUpn = withWrongCheckLetter(makeUpn(kSchool, 2));
    write(std::string(kPupilsHeader) + pupilRow(1, "p1", "Aled", "Jones") +  // 1 good
              badUpn + ",p2,,Bethan,Evans,,,,,7,7A,1/9/2025,,\n" +           // 2 bad UPN
              ",,,Carys,Hughes,,,,,7,7A,1/9/2025,,\n" +                      // 3 no id
              ",p4,,Dylan,,,,,,7,7A,1/9/2025,,\n" +                          // 4 no surname
              ",p5,,Efa,Roberts,,,32/1/2014,,7,7A,1/9/2025,,\n" +            // 5 bad date
              pupilRow(6, "p6", "Ffion", "Lloyd"),                           // 6 good
          std::string(kStaffHeader) + "s1,,,Gwen,Owen,,,1/9/2010,,Teacher,\n" +
              "s2,,,,Pugh,,,1/9/2010,,Teacher,\n");  // staff 2 no forename
    const json::object run = runOf(runJson("2025-10-01"), kSchool);
    EXPECT_EQ(str(run, "outcome"), "applied");
    EXPECT_EQ(countOf(run, "rejected"), 5);
    EXPECT_EQ(countOf(run, "create"), 3);
    std::set<std::pair<std::string, std::int64_t>> where;
    std::map<std::int64_t, std::string> codes;
    for (const auto& e : run.at("errors").as_array()) {
        where.insert({str(e, "file"), num(e, "record")});
        if (str(e, "file") == "pupils.csv") {
            codes[num(e, "record")] = str(e, "code");
        }
    }
    EXPECT_EQ(where, (std::set<std::pair<std::string, std::int64_t>>{{"pupils.csv", 2},
                                                                     {"pupils.csv", 3},
                                                                     {"pupils.csv", 4},
                                                                     {"pupils.csv", 5},
                                                                     {"staff.csv", 2}}));
    EXPECT_EQ(codes[2], "invalid_upn");
    EXPECT_EQ(codes[3], "missing_id");
    EXPECT_EQ(codes[4], "missing_name");
    EXPECT_EQ(codes[5], "invalid_date");
    EXPECT_EQ(activeMisIds(accounts()), (std::set<std::string>{"p1", "p6", "s1"}));
    Result text = misync({"show-run", std::to_string(num(run, "run_id"))});
    EXPECT_THAT(text.out, HasSubstr("pupils.csv record 2"));
}

}  // namespace
}  // namespace misync::e2e
