// LockFile (storage/lock_file.h) on Windows (docs/windows.md): LockFileEx byte-range locks,
// each Hold through a handle of its own. Like Linux's OFD locks they belong to the handle, so
// two handles exclude each other within one process as between two, and Windows drops a
// handle's locks when it is closed or its process ends. Only built for Windows.
#ifdef _WIN32

#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>

#include <filesystem>
#include <utility>

#include "core/errors.h"
#include "storage/lock_file.h"

namespace misync::storage {

namespace {

constexpr short F_RDLCK = 0;

std::string lastError() {
    return "Windows error " + std::to_string(::GetLastError());
}

HANDLE handleOf(int fd) {
    return reinterpret_cast<HANDLE>(::_get_osfhandle(fd));
}

OVERLAPPED at(std::int64_t offset) {
    OVERLAPPED o{};
    o.Offset = static_cast<DWORD>(offset & 0xffffffff);
    o.OffsetHigh = static_cast<DWORD>(offset >> 32);  // the owner locks lie beyond 4 GiB
    return o;
}

}  // namespace

void LockFile::Hold::reset() noexcept {
    if (fd_ >= 0) {
        ::_close(fd_);  // closes the handle, which drops its locks
        fd_ = -1;
    }
}

LockFile::LockFile(std::string path) {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(path, ec);
    path_ = ec ? std::move(path) : absolute.lexically_normal().string();
    fd_ = open();
}

LockFile::~LockFile() {
    if (fd_ >= 0) {
        ::_close(fd_);
    }
}

int LockFile::open() const {
    // _O_NOINHERIT: a program started from misync must not keep a lock alive after misync ends.
    const int fd = ::_wopen(std::filesystem::path(path_).c_str(),
                            _O_RDWR | _O_CREAT | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
    if (fd < 0) {
        throw core::StoreError("cannot open the lock file " + path_);
    }
    return fd;
}

bool LockFile::take(int fd, std::int64_t offset, short type, bool wait) const {
    OVERLAPPED o = at(offset);
    DWORD flags = type == F_RDLCK ? 0 : LOCKFILE_EXCLUSIVE_LOCK;
    if (!wait) {
        flags |= LOCKFILE_FAIL_IMMEDIATELY;
    }
    if (::LockFileEx(handleOf(fd), flags, 0, 1, 0, &o) != 0) {
        return true;
    }
    if (!wait && ::GetLastError() == ERROR_LOCK_VIOLATION) {
        return false;
    }
    throw core::StoreError("cannot lock byte " + std::to_string(offset) + " of " + path_ + ": " +
                           lastError());
}

bool LockFile::someoneWaiting() const {
    // Windows cannot ask who holds a range: try the bell exclusively through the file's own
    // handle (which never holds it), and let go at once.
    OVERLAPPED o = at(kBell);
    const HANDLE h = handleOf(fd_);
    if (::LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &o) != 0) {
        o = at(kBell);
        ::UnlockFileEx(h, 0, 1, 0, &o);
        return false;
    }
    if (::GetLastError() == ERROR_LOCK_VIOLATION) {
        return true;
    }
    throw core::StoreError("cannot test the bell of " + path_ + ": " + lastError());
}

}  // namespace misync::storage

#endif  // _WIN32
