// Scenarios 6 and 7 (R15): unusable records are rejected with errors naming file and record
// while the rest of the school is applied; a file that cannot be read or parsed fails that
// school's run, changes nothing, and leaves the other schools of the same `run` alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;
using testing::UnorderedElementsAre;

constexpr const char* kA = "6612001";
constexpr const char* kB = "6612002";

Student pupil(const char* school, std::string id, int serial, std::string forename,
              std::string surname) {
    return Student{.id = std::move(id),
                   .upn = makeUpn(school, serial),
                   .forename = std::move(forename),
                   .surname = std::move(surname),
                   .year = "Year 7",
                   .reg = "7A",
                   .admissionDate = "2025-09-01"};
}

GroupRow reg7A(std::string id) {
    return GroupRow{.group = "7A", .type = "Registration", .year = "7", .id = std::move(id)};
}

class BadRecordsTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kA, "", ""}});
    }
};

TEST_F(BadRecordsTest, RejectsUnusableRecordsAndAppliesTheRest) {
    SchoolExtract x;
    x.students = {
        pupil(kA, "1001", 1, "Aled", "Jones"),     // 1 good
        pupil(kA, "1002", 2, "Bethan", "Evans"),   // 2 wrong check letter
        pupil(kA, "", 3, "Carwyn", "Hughes"),      // 3 no ID
        pupil(kA, "1004", 4, "Dylan", ""),         // 4 no surname
        pupil(kA, "1005", 5, "Efa", "Roberts"),    // 5 DOB not a date
        pupil(kA, "1006", 6, "Ffion", "Lloyd"),    // 6 good
        pupil(kA, "1007", 7, "Gethin", "Morgan"),  // 7 admission date 30 February
    };
    x.students[1].upn = withWrongCheckLetter(x.students[1].upn);
    x.students[4].dob = "yesterday";
    x.students[6].admissionDate = "2025-02-30";
    x.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen"},
               {.id = "2002", .forename = "", .surname = "Pugh"}};  // 2 no forename
    x.groups = {reg7A("1001"), reg7A("1002"), reg7A("1006")};
    writeSchool(kA, x);

    Result r = misync({"run", "--json", "--as-of", "2025-10-01"});
    EXPECT_EQ(r.status, 0) << r.err;
    json::value out = parseJson(r.out);
    const json::object run = runOf(out, kA);
    EXPECT_EQ(str(run, "outcome"), "applied");
    EXPECT_EQ(countOf(run, "rejected"), 6);
    EXPECT_EQ(countOf(run, "create"), 3);

    std::set<std::pair<std::string, std::int64_t>> where;
    std::map<std::int64_t, std::string> studentCodes;
    for (const auto& e : run.at("errors").as_array()) {
        EXPECT_FALSE(str(e, "code").empty()) << json::serialize(e);
        EXPECT_FALSE(str(e, "message").empty()) << json::serialize(e);
        where.insert({str(e, "file"), num(e, "record")});
        if (str(e, "file") == "students.xml") {
            studentCodes[num(e, "record")] = str(e, "code");
        }
    }
    EXPECT_EQ(where, (std::set<std::pair<std::string, std::int64_t>>{{"students.xml", 2},
                                                                     {"students.xml", 3},
                                                                     {"students.xml", 4},
                                                                     {"students.xml", 5},
                                                                     {"students.xml", 7},
                                                                     {"staff.xml", 2}}));
    EXPECT_EQ(studentCodes[2], "invalid_upn");  // the code SPEC §8 shows

    json::array all = accounts();
    std::set<std::string> ids;
    for (const auto& a : all) {
        ids.insert(str(a, "mis_id"));
    }
    EXPECT_THAT(ids, UnorderedElementsAre("1001", "1006", "2001"));
    auto reg = groupOf(groups(), kA, "7A");
    ASSERT_TRUE(reg);
    EXPECT_THAT(membersOf(*reg), UnorderedElementsAre("jonesa", "lloydf"));

    // The run record keeps the errors.
    Result shown = misync({"show-run", std::to_string(num(run, "run_id")), "--json"});
    ASSERT_EQ(shown.status, 0);
    EXPECT_EQ(parseJson(shown.out).at("errors"), run.at("errors"));
    // The human summary names file and record too.
    Result text = misync({"show-run", std::to_string(num(run, "run_id"))});
    EXPECT_THAT(text.out, HasSubstr("students.xml record 2"));
}

// A learner whose record turns unusable is still in the extract: R15 rejects the record, it
// does not make the learner a leaver by absence (R5).
TEST_F(BadRecordsTest, RejectedRecordOfAnExistingLearnerDoesNotDeactivate) {
    SchoolExtract x;
    x.students = {pupil(kA, "1001", 1, "Aled", "Jones"), pupil(kA, "1002", 2, "Bethan", "Evans")};
    writeSchool(kA, x);
    runJson("2025-10-01");
    x.students[0].dob = "31/31/2013";
    writeSchool(kA, x);
    const json::object run = runOf(runJson("2025-10-02"), kA);
    EXPECT_EQ(countOf(run, "rejected"), 1);
    EXPECT_EQ(countOf(run, "deactivate"), 0);
    EXPECT_EQ(countOf(run, "membership_remove"), 0);
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1001"), "status"), "active");
}

// Issue 7: text that is not valid UTF-8, or a 20 MB forename, rejects that record naming file,
// record and field; nothing of it is stored, and an existing learner behind it stays active.
TEST_F(BadRecordsTest, InvalidUtf8AndHugeFieldsRejectTheRecordNamingIt) {
    SchoolExtract x;
    x.students = {pupil(kA, "1001", 1, "Aled", "Jones"), pupil(kA, "1002", 2, "Bethan", "Evans"),
                  pupil(kA, "1003", 3, "Cai", "Parry")};
    writeSchool(kA, x);
    runJson("2025-10-01");
    x.students[0].forename =
        "Al\xE9"
        "d";  // Latin-1, not UTF-8
    x.students[2].surname = std::string(20 << 20, 'P');
    x.students.push_back(pupil(kA, "1004", 4, "Si\xE2n", "Morgan"));  // a new learner
    writeSchool(kA, x);
    const json::object run = runOf(runJson("2025-10-02"), kA);
    EXPECT_EQ(countOf(run, "rejected"), 3);
    EXPECT_EQ(countOf(run, "create"), 0);
    EXPECT_EQ(countOf(run, "deactivate"), 0);
    std::set<std::string> messages;
    for (const auto& e : run.at("errors").as_array()) {
        EXPECT_EQ(str(e, "file"), "students.xml");
        messages.insert(str(e, "code") + " " + std::to_string(num(e, "record")) + " " +
                        str(e, "message"));
    }
    EXPECT_THAT(
        messages,
        UnorderedElementsAre(
            "invalid_text 1 field 'legal_forename' is not valid UTF-8 (byte 0xE9 at offset 2)",
            "field_too_long 3 field 'legal_surname' is 20971520 bytes long; at most 256",
            "invalid_text 4 field 'legal_forename' is not valid UTF-8 (byte 0xE2 at offset 2)"));
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1001"), "status"), "active");
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1001"), "legal_forename"), "Aled");
    EXPECT_EQ(str(*byMisId(accounts(), kA, "1003"), "status"), "active");
    EXPECT_FALSE(byMisId(accounts(), kA, "1004"));
}

// ---- Scenario 7 ----

enum class Breakage { Truncated, Garbage, Missing };

const char* nameOf(Breakage b) {
    switch (b) {
        case Breakage::Truncated:
            return "Truncated";
        case Breakage::Garbage:
            return "Garbage";
        case Breakage::Missing:
            return "Missing";
    }
    return "Unknown";
}

void PrintTo(Breakage b, std::ostream* os) {
    *os << nameOf(b);
}

class BrokenFileTest : public E2eTest, public testing::WithParamInterface<Breakage> {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kA, "", ""}, {kB, "", ""}});
    }
};

TEST_P(BrokenFileTest, FailsThatSchoolOnlyAndChangesNothing) {
    SchoolExtract a;
    a.students = {pupil(kA, "1001", 1, "Aled", "Jones"), pupil(kA, "1002", 2, "Bethan", "Evans")};
    a.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen"}};
    a.groups = {reg7A("1001"), reg7A("1002")};
    SchoolExtract b;
    b.students = {pupil(kB, "3001", 1, "Iolo", "Rhys")};
    writeSchool(kA, a);
    writeSchool(kB, b);
    runJson("2025-10-01");
    const json::array accountsBefore = accounts();
    const json::array groupsBefore = groups();
    const std::size_t historyBefore = history(kA).size();

    // Day 2: A's extract has changes (a leaver, a joiner, a new teacher) but one file is
    // broken; B has a joiner.
    a.students = {pupil(kA, "1001", 1, "Aled", "Jones"), pupil(kA, "1003", 3, "Cai", "Parry")};
    a.staff.push_back({.id = "2002", .forename = "Huw", .surname = "Pugh"});
    b.students.push_back(pupil(kB, "3002", 2, "Jac", "Lewis"));
    writeSchool(kA, a);
    writeSchool(kB, b);
    std::string broken = "students.xml";
    switch (GetParam()) {
        case Breakage::Truncated: {
            std::string xml = studentsXml(a.students);
            writeFile(schoolDir(kA) / "students.xml", xml.substr(0, xml.size() * 2 / 3));
            break;
        }
        case Breakage::Garbage:
            writeFile(schoolDir(kA) / "students.xml", "ID,UPN,Surname\n1001,garbage,Jones\n");
            break;
        case Breakage::Missing:
            broken = "staff.xml";
            fs::remove(schoolDir(kA) / "staff.xml");
            break;
    }

    Result r = misync({"run", "--json", "--as-of", "2025-10-02"});
    EXPECT_EQ(r.status, 1) << r.err;
    json::value out = parseJson(r.out);
    const json::object runA = runOf(out, kA);
    EXPECT_EQ(str(runA, "outcome"), "failed");
    EXPECT_EQ(totalCounts(runA), 0);
    EXPECT_TRUE(runA.at("actions").as_array().empty());
    ASSERT_FALSE(runA.at("errors").as_array().empty());
    const auto& first = runA.at("errors").as_array().front();
    EXPECT_EQ(str(first, "file"), broken) << json::serialize(runA.at("errors"));
    EXPECT_TRUE(first.as_object().at("record").is_null());
    EXPECT_NE(str(first, "message").find(broken), std::string::npos);

    // B was applied in the same command.
    const json::object runB = runOf(out, kB);
    EXPECT_EQ(str(runB, "outcome"), "applied");
    EXPECT_EQ(countOf(runB, "create"), 1);

    // A's part of the directory is exactly as before.
    json::array after = accounts();
    json::array onlyA;
    for (const auto& acc : after) {
        if (str(acc, "school") == kA) {
            onlyA.push_back(acc);
        }
    }
    json::array beforeA;
    for (const auto& acc : accountsBefore) {
        if (str(acc, "school") == kA) {
            beforeA.push_back(acc);
        }
    }
    EXPECT_EQ(json::serialize(onlyA), json::serialize(beforeA));
    EXPECT_EQ(after.size(), accountsBefore.size() + 1);
    json::array groupsAfter = groups({"--school", kA});
    json::array groupsBeforeA;
    for (const auto& g : groupsBefore) {
        if (str(g, "school") == kA) {
            groupsBeforeA.push_back(g);
        }
    }
    EXPECT_EQ(json::serialize(groupsAfter), json::serialize(groupsBeforeA));

    // The failed run is recorded (S1, S2).
    json::array hist = history(kA);
    ASSERT_EQ(hist.size(), historyBefore + 1);
    EXPECT_EQ(str(hist[0], "outcome"), "failed");
}

INSTANTIATE_TEST_SUITE_P(E2e, BrokenFileTest,
                         testing::Values(Breakage::Truncated, Breakage::Garbage, Breakage::Missing),
                         [](const testing::TestParamInfo<Breakage>& p) { return nameOf(p.param); });

}  // namespace
}  // namespace misync::e2e
