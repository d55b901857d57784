#include "daemon/systemd_library.h"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

namespace misync::daemon {

std::shared_ptr<const SystemdLibrary> SystemdLibrary::load() {
    std::shared_ptr<SystemdLibrary> lib(new SystemdLibrary());
    // Never unloaded: its constructors and the journal's connection live as long as we do.
    lib->handle_ = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (lib->handle_ == nullptr) {
        const char* why = ::dlerror();
        spdlog::warn(
            "libsystemd.so.0 could not be loaded ({}): systemd is not told of the "
            "daemon's state",
            why != nullptr ? why : "no reason given");
        return nullptr;
    }
    lib->notify = reinterpret_cast<decltype(lib->notify)>(::dlsym(lib->handle_, "sd_notify"));
    lib->watchdogEnabled = reinterpret_cast<decltype(lib->watchdogEnabled)>(
        ::dlsym(lib->handle_, "sd_watchdog_enabled"));
    lib->journalSendv =
        reinterpret_cast<decltype(lib->journalSendv)>(::dlsym(lib->handle_, "sd_journal_sendv"));
    if (lib->notify == nullptr || lib->watchdogEnabled == nullptr || lib->journalSendv == nullptr) {
        spdlog::warn(
            "libsystemd.so.0 lacks sd_notify, sd_watchdog_enabled or sd_journal_sendv: "
            "systemd is not told of the daemon's state");
        return nullptr;
    }
    return lib;
}

SystemdLibrary::~SystemdLibrary() {
    if (handle_ != nullptr) {
        ::dlclose(handle_);
    }
}

}  // namespace misync::daemon
