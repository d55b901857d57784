// SPEC §10: the daemon as a systemd service (Type=notify). What systemd hears (sd_notify):
// READY=1 once serving, RELOADING=1 with MONOTONIC_USEC then READY=1 around a reload,
// STOPPING=1, STATUS= lines, and WATCHDOG=1 from a thread that pings only while the daemon's
// main loop is alive. Where the log goes: the journal, through spdlog's systemd sink, when
// systemd started us. Without NOTIFY_SOCKET (not under systemd) the messages go nowhere.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace misync::daemon {

class ServiceNotify {
  public:
    void ready(std::string_view status);
    void reloading();
    void stopping(std::string_view status);
    // A STATUS= line, sent only when it differs from the last one. Thread-safe.
    void status(std::string_view status);
    void watchdog();
    // WATCHDOG_USEC, when systemd (or a test) asks this process for pings.
    static std::optional<std::chrono::microseconds> watchdogInterval();

  private:
    void send(const std::string& message);
    std::mutex mutex_;
    std::string lastStatus_;
};

// Pings WATCHDOG=1 every half interval while `alive()` says the main loop has been round within
// the interval; a wedged main loop stops the pings, and systemd restarts the service.
class Watchdog {
  public:
    Watchdog(ServiceNotify& notify, std::chrono::microseconds interval,
             std::function<bool()> alive);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

// Whether to log to the journal: when stderr is the stream systemd connected to the journal
// (JOURNAL_STREAM names its device and inode), or when systemd started us (INVOCATION_ID) and
// stderr is not a terminal (a shell opened in a systemd-started terminal has INVOCATION_ID
// too, and its user wants the log on screen).
bool logToJournal(const char* journalStream, const char* invocationId, int stderrFd);

// The daemon's logging: the journal (levels mapped to syslog priorities) when logToJournal()
// says so, else stderr as for every command; level info unless SPDLOG_LEVEL says otherwise.
void setUpDaemonLogging();

}  // namespace misync::daemon
