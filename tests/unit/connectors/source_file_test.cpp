// connectors/source_file.h: whole files read into a reused buffer, refused beyond the size limit
// with a message naming the file (issue 7: hostile input must not fill memory).
#include "connectors/source_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/errors.h"

namespace fs = std::filesystem;
using misync::connectors::readSourceFile;

namespace {

class SourceFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "misync-source-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }
    fs::path dir_;
};

TEST_F(SourceFileTest, ReadsTheWholeFileIntoTheBuffer) {
    std::string buffer(1000, 'x');  // what a previous file left
    readSourceFile(write("a.xml", "<SuperStarReport/>"), buffer);
    EXPECT_EQ(buffer, "<SuperStarReport/>");
    readSourceFile(write("empty.xml", ""), buffer);
    EXPECT_EQ(buffer, "");
}

TEST_F(SourceFileTest, AFileOverTheLimitIsRefusedNamingIt) {
    std::string buffer;
    const auto path = write("students.xml", std::string(101, 'a'));
    EXPECT_NO_THROW(readSourceFile(path, buffer, 101));
    try {
        readSourceFile(path, buffer, 100);
        FAIL() << "no error for a file over the limit";
    } catch (const misync::core::ConnectorError& e) {
        EXPECT_NE(std::string(e.what()).find("students.xml: larger than 100 bytes"),
                  std::string::npos)
            << e.what();
        EXPECT_EQ(e.file(), "students.xml");
    }
}

TEST_F(SourceFileTest, AFolderOrAMissingFileIsRefusedNamingIt) {
    std::string buffer;
    fs::create_directories(dir_ / "staff.xml");
    EXPECT_THROW(readSourceFile(dir_ / "staff.xml", buffer), misync::core::ConnectorError);
    EXPECT_THROW(readSourceFile(dir_ / "groups.xml", buffer), misync::core::ConnectorError);
}

}  // namespace
