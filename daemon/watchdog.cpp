#include "daemon/watchdog.h"

#include <spdlog/spdlog.h>

namespace misync::daemon {

Watchdog::Watchdog(ServiceHost& host, std::chrono::microseconds interval,
                   std::function<bool()> alive) {
    thread_ = std::thread([this, &host, interval, alive = std::move(alive)] {
        std::unique_lock<std::mutex> lock(mutex_);
        bool warned = false;
        while (!wake_.wait_for(lock, interval / 2, [this] { return stop_; })) {
            if (alive()) {
                host.watchdog();
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

}  // namespace misync::daemon
