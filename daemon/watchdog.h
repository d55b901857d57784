// SPEC §10 watchdog: pings the service manager (ServiceHost::watchdog) every half interval
// while `alive()` says the daemon's main loop has been round within the interval; a wedged main
// loop stops the pings, and the manager (systemd's WatchdogSec=) restarts the service.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "daemon/service_host.h"

namespace misync::daemon {

class Watchdog {
  public:
    Watchdog(ServiceHost& host, std::chrono::microseconds interval, std::function<bool()> alive);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace misync::daemon
