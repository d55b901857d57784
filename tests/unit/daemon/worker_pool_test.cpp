// SPEC §9.1 worker pool (daemon/worker_pool.h) on a real SQLite directory in a temporary
// folder: workers each open their own directory and key, take the queued runs and report each
// one; retiring shrinks the pool; close() drops what waits and awaitRunsEnd() joins. The schools'
// drop folders do not exist, so every run fails quickly (R15: source_unreadable) — what is
// tested here is the pool, not the runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "daemon/worker_pool.h"

namespace fs = std::filesystem;
using misync::daemon::Config;
using misync::daemon::openWorkerTools;
using misync::daemon::RunQueue;
using misync::daemon::SchoolConfig;
using misync::daemon::WorkerPool;
using namespace std::chrono_literals;

namespace {

class WorkerPoolTest : public testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("misync-pool-" + std::to_string(::getpid()) + "-" +
                testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        misync::connectors::registerBuiltinConnectors(registry_);
        auto c = std::make_shared<Config>();
        c->directory.path = (dir_ / "directory.db").string();
        c->secrets.keyFile = (dir_ / "secret.key").string();
        for (const char* dfes : {"6610001", "6610002", "6610003", "6610004"}) {
            SchoolConfig s;
            s.dfes = dfes;
            s.connector = "sims-xml";
            s.source = (dir_ / "mis" / dfes).string();  // absent
            c->schools.push_back(s);
        }
        config_ = c;
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Waits (up to 60 s) until `n` runs have been reported.
    void awaitFinished(std::size_t n) {
        std::unique_lock<std::mutex> lock(mutex_);
        EXPECT_TRUE(wake_.wait_for(lock, 60s, [&] { return finished_.size() >= n; }))
            << finished_.size() << " of " << n << " runs reported";
    }
    WorkerPool::OnFinished onFinished() {
        return [this](const WorkerPool::Finished& f) {
            std::lock_guard<std::mutex> lock(mutex_);
            finished_.push_back(f.run);
            wake_.notify_all();
        };
    }

    fs::path dir_;
    misync::connectors::ConnectorRegistry registry_;
    std::shared_ptr<const Config> config_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<misync::storage::RunRecord> finished_;
};

TEST_F(WorkerPoolTest, WorkersTakeTheQueuedRunsAndReportEach) {
    const auto asOf = misync::core::Date::fromYmd(2025, 1, 15);
    std::atomic<int> changes{0};
    WorkerPool pool(
        onFinished(), [&] { ++changes; }, asOf);
    pool.setConfig(config_);
    pool.addWorker(openWorkerTools(*config_, registry_));
    pool.addWorker(openWorkerTools(*config_, registry_));
    EXPECT_EQ(pool.size(), 2u);
    for (const auto& s : config_->schools) {
        EXPECT_NE(pool.trigger(s.dfes, "api"), RunQueue::Added::Refused);
    }
    awaitFinished(4);
    std::set<std::string> schools;
    for (const auto& run : finished_) {
        schools.insert(run.school);
        EXPECT_EQ(run.trigger, "api");
        EXPECT_EQ(run.asOf, "2025-01-15");
        EXPECT_EQ(run.outcome, "failed");
        ASSERT_FALSE(run.errors.empty());
        EXPECT_EQ(run.errors.back().code, "source_unreadable");
    }
    EXPECT_EQ(schools.size(), 4u);
    EXPECT_GT(changes.load(), 0);

    pool.retire(1);
    EXPECT_EQ(pool.size(), 1u);
    pool.trigger("6610001", "schedule");
    awaitFinished(5);
    EXPECT_EQ(finished_.back().trigger, "schedule");

    EXPECT_TRUE(pool.close().empty());
    EXPECT_EQ(pool.trigger("6610002", "api"), RunQueue::Added::Refused);
    EXPECT_TRUE(pool.awaitRunsEnd(std::chrono::steady_clock::now() + 30s, [] {}));
}

TEST_F(WorkerPoolTest, ASchoolNoLongerConfiguredIsNotRun) {
    WorkerPool pool(
        onFinished(), [] {}, std::nullopt);
    auto fewer = std::make_shared<Config>(*config_);
    fewer->schools.resize(1);  // 6610001 only
    pool.setConfig(fewer);
    pool.trigger("6610004", "file");  // queued before the reload that removed it took effect
    pool.trigger("6610001", "file");
    pool.addWorker(openWorkerTools(*config_, registry_));
    awaitFinished(1);
    EXPECT_TRUE(pool.close().empty());
    EXPECT_TRUE(pool.awaitRunsEnd(std::chrono::steady_clock::now() + 30s, [] {}));
    ASSERT_EQ(finished_.size(), 1u);
    EXPECT_EQ(finished_[0].school, "6610001");
}

}  // namespace
