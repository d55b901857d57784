// SPEC §10 on Linux: the daemon as a systemd service (Type=notify), the ServiceHost of
// daemon/service_host.h. What systemd hears (sd_notify): READY=1 once serving, RELOADING=1 with
// MONOTONIC_USEC then READY=1 around a reload, STOPPING=1, STATUS= lines, and WATCHDOG=1 (from
// daemon/watchdog.h). Stop and reload requests are SIGTERM/SIGINT and SIGHUP, read from a
// signalfd. Where the log goes: the journal, through spdlog's systemd sink, when systemd started
// us. Without NOTIFY_SOCKET (not under systemd) the messages go nowhere. Linux only: the Windows
// build links windows-service/ instead.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/service_host.h"
#include "daemon/systemd_library.h"

namespace misync::daemon {

class SystemdHost final : public ServiceHost {
  public:
    // `systemd`: libsystemd, or nullptr (then nothing is sent).
    explicit SystemdHost(std::shared_ptr<const SystemdLibrary> systemd)
        : systemd_(std::move(systemd)) {}
    ~SystemdHost() override;
    SystemdHost(const SystemdHost&) = delete;
    SystemdHost& operator=(const SystemdHost&) = delete;

    void open() override;
    std::vector<ControlRequest> wait(std::chrono::milliseconds timeout, int wakeFd) override;
    void ready(std::string_view status) override;
    void reloading() override;
    void stopping(std::string_view status, std::chrono::seconds bound) override;
    void exiting(int /*status*/) override {}  // systemd sees the process end
    void status(std::string_view status) override;
    // WATCHDOG_USEC, when systemd (or a test) asks this process for pings.
    std::optional<std::chrono::microseconds> watchdogInterval() override;
    void watchdog() override;

  private:
    void send(const std::string& message);
    std::shared_ptr<const SystemdLibrary> systemd_;
    std::mutex mutex_;
    std::string lastStatus_;
    int signals_ = -1;  // signalfd for SIGHUP, SIGTERM, SIGINT
};

// Whether to log to the journal: when stderr is the stream systemd connected to the journal
// (JOURNAL_STREAM names its device and inode), or when systemd started us (INVOCATION_ID) and
// stderr is not a terminal (a shell opened in a systemd-started terminal has INVOCATION_ID
// too, and its user wants the log on screen).
bool logToJournal(const char* journalStream, const char* invocationId, int stderrFd);

// The daemon's logging: the journal (levels mapped to syslog priorities) when logToJournal()
// says so, else stderr as for every command; level info unless SPDLOG_LEVEL says otherwise.
void setUpDaemonLogging(const std::shared_ptr<const SystemdLibrary>& systemd);

}  // namespace misync::daemon
