// The ctf connector over folders of CTFs (SPEC §6.2, §7): own files, complete/partial, newest
// file wins per UPN, incoming transfers, S5, S6, fingerprints, and the hostile corpus in
// tests/data/ctf.
#include <gtest/gtest.h>

#include <filesystem>

#include "connectors/connector.h"
#include "connectors/ctf/ctf.h"
#include "core/errors.h"
#include "ctf_test_util.h"
#include "sims_test_util.h"

namespace misync::connectors {
namespace {

namespace fs = std::filesystem;
using testing::CtfPupil;
using testing::ctfUpn;
using testing::ctfXml;
using testing::historyEntry;
using testing::pupilXml;
using testing::TempDir;

const fs::path kData = fs::path(MISYNC_TEST_DATA) / "ctf";
constexpr const char* kSchool = "6618004";
constexpr const char* kPrimary = "6612100";
constexpr const char* kOther = "6619999";
const std::string kUpn1 = ctfUpn("661800426001");
const std::string kUpn2 = ctfUpn("661800426002");

core::Snapshot readCtf(const std::string& source, std::optional<bool> complete = {},
                       bool incoming = false, std::string dfes = kSchool) {
    CtfConnector connector;
    SchoolSource src{std::move(dfes), source, complete, {}, {}, incoming};
    return connector.read(src);
}

std::string failure(const std::string& source, bool incoming = false) {
    try {
        readCtf(source, {}, incoming);
    } catch (const core::ConnectorError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConnectorError";
    return {};
}

TEST(CtfConnector, IsRegisteredAsCtf) {
    ConnectorRegistry registry;
    registerBuiltinConnectors(registry);
    ASSERT_TRUE(registry.has("ctf"));
    EXPECT_EQ(registry.create("ctf")->name(), "ctf");
}

TEST(CtfConnector, OwnFileIsAPartialRollOfLearners) {
    TempDir dir;
    dir.write("6618004_CTF_MMMMMMM_001.XML",
              ctfXml(kSchool, "MMMMMMM", "2026-11-26T09:00:00",
                     pupilXml({.upn = kUpn1, .history = historyEntry(kSchool, "2025-09-01")}) +
                         pupilXml({.upn = kUpn2})));
    dir.write("notes.txt", "not a CTF");
    dir.write(".hidden.xml", "<partial");
    auto s = readCtf(dir.str());
    EXPECT_FALSE(s.complete);  // SPEC §6: ctf defaults to partial
    EXPECT_EQ(s.connector, "ctf");
    EXPECT_EQ(s.school, kSchool);
    EXPECT_EQ(s.persons.size(), 2u);
    EXPECT_TRUE(s.groups.empty());
    EXPECT_EQ(s.extractedAt, "2026-11-26T09:00:00Z");  // S6: the header's DateTime
    ASSERT_EQ(s.files.size(), 1u);
    EXPECT_EQ(s.files[0].name, "6618004_CTF_MMMMMMM_001.XML");
    EXPECT_EQ(s.files[0].records, 2u);
    EXPECT_EQ(s.files[0].sha256.size(), 64u);
    EXPECT_TRUE(readCtf(dir.str(), true).complete);  // complete = true overrides
}

TEST(CtfConnector, NewestFileWinsForAUpnInSeveralFiles) {
    TempDir dir;
    // Named so that the older file sorts last: the header's DateTime decides, not the name.
    dir.write("b_old.xml", ctfXml(kSchool, kSchool, "2026-09-01T08:00:00",
                                  pupilXml({.upn = kUpn1, .forename = "Old", .year = "7"}) +
                                      pupilXml({.upn = kUpn2, .forename = "Only"})));
    dir.write("a_new.xml", ctfXml(kSchool, kSchool, "2026-11-20T08:00:00",
                                  pupilXml({.upn = kUpn1, .forename = "New", .year = "8"})));
    auto s = readCtf(dir.str());
    ASSERT_EQ(s.persons.size(), 2u);
    EXPECT_EQ(s.persons[0].upn, kUpn1);
    EXPECT_EQ(s.persons[0].legalForename, "New");
    EXPECT_EQ(s.persons[0].yearGroup, "8");
    EXPECT_EQ(s.persons[0].source.file, "a_new.xml");
    EXPECT_EQ(s.persons[1].legalForename, "Only");
    EXPECT_EQ(s.extractedAt, "2026-11-20T08:00:00Z");
    EXPECT_TRUE(s.rejected.empty());
}

TEST(CtfConnector, NewestRecordWinsEvenWhenItIsRejected) {
    TempDir dir;
    dir.write("old.xml", ctfXml(kSchool, kSchool, "2026-09-01T08:00:00",
                                pupilXml({.upn = kUpn1, .forename = "Old"})));
    dir.write("new.xml", ctfXml(kSchool, kSchool, "2026-11-20T08:00:00",
                                pupilXml({.upn = kUpn1, .dob = "never"})));
    auto s = readCtf(dir.str());
    EXPECT_TRUE(s.persons.empty());
    ASSERT_EQ(s.rejected.size(), 1u);
    EXPECT_EQ(s.rejected[0].code, "invalid_date");
    EXPECT_EQ(s.rejected[0].file, "new.xml");
    EXPECT_EQ(s.rejected[0].upn, kUpn1);
}

TEST(CtfConnector, WrongSchoolFailsTheRunNamingTheFileAndBothNumbers) {  // S5
    TempDir dir;
    dir.write("mine.xml", ctfXml(kSchool, kSchool, "", pupilXml({.upn = kUpn1})));
    dir.write("stray.xml", ctfXml(kPrimary, kOther, "", pupilXml({.upn = kUpn2})));
    const std::string what = failure(dir.str());
    EXPECT_NE(what.find("stray.xml"), std::string::npos) << what;
    EXPECT_NE(what.find(kPrimary), std::string::npos) << what;
    EXPECT_NE(what.find(kOther), std::string::npos) << what;
    EXPECT_NE(what.find(kSchool), std::string::npos) << what;
    EXPECT_NE(failure(dir.str(), true).find("S5"), std::string::npos);  // incoming or not
}

TEST(CtfConnector, IncomingFileIsSkippedWithAWarningUnlessIncomingIsSet) {
    TempDir dir;
    dir.write("mine.xml",
              ctfXml(kSchool, kSchool, "2026-11-26T09:00:00", pupilXml({.upn = kUpn1})));
    dir.write("6612100_CTF_6618004_001.xml",
              ctfXml(kPrimary, kSchool, "2026-07-01T09:00:00",
                     pupilXml({.upn = kUpn2,
                               .year = "6",
                               .history = historyEntry(kPrimary, "2020-09-01", "2026-07-21")})));
    auto skipped = readCtf(dir.str());
    ASSERT_EQ(skipped.persons.size(), 1u);
    ASSERT_EQ(skipped.warnings.size(), 1u);
    EXPECT_EQ(skipped.warnings[0].code, "incoming_skipped");
    EXPECT_NE(skipped.warnings[0].message.find("6612100_CTF_6618004_001.xml"), std::string::npos);
    EXPECT_EQ(skipped.files.size(), 2u);  // recorded (S1), with no records read

    auto in = readCtf(dir.str(), {}, true);
    ASSERT_EQ(in.persons.size(), 2u);
    EXPECT_TRUE(in.warnings.empty());
    const auto& mover = in.persons[1];
    EXPECT_EQ(mover.upn, kUpn2);
    EXPECT_EQ(mover.admissionDate, core::Date::fromYmd(2026, 7, 22));  // R7 on day one
    EXPECT_FALSE(mover.leavingDate);
}

TEST(CtfConnector, IncomingWithoutLeavingDateStartsOnTheNextFirstSeptember) {
    TempDir dir;
    dir.write("in.xml", ctfXml(kPrimary, kSchool, "2026-06-10T12:00:00",
                               pupilXml({.upn = kUpn2, .history = historyEntry(kPrimary, "")})));
    auto s = readCtf(dir.str(), {}, true);
    ASSERT_EQ(s.persons.size(), 1u);
    EXPECT_EQ(s.persons[0].admissionDate, core::Date::fromYmd(2026, 9, 1));
}

TEST(CtfConnector, FailsWithoutCtfFilesOrWithAnUnparsableOne) {
    TempDir dir;
    EXPECT_NE(failure(dir.str()).find("no CTF files"), std::string::npos);
    EXPECT_NE(failure((dir.path() / "missing").string()).find("cannot read"), std::string::npos);
    dir.write("good.xml", ctfXml(kSchool, kSchool, "", pupilXml({.upn = kUpn1})));
    dir.write("torn.xml", "<CTfile><Header>");
    const std::string what = failure(dir.str());
    EXPECT_NE(what.find("torn.xml"), std::string::npos) << what;
}

TEST(CtfConnector, ASingleFileMayBeTheSource) {
    TempDir dir;
    dir.write("one.xml", ctfXml(kSchool, kSchool, "", pupilXml({.upn = kUpn1})));
    EXPECT_EQ(readCtf((dir.path() / "one.xml").string()).persons.size(), 1u);
}

TEST(CtfConnector, UnparsableDateTimeFallsBackToTheFileTimeWithAWarning) {
    TempDir dir;
    dir.write("one.xml", ctfXml(kSchool, kSchool, "yesterday", pupilXml({.upn = kUpn1})));
    auto s = readCtf(dir.str());
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0].code, "invalid_extract_time");
    EXPECT_EQ(s.extractedAt.size(), 20u);
}

TEST(CtfConnector, FingerprintDigestsAndExtractedAtAgreeWithRead) {
    TempDir dir;
    dir.write("a.xml", ctfXml(kSchool, kSchool, "2026-11-02T07:00:00", pupilXml({.upn = kUpn1})));
    dir.write("b.xml", ctfXml(kPrimary, kSchool, "2026-11-03T07:00:00", pupilXml({.upn = kUpn2})));
    CtfConnector c;
    SchoolSource src{kSchool, dir.str(), {}, {}, {}, false};
    auto fp = c.fingerprint(src);
    ASSERT_TRUE(fp);
    auto snap = c.read(src);
    EXPECT_EQ(c.extractedAt(src), snap.extractedAt);
    EXPECT_EQ(snap.extractedAt, "2026-11-02T07:00:00Z");  // the skipped file does not count
    src.incoming = true;
    EXPECT_NE(c.fingerprint(src), fp);
    EXPECT_EQ(c.extractedAt(src), c.read(src).extractedAt);
    auto digests = c.digests(src);
    ASSERT_TRUE(digests);
    ASSERT_EQ(digests->size(), snap.files.size());
    for (std::size_t i = 0; i < digests->size(); ++i) {
        EXPECT_EQ((*digests)[i].name, snap.files[i].name);
        EXPECT_EQ((*digests)[i].sha256, snap.files[i].sha256);
    }
    src.incoming = false;
    dir.write("c.xml", ctfXml(kSchool, kSchool, "", pupilXml({.upn = kUpn1})));
    EXPECT_NE(c.fingerprint(src), fp);  // a new file is a new input
}

TEST(CtfConnector, TextThatIsNotUtf8IsRejectedByTheCentralCheck) {  // SPEC §6, R15
    TempDir dir;
    dir.write("one.xml",
              ctfXml(kSchool, kSchool, "",
                     pupilXml({.upn = kUpn1, .forename = "Si\xE2n"}) + pupilXml({.upn = kUpn2})));
    auto s = readCtf(dir.str());
    ASSERT_EQ(s.persons.size(), 1u);
    ASSERT_EQ(s.rejected.size(), 1u);
    EXPECT_EQ(s.rejected[0].code, "invalid_text");
    EXPECT_EQ(s.rejected[0].file, "one.xml");
    EXPECT_EQ(s.rejected[0].record, 1u);
    EXPECT_EQ(s.rejected[0].upn, kUpn1);  // still in the extract (R5, R15)
}

TEST(CtfConnector, SharedExampleReads) {
    auto s = readCtf((kData / "6601234").string(), {}, false, "6601234");
    ASSERT_EQ(s.persons.size(), 2u) << (s.rejected.empty() ? "" : s.rejected[0].message);
    EXPECT_EQ(s.persons[1].preferredForename, "Ffi");
    EXPECT_EQ(s.persons[1].leavingDate, core::Date::fromYmd(2026, 7, 20));
    EXPECT_EQ(s.persons[0].gender, "F");  // <Sex>
}

// Every file in tests/data/ctf/hostile is refused with a ConnectorError naming it (R15), never
// a crash or another exception; tests/data/ctf/hostile/README.md says what each one is.
TEST(CtfConnector, HostileCorpusIsRefusedCleanly) {
    std::size_t seen = 0;
    for (const auto& entry : fs::directory_iterator(kData / "hostile")) {
        if (entry.path().extension() != ".xml") {
            continue;
        }
        ++seen;
        try {
            readCtf(entry.path().string());
            ADD_FAILURE() << entry.path() << " was read";
        } catch (const core::ConnectorError& e) {
            EXPECT_NE(std::string(e.what()).find(entry.path().filename().string()),
                      std::string::npos)
                << e.what();
        }
    }
    EXPECT_GE(seen, 5u);
}

// tests/data/ctf/odd: awkward files that must be read (with rejections where the README says).
TEST(CtfConnector, OddCorpusIsReadWithoutFailing) {
    std::size_t seen = 0;
    for (const auto& entry : fs::directory_iterator(kData / "odd")) {
        if (entry.path().extension() != ".xml") {
            continue;
        }
        ++seen;
        EXPECT_NO_THROW(readCtf(entry.path().string())) << entry.path();
    }
    EXPECT_GE(seen, 3u);
    auto one = [](const char* name) { return readCtf((kData / "odd" / name).string()); };
    const auto latin1 = one("latin1.xml");
    ASSERT_EQ(latin1.persons.size(), 1u);
    EXPECT_EQ(latin1.persons[0].legalSurname, "G\u00f3mez");  // converted to UTF-8
    const auto bom = one("bom_crlf_comments.xml");
    ASSERT_EQ(bom.persons.size(), 1u);
    EXPECT_EQ(bom.persons[0].legalForename, "Si\u00e2n");  // CDATA
    EXPECT_EQ(bom.persons[0].legalSurname, "Ll\u0177r-Hughes");
    EXPECT_EQ(bom.persons[0].upn, kUpn1);  // trimmed, upper-cased
    EXPECT_EQ(one("utf16.xml").persons.size(), 1u);
    EXPECT_EQ(one("older_version_gender_lowercase.xml").persons.at(0).gender, "F");
    EXPECT_EQ(one("older_version_gender_lowercase.xml").persons.at(0).yearGroup, "7");
    const auto rejected = one("rejected_records.xml");
    EXPECT_EQ(rejected.persons.size(), 1u);
    EXPECT_EQ(rejected.rejected.size(), 5u);
    EXPECT_EQ(one("heavy_unread_blocks.xml").persons.size(), 2u);
    const auto leaver = one("outgoing_to_unknown.xml");
    ASSERT_EQ(leaver.persons.size(), 1u);
    EXPECT_EQ(leaver.persons[0].leavingDate, core::Date::fromYmd(2026, 10, 23));
}

}  // namespace
}  // namespace misync::connectors
