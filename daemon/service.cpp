#include "daemon/service.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace misync::daemon {

void ServiceNotify::send(const std::string& message) {
    // unset_environment = 0: every later message needs NOTIFY_SOCKET too.
    const int r = ::sd_notify(0, message.c_str());
    if (r < 0) {
        spdlog::debug("sd_notify failed: {}", std::strerror(-r));
    }
}

void ServiceNotify::ready(std::string_view status) {
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = std::string(status);
    send("READY=1\nSTATUS=" + lastStatus_);
}

void ServiceNotify::reloading() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const long long usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = "reloading the configuration";
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=" + lastStatus_);
}

void ServiceNotify::stopping(std::string_view status) {
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = std::string(status);
    send("STOPPING=1\nSTATUS=" + lastStatus_);
}

void ServiceNotify::status(std::string_view status) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (status == lastStatus_) {
        return;
    }
    lastStatus_ = std::string(status);
    send("STATUS=" + lastStatus_);
}

void ServiceNotify::watchdog() {
    send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> ServiceNotify::watchdogInterval() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        return std::chrono::microseconds(usec);
    }
    return std::nullopt;
}

Watchdog::Watchdog(ServiceNotify& notify, std::chrono::microseconds interval,
                   std::function<bool()> alive) {
    thread_ = std::thread([this, &notify, interval, alive = std::move(alive)] {
        std::unique_lock<std::mutex> lock(mutex_);
        bool warned = false;
        while (!wake_.wait_for(lock, interval / 2, [this] { return stop_; })) {
            if (alive()) {
                notify.watchdog();
                warned = false;
            } else if (!warned) {
                spdlog::error(
                    "the main loop has not come round for longer than the watchdog "
                    "interval ({} ms): no more watchdog pings",
                    interval.count() / 1000);
                warned = true;
            }
        }
    });
}

Watchdog::~Watchdog() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

bool logToJournal(const char* journalStream, const char* invocationId, int stderrFd) {
    if (journalStream != nullptr && *journalStream != '\0') {
        unsigned long long dev = 0;
        unsigned long long ino = 0;
        struct stat st {};
        if (std::sscanf(journalStream, "%llu:%llu", &dev, &ino) == 2 &&
            ::fstat(stderrFd, &st) == 0 && st.st_dev == dev && st.st_ino == ino) {
            return true;
        }
    }
    return invocationId != nullptr && *invocationId != '\0' && ::isatty(stderrFd) == 0;
}

void setUpDaemonLogging() {
    std::shared_ptr<spdlog::logger> logger;
    if (logToJournal(std::getenv("JOURNAL_STREAM"), std::getenv("INVOCATION_ID"), STDERR_FILENO)) {
        // The journal keeps its own time and priority: the message alone.
        auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("misync");
        logger = std::make_shared<spdlog::logger>("misync", sink);
        logger->set_pattern("%v");
    } else {
        logger = std::make_shared<spdlog::logger>(
            "misync", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        logger->set_pattern("%Y-%m-%dT%H:%M:%S%z %^%l%$ %v");
    }
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::info);
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug|warn …
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace misync::daemon
