#include "storage/lock_file.h"

#ifndef _WIN32  // Windows: lock_file_win.cpp
#include <fcntl.h>
#include <unistd.h>
#else
// The lock types take() is asked for, by fcntl's names (lock_file_win.cpp maps them).
constexpr short F_RDLCK = 0;
constexpr short F_WRLCK = 1;
#endif

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/errors.h"

namespace misync::storage {

#ifndef _WIN32  // Windows: lock_file_win.cpp
namespace {

struct flock byteRange(short type, std::int64_t offset) {
    struct flock l {};
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = offset;
    l.l_len = 1;
    return l;
}

}  // namespace
#endif

LockFile::Hold::Hold(Hold&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

LockFile::Hold& LockFile::Hold::operator=(Hold&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

#ifndef _WIN32  // Windows: lock_file_win.cpp
void LockFile::Hold::reset() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}
#endif

#ifndef _WIN32  // Windows: lock_file_win.cpp
LockFile::LockFile(std::string path) {
    // Absolute, because every lease opens the file again: a later change of the working
    // directory must not make a lease lock another file.
    std::error_code ec;
    auto absolute = std::filesystem::absolute(path, ec);
    path_ = ec ? std::move(path) : absolute.lexically_normal().string();
    fd_ = open();
    // Asking once proves that the kernel and the file system do OFD locks (Linux 3.15 and later;
    // not every network file system does), so that a run never finds out half way.
    struct flock probe = byteRange(F_WRLCK, kBell);
    if (::fcntl(fd_, F_OFD_GETLK, &probe) != 0) {
        const int e = errno;
        ::close(fd_);
        throw core::StoreError("lock file " + path_ +
                               " does not take open file description locks: " + std::strerror(e));
    }
}

LockFile::~LockFile() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

int LockFile::open() const {
    // O_CLOEXEC: a program started from misync must not keep a lock alive after misync ends.
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw core::StoreError("cannot open the lock file " + path_ + ": " + std::strerror(errno));
    }
    return fd;
}

bool LockFile::take(int fd, std::int64_t offset, short type, bool wait) const {
    struct flock l = byteRange(type, offset);
    for (;;) {
        if (::fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &l) == 0) {
            return true;
        }
        if (errno == EINTR) {
            continue;  // a signal while waiting: keep waiting
        }
        if (!wait && (errno == EAGAIN || errno == EACCES)) {
            return false;
        }
        throw core::StoreError("cannot lock byte " + std::to_string(offset) + " of " + path_ +
                               ": " + std::strerror(errno));
    }
}
#endif

std::optional<LockFile::Hold> LockFile::tryLock(std::int64_t offset) const {
    Hold h(open());  // owns the description, so a throw below closes it
    if (!take(h.fd(), offset, F_WRLCK, false)) {
        return std::nullopt;
    }
    return h;
}

LockFile::Hold LockFile::lock(std::int64_t offset) const {
    if (auto h = tryLock(offset)) {
        return std::move(*h);
    }
    Hold bell = ringBell();
    Hold h(open());
    take(h.fd(), offset, F_WRLCK, true);
    return h;
}

LockFile::Hold LockFile::ringBell() const {
    Hold h(open());
    // Nobody ever takes the bell exclusively, so this shared lock never waits.
    take(h.fd(), kBell, F_RDLCK, true);
    return h;
}

#ifndef _WIN32  // Windows: lock_file_win.cpp
bool LockFile::someoneWaiting() const {
    struct flock l = byteRange(F_WRLCK, kBell);
    if (::fcntl(fd_, F_OFD_GETLK, &l) != 0) {
        throw core::StoreError("cannot test the bell of " + path_ + ": " + std::strerror(errno));
    }
    return l.l_type != F_UNLCK;
}
#endif

SchoolLease LeaseBook::add(const std::string& school, LockFile::Hold hold) {
    held_.insert_or_assign(school, std::move(hold));
    return SchoolLease([book = weak_from_this(), school] {
        if (auto b = book.lock()) {
            b->release(school);
        }
    });
}

void LeaseBook::release(const std::string& school) {
    auto it = held_.find(school);
    if (it == held_.end()) {
        return;
    }
    if (uncommitted_()) {
        committing_.push_back(std::move(it->second));  // let go when the transaction ends
    }
    held_.erase(it);
}

}  // namespace misync::storage
