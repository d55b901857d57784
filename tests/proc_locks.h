// Test helper (S7): how many open file descriptions are blocked waiting for one byte of a lock
// file. Linux lists every lock and every blocked waiter in /proc/locks (a waiter's line has
// "->"), so a test can know — instead of guessing from elapsed time — that a run is waiting.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace misync::testsupport {

inline int lockWaiters(const std::string& path, long offset) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return 0;
    }
    // "<major>:<minor>:<inode>": the inode alone is enough to tell the file apart here.
    const std::string inode = ":" + std::to_string(st.st_ino);
    std::ifstream in("/proc/locks");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        const auto arrow = line.find("->");
        if (arrow == std::string::npos || line.find("OFDLCK") == std::string::npos) {
            continue;
        }
        std::istringstream fields(line.substr(arrow + 2));
        std::string kind, advisory, type, pid, file;
        long start = -1;
        fields >> kind >> advisory >> type >> pid >> file >> start;
        if (file.size() > inode.size() &&
            file.compare(file.size() - inode.size(), inode.size(), inode) == 0 && start == offset) {
            ++n;
        }
    }
    return n;
}

// Polls until at least `count` waiters wait for byte `offset`; false after `timeout`.
inline bool awaitLockWaiters(const std::string& path, long offset, int count,
                             std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (lockWaiters(path, offset) < count) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace misync::testsupport
