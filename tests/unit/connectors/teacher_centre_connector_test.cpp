// The teacher-centre connector over files (SPEC §6.4, R5, R15, S1, S6), its registration, and
// every hostile input kept in tests/data/teacher-centre.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "connectors/connector.h"
#include "connectors/teacher_centre/tc_parser.h"
#include "connectors/teacher_centre/teacher_centre.h"
#include "core/errors.h"
#include "sims_test_util.h"

namespace misync::connectors {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const fs::path kData = fs::path(MISYNC_TEST_DATA) / "teacher-centre";

std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes(fs::file_size(path), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

core::Snapshot readSchool(const std::string& folder, std::optional<bool> complete = {},
                          std::map<std::string, std::string> files = {},
                          std::map<std::string, std::string> fields = {}) {
    TeacherCentreConnector connector;
    SchoolSource src{"6630002", folder, complete, std::move(fields), std::move(files)};
    return connector.read(src);
}

void writeValidSet(const TempDir& dir) {
    dir.write("pupils.csv", "Pupil ID,Legal Forename,Legal Surname\n1,Ann,Jones\n2,Bob,Ray\n");
    dir.write("staff.csv", "Staff ID,Legal Forename,Legal Surname\nT1,Gwen,Owen\n");
    dir.write("groups.csv",
              "Group Code,Group Type,Member ID,Member Type\n7A,Registration,1,Pupil\n"
              "7A,Registration,T1,Staff\n");
}

TEST(TeacherCentreConnector, IsRegisteredAsTeacherCentre) {
    ConnectorRegistry registry;
    registerBuiltinConnectors(registry);
    ASSERT_TRUE(registry.has("teacher-centre"));
    EXPECT_EQ(registry.create("teacher-centre")->name(), "teacher-centre");
}

TEST(TeacherCentreConnector, ReadsTheExampleExport) {
    auto s = readSchool((kData / "6630002").string());
    EXPECT_TRUE(s.complete);  // SPEC §6: teacher-centre is a complete roll by default
    ASSERT_TRUE(s.rejected.empty()) << s.rejected[0].message;
    ASSERT_EQ(s.persons.size(), 4u);
    EXPECT_EQ(s.persons[0].upn, "Y663000219011");
    EXPECT_EQ(s.persons[1].legalForename, "Siân \"Si\"");
    EXPECT_EQ(s.persons[1].legalSurname, "O'Brien, Jr");
    EXPECT_EQ(s.persons[1].dob, core::Date::fromYmd(2014, 2, 3));
    EXPECT_EQ(s.persons[2].legalSurname, "Lloyd Jones");  // record_checks: a line break is a space
    EXPECT_EQ(s.persons[2].admissionDate, core::Date::fromYmd(2025, 9, 1));
    EXPECT_EQ(s.groups.size(), 2u);
    EXPECT_EQ(s.memberships.size(), 4u);
    ASSERT_EQ(s.files.size(), 3u);
    EXPECT_EQ(s.files[0].name, "pupils.csv");
    EXPECT_EQ(s.files[0].records, 3u);
    EXPECT_EQ(s.files[0].sha256.size(), 64u);
    EXPECT_FALSE(s.extractedAt.empty());
}

// Issue 7: a Latin-1 export is not silently changed: the row is rejected naming the field
// (connectors/record_checks.h), and the learner still counts as in the extract (R15).
TEST(TeacherCentreConnector, TextThatIsNotUtf8RejectsTheRow) {
    TempDir dir;
    writeValidSet(dir);
    dir.write("pupils.csv", "Pupil ID,Legal Forename,Legal Surname\n1,Ann,Jones\n2,Si\xE2n,Ray\n");
    auto s = readSchool(dir.str());
    ASSERT_EQ(s.persons.size(), 2u);  // Ann and the teacher
    ASSERT_EQ(s.rejected.size(), 1u);
    EXPECT_EQ(s.rejected[0].code, "invalid_text");
    EXPECT_EQ(s.rejected[0].file, "pupils.csv");
    EXPECT_EQ(s.rejected[0].record, 2u);
    EXPECT_EQ(s.rejected[0].misId, "2");
    EXPECT_EQ(s.rejected[0].message,
              "field 'legal_forename' is not valid UTF-8 (byte 0xE2 at offset 2)");
}

TEST(TeacherCentreConnector, CompleteCanBeOverridden) {
    EXPECT_FALSE(readSchool((kData / "6630002").string(), false).complete);
}

TEST(TeacherCentreConnector, FilesMayBeRenamed) {
    TempDir dir;
    writeValidSet(dir);
    fs::rename(dir.path() / "pupils.csv", dir.path() / "Pupil Export.CSV");
    auto s = readSchool(dir.str(), {}, {{"pupils", "Pupil Export.CSV"}});
    EXPECT_EQ(s.persons.size(), 3u);
    EXPECT_EQ(s.files[0].name, "Pupil Export.CSV");
    EXPECT_EQ(s.persons[0].source.file, "Pupil Export.CSV");
    try {
        readSchool(dir.str(), {}, {{"students", "x.csv"}});
        FAIL() << "no error";
    } catch (const core::Error& e) {
        EXPECT_NE(std::string(e.what()).find("'students' is not a teacher-centre file"),
                  std::string::npos)
            << e.what();
    }
}

TEST(TeacherCentreConnector, MissingFileFailsNamingIt) {
    TempDir dir;
    writeValidSet(dir);
    fs::remove(dir.path() / "staff.csv");
    try {
        readSchool(dir.str());
        FAIL() << "no ConnectorError";
    } catch (const core::ConnectorError& e) {
        EXPECT_NE(std::string(e.what()).find("staff.csv"), std::string::npos) << e.what();
    }
}

TEST(TeacherCentreConnector, FingerprintDigestsAndExtractedAt) {
    TempDir dir;
    writeValidSet(dir);
    TeacherCentreConnector c;
    SchoolSource src{"6630002", dir.str(), {}, {}, {}};
    auto fp = c.fingerprint(src);
    ASSERT_TRUE(fp);
    EXPECT_EQ(c.fingerprint(src), fp);
    auto digests = c.digests(src);
    ASSERT_TRUE(digests);
    ASSERT_EQ(digests->size(), 3u);
    auto s = c.read(src);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ((*digests)[i].name, s.files[i].name);
        EXPECT_EQ((*digests)[i].sha256, s.files[i].sha256);  // S1
    }
    EXPECT_EQ(c.extractedAt(src), s.extractedAt);  // S6
    dir.write("pupils.csv", "Pupil ID,Legal Forename,Legal Surname\n1,Ann,Jones\n");
    EXPECT_NE(c.fingerprint(src), fp);
    fs::remove(dir.path() / "groups.csv");
    EXPECT_EQ(c.fingerprint(src), std::nullopt);
    EXPECT_EQ(c.digests(src), std::nullopt);
    EXPECT_EQ(c.extractedAt(src), std::nullopt);
}

// Every hand-made hostile file: accept-* parse as pupils.csv, reject-* fail cleanly (R15).
TEST(TeacherCentreCorpus, HostileFilesParseOrFailCleanly) {
    std::size_t seen = 0;
    for (const auto& entry : fs::directory_iterator(kData / "hostile")) {
        const std::string name = entry.path().filename().string();
        const std::string bytes = readAll(entry.path());
        TeacherCentreParser parser;
        core::Snapshot s;
        ++seen;
        if (name.starts_with("accept-")) {
            EXPECT_NO_THROW(parser.parse(TcFileKind::Pupils, name, bytes, s)) << name;
            EXPECT_EQ(s.files.size(), 1u) << name;
        } else {
            EXPECT_THROW(parser.parse(TcFileKind::Pupils, name, bytes, s), core::ConnectorError)
                << name;
            EXPECT_TRUE(s.files.empty()) << name;
        }
    }
    EXPECT_GE(seen, 20u);
}

TEST(TeacherCentreCorpus, HostileFilesInDetail) {
    auto parse = [](const std::string& file) {
        TeacherCentreParser parser;
        core::Snapshot s;
        parser.parse(TcFileKind::Pupils, file, readAll(kData / "hostile" / file), s);
        return s;
    };
    auto bad = parse("accept-bad-records.csv");
    ASSERT_EQ(bad.rejected.size(), 5u);
    EXPECT_EQ(bad.rejected[0].code, "invalid_upn");
    EXPECT_EQ(bad.rejected[4].code, "invalid_year_group");
    EXPECT_EQ(bad.rejected[4].record, 5u);
    auto text = parse("accept-invalid-utf8.csv");
    ASSERT_EQ(text.persons.size(), 1u);  // made valid here; rejecting it is Connector::read's job
    EXPECT_EQ(parse("accept-short-and-long-rows.csv").persons.size(), 1u);  // row 1 no surname
    EXPECT_EQ(parse("accept-blank-and-padding-rows.csv").files[0].records, 1u);
    EXPECT_EQ(parse("accept-trailing-empty-header.csv").persons.size(), 2u);
}

// Inputs kept from fuzzing, as all three kinds through one parser: never a crash.
TEST(TeacherCentreCorpus, FuzzFindsParseOrFailCleanly) {
    for (const auto& entry : fs::directory_iterator(kData / "fuzz")) {
        const std::string bytes = readAll(entry.path());
        TeacherCentreParser parser;
        core::Snapshot s;
        for (TcFileKind kind : {TcFileKind::Pupils, TcFileKind::Staff, TcFileKind::Groups}) {
            try {
                parser.parse(kind, "fuzz.csv", bytes, s);
            } catch (const core::ConnectorError&) {
            }
        }
    }
}

}  // namespace
}  // namespace misync::connectors
