// SPEC §9.1 drop folders without change notifications (the Windows build's watcher,
// daemon/folder_watch_poll.h): what a look at the sources reports against the look before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/folder_watch_poll.h"

namespace fs = std::filesystem;
using misync::daemon::FolderWatch;
using misync::daemon::PollingFolderWatch;
using testing::IsEmpty;
using testing::UnorderedElementsAre;

namespace {

class PollingFolderWatchTest : public testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("misync-poll-" +
                 std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-" +
                 testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(root_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    static void write(const fs::path& p, const std::string& text) {
        std::ofstream(p, std::ios::binary) << text;
    }
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

TEST_F(PollingFolderWatchTest, FilesAddedChangedAndRemovedSinceTheLastLook) {
    const fs::path folder = root_ / "6612345";
    fs::create_directories(folder);
    write(folder / "old.xml", "old");
    write(folder / "kept.xml", "kept");
    PollingFolderWatch w(std::chrono::milliseconds(0));
    w.watch("6612345", folder);
    EXPECT_TRUE(w.watching("6612345"));
    EXPECT_EQ(w.fd(), -1);
    EXPECT_THAT(w.read(), IsEmpty());  // what was there at watch() is the baseline

    write(folder / "new.xml", "new");
    write(folder / "kept.xml", "kept, and longer now");
    fs::remove(folder / "old.xml");
    fs::create_directories(folder / "sub");  // subfolders are not the connectors' files
    EXPECT_THAT(lines(w.read()),
                UnorderedElementsAre("6612345 new.xml written", "6612345 kept.xml written",
                                     "6612345 old.xml removed"));
    EXPECT_THAT(w.read(), IsEmpty());  // nothing changed since
}

TEST_F(PollingFolderWatchTest, AFolderThatAppearsOrGoesIsUnknown) {
    const fs::path folder = root_ / "later";
    PollingFolderWatch w(std::chrono::milliseconds(0));
    w.watch("6612345", folder);
    EXPECT_THAT(w.read(), IsEmpty());
    fs::create_directories(folder);
    write(folder / "a.csv", "a");
    EXPECT_THAT(lines(w.read()), UnorderedElementsAre("6612345 . unknown"));
    fs::remove_all(folder);
    EXPECT_THAT(lines(w.read()), UnorderedElementsAre("6612345 . unknown"));
}

TEST_F(PollingFolderWatchTest, AFileSourceIsWatchedByName) {
    const fs::path zip = root_ / "roster.zip";
    write(root_ / "other.txt", "x");
    PollingFolderWatch w(std::chrono::milliseconds(0));
    w.watch("6612345", zip);
    write(zip, "PK");
    EXPECT_THAT(lines(w.read()), UnorderedElementsAre("6612345 . unknown"));
    write(zip, "PK, rewritten");
    write(root_ / "other.txt", "changed");
    EXPECT_THAT(lines(w.read()), UnorderedElementsAre("6612345 roster.zip written"));
}

TEST_F(PollingFolderWatchTest, LooksNoMoreOftenThanAsked) {
    const fs::path folder = root_ / "f";
    fs::create_directories(folder);
    PollingFolderWatch w(std::chrono::hours(1));
    w.watch("6612345", folder);
    EXPECT_THAT(w.read(), IsEmpty());  // the first look
    write(folder / "a.xml", "a");
    EXPECT_THAT(w.read(), IsEmpty());  // within the hour: no look
}

}  // namespace
