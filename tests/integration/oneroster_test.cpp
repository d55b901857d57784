// The oneroster connector through the real binary (SPEC §6.3, §6, R5, R11, R12, R15, S5): a zip
// with two schools parsed once, `org =`, a delta set after a bulk one (tobedeleted users as
// leavers, enrollments added and ended, unlisted users left alone), enabledUser=false, the
// quirks of real exports, a missing column and a wrong school failing the run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;

constexpr const char* kA = "6620001";
constexpr const char* kB = "6630002";

constexpr const char* kBulkManifest =
    "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,"
    "absent\nfile.orgs,bulk\nfile.users,bulk\nfile.classes,bulk\nfile.enrollments,bulk\n"
    "file.courses,absent\nfile.demographics,absent\n";
constexpr const char* kOrgs =
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "la1,,,Cyngor,district,,\no1,,,Ysgol C,school,6620001,la1\n"
    "o2,,,Ysgol D,school,ORG-77,la1\n";
constexpr const char* kUsersHeader =
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
    "password\n";
constexpr const char* kClasses =
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
    "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
    "c1,,,7 Maths,07,,7A/Ma1,scheduled,,o1,,Maths,Ma,\n"
    "c2,,,7A,07,,7A,homeroom,,o1,,,,\n"
    "c9,,,8B,08,,8B,homeroom,,o2,,,,\n";
constexpr const char* kEnrollmentsHeader =
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
    "primary,beginDate,endDate\n";

std::string user(const std::string& id, const std::string& org, const std::string& role,
                 const std::string& given, const std::string& family,
                 const std::string& identifier = "", const std::string& grades = "07",
                 const std::string& enabled = "true", const std::string& status = "") {
    return id + "," + status + ",," + enabled + "," + org + "," + role + ",,," + given + "," +
           family + ",," + identifier + ",,,,," + grades + ",\n";
}

std::string enrollment(const std::string& id, const std::string& cls, const std::string& who,
                       const std::string& org = "o1", const std::string& role = "student",
                       const std::string& status = "") {
    return id + "," + status + ",," + cls + "," + org + "," + who + "," + role + ",,,\n";
}

class OneRosterTest : public E2eTest {
  protected:
    fs::path setDir() const { return dir() / "mis" / "la-set"; }
    fs::path zipPath() const { return dir() / "mis" / "la-oneroster.zip"; }

    void writeSet(const std::map<std::string, std::string>& files) {
        fs::remove_all(setDir());
        fs::create_directories(setDir());
        for (const auto& [name, text] : files) {
            writeFile(setDir() / name, text);
        }
    }
    // The set as one archive of its files (`zip -j`: no folders inside).
    void zipSet() {
        fs::remove(zipPath());
        std::vector<std::string> args{"-q", "-j", zipPath().string()};
        for (const auto& e : fs::directory_iterator(setDir())) {
            args.push_back(e.path().string());
        }
        Result r = execute("/usr/bin/zip", args);
        ASSERT_EQ(r.status, 0) << r.err;
    }
    std::string bulkUsers() const {
        return std::string(kUsersHeader) +
               user("u1", "o1", "student", "Mabli", "Pritchard", makeUpn(kA, 1)) +
               user("u2", "o1", "student", "Twm", "Watkins", "pupil-2", "KG") +
               user("u3", "o1", "student", "Efa", "Pugh", makeUpn(kA, 3)) +
               user("u4", "o1", "student", "Jac", "Parry", makeUpn(kA, 4)) +
               user("p1", "o1", "parent", "Mam", "Pritchard") +
               user("t1", "\"o1,o2\"", "teacher", "Catrin", "Lloyd", "T001", "") +
               user("u5", "o2", "student", "Anwen", "Bevan", makeUpn(kB, 5), "08");
    }
    std::string bulkEnrollments() const {
        return std::string(kEnrollmentsHeader) + enrollment("e1", "c1", "u1") +
               enrollment("e2", "c1", "u2") + enrollment("e3", "c2", "u1") +
               enrollment("e4", "c2", "u3") + enrollment("e5", "c2", "u2") +
               enrollment("e6", "c1", "t1", "o1", "teacher") + enrollment("e7", "c9", "u5", "o2");
    }
    void writeBulk(const std::string& users, const std::string& enrollments) {
        writeSet({{"manifest.csv", kBulkManifest},
                  {"orgs.csv", kOrgs},
                  {"users.csv", users},
                  {"classes.csv", kClasses},
                  {"enrollments.csv", enrollments},
                  {"courses.csv", "sourcedId,title\nk1,Maths\n"}});
    }
    void configureZip() {
        writeConfig({{.dfes = kA, .connector = "oneroster", .source = zipPath().string()},
                     {.dfes = kB,
                      .extraToml = "org = \"o2\"",
                      .connector = "oneroster",
                      .source = zipPath().string()}});
    }
    void configureFolder(const std::string& extra = "org = \"o1\"") {
        writeConfig({{.dfes = kA,
                      .extraToml = extra,
                      .connector = "oneroster",
                      .source = setDir().string()}});
    }
};

TEST_F(OneRosterTest, ZipWithTwoSchoolsIsParsedOnceAndSyncsBoth) {
    writeBulk(bulkUsers(), bulkEnrollments());
    zipSet();
    configureZip();
    Result r = misync({"run", "--json", "--as-of", "2025-10-01"}, {{"SPDLOG_LEVEL", "info"}});
    ASSERT_EQ(r.status, 0) << r.err;
    const json::value runs = parseJson(r.out);
    const json::object a = runOf(runs, kA);
    const json::object b = runOf(runs, kB);
    EXPECT_EQ(str(a, "outcome"), "applied");
    EXPECT_EQ(str(b, "outcome"), "applied");
    EXPECT_EQ(countOf(a, "rejected"), 0) << json::serialize(a.at("errors"));
    EXPECT_EQ(countOf(a, "create"), 5);  // u1–u4 and the teacher; never the parent
    EXPECT_EQ(countOf(b, "create"), 2);  // u5 and the teacher, who has an account at each
    // One parse for both schools (the set is shared, not read per school).
    std::size_t parses = 0;
    for (std::size_t at = r.err.find("oneroster: parsed"); at != std::string::npos;
         at = r.err.find("oneroster: parsed", at + 1)) {
        ++parses;
    }
    EXPECT_EQ(parses, 1u) << r.err;
    // S1: the archive's files with their digests.
    const auto& files = a.at("source").at("files").as_array();
    ASSERT_EQ(files.size(), 5u) << json::serialize(files);
    EXPECT_THAT(str(files[2], "name"), HasSubstr("la-oneroster.zip/"));

    const json::array all = accounts();
    auto mabli = byMisId(all, kA, "u1");
    ASSERT_TRUE(mabli);
    EXPECT_EQ(str(*mabli, "upn"), makeUpn(kA, 1));
    EXPECT_EQ(str(*mabli, "year_group"), "7");
    EXPECT_EQ(str(*mabli, "reg_group"), "7A");  // the homeroom class
    auto twm = byMisId(all, kA, "u2");
    ASSERT_TRUE(twm);
    EXPECT_EQ(str(*twm, "upn"), "");  // "pupil-2" is not a UPN: matched by school and id
    EXPECT_EQ(str(*twm, "year_group"), "R");
    EXPECT_FALSE(byMisId(all, kA, "p1"));
    EXPECT_TRUE(byMisId(all, kB, "u5"));
    const json::array gs = groups();
    auto maths = groupOf(gs, kA, "7A/Ma1");
    ASSERT_TRUE(maths);
    EXPECT_EQ(str(*maths, "type"), "class");
    EXPECT_EQ(str(*maths, "subject"), "Ma");
    EXPECT_EQ(membersOf(*maths).size(), 3u);  // u1, u2 and the teacher
    auto reg = groupOf(gs, kA, "7A");
    ASSERT_TRUE(reg);
    EXPECT_EQ(membersOf(*reg).size(), 3u);
    EXPECT_TRUE(groupOf(gs, kB, "8B"));

    // R12: the same archive again changes nothing.
    const json::value again = runJson("2025-10-02");
    EXPECT_EQ(totalCounts(runOf(again, kA)), 0) << json::serialize(runOf(again, kA));
    EXPECT_EQ(totalCounts(runOf(again, kB)), 0);
}

TEST_F(OneRosterTest, BulkRollMakesAbsentAndDisabledUsersLeavers) {
    writeBulk(bulkUsers(), bulkEnrollments());
    configureFolder("");
    runJson("2025-10-01");
    // u3 is gone from the next bulk set, u4 is there with enabledUser=false (SPEC §6.3, R5).
    writeBulk(std::string(kUsersHeader) +
                  user("u1", "o1", "student", "Mabli", "Pritchard", makeUpn(kA, 1)) +
                  user("u2", "o1", "student", "Twm", "Watkins", "pupil-2", "KG") +
                  user("u4", "o1", "student", "Jac", "Parry", makeUpn(kA, 4), "07", "false") +
                  user("t1", "\"o1,o2\"", "teacher", "Catrin", "Lloyd", "T001", ""),
              bulkEnrollments());
    const json::object d2 = runOf(runJson("2025-10-02"), kA);
    EXPECT_EQ(countOf(d2, "deactivate"), 2) << json::serialize(d2);
    const json::array all = accounts();
    EXPECT_EQ(str(*byMisId(all, kA, "u3"), "status"), "deactivated");
    EXPECT_EQ(str(*byMisId(all, kA, "u4"), "status"), "deactivated");
    EXPECT_EQ(str(*byMisId(all, kA, "u1"), "status"), "active");
    EXPECT_EQ(membersOf(*groupOf(groups(), kA, "7A")).size(), 2u);  // u3 left the group (R11)
}

TEST_F(OneRosterTest, DeltaSetChangesOnlyWhatItLists) {
    writeBulk(bulkUsers(), bulkEnrollments());
    configureFolder();
    runJson("2025-10-01");
    // The next day's delta: u1 and u4 deleted, u8 new in 7A, u3's homeroom enrollment ended,
    // nothing said about the others; orgs.csv absent (the school is named by org = "o1").
    writeSet(
        {{"manifest.csv",
          "propertyName,value\nfile.orgs,absent\nfile.users,delta\nfile.classes,delta\n"
          "file.enrollments,delta\n"},
         {"users.csv", std::string(kUsersHeader) +
                           "u1,tobedeleted,2025-10-02,,o1,student,,,,,,,,,,,,\n" +
                           "u4,tobedeleted,,,,,,,,,,,,,,,,\n" +  // a bare row: no org, no role
                           user("u8", "o1", "student", "Nia", "Lewis", makeUpn(kA, 8)) +
                           user("u2", "o1", "student", "Twm", "Watkins-Jones", "pupil-2", "KG")},
         {"classes.csv",
          "sourcedId,status,title,classCode,classType,schoolSourcedId\n"
          "c2,,7A,7A,homeroom,o1\n"},
         {"enrollments.csv", std::string(kEnrollmentsHeader) + enrollment("e9", "c2", "u8") +
                                 enrollment("e4", "c2", "u3", "o1", "student", "tobedeleted")}});
    const json::object d2 = runOf(runJson("2025-10-02"), kA);
    EXPECT_EQ(str(d2, "outcome"), "applied") << json::serialize(d2);
    EXPECT_EQ(countOf(d2, "deactivate"), 2);  // u1 and u4
    EXPECT_EQ(countOf(d2, "create"), 1);
    EXPECT_EQ(countOf(d2, "rename"), 1);  // u2, listed without a homeroom enrollment
    const json::array all = accounts();
    EXPECT_EQ(str(*byMisId(all, kA, "u1"), "status"), "deactivated");
    EXPECT_EQ(str(*byMisId(all, kA, "u4"), "status"), "deactivated");
    for (const char* id : {"u2", "u3", "t1"}) {
        EXPECT_EQ(str(*byMisId(all, kA, id), "status"), "active") << id;  // a delta is partial
    }
    auto nia = byMisId(all, kA, "u8");
    ASSERT_TRUE(nia);
    EXPECT_EQ(str(*nia, "reg_group"), "7A");
    // 7A: u2 stays, u8 joins; u1 (left) and u3 (enrollment ended) are no longer members.
    const json::array gs = groups();
    auto reg = groupOf(gs, kA, "7A");
    ASSERT_TRUE(reg);
    EXPECT_EQ(membersOf(*reg).size(), 2u) << json::serialize(*reg);
    // The scheduled class the delta does not mention keeps its members (except the leaver).
    auto maths = groupOf(gs, kA, "7A/Ma1");
    ASSERT_TRUE(maths);
    EXPECT_FALSE(maths->at("archived").as_bool());
    EXPECT_EQ(membersOf(*maths).size(), 2u);
    // u2's registration group stays as the account had it: the delta lists no homeroom
    // enrollment of theirs, so it does not speak of it.
    EXPECT_EQ(str(*byMisId(all, kA, "u2"), "legal_surname"), "Watkins-Jones");
    EXPECT_EQ(str(*byMisId(all, kA, "u2"), "reg_group"), "7A");
    // R12: the same delta again changes nothing.
    EXPECT_EQ(totalCounts(runOf(runJson("2025-10-03"), kA)), 0);
}

// Columns in another order, every field quoted, CRLF and a byte-order mark, no manifest line for
// enrollments (read as bulk, with a warning), the manifest's typos, older and extension columns,
// a D/M/YYYY date through `fields`.
TEST_F(OneRosterTest, QuirksOfRealExports) {
    const std::string upn = makeUpn(kA, 7);
    writeSet({{"manifest.csv",
               "\"propertyName\",\"value\"\r\n\"file.Orgs\",\" Bulk\"\r\n\"file.user\",\"bulk\"\r\n"
               "\"file.classes.csv\",\"BULK\"\r\n"},
              {"orgs.csv", kOrgs},
              {"users.csv",
               "\xEF\xBB\xBF\"familyName\",\"givenName\",\"metadata.dob\",\"role\","
               "\"orgSourcedIds\",\"sourcedId\",\"userId\",\"agents\",\"ext_house\","
               "\"identifier\",\"grades\"\r\n"
               "\"O'Brien, Jr\",\"Siân\",\"3/2/2014\",\"Student\",\"o1\",\"u7\",\"x\",\"\","
               "\"Coch\",\"" +
                   upn + "\",\"7\"\r\n"},
              {"classes.csv", kClasses},
              {"enrollments.csv", std::string(kEnrollmentsHeader) + enrollment("e1", "c2", "u7")}});
    configureFolder("[school.fields]\ndob = \"metadata.dob\"");
    const json::object run = runOf(runJson("2025-10-01"), kA);
    EXPECT_EQ(str(run, "outcome"), "applied");
    EXPECT_EQ(countOf(run, "rejected"), 0) << json::serialize(run.at("errors"));
    bool spelling = false;
    for (const auto& w : run.at("warnings").as_array()) {
        spelling = spelling || str(w, "code") == "manifest_spelling";
    }
    EXPECT_TRUE(spelling) << json::serialize(run.at("warnings"));
    auto p = byUpn(accounts(), upn);
    ASSERT_TRUE(p);
    EXPECT_EQ(str(*p, "legal_surname"), "O'Brien, Jr");
    EXPECT_EQ(str(*p, "legal_forename"), "Siân");
    EXPECT_EQ(str(*p, "dob"), "2014-02-03");
    EXPECT_EQ(str(*p, "reg_group"), "7A");
}

TEST_F(OneRosterTest, MissingColumnTheRunNeedsFailsNamingIt) {
    writeBulk("sourcedId,orgSourcedIds,role,givenName\nu1,o1,student,Mabli\n", kEnrollmentsHeader);
    configureFolder("");
    Result r = misync({"run", "--json", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 1) << r.err;
    const json::object run = runOf(parseJson(r.out), kA);
    EXPECT_EQ(str(run, "outcome"), "failed");
    ASSERT_FALSE(run.at("errors").as_array().empty());
    const auto& first = run.at("errors").as_array().front();
    EXPECT_EQ(str(first, "file"), "users.csv");
    EXPECT_THAT(str(first, "message"), HasSubstr("required column 'familyName'"));
    EXPECT_TRUE(accounts().empty());
}

TEST_F(OneRosterTest, SetWithoutTheSchoolFailsTheRunS5) {
    writeBulk(bulkUsers(), bulkEnrollments());
    writeConfig({{.dfes = "6699999", .connector = "oneroster", .source = setDir().string()}});
    Result r = misync({"run", "--json", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 1) << r.err;
    const json::object run = runOf(parseJson(r.out), "6699999");
    EXPECT_EQ(str(run, "outcome"), "failed");
    const std::string message = str(run.at("errors").as_array().front(), "message");
    EXPECT_THAT(message, HasSubstr("S5"));
    EXPECT_THAT(message, HasSubstr("6699999"));
    EXPECT_THAT(message, HasSubstr("orgs.csv"));
    EXPECT_TRUE(accounts().empty());
}

}  // namespace
}  // namespace misync::e2e
