// SPEC §10: what the daemon needs from the service manager that runs it, and nothing more, so
// that daemon/ stays portable. One implementation per platform, chosen when linking:
//  - Linux (daemon/service.cpp): systemd. Notifications through sd_notify (READY=1,
//    RELOADING=1, STOPPING=1, STATUS=, WATCHDOG=1), stop and reload as SIGTERM/SIGINT and
//    SIGHUP read from a signalfd, the log to the journal when systemd started us.
//  - Windows (windows-service/): the service control manager. SERVICE_START_PENDING until
//    ready(), SERVICE_RUNNING, SERVICE_STOP_PENDING with wait hints while stopping;
//    SERVICE_CONTROL_STOP and SHUTDOWN as stop, SERVICE_CONTROL_PARAMCHANGE as reload (or
//    Ctrl+C on a console); the log to the Windows event log when run as a service.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace misync::daemon {

// A request from the service manager to the daemon's main loop.
struct ControlRequest {
    enum class Kind { Stop, Reload };
    Kind kind;
    std::string from;  // what it was, for the log: "SIGTERM", "SIGHUP", "service stop" …
};

class ServiceHost {
  public:
    virtual ~ServiceHost() = default;

    // Before the daemon starts any thread: how requests will arrive is set up here (on Linux
    // the signals are blocked in every thread and read from a descriptor). Throws core::Error.
    virtual void open() = 0;
    // Waits until a request arrives, `wakeFd` (a descriptor to poll for input, or -1) is
    // readable, or `timeout` has passed; returns the requests that arrived, oldest first.
    virtual std::vector<ControlRequest> wait(std::chrono::milliseconds timeout, int wakeFd) = 0;

    // The daemon serves (after start-up, and again after a reload, refused or not).
    virtual void ready(std::string_view status) = 0;
    virtual void reloading() = 0;
    // The daemon stops, within `bound` (stop_timeout_seconds) from now.
    virtual void stopping(std::string_view status, std::chrono::seconds bound) = 0;
    // The process ends now with `status`, without returning from the daemon (the stop bound
    // passed while a run was still going): the last word to the manager.
    virtual void exiting(int status) = 0;
    // A status line, passed on only when it differs from the last one. Thread-safe.
    virtual void status(std::string_view status) = 0;

    // How often the manager wants to hear that the daemon is alive, when it does.
    virtual std::optional<std::chrono::microseconds> watchdogInterval() = 0;
    virtual void watchdog() = 0;
};

// Runs `daemon` as this platform's service manager expects, with the daemon's logging set up
// (the journal or the event log when run as a service, else stderr), and returns its exit
// status. On Windows, started by the service control manager, this is the service's entry
// point (StartServiceCtrlDispatcher); from a console it runs the daemon in the foreground.
int hostDaemon(const std::function<int(ServiceHost&)>& daemon);

}  // namespace misync::daemon
