// CLI registration of `misync daemon` (SPEC §8, §9.1): scheduler, drop-folder watch and status
// endpoint, until stopped (daemon/daemon.h).
#include "daemon/cli_parts.h"
#include "daemon/daemon.h"

namespace misync::daemon {

void addDaemonCommands(CliScope& c) {
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;
    c.app
        .add_subcommand("daemon",
                        "run schedules, drop folders and the status endpoint until stopped")
        ->callback([&g, io, &status] { status = cmdDaemon(g, io); });
}

}  // namespace misync::daemon
