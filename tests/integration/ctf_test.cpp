// The ctf connector through the binary (SPEC §6.2): a school's own CTFs (a partial roll unless
// complete = true), newest file per UPN, a wrong-school file (S5), incoming transfers with and
// without `incoming = true` (R7: the Year 6 account moves to the secondary on day one), and a
// refused DOCTYPE.
#include <gtest/gtest.h>

#include "e2e_fixture.h"
#include "tests/unit/connectors/ctf_test_util.h"

namespace misync::e2e {
namespace {

using connectors::testing::CtfPupil;
using connectors::testing::ctfXml;
using connectors::testing::historyEntry;
using connectors::testing::pupilXml;

constexpr const char* kPrimary = "6612100";    // sims-xml
constexpr const char* kSecondary = "6618004";  // ctf
constexpr const char* kStray = "6619999";

const std::string kAlys = makeUpn(kSecondary, 1, 14);
const std::string kBryn = makeUpn(kSecondary, 2, 14);
const std::string kCeri = makeUpn(kSecondary, 3, 14);
const std::string kMali = makeUpn(kPrimary, 60, 15);  // the primary's Year 6

SchoolConfig secondary(std::string extraToml = "") {
    return SchoolConfig{kSecondary, "Ysgol Uwchradd", std::move(extraToml), "ctf"};
}

std::optional<json::object> only(const json::array& all, const std::string& upn) {
    std::optional<json::object> found;
    int n = 0;
    for (const auto& a : all) {
        if (str(a, "upn") == upn) {
            found = a.as_object();
            ++n;
        }
    }
    EXPECT_LE(n, 1) << "UPN " << upn << " has " << n << " accounts";
    return found;
}

bool hasWarning(const json::object& run, std::string_view code) {
    for (const auto& w : run.at("warnings").as_array()) {
        if (str(w, "code") == code) {
            return true;
        }
    }
    return false;
}

class CtfTest : public E2eTest {
  protected:
    void writeCtf(const std::string& name, const std::string& xml) {
        writeFile(schoolDir(kSecondary) / name, xml);
    }
    static std::string own(std::string_view dateTime, const std::string& pupils) {
        return ctfXml(kSecondary, "MMMMMMM", dateTime, pupils);
    }
};

TEST_F(CtfTest, OwnCtfCreatesLearnersAndAbsenceFromAPartialRollIsNotALeaver) {
    writeConfig({secondary()});
    CtfPupil alys{.upn = kAlys,
                  .surname = "Rhys-Evans",
                  .forename = "Ffion",
                  .sex = "F",
                  .preferredForename = "Ffi",
                  .year = "8",
                  .history = historyEntry(kSecondary, "2025-09-01")};
    CtfPupil bryn{.upn = kBryn,
                  .surname = "Bowen",
                  .forename = "Bryn",
                  .gender = "M",
                  .year = "Year 9",
                  .history = historyEntry(kSecondary, "2024-09-02")};
    writeCtf("6618004_CTF_MMMMMMM_001.xml",
             own("2026-11-26T09:00:00", pupilXml(alys) + pupilXml(bryn)));
    json::object run = runOf(runJson("2026-11-27"), kSecondary);
    EXPECT_EQ(str(run, "outcome"), "applied");
    EXPECT_EQ(countOf(run, "create"), 2);
    EXPECT_EQ(str(run.at("source"), "connector"), "ctf");
    EXPECT_EQ(str(run, "extracted_at"), "2026-11-26T09:00:00Z");  // S6: the header's DateTime
    auto a = only(accounts(), kAlys);
    ASSERT_TRUE(a);
    EXPECT_EQ(str(*a, "school"), kSecondary);
    EXPECT_EQ(str(*a, "mis_id"), kAlys);  // a CTF's learner id is the UPN
    EXPECT_EQ(str(*a, "preferred_forename"), "Ffi");
    EXPECT_EQ(str(*a, "display_name"), "Ffi Rhys-Evans");  // R3: preferred names
    EXPECT_EQ(str(*a, "year_group"), "8");                 // NCyearActual
    EXPECT_EQ(str(*a, "admission_date"), "2025-09-01");    // the school's own SchoolHistory
    EXPECT_EQ(str(*a, "username"), "rhysevansf");
    EXPECT_EQ(str(*only(accounts(), kBryn), "year_group"), "9");

    // A later CTF lists Alys only: a partial roll, so Bryn is no leaver (SPEC §6.2).
    writeCtf("6618004_CTF_MMMMMMM_001.xml", own("2026-11-27T09:00:00", pupilXml(alys)));
    run = runOf(runJson("2026-11-28"), kSecondary);
    EXPECT_EQ(countOf(run, "deactivate"), 0);
    EXPECT_EQ(str(*only(accounts(), kBryn), "status"), "active");

    // Alys's own SchoolHistory entry gains a leaving date: R5 on that date.
    alys.history = historyEntry(kSecondary, "2025-09-01", "2026-12-04");
    writeCtf("6618004_CTF_MMMMMMM_001.xml", own("2026-11-28T09:00:00", pupilXml(alys)));
    run = runOf(runJson("2026-12-03"), kSecondary);
    EXPECT_EQ(countOf(run, "deactivate"), 0);
    run = runOf(runJson("2026-12-04"), kSecondary);
    EXPECT_EQ(countOf(run, "deactivate"), 1);
    EXPECT_EQ(str(*only(accounts(), kAlys), "status"), "deactivated");
    EXPECT_EQ(str(*only(accounts(), kAlys), "leaving_date"), "2026-12-04");
}

TEST_F(CtfTest, CompleteTrueMakesAbsenceALeaver) {
    writeConfig({secondary("complete = true")});
    const std::string all = pupilXml({.upn = kAlys, .forename = "Alys"}) +
                            pupilXml({.upn = kBryn, .forename = "Bryn"}) +
                            pupilXml({.upn = kCeri, .forename = "Ceri"});
    writeCtf("roll.xml", own("2026-11-26T09:00:00", all));
    EXPECT_EQ(countOf(runOf(runJson("2026-11-27"), kSecondary), "create"), 3);
    writeCtf("roll.xml",
             own("2026-11-27T09:00:00", pupilXml({.upn = kAlys, .forename = "Alys"}) +
                                            pupilXml({.upn = kBryn, .forename = "Bryn"})));
    json::object run = runOf(runJson("2026-11-28"), kSecondary);
    EXPECT_EQ(countOf(run, "deactivate"), 1);
    EXPECT_EQ(str(*only(accounts(), kCeri), "status"), "deactivated");
}

TEST_F(CtfTest, NewestFileWinsForAUpnInTwoFiles) {
    writeConfig({secondary()});
    // The newer file sorts first by name: its header's DateTime makes it the newest.
    writeCtf(
        "a.xml",
        own("2026-11-20T09:00:00",
            pupilXml(
                {.upn = kAlys, .forename = "Alys", .preferredForename = "Ali", .year = "10"})));
    writeCtf("b.xml",
             own("2026-09-01T09:00:00", pupilXml({.upn = kAlys, .forename = "Alys", .year = "9"}) +
                                            pupilXml({.upn = kBryn, .forename = "Bryn"})));
    json::object run = runOf(runJson("2026-11-27"), kSecondary);
    EXPECT_EQ(countOf(run, "create"), 2);
    EXPECT_TRUE(run.at("errors").as_array().empty()) << json::serialize(run.at("errors"));
    auto a = only(accounts(), kAlys);
    ASSERT_TRUE(a);
    EXPECT_EQ(str(*a, "year_group"), "10");
    EXPECT_EQ(str(*a, "preferred_forename"), "Ali");
    EXPECT_EQ(run.at("source").at("files").as_array().size(), 2u);  // S1: both files recorded
}

TEST_F(CtfTest, WrongSchoolCtfFailsTheRunNamingTheFileAndBothNumbers) {  // S5
    writeConfig({secondary()});
    writeCtf("mine.xml", own("2026-11-26T09:00:00", pupilXml({.upn = kAlys})));
    writeCtf("6612100_CTF_6619999_001.xml",
             ctfXml(kPrimary, kStray, "2026-11-26T09:00:00", pupilXml({.upn = kMali})));
    Result r = misync({"run", "--json", "--as-of", "2026-11-27"});
    EXPECT_EQ(r.status, 1) << r.err;
    json::object run = runOf(parseJson(r.out), kSecondary);
    EXPECT_EQ(str(run, "outcome"), "failed");
    EXPECT_EQ(totalCounts(run), 0);
    ASSERT_FALSE(run.at("errors").as_array().empty());
    const auto& e = run.at("errors").as_array().front();
    EXPECT_EQ(str(e, "file"), "6612100_CTF_6619999_001.xml");
    const std::string message = str(e, "message");
    for (const char* part : {"6612100_CTF_6619999_001.xml", kPrimary, kStray, kSecondary}) {
        EXPECT_NE(message.find(part), std::string::npos) << message;
    }
    EXPECT_TRUE(accounts().empty());  // nothing applied
}

TEST_F(CtfTest, IncomingFileWithoutIncomingIsSkippedWithAWarning) {
    writeConfig({secondary()});
    writeCtf("mine.xml", own("2026-11-26T09:00:00", pupilXml({.upn = kAlys})));
    writeCtf("6612100_CTF_6618004_001.xml",
             ctfXml(kPrimary, kSecondary, "2026-11-26T09:00:00", pupilXml({.upn = kMali})));
    json::object run = runOf(runJson("2026-11-27"), kSecondary);
    EXPECT_EQ(str(run, "outcome"), "applied");
    EXPECT_EQ(countOf(run, "create"), 1);
    EXPECT_TRUE(hasWarning(run, "incoming_skipped")) << json::serialize(run.at("warnings"));
    EXPECT_FALSE(only(accounts(), kMali));
}

TEST_F(CtfTest, DoctypeIsRefused) {
    writeConfig({secondary()});
    writeCtf("evil.xml",
             "<?xml version=\"1.0\"?><!DOCTYPE CTfile [<!ENTITY e \"x\">]>" +
                 own("2026-11-26T09:00:00", pupilXml({.upn = kAlys}))
                     .substr(std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").size()));
    Result r = misync({"run", "--json", "--as-of", "2026-11-27"});
    EXPECT_EQ(r.status, 1) << r.err;
    json::object run = runOf(parseJson(r.out), kSecondary);
    EXPECT_EQ(str(run, "outcome"), "failed");
    const std::string message = str(run.at("errors").as_array().front(), "message");
    EXPECT_NE(message.find("evil.xml"), std::string::npos) << message;
    EXPECT_NE(message.find("DOCTYPE"), std::string::npos) << message;
    EXPECT_TRUE(accounts().empty());
}

// SPEC §6.2, R7: the primary's Year 6 leaves on 21 July; the secondary reads the primary's CTF
// with incoming = true. The day before the move nothing happens at the secondary; on the day
// after the leaving date the primary's account moves across, username unchanged.
TEST_F(CtfTest, IncomingTransferMovesTheYear6AccountToTheSecondaryOnDayOne) {
    writeConfig({{kPrimary, "Ysgol Gynradd", ""}, secondary("incoming = true")});
    Student mali{.id = "601",
                 .upn = kMali,
                 .forename = "Mali",
                 .surname = "Prosser",
                 .year = "Year 6",
                 .reg = "6P",
                 .admissionDate = "2020-09-01"};
    writeSchool(kPrimary, {{mali}, {}, {}});
    writeCtf("mine.xml", own("2026-11-26T09:00:00", pupilXml({.upn = kAlys})));
    runJson("2026-11-27");
    auto before = only(accounts(), kMali);
    ASSERT_TRUE(before);
    EXPECT_EQ(str(*before, "school"), kPrimary);
    const std::string username = str(*before, "username");
    EXPECT_EQ(username, "prosserm");

    // June: the primary records the leaving date and sends its CTF to the secondary.
    mali.leavingDate = "2027-07-21";
    writeSchool(kPrimary, {{mali}, {}, {}});
    writeFile(schoolDir(kSecondary) / "6612100_CTF_6618004_001.xml",
              ctfXml(kPrimary, kSecondary, "2027-06-20T14:00:00",
                     pupilXml({.upn = kMali,
                               .surname = "Prosser",
                               .forename = "Mali",
                               .year = "6",
                               .history = historyEntry(kPrimary, "2020-09-01", "2027-07-21")})));
    json::value june = runJson("2027-06-21");
    EXPECT_EQ(countOf(runOf(june, kSecondary), "create"), 0);
    EXPECT_EQ(countOf(runOf(june, kSecondary), "awaiting_transfer"), 0);
    EXPECT_EQ(str(*only(accounts(), kMali), "school"), kPrimary);

    // The leaving date itself: the primary lets her go, the secondary does not have her yet.
    json::value dayBefore = runJson("2027-07-21");
    EXPECT_EQ(countOf(runOf(dayBefore, kSecondary), "create"), 0);
    EXPECT_EQ(countOf(runOf(dayBefore, kSecondary), "transfer"), 0);
    EXPECT_EQ(str(*only(accounts(), kMali), "school"), kPrimary);

    // Day one at the secondary: the same account moves across (R7), not a new one.
    json::value dayOne = runJson("2027-07-22");
    const json::object& run = runOf(dayOne, kSecondary);
    EXPECT_EQ(countOf(run, "create"), 0);
    auto transfers = actionsOf(run, "transfer");
    ASSERT_EQ(transfers.size(), 1u) << json::serialize(run);
    EXPECT_EQ(str(transfers[0], "from_school"), kPrimary);
    EXPECT_EQ(str(transfers[0], "username"), username);
    auto after = only(accounts(), kMali);
    ASSERT_TRUE(after);
    EXPECT_EQ(str(*after, "school"), kSecondary);
    EXPECT_EQ(str(*after, "status"), "active");
    EXPECT_EQ(str(*after, "username"), username);
    EXPECT_EQ(str(*after, "admission_date"), "2027-07-22");

    // R12: nothing more to do.
    EXPECT_EQ(str(runOf(runJson("2027-07-22"), kSecondary), "outcome"), "no_change");
}

// The same move when the secondary runs first on day one and the primary has not run since June
// (R7, R13): the secondary waits, the primary's run hands the account over the same day.
TEST_F(CtfTest, IncomingTransferOnDayOneInEitherRunOrder) {
    writeConfig({{kPrimary, "Ysgol Gynradd", ""}, secondary("incoming = true")});
    Student mali{.id = "601",
                 .upn = kMali,
                 .forename = "Mali",
                 .surname = "Prosser",
                 .year = "Year 6",
                 .admissionDate = "2020-09-01",
                 .leavingDate = "2027-07-21"};
    writeSchool(kPrimary, {{mali}, {}, {}});
    writeCtf("6612100_CTF_6618004_001.xml",
             ctfXml(kPrimary, kSecondary, "2027-06-20T14:00:00",
                    pupilXml({.upn = kMali,
                              .surname = "Prosser",
                              .forename = "Mali",
                              .year = "6",
                              .history = historyEntry(kPrimary, "2020-09-01", "2027-07-21")})));
    runJson("2027-06-21");
    const std::string username = str(*only(accounts(), kMali), "username");

    json::value first = runJson("2027-07-22", {"--school", kSecondary});
    EXPECT_EQ(countOf(runOf(first, kSecondary), "awaiting_transfer"), 1);
    EXPECT_EQ(countOf(runOf(first, kSecondary), "create"), 0);
    json::value second = runJson("2027-07-22", {"--school", kPrimary});
    EXPECT_EQ(countOf(runOf(second, kPrimary), "transfer"), 1);
    auto after = only(accounts(), kMali);
    ASSERT_TRUE(after);
    EXPECT_EQ(str(*after, "school"), kSecondary);
    EXPECT_EQ(str(*after, "status"), "active");
    EXPECT_EQ(str(*after, "username"), username);
}

}  // namespace
}  // namespace misync::e2e
