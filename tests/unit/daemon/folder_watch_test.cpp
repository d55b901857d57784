// SPEC §9.1 drop folders through inotify (daemon/folder_watch.h), on real folders under the
// temporary folder. inotify queues an event before the system call that caused it returns, so
// reading right after each step sees it: no sleeping.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/folder_watch_inotify.h"

namespace fs = std::filesystem;
using misync::daemon::FileChange;
using misync::daemon::FolderWatch;
using misync::daemon::InotifyFolderWatch;
using testing::Contains;
using testing::IsEmpty;

namespace {

class FolderWatchTest : public testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("misync-watch-" + std::to_string(::getpid()) + "-" +
                 testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    static void write(const fs::path& p, const std::string& text) {
        std::ofstream(p, std::ios::binary) << text;
    }
    // "school file change" lines, to compare readably.
    static std::vector<std::string> lines(const std::vector<FolderWatch::Event>& events) {
        std::vector<std::string> out;
        for (const auto& e : events) {
            static const char* names[] = {"written", "closed", "arrived", "removed", "unknown"};
            out.push_back(e.school + " " + (e.file.empty() ? "." : e.file) + " " +
                          names[static_cast<int>(e.what)]);
        }
        return out;
    }
    fs::path root_;
};

TEST_F(FolderWatchTest, FilesWrittenClosedMovedInAndDeleted) {
    fs::create_directories(root_ / "6610001");
    InotifyFolderWatch w;
    w.watch("6610001", root_ / "6610001");
    EXPECT_TRUE(w.watching("6610001"));

    const int fd = ::open((root_ / "6610001" / "students.xml").c_str(),
                          O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "<a/>", 4), 4);
    auto open = lines(w.read());
    EXPECT_THAT(open, Contains("6610001 students.xml written"));
    EXPECT_THAT(open, testing::Not(Contains("6610001 students.xml closed")));
    ::close(fd);
    EXPECT_THAT(lines(w.read()), Contains("6610001 students.xml closed"));

    write(root_ / "staging.xml", "<b/>");
    fs::rename(root_ / "staging.xml", root_ / "6610001" / "staff.xml");
    EXPECT_THAT(lines(w.read()), Contains("6610001 staff.xml arrived"));
    fs::remove(root_ / "6610001" / "staff.xml");
    EXPECT_THAT(lines(w.read()), Contains("6610001 staff.xml removed"));
    // Other entries of the parent folder are not this school's business.
    write(root_ / "other.txt", "x");
    EXPECT_THAT(w.read(), IsEmpty());
}

TEST_F(FolderWatchTest, AFolderThatAppearsLaterIsWatchedFromThen) {
    InotifyFolderWatch w;
    w.watch("6610001", root_ / "6610001");
    EXPECT_FALSE(w.watching("6610001"));
    fs::create_directories(root_ / "6610001");
    EXPECT_THAT(lines(w.read()), Contains("6610001 . unknown"));
    EXPECT_TRUE(w.watching("6610001"));
    write(root_ / "6610001" / "groups.xml", "<g/>");
    EXPECT_THAT(lines(w.read()), Contains("6610001 groups.xml closed"));
    // Replaced by another folder: noticed, and the new one is watched.
    fs::rename(root_ / "6610001", root_ / "old");
    fs::create_directories(root_ / "6610001");
    EXPECT_THAT(lines(w.read()), Contains("6610001 . unknown"));
    write(root_ / "6610001" / "students.xml", "<s/>");
    EXPECT_THAT(lines(w.read()), Contains("6610001 students.xml closed"));
    write(root_ / "old" / "students.xml", "<s/>");
    EXPECT_THAT(lines(w.read()), testing::Not(Contains("6610001 students.xml closed")));
}

TEST_F(FolderWatchTest, AFileSourceIsWatchedByName) {
    InotifyFolderWatch w;
    w.watch("6620001", root_ / "la.zip");
    w.watch("6620002", root_ / "la.zip");  // several schools may share one OneRoster set
    write(root_ / "la.zip", "PK");
    auto seen = lines(w.read());
    EXPECT_THAT(seen, Contains("6620001 la.zip closed"));
    EXPECT_THAT(seen, Contains("6620002 la.zip closed"));
    EXPECT_TRUE(w.watching("6620001"));
    write(root_ / "other.zip", "PK");
    EXPECT_THAT(w.read(), IsEmpty());
}

TEST_F(FolderWatchTest, RearmFindsFoldersWhoseParentAppearedLater) {
    InotifyFolderWatch w;
    w.watch("6610001", root_ / "mis" / "6610001");
    EXPECT_FALSE(w.watching("6610001"));
    EXPECT_THAT(w.rearm(), IsEmpty());
    fs::create_directories(root_ / "mis" / "6610001");
    EXPECT_THAT(w.rearm(), testing::ElementsAre("6610001"));
    write(root_ / "mis" / "6610001" / "staff.xml", "<s/>");
    EXPECT_THAT(lines(w.read()), Contains("6610001 staff.xml closed"));
}

}  // namespace
