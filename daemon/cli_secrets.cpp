// CLI registration of `misync secrets rotate` (SPEC §8, P3).
#include "daemon/cli_parts.h"

namespace misync::daemon {

void addSecretsCommands(CliScope& c) {
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;
    auto* secrets = c.app.add_subcommand("secrets", "the secret key of the visible passwords");
    secrets->require_subcommand(1);
    secrets
        ->add_subcommand("rotate",
                         "re-seal every visible password under a new key (P3); see "
                         "docs/configuration.md [secrets]")
        ->callback([&g, io, &status] { status = cmdSecretsRotate(g, io); });
}

}  // namespace misync::daemon
