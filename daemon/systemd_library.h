// libsystemd, loaded by the daemon when it starts rather than by every `misync` process (issue
// 8): it brings libgcrypt, liblzma, libzstd, liblz4 and libcap with it, whose loading costs a
// command-line run about 1.5 ms, and only `misync daemon` talks to systemd (docs/daemon.md).
// Linux only.
#pragma once

#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include <memory>

namespace misync::daemon {

struct SystemdLibrary {
    // libsystemd.so.0 (core::SharedLibrary: kept loaded) with the three functions the daemon
    // calls, or nullptr when it cannot be loaded (then nothing is told to systemd, and the log
    // goes to stderr); the reason is logged.
    static std::shared_ptr<const SystemdLibrary> load();

    decltype(&::sd_notify) notify = nullptr;
    decltype(&::sd_watchdog_enabled) watchdogEnabled = nullptr;
    decltype(&::sd_journal_sendv) journalSendv = nullptr;
};

}  // namespace misync::daemon
