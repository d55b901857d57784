// CLI registration of `misync status` (SPEC §8): last run and flags per school.
#include <memory>

#include "daemon/cli_parts.h"

namespace misync::daemon {

void addStatusCommands(CliScope& c) {
    auto schools = std::make_shared<std::vector<std::string>>();
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;
    auto* cmd = c.app.add_subcommand("status", "last run and flags per school");
    cmd->add_option("--school", *schools, "DfES number (repeatable)")->check(checkDfes);
    cmd->callback([schools, &g, io, &status] { status = cmdStatus(g, *schools, io); });
}

}  // namespace misync::daemon
