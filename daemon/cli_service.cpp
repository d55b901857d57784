// `misync service …` on Linux (SPEC §10): the Windows service's commands do not exist here;
// systemd runs the daemon (systemd/misync.service, docs/daemon.md). The Windows build links
// windows-service/service_commands.cpp instead of this file.
#include "daemon/cli.h"
#include "daemon/cli_parts.h"

namespace misync::daemon {

void addServiceCommands(CliScope& c) {
    Io io = c.io;
    int& status = c.status;
    auto* service = c.app.add_subcommand(
        "service", "install, start, stop, reload or uninstall the Windows service (Windows only)");
    for (const char* action : {"install", "uninstall", "start", "stop", "reload"}) {
        service->add_subcommand(action, "Windows only");
    }
    service->callback([io, &status] {
        io.err << "misync: `misync service` installs and controls the Windows service and is "
                  "available only on Windows.\n"
                  "On Linux systemd runs the daemon: sudo systemctl enable --now misync, "
                  "then systemctl reload|stop|status misync (docs/daemon.md).\n";
        status = kExitUsage;
    });
}

}  // namespace misync::daemon
