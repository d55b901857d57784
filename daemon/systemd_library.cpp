#include "daemon/systemd_library.h"

#include <spdlog/spdlog.h>

#include <string>

#include "core/shared_library.h"

namespace misync::daemon {

std::shared_ptr<const SystemdLibrary> SystemdLibrary::load() {
    std::string why;
    const auto lib = core::SharedLibrary::open("libsystemd.so.0", why);
    if (!lib) {
        spdlog::warn(
            "libsystemd.so.0 could not be loaded ({}): systemd is not told of the "
            "daemon's state",
            why);
        return nullptr;
    }
    auto systemd = std::make_shared<SystemdLibrary>();
    if (!lib->find(systemd->notify, "sd_notify") ||
        !lib->find(systemd->watchdogEnabled, "sd_watchdog_enabled") ||
        !lib->find(systemd->journalSendv, "sd_journal_sendv")) {
        spdlog::warn(
            "libsystemd.so.0 lacks sd_notify, sd_watchdog_enabled or sd_journal_sendv: "
            "systemd is not told of the daemon's state");
        return nullptr;
    }
    return systemd;
}

}  // namespace misync::daemon
