// SPEC §10: when the daemon logs to the journal (daemon/service.h). systemd sets JOURNAL_STREAM
// to the device and inode of the stream it connected stderr to, and INVOCATION_ID for every unit
// it starts; a terminal opened from a systemd-started session has INVOCATION_ID too.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "daemon/service.h"

using misync::daemon::logToJournal;

namespace {

TEST(Service, JournalWhenStderrIsTheStreamSystemdNamed) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    const int fd = ::fileno(f);
    struct stat st {};
    ASSERT_EQ(::fstat(fd, &st), 0);
    const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
    EXPECT_TRUE(logToJournal(mine.c_str(), nullptr, fd));
    EXPECT_FALSE(logToJournal(other.c_str(), nullptr, fd));  // stderr was redirected since
    EXPECT_FALSE(logToJournal("", "", fd));
    EXPECT_FALSE(logToJournal(nullptr, nullptr, fd));
    EXPECT_FALSE(logToJournal("garbage", nullptr, fd));
    // Started by systemd, stderr not a terminal (StandardError=null, a file …): the journal.
    EXPECT_TRUE(logToJournal(nullptr, "0123456789abcdef", fd));
    std::fclose(f);
}

TEST(Service, NotTheJournalForATerminal) {
    int master = -1;
    int slave = -1;
    ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    EXPECT_FALSE(logToJournal(nullptr, "0123456789abcdef", slave));
    ::close(master);
    ::close(slave);
}

}  // namespace
