// S7 on one machine: byte-range locks on one lock file beside a SQLite directory
// (`<database>.lock`, created 0600; it holds no data). They are Linux open file description
// (OFD) locks: a lock belongs to the open file description it was taken through, so two
// descriptions exclude each other whether they are in two processes or two threads of one, and
// the kernel drops a lock when its description is closed — also when its process dies, kill -9
// included — so no school can stay locked by a process that is gone.
//
// The byte at offset N is the lock of the school whose DfES number is N (seven digits); the two
// bytes after every DfES number are the turnstile and the bell (docs/architecture.md, "Several
// processes on one directory"); from 2^40 on, the owner locks of running processes
// (docs/reliability.md). Private to storage/.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/school_lock.h"

namespace misync::storage {

class LockFile {
  public:
    static constexpr std::int64_t kTurnstile = 10'000'000;  // held around every outermost BEGIN
    static constexpr std::int64_t kBell = 10'000'001;       // held (shared) by whoever is waiting
    // Owner locks (RunMarkers, docs/reliability.md): the byte at kOwners + key is held by the
    // live directory whose `running` rows name that key.
    static constexpr std::int64_t kOwners = std::int64_t(1) << 40;
    static constexpr std::int64_t kOwnerKeys = std::int64_t(1) << 40;  // keys 1 … kOwnerKeys-1

    // An exclusive or shared lock on one byte, through an open file description of its own:
    // held until reset or destroyed. Move-only.
    class Hold {
      public:
        Hold() = default;
        explicit Hold(int fd) : fd_(fd) {}
        Hold(Hold&& other) noexcept;
        Hold& operator=(Hold&& other) noexcept;
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        ~Hold() { reset(); }
        bool held() const { return fd_ >= 0; }
        int fd() const { return fd_; }
        void reset() noexcept;  // closing the description drops its lock

      private:
        int fd_ = -1;
    };

    // Opens the file, creating it owner-only (0600) when it is missing; throws core::StoreError
    // naming it when it cannot be opened or the kernel has no OFD locks.
    explicit LockFile(std::string path);
    ~LockFile();
    LockFile(const LockFile&) = delete;
    LockFile& operator=(const LockFile&) = delete;

    const std::string& path() const { return path_; }

    // The exclusive lock on byte `offset` if no other description holds it; nullopt when one does.
    std::optional<Hold> tryLock(std::int64_t offset) const;
    // Waits for the exclusive lock on byte `offset`, holding the bell while it waits.
    Hold lock(std::int64_t offset) const;
    // Holds the bell (a shared lock): tells processes that batch their writes that someone waits.
    Hold ringBell() const;
    // Whether any other description holds the bell, i.e. someone is waiting for a school or for
    // the directory's write lock.
    bool someoneWaiting() const;

  private:
    std::string path_;
    int fd_ = -1;  // the file's own description: opened first (creating the file), asks F_OFD_GETLK
    int open() const;
    bool take(int fd, std::int64_t offset, short type, bool wait) const;
};

// The leases a directory has handed out (S7), and the locks of released leases whose writes
// are not committed yet: a released lease's school stays locked until the transaction that
// wrote under it has ended (in a batch, until its COMMIT), so that the next run of that school,
// in any process, plans against the committed result.
class LeaseBook : public std::enable_shared_from_this<LeaseBook> {
  public:
    // `uncommitted` answers whether the directory has a transaction open right now.
    explicit LeaseBook(std::function<bool()> uncommitted) : uncommitted_(std::move(uncommitted)) {}

    bool holds(const std::string& school) const { return held_.count(school) != 0; }
    // One school this book holds, for error messages; empty when it holds none.
    std::string anyHeld() const { return held_.empty() ? std::string() : held_.begin()->first; }
    SchoolLease add(const std::string& school, LockFile::Hold hold);
    // The open transaction has ended (committed or rolled back): lets go of released leases.
    void transactionEnded() { committing_.clear(); }

  private:
    std::function<bool()> uncommitted_;
    std::map<std::string, LockFile::Hold> held_;
    std::vector<LockFile::Hold> committing_;
    void release(const std::string& school);
};

}  // namespace misync::storage
