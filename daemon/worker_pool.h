// SPEC §9.1 "a bounded worker pool": `[daemon] workers` threads taking runs from the RunQueue
// (daemon/run_queue.h) in trigger order. A storage::Directory is one connection and not
// thread-safe, so each worker owns its Directory, its SecretBox (checked against that
// directory, P3) and its Runner; S7's leases and turnstile make the workers exclude each other
// exactly as separate processes do (docs/architecture.md).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connectors/connector.h"
#include "core/date.h"
#include "daemon/config.h"
#include "daemon/run_queue.h"
#include "daemon/runner.h"
#include "reconcile/passwords.h"
#include "storage/directory.h"
#include "storage/secret_box.h"

namespace misync::daemon {

// What one worker owns. Opened on the main thread (so that a directory or key that cannot be
// used is a start-up error), then used by that worker's thread only.
struct WorkerTools {
    std::unique_ptr<storage::Directory> directory;
    std::optional<storage::SecretBox> box;
    reconcile::SecurePasswordGenerator passwords;
    std::unique_ptr<Runner> runner;
};

// Opens a worker's directory and key as `misync run` does (throws core::ConfigError for the key,
// core::StoreError for the directory, naming the file).
std::unique_ptr<WorkerTools> openWorkerTools(const Config& config,
                                             const connectors::ConnectorRegistry& registry);

class WorkerPool {
  public:
    struct Finished {
        storage::RunRecord run;
        double seconds = 0;
    };
    // Called on the worker's thread after each run (metrics, notifications, log).
    using OnFinished = std::function<void(const Finished&)>;
    // Called whenever what runs or waits changed (the STATUS= line).
    using OnChange = std::function<void()>;

    // `asOf`: the date every run compares against, or nullopt for each run's today (UTC).
    WorkerPool(OnFinished onFinished, OnChange onChange, std::optional<core::Date> asOf);
    ~WorkerPool();  // joins the threads; close() and awaitRunsEnd() first
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // The configuration the next runs see (runs under way keep theirs).
    void setConfig(std::shared_ptr<const Config> config);
    // Starts one more worker with `tools`.
    void addWorker(std::unique_ptr<WorkerTools> tools);
    // The last `n` workers end once their current run (if any) is done.
    void retire(std::size_t n);
    // Workers not retiring.
    std::size_t size() const;

    // Queues a run (RunQueue::add) and logs what became of the trigger.
    RunQueue::Added trigger(const std::string& school, const std::string& trigger);
    // Drops the waiting runs of schools `keep` refuses (a reload removed them).
    std::vector<std::string> retain(const std::function<bool(const std::string&)>& keep);
    std::size_t waiting() const;
    std::size_t running() const;
    std::vector<std::string> runningSchools() const;

    // Stop: refuses every later trigger and drops the waiting runs; returns their schools.
    std::vector<std::string> close();
    // Waits until no run is under way or `deadline` passes, calling `tick` about every 200 ms;
    // true when every run ended (the threads are then joined).
    bool awaitRunsEnd(std::chrono::steady_clock::time_point deadline,
                      const std::function<void()>& tick);

  private:
    struct Worker {
        std::unique_ptr<WorkerTools> tools;
        bool retiring = false;
        bool ended = false;
        std::thread thread;
    };
    void work(Worker& w);
    void reap();  // joins workers that have ended

    OnFinished onFinished_;
    OnChange onChange_;
    std::optional<core::Date> asOf_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    RunQueue queue_;
    std::shared_ptr<const Config> config_;
    std::vector<std::unique_ptr<Worker>> workers_;
    bool closed_ = false;
};

}  // namespace misync::daemon
