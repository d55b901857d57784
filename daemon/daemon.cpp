#include "daemon/daemon.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "core/errors.h"
#include "daemon/cli.h"
#include "storage/directory_key.h"

#ifndef MISYNC_VERSION
#define MISYNC_VERSION "0.0.0"
#endif

namespace misync::daemon {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t unixNow() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Why a reload cannot take `next` while running `now`: what a running daemon cannot swap.
std::optional<std::string> refusedChange(const Config& now, const Config& next) {
    const auto& a = now.directory;
    const auto& b = next.directory;
    if (a.backend != b.backend || a.path != b.path || a.connection != b.connection) {
        return std::string(
            "[directory] changed: a running daemon keeps the directory it "
            "opened; restart misync to use another one");
    }
    if (now.secrets.keyFile != next.secrets.keyFile) {
        return std::string(
            "secrets.key_file changed: a running daemon keeps the key it "
            "opened; restart misync to use another one");
    }
    return std::nullopt;
}

}  // namespace

Daemon::Daemon(fs::path configFile, std::optional<core::Date> asOf, ServiceHost& host)
    : configFile_(std::move(configFile)),
      asOf_(asOf),
      service_(host),
      notifier_(metrics_),
      triggers_(zone_) {}

Daemon::~Daemon() = default;

std::shared_ptr<const Config> Daemon::config() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return config_;
}

int Daemon::run() {
    try {
        service_.open();  // before any thread: how stop and reload requests arrive
        start();
    } catch (const core::ConfigError& e) {
        spdlog::critical("cannot start: configuration error: {}", e.what());
        return kExitUsage;
    } catch (const std::exception& e) {
        spdlog::critical("cannot start: {}", e.what());
        return kExitRunFailed;
    }
    loop();
    return stop();
}

void Daemon::start() {
    connectors::registerBuiltinConnectors(registry_);
    auto config = std::make_shared<const Config>(loadConfig(configFile_, registry_));
    spdlog::info("starting: configuration {}, {}, directory {}", config->file.string(),
                 plural(config->schools.size(), "school", "schools"), config->directory.backend);
    directory_ = storage::Directory::open(
        {config->directory.backend, config->directory.path, config->directory.connection});
    box_ = storage::openDirectoryKey(config->secrets.keyFile, *directory_);
    checker_ = std::make_unique<Runner>(*directory_, registry_, *box_, passwords_);
    std::vector<std::unique_ptr<WorkerTools>> tools;
    for (unsigned i = 0; i < config->daemon.workers; ++i) {
        tools.push_back(openWorkerTools(*config, registry_));
        countInterrupted(*tools.back());
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        config_ = config;
    }
    if (auto interval = service_.watchdogInterval()) {
        watchdogInterval_ = *interval;
        tick_ = std::min(tick_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    *interval / 4 + std::chrono::milliseconds(1)));
    }
    heartbeat();
    triggers_.configure(*config, unixNow(), Clock::now(),
                        [this](const SchoolConfig& s) { return looksChanged(s); });
    publishNextRuns();

    notifier_.setTargets(config->notify);
    seedNotifications(*config);
    // Runs whose process died (docs/reliability.md): marked interrupted, counted and notified as
    // runs that ended so, after the seeding, so that a school that was fine hears of it.
    for (const auto& run : markInterruptedRuns(*directory_)) {
        metrics_.runInterrupted(run);
        notifier_.runFinished(run);
    }
    notifier_.start();
    pool_ = std::make_unique<WorkerPool>([this](const WorkerPool::Finished& d) { finished(d); },
                                         [this] { service_.status(statusLine()); }, asOf_);
    pool_->setConfig(config);
    for (auto& t : tools) {
        pool_->addWorker(std::move(t));
    }

    // After the workers (POST …/sync calls requestSync()) and before READY=1, so that "ready"
    // means the endpoint answers. One that cannot start is a start-up error (run() logs it).
    status_ = std::make_unique<StatusEndpoint>(*this, metrics_, MISYNC_VERSION);
    status_->start(*config);

    if (watchdogInterval_.count() > 0) {
        watchdog_ =
            std::make_unique<Watchdog>(service_, watchdogInterval_, [this] { return alive(); });
    }
    service_.ready(statusLine());
    spdlog::info("serving: {}, {}", plural(config->schools.size(), "school", "schools"),
                 plural(config->daemon.workers, "worker", "workers"));
}

void Daemon::seedNotifications(const Config& config) {
    if (config.notify.empty()) {
        return;
    }
    std::vector<std::string> schools;
    for (const auto& s : config.schools) {
        schools.push_back(s.dfes);
    }
    // Where each school stands (its latest run), so that a restart neither announces a
    // condition again nor misses a recovery.
    for (const auto& row : directory_->schoolStatuses(schools)) {
        if (row.lastRun) {
            notifier_.seed(row.school, conditionOf(*row.lastRun));
        }
    }
}

bool Daemon::looksChanged(const SchoolConfig& school) {
    std::error_code ec;
    if (!fs::exists(school.source, ec) ||
        (fs::is_directory(school.source, ec) &&
         fs::directory_iterator(school.source, ec) == fs::directory_iterator())) {
        return false;  // nothing to read yet: the folder's first files will trigger it
    }
    try {
        return !checker_->sourcesLookUnchanged(school);
    } catch (const core::Error& e) {
        spdlog::warn("school={}: cannot tell whether its files changed ({}); running it",
                     school.dfes, e.what());
        return true;
    }
}

void Daemon::heartbeat() {
    heartbeat_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

bool Daemon::alive() const {
    const Clock::time_point last{Clock::duration(heartbeat_.load(std::memory_order_relaxed))};
    return Clock::now() - last < watchdogInterval_;
}

void Daemon::publishNextRuns() {
    auto next = triggers_.nextRuns();
    std::lock_guard<std::mutex> lock(mutex_);
    nextRuns_ = std::move(next);
}

std::string Daemon::statusLine() const {
    const auto config = this->config();
    const std::size_t running = pool_ ? pool_->running() : 0;
    const std::size_t waiting = pool_ ? pool_->waiting() : 0;
    return plural(config ? config->schools.size() : 0, "school", "schools") + ", " +
           plural(config ? config->daemon.workers : 0, "worker", "workers") + ": " +
           std::to_string(running) + " running, " + std::to_string(waiting) + " waiting";
}

void Daemon::loop() {
    while (!stopRequested_) {
        heartbeat();
        const auto now = Clock::now();
        const auto wait = std::min(tick_, triggers_.wait(unixNow(), now));
        for (const auto& request : service_.wait(wait, triggers_.fd())) {
            if (request.kind == ControlRequest::Kind::Reload) {
                reload(request.from);
            } else {
                spdlog::info("{} received: stopping", request.from);
                stopRequested_ = true;
            }
        }
        if (stopRequested_) {
            break;
        }
        const auto fired = triggers_.poll(unixNow(), Clock::now());
        for (const auto& f : fired) {
            fire(f.school, f.trigger);
        }
        if (!fired.empty()) {
            publishNextRuns();
        }
    }
}

void Daemon::fire(const std::string& school, const std::string& trigger) {
    pool_->trigger(school, trigger);  // logs what became of it
}

// A worker's runs that find a dead process's run of their school (when taking its lease) count
// and notify it as the start-up look does.
void Daemon::countInterrupted(WorkerTools& tools) {
    tools.runner->onInterrupted([this](const storage::RunRecord& run) {
        metrics_.runInterrupted(run);
        notifier_.runFinished(run);
    });
}

void Daemon::finished(const WorkerPool::Finished& done) {
    const auto& run = done.run;
    metrics_.runFinished(run, done.seconds);
    notifier_.runFinished(run);
    spdlog::info("school={} run={} outcome={} trigger={} seconds={:.2f}", run.school, run.id,
                 run.outcome, run.trigger, done.seconds);
}

void Daemon::reload(const std::string& from) {
    service_.reloading();
    const auto current = config();
    spdlog::info("{} received: reloading {}", from, current->file.string());
    try {
        auto next = std::make_shared<const Config>(loadConfig(current->file, registry_));
        if (auto why = refusedChange(*current, *next)) {
            throw core::ConfigError(*why);
        }
        // The new [status] whole (tokens, TLS files, a new listener): a bad one refuses the
        // reload, and the old configuration, its tokens included, stays in force.
        auto endpoint = status_->prepare(*next);
        const std::size_t have = pool_->size();
        std::vector<std::unique_ptr<WorkerTools>> more;
        for (std::size_t i = have; i < next->daemon.workers; ++i) {
            more.push_back(openWorkerTools(*next, registry_));
            countInterrupted(*more.back());
        }
        triggers_.configure(*next, unixNow(), Clock::now(),
                            [this](const SchoolConfig& s) { return looksChanged(s); });

        // Nothing below fails: the new configuration is in force from here.
        {
            std::lock_guard<std::mutex> lock(mutex_);
            config_ = next;
        }
        pool_->setConfig(next);
        for (const auto& school :
             pool_->retain([&](const std::string& s) { return next->findSchool(s) != nullptr; })) {
            spdlog::info("school={}: no longer configured; its waiting run is dropped", school);
        }
        for (auto& t : more) {
            pool_->addWorker(std::move(t));
        }
        if (have > next->daemon.workers) {
            pool_->retire(have - next->daemon.workers);
        }
        notifier_.setTargets(next->notify);
        try {
            seedNotifications(*next);  // new targets and new schools learn where schools stand
        } catch (const core::Error& e) {
            spdlog::warn("reload: cannot read the schools' latest runs for notifications: {}",
                         e.what());
        }
        publishNextRuns();
        status_->commit(std::move(endpoint));
        spdlog::info("reloaded {}: {}, {}", next->file.string(),
                     plural(next->schools.size(), "school", "schools"),
                     plural(next->daemon.workers, "worker", "workers"));
        service_.ready(statusLine());
    } catch (const std::exception& e) {
        spdlog::error("reload of {} refused; the previous configuration keeps running: {}",
                      current->file.string(), e.what());
        service_.ready("reload refused (see the log); " + statusLine());
    }
}

int Daemon::stop() {
    const auto config = this->config();
    const auto bound = Clock::now() + std::chrono::seconds(config->daemon.stopTimeoutSeconds);
    service_.stopping("stopping: " + std::to_string(pool_->running()) + " running",
                      std::chrono::seconds(config->daemon.stopTimeoutSeconds));
    for (const auto& school : pool_->close()) {
        spdlog::info("school={}: its waiting run is dropped, the daemon is stopping", school);
    }

    // The endpoint first: stop accepting, let requests in flight finish (bounded, well within
    // `bound`), close. Its handlers call this DaemonControl.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(bound - Clock::now());
    status_->stop(
        std::clamp(left / 4, std::chrono::milliseconds(0), std::chrono::milliseconds(5000)));

    const bool ended = pool_->awaitRunsEnd(bound, [this] { heartbeat(); });
    if (!ended || !notifier_.stop(bound)) {
        for (const auto& school : pool_->runningSchools()) {
            spdlog::warn(
                "school={}: run abandoned at the stop bound (stop_timeout_seconds = {}); "
                "nothing of it is committed (R14)",
                school, config->daemon.stopTimeoutSeconds);
        }
        spdlog::info("stopped at the bound");
        spdlog::default_logger()->flush();
        service_.exiting(kExitOk);
        // Threads are still inside runs or deliveries: leave without unwinding them. An open
        // transaction rolls back when the process ends (R14).
        std::_Exit(kExitOk);
    }
    watchdog_.reset();
    spdlog::info("stopped");
    return kExitOk;
}

std::vector<status::ConfiguredSchool> Daemon::schools() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<status::ConfiguredSchool> out;
    if (!config_) {
        return out;
    }
    for (const auto& s : config_->schools) {
        auto next = nextRuns_.find(s.dfes);
        out.push_back({s.dfes, s.name, s.policy.staleAfterHours,
                       next != nextRuns_.end() ? next->second : std::string()});
    }
    return out;
}

bool Daemon::requestSync(const std::string& dfes) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!config_ || config_->findSchool(dfes) == nullptr || !pool_) {
            return false;
        }
    }
    return pool_->trigger(dfes, "api") != RunQueue::Added::Refused;
}

std::size_t Daemon::queueLength() {
    return pool_ ? pool_->waiting() : 0;
}

int cmdDaemon(const GlobalOptions& g, Io io) {
    std::optional<core::Date> asOf;
    if (!g.asOf.empty()) {
        asOf = core::parseIsoDate(g.asOf);
        if (!asOf) {
            io.err << "misync: --as-of: not a YYYY-MM-DD date: " << g.asOf << "\n";
            return kExitUsage;
        }
    }
    return hostDaemon([&](ServiceHost& host) {
        Daemon daemon(g.configFile, asOf, host);
        return daemon.run();
    });
}

}  // namespace misync::daemon
