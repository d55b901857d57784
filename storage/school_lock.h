// S7: a run's hold on its school. Only one run per school at a time, across the threads and
// processes that share one directory; a run that finds its school held waits for the holder's
// run to end. How the hold is kept is the backend's business (SQLite: byte-range locks on a
// lock file beside the database, storage/lock_file.h; PostgreSQL: advisory locks).
#pragma once

#include <functional>
#include <utility>

namespace misync::storage {

// Holds one school until it is released or destroyed. Move-only. Releasing hands the school
// back to the directory, which lets it go as soon as the transaction that wrote under the lease
// has committed (at once when nothing is uncommitted; in a batch, at its flush). A lease that
// outlives its directory releases nothing (the directory let every school go when it closed).
class SchoolLease {
  public:
    SchoolLease() = default;
    explicit SchoolLease(std::function<void()> release) : release_(std::move(release)) {}
    SchoolLease(SchoolLease&& other) noexcept : release_(std::exchange(other.release_, {})) {}
    SchoolLease& operator=(SchoolLease&& other) noexcept {
        if (this != &other) {
            release();
            release_ = std::exchange(other.release_, {});
        }
        return *this;
    }
    SchoolLease(const SchoolLease&) = delete;
    SchoolLease& operator=(const SchoolLease&) = delete;
    ~SchoolLease() { release(); }

    bool held() const { return static_cast<bool>(release_); }
    void release() noexcept {
        if (auto r = std::exchange(release_, {})) {
            r();
        }
    }

  private:
    std::function<void()> release_;
};

}  // namespace misync::storage
