// SPEC §10 on Windows: the ServiceHost (daemon/service_host.h) for the service control manager,
// and for a console when `misync daemon` is run by hand.
//
// As a service: SERVICE_START_PENDING from the start, SERVICE_RUNNING once the daemon is
// ready (accepting STOP, SHUTDOWN and PARAMCHANGE), SERVICE_STOP_PENDING with a wait hint of
// the stop bound and a checkpoint every second while stopping, SERVICE_STOPPED with the exit
// status (a non-zero one as a service-specific error). STOP and SHUTDOWN are the daemon's stop
// (what SIGTERM is on Linux), PARAMCHANGE its reload (SIGHUP). On a console: Ctrl+C, Ctrl+Break
// and closing the window are the stop. Windows only.
#pragma once

#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/service_host.h"

namespace misync::winservice {

inline constexpr const wchar_t* kServiceName = L"misync";
inline constexpr const char* kEventSource = "misync";  // the event log's source name

class WindowsHost final : public daemon::ServiceHost {
  public:
    // `handle`: the service's status handle (RegisterServiceCtrlHandlerExW), or nullptr on a
    // console.
    explicit WindowsHost(SERVICE_STATUS_HANDLE handle);
    ~WindowsHost() override;
    WindowsHost(const WindowsHost&) = delete;
    WindowsHost& operator=(const WindowsHost&) = delete;

    // From the control handler (the dispatcher's thread) or the console handler. Thread-safe.
    void request(daemon::ControlRequest r);

    void open() override;
    std::vector<daemon::ControlRequest> wait(std::chrono::milliseconds timeout,
                                             int wakeFd) override;
    void ready(std::string_view status) override;
    void reloading() override;
    void stopping(std::string_view status, std::chrono::seconds bound) override;
    void exiting(int status) override;
    void status(std::string_view status) override;
    std::optional<std::chrono::microseconds> watchdogInterval() override { return std::nullopt; }
    void watchdog() override {}

    // SERVICE_START_PENDING (the service's first word) and SERVICE_STOPPED (its last).
    void starting();
    void stopped(int exitStatus);

  private:
    void report(DWORD state, DWORD waitHintMs, int exitStatus = 0);
    void endTicker();

    SERVICE_STATUS_HANDLE handle_;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<daemon::ControlRequest> requests_;
    DWORD state_ = SERVICE_START_PENDING;
    DWORD checkPoint_ = 0;
    std::string lastStatus_;
    bool tickerStop_ = false;
    std::thread ticker_;  // SERVICE_STOP_PENDING checkpoints while stopping
};

// The daemon's logging as a service: the Windows event log (source "misync", registered by
// `misync service install`), levels mapped to error, warning and information events; level
// info unless SPDLOG_LEVEL says otherwise.
void setUpEventLogLogging();
// On a console: stderr, as on Linux.
void setUpConsoleLogging();

}  // namespace misync::winservice
