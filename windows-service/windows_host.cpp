#include "windows-service/windows_host.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/win_eventlog_sink.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <memory>

#include "windows-service/win_text.h"

namespace misync::winservice {

namespace {

using daemon::ControlRequest;
using Kind = ControlRequest::Kind;

// The Windows API calls ServiceMain and the console handler without a context pointer: while
// the daemon runs, these point at what they need (set and cleared by hostDaemon below, the only
// writer; nothing else reads them).
struct Running {
    const std::function<int(daemon::ServiceHost&)>* daemon = nullptr;
    WindowsHost* host = nullptr;  // on a console
    // The service's host, for the control handler: it lives as long as the dispatcher, so a
    // late control after ServiceMain has returned finds nullptr, not a freed slot.
    WindowsHost* serviceHost = nullptr;
    int exitStatus = 0;
};
Running* running = nullptr;

DWORD WINAPI controlHandler(DWORD control, DWORD /*type*/, LPVOID /*data*/, LPVOID context) {
    auto* host = static_cast<WindowsHost*>(context);
    switch (control) {
        case SERVICE_CONTROL_STOP:
            host->request({Kind::Stop, "service stop"});
            return NO_ERROR;
        case SERVICE_CONTROL_SHUTDOWN:
            host->request({Kind::Stop, "system shutdown"});
            return NO_ERROR;
        case SERVICE_CONTROL_PARAMCHANGE:
            host->request({Kind::Reload, "service paramchange"});
            return NO_ERROR;
        case SERVICE_CONTROL_INTERROGATE:
            return NO_ERROR;
        default:
            return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

void WINAPI serviceMain(DWORD /*argc*/, LPWSTR* /*argv*/) {
    // The daemon's own arguments are the image path's (`daemon --config …`), already parsed.
    auto* r = running;
    // The handler's context is `r`: the host needs the handle that the registration returns,
    // so it is made after it, and controls before it are refused.
    SERVICE_STATUS_HANDLE handle = ::RegisterServiceCtrlHandlerExW(
        kServiceName,
        [](DWORD control, DWORD type, LPVOID data, LPVOID context) -> DWORD {
            auto* run = static_cast<Running*>(context);
            if (run->serviceHost == nullptr) {
                return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR
                                                              : ERROR_SERVICE_CANNOT_ACCEPT_CTRL;
            }
            return controlHandler(control, type, data, run->serviceHost);
        },
        r);
    if (handle == nullptr) {
        r->exitStatus = 1;
        return;
    }
    auto host = std::make_unique<WindowsHost>(handle);
    r->serviceHost = host.get();
    host->starting();
    setUpEventLogLogging();
    int status = 1;
    try {
        status = (*r->daemon)(*host);
    } catch (const std::exception& e) {
        spdlog::critical("the service ended with an error: {}", e.what());
    }
    spdlog::default_logger()->flush();
    r->exitStatus = status;
    r->serviceHost = nullptr;
    host->stopped(status);
    // After SERVICE_STOPPED the process may be ended at any moment: nothing more to do here.
}

BOOL WINAPI consoleHandler(DWORD event) {
    if (running == nullptr || running->host == nullptr) {
        return FALSE;
    }
    switch (event) {
        case CTRL_C_EVENT:
            running->host->request({Kind::Stop, "Ctrl+C"});
            return TRUE;
        case CTRL_BREAK_EVENT:
            running->host->request({Kind::Stop, "Ctrl+Break"});
            return TRUE;
        case CTRL_CLOSE_EVENT:
        case CTRL_SHUTDOWN_EVENT:
            running->host->request({Kind::Stop, "console closed"});
            return TRUE;
        default:
            return FALSE;
    }
}

}  // namespace

WindowsHost::WindowsHost(SERVICE_STATUS_HANDLE handle) : handle_(handle) {}

WindowsHost::~WindowsHost() {
    endTicker();
}

void WindowsHost::report(DWORD state, DWORD waitHintMs, int exitStatus) {
    // Called with mutex_ held.
    state_ = state;
    if (handle_ == nullptr) {
        return;
    }
    SERVICE_STATUS s{};
    s.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    s.dwCurrentState = state;
    s.dwControlsAccepted =
        state == SERVICE_RUNNING
            ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE
            : 0;
    if (exitStatus != 0) {
        s.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
        s.dwServiceSpecificExitCode = static_cast<DWORD>(exitStatus);
    }
    const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    s.dwCheckPoint = pending ? ++checkPoint_ : 0;
    s.dwWaitHint = pending ? waitHintMs : 0;
    if (::SetServiceStatus(handle_, &s) == 0) {
        spdlog::debug("SetServiceStatus: {}", errorText(::GetLastError()));
    }
}

void WindowsHost::starting() {
    std::lock_guard<std::mutex> lock(mutex_);
    // Opening the directory and the key, and the start-up check, may take a while on a large
    // directory: two minutes before the service control manager gives up on us.
    report(SERVICE_START_PENDING, 120'000);
}

void WindowsHost::stopped(int exitStatus) {
    endTicker();
    std::lock_guard<std::mutex> lock(mutex_);
    report(SERVICE_STOPPED, 0, exitStatus);
}

void WindowsHost::exiting(int status) {
    stopped(status);
}

void WindowsHost::endTicker() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        tickerStop_ = true;
    }
    arrived_.notify_all();
    if (ticker_.joinable()) {
        ticker_.join();
    }
}

void WindowsHost::request(ControlRequest r) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(std::move(r));
    }
    arrived_.notify_all();
}

void WindowsHost::open() {
    if (handle_ == nullptr) {
        ::SetConsoleCtrlHandler(&consoleHandler, TRUE);
    }
}

std::vector<ControlRequest> WindowsHost::wait(std::chrono::milliseconds timeout, int /*wakeFd*/) {
    // The folder watch has no descriptor on Windows (it polls): the timeout bounds the wait.
    std::unique_lock<std::mutex> lock(mutex_);
    arrived_.wait_for(lock, timeout, [this] { return !requests_.empty(); });
    std::vector<ControlRequest> out(requests_.begin(), requests_.end());
    requests_.clear();
    return out;
}

void WindowsHost::ready(std::string_view status) {
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = std::string(status);
    if (state_ != SERVICE_RUNNING) {
        report(SERVICE_RUNNING, 0);
    }
}

void WindowsHost::reloading() {
    // The service control manager has no "reloading" state: the service stays RUNNING, and
    // the log says what the reload did.
}

void WindowsHost::stopping(std::string_view status, std::chrono::seconds bound) {
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = std::string(status);
    const auto hint = static_cast<DWORD>(
        std::chrono::duration_cast<std::chrono::milliseconds>(bound + std::chrono::seconds(10))
            .count());
    report(SERVICE_STOP_PENDING, hint);
    if (handle_ == nullptr || ticker_.joinable()) {
        return;
    }
    // A checkpoint every second while the daemon lets runs finish (at most `bound`): the
    // daemon ends at the bound whatever happens, so this cannot hide a hang for longer.
    ticker_ = std::thread([this, hint] {
        std::unique_lock<std::mutex> l(mutex_);
        while (!arrived_.wait_for(l, std::chrono::seconds(1), [this] { return tickerStop_; })) {
            if (state_ == SERVICE_STOP_PENDING) {
                report(SERVICE_STOP_PENDING, hint);
            }
        }
    });
}

void WindowsHost::status(std::string_view status) {
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = std::string(status);  // no such line in the service control manager
}

void setUpEventLogLogging() {
    auto sink = std::make_shared<spdlog::sinks::win_eventlog_sink_mt>(kEventSource);
    auto logger = std::make_shared<spdlog::logger>("misync", sink);
    logger->set_pattern("%v");  // the event log keeps its own time and level
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::info);
    spdlog::cfg::load_env_levels();
    spdlog::flush_on(spdlog::level::info);
}

void setUpConsoleLogging() {
    auto logger = std::make_shared<spdlog::logger>(
        "misync", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S%z %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::info);
    spdlog::cfg::load_env_levels();
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace misync::winservice

namespace misync::daemon {

int hostDaemon(const std::function<int(ServiceHost&)>& daemon) {
    using namespace misync::winservice;
    Running r;
    r.daemon = &daemon;
    running = &r;
    SERVICE_TABLE_ENTRYW table[] = {{const_cast<wchar_t*>(kServiceName), &serviceMain},
                                    {nullptr, nullptr}};
    if (::StartServiceCtrlDispatcherW(table) != 0) {
        running = nullptr;  // the service has stopped
        return r.exitStatus;
    }
    const DWORD err = ::GetLastError();
    if (err != ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
        running = nullptr;
        setUpConsoleLogging();
        spdlog::critical("cannot start the service: StartServiceCtrlDispatcher: {}",
                         errorText(err));
        return 1;
    }
    // Not started by the service control manager: in the foreground, until Ctrl+C.
    setUpConsoleLogging();
    WindowsHost host(nullptr);
    r.host = &host;
    const int status = daemon(host);
    r.host = nullptr;
    running = nullptr;
    return status;
}

}  // namespace misync::daemon
