#include "daemon/worker_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/directory_key.h"

namespace misync::daemon {

std::unique_ptr<WorkerTools> openWorkerTools(const Config& config,
                                             const connectors::ConnectorRegistry& registry) {
    auto tools = std::make_unique<WorkerTools>();
    tools->directory = storage::Directory::open(
        {config.directory.backend, config.directory.path, config.directory.connection});
    tools->box = storage::openDirectoryKey(config.secrets.keyFile, *tools->directory);
    tools->runner =
        std::make_unique<Runner>(*tools->directory, registry, *tools->box, tools->passwords);
    return tools;
}

WorkerPool::WorkerPool(OnFinished onFinished, OnChange onChange, std::optional<core::Date> asOf)
    : onFinished_(std::move(onFinished)), onChange_(std::move(onChange)), asOf_(asOf) {}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
        queue_.close();
    }
    wake_.notify_all();
    for (auto& w : workers_) {
        if (w->thread.joinable()) {
            w->thread.join();
        }
    }
}

void WorkerPool::setConfig(std::shared_ptr<const Config> config) {
    std::lock_guard<std::mutex> lock(mutex_);
    config_ = std::move(config);
}

void WorkerPool::addWorker(std::unique_ptr<WorkerTools> tools) {
    std::lock_guard<std::mutex> lock(mutex_);
    reap();
    auto w = std::make_unique<Worker>();
    w->tools = std::move(tools);
    Worker& ref = *w;
    workers_.push_back(std::move(w));
    ref.thread = std::thread([this, &ref] { work(ref); });
}

void WorkerPool::retire(std::size_t n) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = workers_.rbegin(); it != workers_.rend() && n > 0; ++it) {
            if (!(*it)->retiring) {
                (*it)->retiring = true;
                --n;
            }
        }
    }
    wake_.notify_all();
}

std::size_t WorkerPool::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<std::size_t>(std::count_if(workers_.begin(), workers_.end(),
                                                  [](const auto& w) { return !w->retiring; }));
}

void WorkerPool::reap() {
    for (auto it = workers_.begin(); it != workers_.end();) {
        if ((*it)->ended && (*it)->thread.joinable()) {
            (*it)->thread.join();
            it = workers_.erase(it);
        } else {
            ++it;
        }
    }
}

RunQueue::Added WorkerPool::trigger(const std::string& school, const std::string& trigger) {
    RunQueue::Added added;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        added = queue_.add(school, trigger);
        // Logged before a worker can take it, so that the log reads in order.
        switch (added) {
            case RunQueue::Added::Queued:
                spdlog::info("school={} trigger={}: queued", school, trigger);
                break;
            case RunQueue::Added::Merged:
                spdlog::info("school={} trigger={}: merged into its queued run", school, trigger);
                break;
            case RunQueue::Added::AfterRunning:
                spdlog::info("school={} trigger={}: running now; one more run queued after it",
                             school, trigger);
                break;
            case RunQueue::Added::Refused:
                spdlog::info("school={} trigger={}: not queued, the daemon is stopping", school,
                             trigger);
                break;
        }
    }
    wake_.notify_all();
    onChange_();
    return added;
}

std::vector<std::string> WorkerPool::retain(const std::function<bool(const std::string&)>& keep) {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.retain(keep);
}

std::size_t WorkerPool::waiting() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.waiting();
}

std::size_t WorkerPool::running() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.running();
}

std::vector<std::string> WorkerPool::runningSchools() const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto& r = queue_.runningSchools();
    return {r.begin(), r.end()};
}

std::vector<std::string> WorkerPool::close() {
    std::vector<std::string> dropped;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
        dropped = queue_.close();
    }
    wake_.notify_all();
    return dropped;
}

bool WorkerPool::awaitRunsEnd(std::chrono::steady_clock::time_point deadline,
                              const std::function<void()>& tick) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (queue_.running() > 0) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return false;
        }
        wake_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(200)));
        lock.unlock();
        tick();
        lock.lock();
    }
    lock.unlock();
    wake_.notify_all();
    for (auto& w : workers_) {
        if (w->thread.joinable()) {
            w->thread.join();
        }
    }
    return true;
}

void WorkerPool::work(Worker& w) {
    for (;;) {
        std::unique_lock<std::mutex> lock(mutex_);
        std::optional<RunQueue::Job> job;
        while (!closed_ && !w.retiring && !(job = queue_.take())) {
            wake_.wait(lock);
        }
        if (!job) {
            w.ended = true;
            return;
        }
        std::shared_ptr<const Config> config = config_;  // this run's, whatever a reload does
        lock.unlock();

        const SchoolConfig* school = config ? config->findSchool(job->school) : nullptr;
        if (school != nullptr) {
            spdlog::info("school={} trigger={}: run started", job->school, job->trigger);
            const RunOptions options{asOf_ ? *asOf_ : core::today(), false, job->trigger};
            const auto started = std::chrono::steady_clock::now();
            Finished done;
            try {
                done.run = w.tools->runner->run(*school, options);
            } catch (const std::exception& e) {
                // Runner::run reports a school's own problems as a failed run; this is anything
                // else (memory): logged, and the worker goes on with the next run.
                spdlog::error("school={} trigger={}: run aborted: {}", job->school, job->trigger,
                              e.what());
                done.run.school = job->school;
                done.run.trigger = job->trigger;
                done.run.outcome = "failed";
                done.run.errors.push_back({"internal_error", "", 0, e.what()});
            }
            done.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            onFinished_(done);
        } else {
            spdlog::info("school={} trigger={}: not run, no longer configured", job->school,
                         job->trigger);
        }

        lock.lock();
        queue_.finished(job->school);
        const bool idle = queue_.idle();
        lock.unlock();
        wake_.notify_all();
        if (idle) {
            spdlog::info("idle: no run under way or waiting");
        }
        onChange_();
    }
}

}  // namespace misync::daemon
