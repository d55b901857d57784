// `misync daemon` (SPEC §9.1, §10): wires the configuration, the triggers (schedules, drop
// folders, the start-up check, API requests), the run queue and worker pool, notifications and
// the service manager (daemon/service_host.h: systemd, or Windows' service control manager)
// together, and runs until asked to stop (SIGTERM or SIGINT; a service stop on Windows).
//
// Lifecycle (docs/daemon-runtime.md):
//  - start-up: the configuration, the directory and the key are opened as `misync run` opens
//    them, once per worker and once for the main thread; any error is logged and the daemon
//    exits non-zero (2: configuration, 1: anything else). Then READY=1.
//  - SIGHUP (Windows: the service's paramchange): the whole configuration is loaded again; if it is
//  bad (or changes [directory] or
//    [secrets], which need a restart) the reason is logged and the old one keeps running;
//    otherwise schedules, watched folders, notify targets, the worker count and the schools
//    the next runs see are swapped in. Runs under way finish under the configuration they
//    started with. RELOADING=1 … READY=1 around it.
//  - SIGTERM / SIGINT (Windows: service stop or shutdown, Ctrl+C): STOPPING=1; no more triggers;
//  waiting runs are dropped; running runs may
//    finish until [daemon] stop_timeout_seconds, after which the process exits 0 regardless:
//    a run still going is abandoned before it commits, and its transaction rolls back with
//    the process (R14), so the directory is as before that run or as after it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "core/date.h"
#include "daemon/commands.h"
#include "daemon/config.h"
#include "daemon/notify.h"
#include "daemon/runner.h"
#include "daemon/schedule.h"
#include "daemon/service_host.h"
#include "daemon/status_endpoint.h"
#include "daemon/triggers.h"
#include "daemon/watchdog.h"
#include "daemon/worker_pool.h"
#include "reconcile/passwords.h"
#include "status/daemon_control.h"
#include "status/metrics.h"
#include "storage/directory.h"
#include "storage/secret_box.h"

namespace misync::daemon {

class Daemon final : public status::DaemonControl {
  public:
    // `asOf`: the date every run compares against (--as-of), or nullopt for each run's today.
    // `host`: the service manager, which outlives the daemon.
    Daemon(std::filesystem::path configFile, std::optional<core::Date> asOf, ServiceHost& host);
    ~Daemon() override;
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Starts, serves until the host asks it to stop, stops. Returns the exit status: 0 after a
    // stop, 2 when the configuration could not be used at start-up, 1 for any other start-up error.
    int run();

    // status::DaemonControl, for the status endpoint (thread-safe).
    std::vector<status::ConfiguredSchool> schools() override;
    bool requestSync(const std::string& dfes) override;
    std::size_t queueLength() override;

  private:
    void start();
    void loop();
    int stop();
    void reload(const std::string& from);
    void fire(const std::string& school, const std::string& trigger);
    void finished(const WorkerPool::Finished& done);
    void countInterrupted(WorkerTools& tools);
    bool looksChanged(const SchoolConfig& school);
    void seedNotifications(const Config& config);
    void publishNextRuns();
    void heartbeat();
    bool alive() const;
    std::string statusLine() const;
    std::shared_ptr<const Config> config() const;

    std::filesystem::path configFile_;
    std::optional<core::Date> asOf_;
    connectors::ConnectorRegistry registry_;
    SystemZone zone_;
    ServiceHost& service_;
    status::Metrics metrics_;
    Notifier notifier_;  // before pool_: workers report to it until joined
    std::unique_ptr<WorkerPool> pool_;
    // After pool_: its handlers call requestSync() and queueLength(), so it is stopped (and
    // destroyed) before the pool.
    std::unique_ptr<StatusEndpoint> status_;
    Triggers triggers_;
    // The main thread's own connection, for the start-up check and the notification states.
    std::unique_ptr<storage::Directory> directory_;
    std::optional<storage::SecretBox> box_;
    reconcile::SecurePasswordGenerator passwords_;
    std::unique_ptr<Runner> checker_;
    std::unique_ptr<Watchdog> watchdog_;
    bool stopRequested_ = false;
    std::chrono::milliseconds tick_{1000};
    std::chrono::microseconds watchdogInterval_{0};
    std::atomic<std::int64_t> heartbeat_{0};  // steady clock, ns: the main loop's last round

    mutable std::mutex mutex_;  // guards config_ and nextRuns_
    std::shared_ptr<const Config> config_;
    std::map<std::string, std::string> nextRuns_;
};

// `misync daemon` (cli_daemon.cpp registers it): Daemon::run() under hostDaemon().
int cmdDaemon(const GlobalOptions& g, Io io);

}  // namespace misync::daemon
