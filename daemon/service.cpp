#include "daemon/service.h"

#include <poll.h>
#include <signal.h>
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/errors.h"

namespace misync::daemon {

SystemdHost::~SystemdHost() {
    if (signals_ >= 0) {
        ::close(signals_);
    }
}

void SystemdHost::open() {
    // Signals are read from a descriptor by the main loop; every thread started from here on
    // inherits the mask, so none of them is interrupted by one.
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGHUP, SIGTERM, SIGINT}) {
        sigaddset(&set, s);
    }
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    ::signal(SIGPIPE, SIG_IGN);  // a receiver that hangs up is an error, not our end
    signals_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals_ < 0) {
        throw core::Error(std::string("signalfd: ") + std::strerror(errno));
    }
}

std::vector<ControlRequest> SystemdHost::wait(std::chrono::milliseconds timeout, int wakeFd) {
    std::array<pollfd, 2> fds{pollfd{signals_, POLLIN, 0}, pollfd{wakeFd, POLLIN, 0}};
    if (::poll(fds.data(), wakeFd >= 0 ? 2 : 1, static_cast<int>(timeout.count())) < 0 &&
        errno != EINTR) {
        spdlog::error("poll: {}", std::strerror(errno));
    }
    std::vector<ControlRequest> out;
    signalfd_siginfo info{};
    while (::read(signals_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGHUP) {
            out.push_back({ControlRequest::Kind::Reload, "SIGHUP"});
        } else {
            out.push_back(
                {ControlRequest::Kind::Stop, info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"});
        }
    }
    return out;
}

void SystemdHost::send(const std::string& message) {
    if (!systemd_) {
        return;
    }
    // unset_environment = 0: every later message needs NOTIFY_SOCKET too.
    const int r = systemd_->notify(0, message.c_str());
    if (r < 0) {
        spdlog::debug("sd_notify failed: {}", std::strerror(-r));
    }
}

void SystemdHost::ready(std::string_view status) {
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = std::string(status);
    send("READY=1\nSTATUS=" + lastStatus_);
}

void SystemdHost::reloading() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const long long usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = "reloading the configuration";
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=" + lastStatus_);
}

void SystemdHost::stopping(std::string_view status, std::chrono::seconds /*bound*/) {
    std::lock_guard<std::mutex> lock(mutex_);
    lastStatus_ = std::string(status);
    send("STOPPING=1\nSTATUS=" + lastStatus_);
}

void SystemdHost::status(std::string_view status) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (status == lastStatus_) {
        return;
    }
    lastStatus_ = std::string(status);
    send("STATUS=" + lastStatus_);
}

void SystemdHost::watchdog() {
    send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> SystemdHost::watchdogInterval() {
    std::uint64_t usec = 0;
    if (systemd_ && systemd_->watchdogEnabled(0, &usec) > 0 && usec > 0) {
        return std::chrono::microseconds(usec);
    }
    return std::nullopt;
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

namespace {

// The journal's fields for one line: the message alone (the journal keeps its own time), its
// priority and our identifier, through libsystemd's sd_journal_sendv (as spdlog's systemd sink
// does with sd_journal_send, which would link libsystemd into every process).
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit JournalSink(std::shared_ptr<const SystemdLibrary> systemd)
        : systemd_(std::move(systemd)) {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        static constexpr std::array<int, 7> kPriority{LOG_DEBUG, LOG_DEBUG, LOG_INFO, LOG_WARNING,
                                                      LOG_ERR,   LOG_CRIT,  LOG_INFO};
        std::string message = "MESSAGE=";
        message.append(msg.payload.data(), msg.payload.size());
        const std::string priority =
            "PRIORITY=" + std::to_string(kPriority.at(static_cast<std::size_t>(msg.level)));
        static constexpr std::string_view kIdentifier = "SYSLOG_IDENTIFIER=misync";
        std::array<iovec, 3> fields{
            iovec{message.data(), message.size()},
            iovec{const_cast<char*>(priority.data()), priority.size()},
            iovec{const_cast<char*>(kIdentifier.data()), kIdentifier.size()}};
        if (systemd_->journalSendv(fields.data(), static_cast<int>(fields.size())) < 0) {
            throw spdlog::spdlog_ex("Failed writing to systemd", errno);
        }
    }
    void flush_() override {}

  private:
    std::shared_ptr<const SystemdLibrary> systemd_;
};

}  // namespace

void setUpDaemonLogging(const std::shared_ptr<const SystemdLibrary>& systemd) {
    std::shared_ptr<spdlog::logger> logger;
    if (systemd != nullptr &&
        logToJournal(std::getenv("JOURNAL_STREAM"), std::getenv("INVOCATION_ID"), STDERR_FILENO)) {
        // The journal keeps its own time and priority: the message alone.
        auto sink = std::make_shared<JournalSink>(systemd);
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

int hostDaemon(const std::function<int(ServiceHost&)>& daemon) {
    auto systemd = SystemdLibrary::load();
    setUpDaemonLogging(systemd);
    SystemdHost host(std::move(systemd));
    return daemon(host);
}

}  // namespace misync::daemon
