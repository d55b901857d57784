// The OneRoster 1.1 connector's parsing and per-school reading (SPEC §6.3), on sets held in
// memory: the manifest and its typos, columns by header name, orgs and `org =`, UPN-shaped
// identifiers, grades, enabledUser=false, homeroom and scheduled classes, enrollments, delta
// files and the shared parse (RosterCache).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "connectors/oneroster/manifest.h"
#include "connectors/oneroster/oneroster.h"
#include "connectors/oneroster/roster_school.h"
#include "core/errors.h"

namespace misync::connectors::oneroster {
namespace {

using testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kBulkManifest =
    "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\n"
    "file.users,bulk\nfile.classes,bulk\nfile.enrollments,bulk\nfile.courses,absent\n";
constexpr const char* kOrgs =
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "la1,,,Cyngor,district,,\no1,,,Ysgol C,school,6620001,la1\n"
    "o2,,,Ysgol D,school,ORG-77,la1\nd1,,,Adran Gymraeg,department,,o1\n";
constexpr const char* kUsersHeader =
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
    "password\n";
constexpr const char* kClasses =
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
    "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
    "c1,,,7 Maths,07,,7A/Ma1,scheduled,,o1,,Maths,\"Ma,Mx\",\n"
    "c2,,,7A,07,,7A,homeroom,,o1,,,,\n"
    "c3,,,Clwb,07,,CLWB,ext:club,,o1,,,,\n"
    "c9,,,8B,08,,8B,homeroom,,o2,,,,\n";
constexpr const char* kEnrollmentsHeader =
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
    "primary,beginDate,endDate\n";

std::string user(const std::string& id, const std::string& orgs, const std::string& role,
                 const std::string& given, const std::string& family,
                 const std::string& identifier = "", const std::string& grades = "07",
                 const std::string& enabled = "true", const std::string& status = "") {
    return id + "," + status + ",," + enabled + ",\"" + orgs + "\"," + role + ",,," + given + "," +
           family + ",," + identifier + ",,,,," + grades + ",\n";
}

std::string enrollment(const std::string& id, const std::string& cls, const std::string& who,
                       const std::string& role = "student", const std::string& status = "",
                       const std::string& end = "") {
    return id + "," + status + ",," + cls + ",o1," + who + "," + role + ",,," + end + "\n";
}

RawSet rawSet(const std::map<std::string, std::string>& files) {
    RawSet raw;
    raw.newest = fs::file_time_type::clock::now();  // the extract time: e8 ended before it
    const std::array<std::string, kSetFiles> names{"manifest.csv", "orgs.csv", "users.csv",
                                                   "classes.csv", "enrollments.csv"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (auto it = files.find(names[i]); it != files.end()) {
            raw.files[i] = RawFile{names[i], "set/" + names[i], it->second};
        }
    }
    return raw;
}

std::string defaultUsers() {
    return std::string(kUsersHeader) +
           user("u1", "o1", "student", "Mabli", "Pritchard", "W662000112001") +
           user("u2", "o1", "student", "Twm", "Watkins", "pupil-2", "KG") +
           user("u3", "d1", "student", "Efa", "Pugh", "Z662000112003", "PK") +
           user("u4", "o1", "student", "Jac", "Parry", "N662000112004", "07", "false") +
           user("p1", "o1", "parent", "Mam", "Pritchard") +
           user("t1", "o1,o2", "teacher", "Catrin", "Lloyd", "T001", "") +
           user("u5", "o2", "student", "Anwen", "Bevan", "Q663000212005", "08");
}

std::string defaultEnrollments() {
    return std::string(kEnrollmentsHeader) + enrollment("e1", "c1", "u1") +
           enrollment("e2", "c1", "u2") + enrollment("e3", "c2", "u1") +
           enrollment("e4", "c2", "u3") + enrollment("e5", "c1", "t1", "teacher") +
           enrollment("e6", "c1", "ghost") + enrollment("e7", "c1", "u4") +
           enrollment("e8", "c1", "u3", "student", "", "2020-01-01");
}

RosterSet bulkSet() {
    return buildRosterSet(rawSet({{"manifest.csv", kBulkManifest},
                                  {"orgs.csv", kOrgs},
                                  {"users.csv", defaultUsers()},
                                  {"classes.csv", kClasses},
                                  {"enrollments.csv", defaultEnrollments()}}));
}

SchoolSource school(const std::string& dfes, const std::string& org = "") {
    SchoolSource s;
    s.dfes = dfes;
    s.source = "set";
    s.org = org;
    return s;
}

const core::Person* person(const core::Snapshot& s, const std::string& id) {
    for (const auto& p : s.persons) {
        if (p.misId == id) {
            return &p;
        }
    }
    return nullptr;
}

bool hasWarning(const core::Snapshot& s, const std::string& code) {
    for (const auto& w : s.warnings) {
        if (w.code == code) {
            return true;
        }
    }
    return false;
}

TEST(OneRosterManifest, ReadsModesAndForgivesSpellings) {
    const Manifest m = parseManifest(
        "PropertyName,Value\r\nfile.Orgs.csv, Bulk \r\nfile.Enrolments,delta\r\nfile.users,"
        "absent\r\nfile.demographics,whatever\r\n",
        "manifest.csv", "set/manifest.csv");
    EXPECT_EQ(m[FileKind::Orgs], Mode::Bulk);
    EXPECT_EQ(m[FileKind::Enrollments], Mode::Delta);
    EXPECT_EQ(m[FileKind::Users], Mode::Absent);
    EXPECT_FALSE(m[FileKind::Classes].has_value());
    EXPECT_EQ(m.notes.size(), 2u);  // "file.Orgs.csv" and "file.Enrolments"
}

TEST(OneRosterManifest, UnknownModeOfAFileMisyncReadsIsAnErrorNamingTheRecord) {
    try {
        parseManifest("propertyName,value\nfile.orgs,bulk\nfile.users,bluk\n", "manifest.csv",
                      "set/manifest.csv");
        FAIL() << "no error";
    } catch (const core::ConnectorError& e) {
        EXPECT_THAT(e.what(), HasSubstr("set/manifest.csv record 2"));
        EXPECT_THAT(e.what(), HasSubstr("'bluk', not bulk, delta or absent"));
    }
    EXPECT_THROW(parseManifest("name,value\nfile.users,bulk\n", "manifest.csv", "m"),
                 core::ConnectorError);
    EXPECT_THROW(parseManifest("propertyName,value\nfile.users,bulk\nfile.user,delta\n",
                               "manifest.csv", "m"),
                 core::ConnectorError);
}

TEST(OneRosterSchool, ReadsTheSchoolsUsersClassesAndEnrollments) {
    const RosterSet set = bulkSet();
    const core::Snapshot s = schoolSnapshot(set, school("6620001"));
    EXPECT_TRUE(s.complete);
    EXPECT_EQ(s.groupCoverage, core::Coverage::Roll);
    EXPECT_EQ(s.membershipCoverage, core::Coverage::Roll);
    ASSERT_EQ(s.persons.size(), 4u);  // u1, u2, u3 (a department of o1), t1; not p1 or u5
    const core::Person* mabli = person(s, "u1");
    ASSERT_NE(mabli, nullptr);
    EXPECT_EQ(mabli->upn, "W662000112001");
    EXPECT_EQ(mabli->yearGroup, "7");
    EXPECT_EQ(mabli->regGroup, "7A");     // the homeroom class
    EXPECT_EQ(person(s, "u2")->upn, "");  // not a UPN's shape: matched by school and sourcedId
    EXPECT_EQ(person(s, "u2")->yearGroup, "R");
    EXPECT_EQ(person(s, "u3")->yearGroup, "N2");
    EXPECT_EQ(person(s, "t1")->role, core::Role::Staff);
    EXPECT_EQ(person(s, "t1")->staffRole, "teacher");
    EXPECT_EQ(person(s, "u4"), nullptr);  // enabledUser=false: not on roll
    ASSERT_EQ(s.departures.size(), 1u);
    EXPECT_EQ(s.departures[0].misId, "u4");
    EXPECT_EQ(s.departures[0].upn, "N662000112004");
    ASSERT_EQ(s.groups.size(), 2u);  // c3's classType is neither homeroom nor scheduled
    EXPECT_EQ(s.groups[0].code, "7A/Ma1");
    EXPECT_EQ(s.groups[0].type, core::GroupType::Class);
    EXPECT_EQ(s.groups[0].subject, "Ma");
    EXPECT_EQ(s.groups[0].yearGroup, "7");
    EXPECT_EQ(s.groups[1].type, core::GroupType::Registration);
    // e1, e2, e3, e4, e5; not the ghost (a warning), the disabled u4 or the ended e8.
    EXPECT_EQ(s.memberships.size(), 5u);
    EXPECT_TRUE(hasWarning(s, "unknown_member"));
    EXPECT_TRUE(hasWarning(s, "unknown_class_type"));
}

TEST(OneRosterSchool, OrgSettingFindsASchoolWhoseIdentifierIsNotItsNumber) {
    const RosterSet set = bulkSet();
    EXPECT_THROW(schoolSnapshot(set, school("6630002")), core::ConnectorError);  // S5
    for (const char* org : {"o2", "ORG-77"}) {
        const core::Snapshot s = schoolSnapshot(set, school("6630002", org));
        ASSERT_EQ(s.persons.size(), 2u) << org;  // u5 and t1, who teaches at both
        EXPECT_NE(person(s, "u5"), nullptr);
        EXPECT_EQ(s.groups.size(), 1u);
    }
}

TEST(OneRosterSchool, S5ErrorNamesOrgsAndTheSchool) {
    const RosterSet set = bulkSet();
    try {
        schoolSnapshot(set, school("6699999"));
        FAIL();
    } catch (const core::ConnectorError& e) {
        EXPECT_THAT(e.what(), HasSubstr("orgs.csv"));
        EXPECT_THAT(e.what(), HasSubstr("6699999"));
        EXPECT_THAT(e.what(), HasSubstr("org ="));
    }
}

TEST(OneRosterSchool, WrongCheckLetterOfAUpnShapedIdentifierRejectsTheRecord) {
    const RosterSet set = buildRosterSet(
        rawSet({{"manifest.csv", kBulkManifest},
                {"orgs.csv", kOrgs},
                {"users.csv", std::string(kUsersHeader) + user("u1", "o1", "student", "Mabli",
                                                               "Pritchard", "A662000112001")},
                {"classes.csv", kClasses},
                {"enrollments.csv", kEnrollmentsHeader}}));
    const core::Snapshot s = schoolSnapshot(set, school("6620001"));
    EXPECT_TRUE(s.persons.empty());
    ASSERT_EQ(s.rejected.size(), 1u);
    EXPECT_EQ(s.rejected[0].code, "invalid_upn");
    EXPECT_EQ(s.rejected[0].file, "users.csv");
    EXPECT_EQ(s.rejected[0].record, 1u);
    EXPECT_EQ(s.rejected[0].misId, "u1");
}

TEST(OneRosterSet, MissingColumnTheRunNeedsIsNamed) {
    try {
        buildRosterSet(rawSet({{"manifest.csv", kBulkManifest},
                               {"orgs.csv", kOrgs},
                               {"users.csv",
                                "sourcedId,orgSourcedIds,role,givenName\nu1,o1,"
                                "student,Mabli\n"},
                               {"classes.csv", kClasses},
                               {"enrollments.csv", kEnrollmentsHeader}}));
        FAIL();
    } catch (const core::ConnectorError& e) {
        EXPECT_THAT(e.what(), HasSubstr("set/users.csv: required column 'familyName'"));
        EXPECT_THAT(e.what(), HasSubstr("the header has: sourcedId, orgSourcedIds"));
    }
}

TEST(OneRosterSet, ListedFileMissingFromTheSetFails) {
    EXPECT_THROW(buildRosterSet(rawSet({{"manifest.csv", kBulkManifest}, {"orgs.csv", kOrgs}})),
                 core::ConnectorError);
}

TEST(OneRosterSet, QuirksOfRealExports) {
    // No manifest; columns in another order, every field quoted, CRLF and a byte-order mark,
    // older names (userId, agents), extension columns, a fields mapping for a D/M/YYYY date.
    const std::string users =
        "\xEF\xBB\xBF\"familyName\",\"givenName\",\"metadata.dob\",\"role\",\"orgSourcedIds\","
        "\"sourcedId\",\"userId\",\"agents\",\"ext_house\",\"identifier\",\"grades\"\r\n"
        "\"O'Brien, Jr\",\"Siân\",\"3/2/2014\",\"Student\",\"o1\",\"u1\",\"x\",\"\",\"Coch\","
        "\"W662000112001\",\"7\"\r\n";
    const RosterSet set = buildRosterSet(rawSet({{"orgs.csv", kOrgs}, {"users.csv", users}}));
    EXPECT_EQ(set.mode(FileKind::Users), Mode::Bulk);
    EXPECT_EQ(set.mode(FileKind::Classes), Mode::Absent);
    SchoolSource src = school("6620001");
    src.fields["dob"] = "metadata.dob";
    const core::Snapshot s = schoolSnapshot(set, src);
    ASSERT_EQ(s.persons.size(), 1u) << (s.rejected.empty() ? "" : s.rejected[0].message);
    EXPECT_EQ(s.persons[0].legalSurname, "O'Brien, Jr");
    EXPECT_EQ(s.persons[0].legalForename, "Siân");
    ASSERT_TRUE(s.persons[0].dob);
    EXPECT_EQ(s.persons[0].dob->toString(), "2014-02-03");
    EXPECT_EQ(s.groupCoverage, core::Coverage::None);
    EXPECT_EQ(s.membershipCoverage, core::Coverage::None);
    EXPECT_TRUE(hasWarning(s, "no_manifest"));
    src.fields["gender"] = "metadata.gender";
    EXPECT_THROW(schoolSnapshot(set, src), core::ConnectorError);  // names the column
}

TEST(OneRosterSet, DeltaFilesArePartialAndNameWhatEnds) {
    const std::string manifest =
        "propertyName,value\nfile.orgs,absent\nfile.users,delta\nfile.classes,delta\n"
        "file.enrollments,delta\n";
    const std::string users = std::string(kUsersHeader) +
                              user("u1", "o1", "student", "", "", "", "", "true", "tobedeleted") +
                              user("u8", "o1", "student", "Nia", "Lewis", "F662000112007") +
                              "u9,tobedeleted,2025-10-02,,,,,,,,,,,,,,,\n";  // no org, no role
    const std::string classes =
        "sourcedId,status,title,classCode,classType,schoolSourcedId\n"
        "c2,,7A,7A,homeroom,o1\nc5,tobedeleted,Old,OLD,scheduled,o1\n";
    const std::string enrollments = std::string(kEnrollmentsHeader) + enrollment("e9", "c2", "u8") +
                                    enrollment("e4", "c2", "u3", "student", "tobedeleted") +
                                    enrollment("e10", "c2", "u2") + enrollment("e11", "c1", "u2");
    const RosterSet set = buildRosterSet(rawSet({{"manifest.csv", manifest},
                                                 {"users.csv", users},
                                                 {"classes.csv", classes},
                                                 {"enrollments.csv", enrollments}}));
    EXPECT_THROW(schoolSnapshot(set, school("6620001")), core::ConnectorError);  // no orgs.csv
    const core::Snapshot s = schoolSnapshot(set, school("6620001", "o1"));
    EXPECT_FALSE(s.complete);
    EXPECT_EQ(s.groupCoverage, core::Coverage::Changes);
    EXPECT_EQ(s.membershipCoverage, core::Coverage::Changes);
    // u1, and u9 as a learner and as staff: a bare row says only that the id has left.
    ASSERT_EQ(s.departures.size(), 3u);
    EXPECT_EQ(s.departures[0].misId, "u1");
    EXPECT_EQ(s.departures[1].misId, "u9");
    EXPECT_EQ(s.departures[1].role, core::Role::Learner);
    EXPECT_EQ(s.departures[2].role, core::Role::Staff);
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].regGroup, "7A");
    EXPECT_EQ(s.removedGroups, std::vector<std::string>{"OLD"});
    ASSERT_EQ(s.removedMemberships.size(), 1u);
    EXPECT_EQ(s.removedMemberships[0].memberMisId, "u3");
    // u8 (listed) and u2 (not listed: the directory's account) join 7A; c1 is not in the delta.
    ASSERT_EQ(s.memberships.size(), 2u);
    EXPECT_TRUE(hasWarning(s, "unknown_class"));
}

TEST(OneRosterGrades, MapToYearGroups) {
    EXPECT_EQ(gradeYear("PK"), "N2");
    EXPECT_EQ(gradeYear("kg"), "R");
    EXPECT_EQ(gradeYear("07"), "07");
    EXPECT_EQ(gradeYear("09,10"), "09");
    EXPECT_EQ(gradeYear("UG"), "");
    EXPECT_EQ(gradeYear("Other"), "");
    EXPECT_EQ(gradeYear("banana"), "banana");
}

// A set on disk is parsed once for all its schools, even when they ask at once, and again when
// its files change.
TEST(OneRosterCache, SchoolsShareOneParse) {
    const fs::path dir =
        fs::temp_directory_path() / ("oneroster-cache-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name, std::ios::binary) << text;
    };
    write("manifest.csv", kBulkManifest);
    write("orgs.csv", kOrgs);
    write("Users.csv", defaultUsers());
    write("classes.csv", kClasses);
    write("enrollments.csv", defaultEnrollments());
    auto cache = std::make_shared<RosterCache>();
    OneRosterConnector a(cache);
    OneRosterConnector b(cache);
    SchoolSource s1 = school("6620001");
    SchoolSource s2 = school("6630002", "o2");
    s1.source = s2.source = dir.string();
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] { (i % 2 ? a : b).read(i % 2 ? s1 : s2); });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(cache->parses(), 1u);
    const core::Snapshot snap = a.read(s1);
    EXPECT_EQ(snap.persons.size(), 4u);
    EXPECT_EQ(snap.files.size(), 5u);
    EXPECT_EQ(snap.files[2].name, "Users.csv");
    EXPECT_EQ(snap.files[2].records, 6u);  // u1 u2 u3 u4 p1 t1
    EXPECT_EQ(a.digests(s1)->size(), 5u);
    EXPECT_EQ(cache->parses(), 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write("Users.csv",
          std::string(kUsersHeader) + user("u1", "o1", "student", "Mabli", "Pritchard"));
    EXPECT_EQ(a.read(s1).persons.size(), 1u);
    EXPECT_EQ(cache->parses(), 2u);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace misync::connectors::oneroster

namespace misync::connectors::oneroster {
namespace {

TEST(OneRosterSchool, IdentifierWithSeparatorsAndTwoClaimantsOfOneNumber) {
    const std::string orgs =
        "sourcedId,type,identifier,parentSourcedId\nx1,school,662/0001,\nx2,district,6620001,\n";
    const std::string users =
        std::string(kUsersHeader) + user("u1", "x1", "student", "Mabli", "Pritchard");
    const RosterSet set = buildRosterSet(rawSet({{"orgs.csv", orgs}, {"users.csv", users}}));
    EXPECT_EQ(schoolSnapshot(set, school("6620001")).persons.size(), 1u);  // not the district
    const RosterSet two =
        buildRosterSet(rawSet({{"orgs.csv", orgs + "x3,School,6620001,\n"}, {"users.csv", users}}));
    try {
        schoolSnapshot(two, school("6620001"));
        FAIL();
    } catch (const core::ConnectorError& e) {
        EXPECT_THAT(e.what(), HasSubstr("orgs 'x1' and 'x3' both have identifier '6620001'"));
    }
    EXPECT_EQ(schoolSnapshot(two, school("6620001", "x3")).persons.size(), 0u);
}

}  // namespace
}  // namespace misync::connectors::oneroster
