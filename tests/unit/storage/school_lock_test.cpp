// S7 on one directory of every backend (two Directory objects are two connections, as two
// processes would have): school leases exclude each other across threads and processes and
// die with their holder; a batch keeps its leases until it commits and commits before it waits;
// a writer is never starved by a batching one (the turnstile); the username delta load sees
// what other connections committed (U3); a dry run reads one snapshot.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/errors.h"
#include "reconcile/usernames.h"
#include "storage/directory.h"
#include "storage/secret_box.h"
#include "tests/support/test_directory.h"

using namespace misync;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSchoolA = "6612345";
constexpr const char* kSchoolB = "6619999";

class SchoolLockTest : public testsupport::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        open().reset();  // the schema, before any test opens two at once
    }

    // Whether `count` runs come to wait for `school`'s lease (false after a minute).
    bool awaitWaiters(const std::string& school, int count) {
        return database().awaitLeaseWaiters(school, count);
    }

    // PostgreSQL commits every run on its own (pg_directory.h: no batches, so a lease is free
    // as soon as its run has committed). True there, having checked that: the batch tests that
    // follow are SQLite's.
    bool commitsEveryRun() {
        if (GetParam() != testsupport::Backend::Postgresql) {
            return false;
        }
        auto d1 = open();
        auto d2 = open();
        d1->setBatching(true);
        {
            storage::SchoolLease l = d1->lockSchool(kSchoolA);
            d1->exclusive([&] {
                auto rec = record(kSchoolA);
                d1->recordRun(rec);
            });
        }
        EXPECT_FALSE(d1->batchPending());
        EXPECT_EQ(d2->listRuns(kSchoolA, 10).size(), 1u);
        EXPECT_TRUE(d2->tryLockSchool(kSchoolA));
        return true;
    }

    static storage::RunRecord record(const std::string& school) {
        storage::RunRecord r;
        r.school = school;
        r.connector = "sims-xml";
        r.asOf = "2026-11-28";
        r.startedAt = r.finishedAt = "2026-11-28T06:30:00Z";
        r.outcome = "no_change";
        return r;
    }

    // A plan that creates one learner account with `username` in `school`.
    static reconcile::Plan createPlan(const std::string& school, const std::string& username) {
        reconcile::Account a;
        a.username = username;
        a.school = school;
        a.attrs.misId = username + "-id";
        a.attrs.legalForename = "Siân";
        a.attrs.legalSurname = "Jones";
        a.displayName = "Siân Jones";
        a.createdAt = "2026-11-28T06:30:00Z";
        reconcile::Plan p;
        p.school = school;
        p.accounts.push_back({a, std::nullopt, {username}});
        reconcile::Action act;
        act.kind = reconcile::ActionKind::Create;
        act.username = username;
        p.actions.push_back(act);
        ++p.counts["create"];
        return p;
    }

    void create(storage::Directory& d, const std::string& school, const std::string& username) {
        auto rec = record(school);
        rec.outcome = "applied";
        d.apply(createPlan(school, username), rec, box_);
    }

    // Runs `f` on another thread; the future is ready when it returns.
    template <typename F>
    static std::future<void> onThread(F f) {
        return std::async(std::launch::async, std::move(f));
    }

    storage::SecretBox box_{std::array<unsigned char, 32>{1, 2, 3}};
};

// SQLite only: the lock file beside the database file is SQLite's way of holding leases.
class SqliteSchoolLockTest : public SchoolLockTest {};
MISYNC_ON_SQLITE_ONLY(SqliteSchoolLockTest);

TEST_P(SqliteSchoolLockTest, TheLockFileIsOwnerOnly) {
    struct stat st {};
    const std::string lockFile = database().sqlitePath().string() + ".lock";
    ASSERT_EQ(::stat(lockFile.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_P(SchoolLockTest, TwoLeasesOnOneSchoolExcludeEachOtherAcrossThreads) {
    auto d1 = open();
    auto d2 = open();
    storage::SchoolLease held = d1->lockSchool(kSchoolA);
    EXPECT_FALSE(d2->tryLockSchool(kSchoolA));
    EXPECT_TRUE(d2->tryLockSchool(kSchoolB));  // another school is free

    std::atomic<bool> got{false};
    auto waiter = onThread([&] {
        storage::SchoolLease l = d2->lockSchool(kSchoolA);
        got = true;
    });
    ASSERT_TRUE(awaitWaiters(kSchoolA, 1)) << "the second lease never waited";
    EXPECT_FALSE(got);
    held.release();
    ASSERT_EQ(waiter.wait_for(60s), std::future_status::ready);
    waiter.get();
    EXPECT_TRUE(got);
    EXPECT_TRUE(d1->tryLockSchool(kSchoolA));  // the waiter's lease went with its scope
}

TEST_P(SchoolLockTest, ALeaseExcludesAnotherProcessAndIsReleasedWhenItsHolderIsKilled) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The child: hold school A, say so, and wait to be killed (never released by hand).
        ::close(ready[0]);
        try {
            auto d = open();
            storage::SchoolLease l = d->lockSchool(kSchoolA);
            const char x = 'x';
            if (::write(ready[1], &x, 1) != 1) {
                ::_exit(2);
            }
            for (;;) {
                ::pause();
            }
        } catch (...) {
            ::_exit(3);
        }
    }
    ::close(ready[1]);
    char x = 0;
    ASSERT_EQ(::read(ready[0], &x, 1), 1) << "the child could not take the lease";
    ::close(ready[0]);

    auto d = open();
    EXPECT_FALSE(d->tryLockSchool(kSchoolA));
    std::atomic<bool> got{false};
    auto waiter = onThread([&] {
        storage::SchoolLease l = d->lockSchool(kSchoolA);
        got = true;
    });
    ASSERT_TRUE(awaitWaiters(kSchoolA, 1));
    EXPECT_FALSE(got);
    ::kill(child, SIGKILL);  // kill -9 must never leave a school locked
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status));
    ASSERT_EQ(waiter.wait_for(60s), std::future_status::ready);
    waiter.get();
    EXPECT_TRUE(got);
}

TEST_P(SchoolLockTest, ABatchKeepsItsLeasesUntilItCommits) {
    if (commitsEveryRun()) {
        return;
    }
    auto d1 = open();
    auto d2 = open();
    d1->setBatching(true);
    {
        storage::SchoolLease l = d1->lockSchool(kSchoolA);
        d1->exclusive([&] {
            auto rec = record(kSchoolA);
            d1->recordRun(rec);
        });
    }  // released, but the run it wrote is not committed yet
    EXPECT_FALSE(d2->tryLockSchool(kSchoolA));
    EXPECT_TRUE(d2->listRuns(kSchoolA, 10).empty());
    d1->flush();
    EXPECT_TRUE(d2->tryLockSchool(kSchoolA));
    EXPECT_EQ(d2->listRuns(kSchoolA, 10).size(), 1u);

    // Without a batch, the school is free as soon as the lease is released after the commit.
    d1->setBatching(false);
    {
        storage::SchoolLease l = d1->lockSchool(kSchoolB);
        d1->exclusive([&] {
            auto rec = record(kSchoolB);
            d1->recordRun(rec);
        });
        EXPECT_FALSE(d2->tryLockSchool(kSchoolB));
    }
    EXPECT_TRUE(d2->tryLockSchool(kSchoolB));
}

TEST_P(SchoolLockTest, ABatchCommitsAndLetsGoOfItsSchoolsBeforeItWaits) {
    auto d1 = open();
    auto d2 = open();
    d1->setBatching(true);
    {
        storage::SchoolLease l = d1->lockSchool(kSchoolA);
        d1->exclusive([&] {
            auto rec = record(kSchoolA);
            d1->recordRun(rec);
        });
    }
    std::optional<storage::SchoolLease> b = d2->tryLockSchool(kSchoolB);
    ASSERT_TRUE(b);
    std::atomic<bool> got{false};
    auto waiter = onThread([&] {
        storage::SchoolLease l = d1->lockSchool(kSchoolB);  // busy: flush first, then wait
        got = true;
    });
    ASSERT_TRUE(awaitWaiters(kSchoolB, 1));
    EXPECT_FALSE(got);
    // The batch committed before waiting: its run is visible and its school free.
    EXPECT_EQ(d2->listRuns(kSchoolA, 10).size(), 1u);
    EXPECT_TRUE(d2->tryLockSchool(kSchoolA));
    b.reset();
    ASSERT_EQ(waiter.wait_for(60s), std::future_status::ready);
    waiter.get();
    EXPECT_TRUE(got);
}

// The bell: a batch that learns that someone waits commits at once, well before 250 runs or five
// seconds, and so lets its schools go.
TEST_P(SchoolLockTest, ABatchCommitsAtTheEndOfTheRunDuringWhichSomeoneStartedWaiting) {
    if (commitsEveryRun()) {
        return;
    }
    auto d1 = open();
    auto d2 = open();
    d1->setBatching(true);
    {
        storage::SchoolLease a = d1->lockSchool(kSchoolA);
        d1->exclusive([&] {
            auto rec = record(kSchoolA);
            d1->recordRun(rec);
        });
    }
    std::future<void> waiter;
    {
        storage::SchoolLease b = d1->lockSchool(kSchoolB);
        d1->exclusive([&] {
            auto rec = record(kSchoolB);
            d1->recordRun(rec);
            waiter = onThread([&] { storage::SchoolLease l = d2->lockSchool(kSchoolA); });
            ASSERT_TRUE(awaitWaiters(kSchoolA, 1));
        });
    }
    const bool ready = waiter.wait_for(60s) == std::future_status::ready;
    d1->setBatching(false);  // lets the waiter go in any case, so that the test ends
    waiter.get();
    EXPECT_TRUE(ready) << "the waiter was let in only when the batch ended";
}

TEST_P(SchoolLockTest, ABatchCommitsBeforeItsNextRunWhenSomeoneWaits) {
    if (commitsEveryRun()) {
        return;
    }
    auto d1 = open();
    auto d2 = open();
    d1->setBatching(true);
    {
        storage::SchoolLease a = d1->lockSchool(kSchoolA);
        d1->exclusive([&] {
            auto rec = record(kSchoolA);
            d1->recordRun(rec);
        });
    }
    auto waiter = onThread([&] { storage::SchoolLease l = d2->lockSchool(kSchoolA); });
    ASSERT_TRUE(awaitWaiters(kSchoolA, 1));
    storage::SchoolLease b = d1->lockSchool(kSchoolB);  // free, but someone waits: commit first
    const bool ready = waiter.wait_for(60s) == std::future_status::ready;
    d1->setBatching(false);
    waiter.get();
    EXPECT_TRUE(ready) << "the waiter was let in only when the batch ended";
}

// The turnstile: a process that batches begins its next transaction right after each commit;
// one waiting for the write lock must still get in after at most a run or two of the batch,
// not only when the batch happens to end (or never, when it times out).
TEST_P(SchoolLockTest, AWriterGetsInWhileABatchingProcessKeepsBeginningAgain) {
    auto d1 = open();
    auto d2 = open();
    std::atomic<bool> stop{false};
    std::atomic<int> batchRuns{0};
    auto busy = onThread([&] {
        d1->setBatching(true);
        while (!stop) {
            d1->exclusive([&] {
                auto rec = record(kSchoolA);
                d1->recordRun(rec);
                std::this_thread::sleep_for(20ms);  // planning, holding the write lock
            });
            ++batchRuns;
        }
        d1->setBatching(false);
    });
    while (batchRuns < 2) {
        std::this_thread::sleep_for(1ms);
    }
    for (int i = 0; i < 5; ++i) {
        const int before = batchRuns;
        EXPECT_NO_THROW(d2->exclusive([&] {
            auto rec = record(kSchoolB);
            d2->recordRun(rec);
        }));
        // Counted in runs of the batch, not in seconds: without the bell the batch would go on
        // for 250 runs, without the turnstile it would win every race for the write lock.
        EXPECT_LE(batchRuns - before, 10) << "attempt " << i;
    }
    stop = true;
    busy.get();
    EXPECT_EQ(d2->listRuns(kSchoolB, 100).size(), 5u);
}

TEST_P(SchoolLockTest, TheUsernameDeltaSeesWhatAnotherConnectionCommitted) {
    // A name from before schema 3 carries sequence number 0 (quoted numbers: an integer or a
    // boolean column takes them alike).
    ASSERT_EQ(database().exec("INSERT INTO usernames (name, account_id, is_alias, seq) "
                              "VALUES ('oldname', '0', '0', '0')"),
              "");
    auto d1 = open();
    auto d2 = open();
    reconcile::UsernameRegistry all;
    const std::int64_t first = d1->loadUsernames(all);  // the first load takes everything
    EXPECT_TRUE(all.taken("oldname"));
    EXPECT_EQ(first, 0);

    create(*d2, kSchoolA, "jonesa");
    std::int64_t second = 0;
    d1->exclusive([&] { second = d1->loadUsernames(all, first); });
    EXPECT_TRUE(all.taken("jonesa"));
    EXPECT_GT(second, first);

    create(*d2, kSchoolB, "jonesa1");
    reconcile::UsernameRegistry delta;
    const std::int64_t third = d1->loadUsernames(delta, second);
    EXPECT_GT(third, second);
    EXPECT_EQ(delta.size(), 1u);  // only what was reserved since
    EXPECT_TRUE(delta.taken("jonesa1"));
    EXPECT_EQ(d1->loadUsernames(delta, third), third);  // nothing new: the same number back
    EXPECT_EQ(delta.size(), 1u);
}

TEST_P(SchoolLockTest, ADryRunReadsOneSnapshotAndCannotWrite) {
    auto d1 = open();
    auto d2 = open();
    std::size_t before = 99;
    std::size_t during = 99;
    d1->readSnapshot([&] {
        before = d1->listAccounts({}).size();
        create(*d2, kSchoolA, "jonesa");  // another connection commits meanwhile
        during = d1->listAccounts({}).size();
    });
    EXPECT_EQ(before, 0u);
    EXPECT_EQ(during, 0u);
    EXPECT_EQ(d1->listAccounts({}).size(), 1u);

    EXPECT_THROW(d1->readSnapshot([&] {
        auto rec = record(kSchoolB);
        d1->recordRun(rec);
    }),
                 core::StoreError);
    EXPECT_TRUE(d1->listRuns(kSchoolB, 10).empty());
    EXPECT_NO_THROW(d1->exclusive([&] {
        auto rec = record(kSchoolB);
        d1->recordRun(rec);
    }));  // and the connection writes again afterwards
}

TEST_P(SchoolLockTest, RefusesWhatCouldDeadlock) {
    auto d1 = open();
    auto d2 = open();
    // Inside a transaction (it holds the write lock).
    EXPECT_THROW(d1->exclusive([&] { d1->lockSchool(kSchoolA); }), core::StoreError);
    // The same school twice.
    storage::SchoolLease a = d1->lockSchool(kSchoolA);
    EXPECT_THROW(d1->lockSchool(kSchoolA), core::StoreError);
    EXPECT_FALSE(d1->tryLockSchool(kSchoolA));
    // Waiting for a school held elsewhere while holding another one.
    auto b = d2->tryLockSchool(kSchoolB);
    ASSERT_TRUE(b);
    try {
        d1->lockSchool(kSchoolB);
        FAIL() << "expected an error";
    } catch (const core::StoreError& e) {
        EXPECT_NE(std::string(e.what()).find(kSchoolB), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(kSchoolA), std::string::npos) << e.what();
    }
    EXPECT_THROW(d1->lockSchool("66-1234"), core::StoreError);
}

TEST_P(SchoolLockTest, ALeaseThatOutlivesItsDirectoryReleasesNothing) {
    auto d1 = open();
    storage::SchoolLease a = d1->lockSchool(kSchoolA);
    d1.reset();  // closing the directory let go of its schools
    auto d2 = open();
    EXPECT_TRUE(d2->tryLockSchool(kSchoolA));
    a.release();  // and the late release touches nothing
    EXPECT_FALSE(a.held());
}

MISYNC_ON_EVERY_BACKEND(SchoolLockTest);

}  // namespace
