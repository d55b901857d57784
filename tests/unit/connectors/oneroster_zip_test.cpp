// A OneRoster set sent as a .zip (SPEC §6.3): files found by name in any folder of the archive,
// macOS resource forks skipped, a file twice and a damaged archive refused with the path named.
// The archives are made with Debian's zip (scripts/deps.sh installs it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "connectors/oneroster/roster_source.h"
#include "core/errors.h"

namespace misync::connectors::oneroster {
namespace {

using testing::HasSubstr;
namespace fs = std::filesystem;

class OneRosterZip : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists("/usr/bin/zip")) {
            GTEST_SKIP() << "zip is not installed (scripts/deps.sh installs it)";
        }
        dir_ = fs::temp_directory_path() /
               ("oneroster-zip-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& relative, const std::string& text) {
        fs::create_directories((dir_ / "src" / relative).parent_path());
        std::ofstream(dir_ / "src" / relative, std::ios::binary) << text;
    }
    // Zips dir_/src (with its folders) into dir_/set.zip.
    fs::path zip() {
        const fs::path out = dir_ / "set.zip";
        const std::string cmd =
            "cd '" + (dir_ / "src").string() + "' && /usr/bin/zip -q -r '" + out.string() + "' .";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
        return out;
    }

    fs::path dir_;
};

TEST_F(OneRosterZip, FindsFilesInAFolderAndSkipsResourceForks) {
    write("export/Users.CSV", "sourcedId\nu1\n");
    write("export/orgs.csv", "sourcedId\no1\n");
    write("__MACOSX/export/._users.csv", "junk");
    write("export/courses.csv", "sourcedId\nk1\n");
    const fs::path z = zip();
    const RawSet set = readRawSet(z);
    ASSERT_TRUE(set.files[2]);  // users
    EXPECT_EQ(set.files[2]->name, "set.zip/export/Users.CSV");
    EXPECT_EQ(set.files[2]->bytes, "sourcedId\nu1\n");
    ASSERT_TRUE(set.files[1]);   // orgs
    EXPECT_FALSE(set.files[0]);  // no manifest
    EXPECT_FALSE(set.files[3]);
    EXPECT_TRUE(setFingerprint(z).has_value());
    EXPECT_TRUE(setExtractedAt(z).has_value());
}

TEST_F(OneRosterZip, TheSameFileTwiceIsRefused) {
    write("a/users.csv", "sourcedId\nu1\n");
    write("b/users.csv", "sourcedId\nu2\n");
    try {
        readRawSet(zip());
        FAIL();
    } catch (const core::ConnectorError& e) {
        EXPECT_THAT(e.what(), HasSubstr("holds users.csv twice"));
    }
}

TEST_F(OneRosterZip, ADamagedArchiveOrMissingSourceFailsNamingThePath) {
    write("users.csv", "sourcedId\nu1\n");
    const fs::path z = zip();
    std::string bytes;
    {
        std::ifstream in(z, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    // Cut off the central directory: no longer a zip archive.
    std::ofstream(z, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
    try {
        readRawSet(z);
        FAIL();
    } catch (const core::ConnectorError& e) {
        EXPECT_THAT(e.what(), HasSubstr(z.string()));
        EXPECT_THAT(e.what(), HasSubstr("not a readable zip archive"));
    }
    EXPECT_THROW(readRawSet(dir_ / "nothing-here"), core::ConnectorError);
    EXPECT_FALSE(setFingerprint(dir_ / "nothing-here").has_value());
}

}  // namespace
}  // namespace misync::connectors::oneroster
