// Runs in flight and runs whose process died (storage::RunMarkers, issue 9, docs/reliability.md)
// on every backend: a `running` row is finished by its run's own record, in the run's
// transaction; a live process's rows are never marked interrupted, by itself or by anyone else;
// a killed process's rows are, by the next directory that looks (for one school or for all);
// a batch commits what it holds before its markers, so they are committed on their own.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "core/errors.h"
#include "storage/directory.h"
#include "tests/support/test_directory.h"

using namespace misync;

namespace {

constexpr const char* kSchoolA = "6612345";
constexpr const char* kSchoolB = "6619999";

class RunMarkerTest : public testsupport::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        open().reset();  // the schema, before any test opens two at once
    }

    static storage::RunRecord record(const std::string& school) {
        storage::RunRecord r;
        r.school = school;
        r.connector = "sims-xml";
        r.asOf = "2026-11-28";
        r.startedAt = "2026-11-28T06:30:00Z";
        return r;
    }

    // A child process that opens the directory, marks runs of `schools` as running, tells the
    // parent, and waits to be killed. Returns its pid once the rows are committed.
    pid_t childMarking(const std::vector<std::string>& schools) {
        int ready[2];
        if (::pipe(ready) != 0) {
            ADD_FAILURE() << "pipe";
            return -1;
        }
        const pid_t child = ::fork();
        if (child == 0) {
            ::close(ready[0]);
            try {
                auto d = open();
                std::vector<storage::RunRecord> recs;
                for (const auto& s : schools) {
                    recs.push_back(record(s));
                }
                std::vector<storage::RunRecord*> ptrs;
                for (auto& r : recs) {
                    ptrs.push_back(&r);
                }
                d->markRunning(ptrs);
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
        const bool ok = ::read(ready[0], &x, 1) == 1;
        ::close(ready[0]);
        EXPECT_TRUE(ok) << "the child could not mark its runs";
        return child;
    }

    // markInterrupted(school) as soon as it marks something (PostgreSQL frees a killed
    // process's locks once its server process has noticed, a moment after the kill); empty after
    // ten seconds.
    static std::vector<storage::RunRecord> awaitInterrupted(storage::Directory& d,
                                                            const std::string& school = "") {
        for (int i = 0; i < 1000; ++i) {
            auto runs = d.markInterrupted(school);
            if (!runs.empty()) {
                return runs;
            }
            ::usleep(10'000);
        }
        return {};
    }

    static void killChild(pid_t child) {
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        EXPECT_TRUE(WIFSIGNALED(status));
    }
};

TEST_P(RunMarkerTest, ARunningRowIsFinishedByItsRunsRecord) {
    auto d = open();
    auto rec = record(kSchoolA);
    d->markRunning({&rec});
    ASSERT_NE(rec.id, 0);
    auto runs = d->listRuns(kSchoolA, 10);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].outcome, "running");
    EXPECT_EQ(runs[0].finishedAt, "");
    auto statuses = d->schoolStatuses({kSchoolA});
    ASSERT_EQ(statuses.size(), 1u);
    ASSERT_TRUE(statuses[0].lastRun);
    EXPECT_EQ(statuses[0].lastRun->outcome, "running");
    EXPECT_EQ(statuses[0].consecutiveFailures, 0);

    const std::int64_t id = rec.id;
    rec.outcome = "no_change";
    rec.finishedAt = "2026-11-28T06:31:00Z";
    d->exclusive([&] { d->recordRun(rec); });
    EXPECT_EQ(rec.id, id);
    runs = d->listRuns(kSchoolA, 10);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].id, id);
    EXPECT_EQ(runs[0].outcome, "no_change");
    EXPECT_EQ(runs[0].finishedAt, "2026-11-28T06:31:00Z");

    // A finished row is never rewritten: a record naming it gets a row of its own.
    rec.outcome = "failed";
    d->recordRun(rec);
    EXPECT_NE(rec.id, id);
    EXPECT_EQ(d->listRuns(kSchoolA, 10).size(), 2u);
    EXPECT_EQ(d->getRun(id)->outcome, "no_change");
}

TEST_P(RunMarkerTest, ARolledBackRunLeavesItsRowRunningUntilItsFailureIsRecorded) {
    auto d = open();
    auto rec = record(kSchoolA);
    d->markRunning({&rec});
    const std::int64_t id = rec.id;
    rec.outcome = "no_change";
    EXPECT_THROW(d->exclusive([&] {
        d->recordRun(rec);
        throw std::runtime_error("the run fails after writing its record");
    }),
                 std::runtime_error);
    EXPECT_EQ(d->getRun(id)->outcome, "running");
    rec.id = id;
    rec.outcome = "failed";
    d->recordRun(rec);
    EXPECT_EQ(rec.id, id);
    EXPECT_EQ(d->getRun(id)->outcome, "failed");
    EXPECT_EQ(d->listRuns(kSchoolA, 10).size(), 1u);
}

TEST_P(RunMarkerTest, ALiveProcesssRowsAreNeverMarkedInterrupted) {
    // Another live process's rows (forked first: a child inherits no open directory).
    const pid_t child = childMarking({kSchoolB});
    ASSERT_GT(child, 0);
    auto d1 = open();
    auto d2 = open();
    auto rec = record(kSchoolA);
    d1->markRunning({&rec});
    // Nor this process's own, asked through itself or through another connection.
    EXPECT_TRUE(d1->markInterrupted().empty());
    EXPECT_TRUE(d1->markInterrupted(kSchoolA).empty());
    EXPECT_TRUE(d2->markInterrupted().empty());
    EXPECT_TRUE(d2->markInterrupted(kSchoolA).empty());
    EXPECT_TRUE(d2->markInterrupted(kSchoolB).empty());
    EXPECT_EQ(d2->getRun(rec.id)->outcome, "running");
    ASSERT_EQ(d2->listRuns(kSchoolB, 10).size(), 1u);
    EXPECT_EQ(d2->listRuns(kSchoolB, 10)[0].outcome, "running");
    killChild(child);
    auto b = awaitInterrupted(*d2);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].school, kSchoolB);
    EXPECT_EQ(d2->getRun(rec.id)->outcome, "running");
}

TEST_P(RunMarkerTest, AKilledProcesssRowsAreMarkedInterruptedByTheNextLook) {
    const pid_t child = childMarking({kSchoolA, kSchoolB});
    ASSERT_GT(child, 0);
    auto d = open();
    EXPECT_TRUE(d->markInterrupted().empty());
    killChild(child);

    // One school, as a run that takes its lease looks.
    auto a = awaitInterrupted(*d, kSchoolA);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].school, kSchoolA);
    EXPECT_EQ(a[0].outcome, "interrupted");
    EXPECT_NE(a[0].finishedAt, "");
    ASSERT_EQ(a[0].errors.size(), 1u);
    EXPECT_EQ(a[0].errors[0].code, "interrupted");
    EXPECT_EQ(d->getRun(a[0].id)->outcome, "interrupted");
    EXPECT_EQ(d->listRuns(kSchoolB, 10).at(0).outcome, "running");

    // Every school, as a start-up looks; then nothing is left to mark.
    auto all = d->markInterrupted();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].school, kSchoolB);
    EXPECT_TRUE(d->markInterrupted().empty());

    // An interrupted run counts as a failure; the school's last success is still the last.
    auto statuses = d->schoolStatuses({kSchoolA});
    ASSERT_EQ(statuses.size(), 1u);
    EXPECT_EQ(statuses[0].consecutiveFailures, 1);
    EXPECT_EQ(statuses[0].lastRun->outcome, "interrupted");
}

TEST_P(RunMarkerTest, MarkersAreCommittedOnTheirOwnAheadOfABatch) {
    auto d1 = open();
    auto d2 = open();
    d1->setBatching(true);
    auto first = record(kSchoolA);
    first.outcome = "no_change";
    first.finishedAt = "2026-11-28T06:31:00Z";
    d1->recordRun(first);  // in a batch (SQLite), not yet committed
    auto rec = record(kSchoolB);
    d1->markRunning({&rec});
    EXPECT_FALSE(d1->batchPending());  // the batch committed before the markers
    EXPECT_EQ(d2->listRuns(kSchoolA, 10).size(), 1u);
    ASSERT_EQ(d2->listRuns(kSchoolB, 10).size(), 1u);
    EXPECT_EQ(d2->listRuns(kSchoolB, 10)[0].outcome, "running");
    EXPECT_TRUE(d1->batching() || GetParam() == testsupport::Backend::Postgresql);

    // The run finishes its row inside the next batch: visible once that commits.
    rec.outcome = "no_change";
    rec.finishedAt = "2026-11-28T06:32:00Z";
    d1->recordRun(rec);
    d1->flush();
    EXPECT_EQ(d2->listRuns(kSchoolB, 10).at(0).outcome, "no_change");
    EXPECT_THROW(d1->exclusive([&] { d1->markRunning({&rec}); }), core::StoreError);

    // A record that replaces an announced row gets a new id, in commit order, and the row goes
    // in the same transaction.
    auto announced = record(kSchoolA);
    d1->markRunning({&announced});
    auto other = record(kSchoolA);
    other.outcome = "no_change";
    d1->recordRun(other);  // another run of the school, committed meanwhile
    d1->flush();
    auto replacing = record(kSchoolA);
    replacing.outcome = "applied";
    replacing.replacesRun = announced.id;
    d1->recordRun(replacing);
    d1->flush();
    EXPECT_GT(replacing.id, other.id);
    EXPECT_FALSE(d2->getRun(announced.id));
    EXPECT_EQ(d2->listRuns(kSchoolA, 1).at(0).outcome, "applied");
}

MISYNC_ON_EVERY_BACKEND(RunMarkerTest);

}  // namespace