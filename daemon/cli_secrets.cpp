// CLI registration of `misync secrets rotate` (SPEC §8, P3).
#include <memory>

#include "daemon/cli_parts.h"

namespace misync::daemon {

void addSecretsCommands(CliScope& c) {
    struct Options {
        bool keyLost = false;
        std::string actor;
    };
    auto o = std::make_shared<Options>();
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;
    auto* secrets = c.app.add_subcommand("secrets", "the secret key of the visible passwords");
    secrets->require_subcommand(1);
    auto* rotate = secrets->add_subcommand(
        "rotate",
        "re-seal every visible password under a new key (P3); see docs/configuration.md "
        "[secrets]");
    rotate->add_flag("--key-lost", o->keyLost,
                     "the key file is gone for good: give up every sealed password (they show "
                     "as '-' until reset) and start a new key");
    rotate->add_option("--actor", o->actor,
                       "who asks (recorded with the changes; default: the "
                       "OS user)");
    rotate->callback(
        [o, &g, io, &status] { status = cmdSecretsRotate(g, o->keyLost, o->actor, io); });
}

}  // namespace misync::daemon
