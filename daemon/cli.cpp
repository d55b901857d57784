#include "daemon/cli.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/school.h"
#include "daemon/cli_parts.h"
#include "daemon/commands.h"

namespace misync::daemon {

namespace {

void setUpLogging() {
    auto logger = spdlog::stderr_color_mt("misync");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S%z %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::warn);
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=info|debug …
}

// The global options are accepted before or after the command (SPEC §8).
void addGlobals(CLI::App& app, GlobalOptions& g) {
    app.add_option("--config", g.configFile, "configuration file")->capture_default_str();
    app.add_option("--as-of", g.asOf, "date the rules compare against (YYYY-MM-DD)");
    app.add_flag("--json", g.json, "machine-readable output on stdout");
}

}  // namespace

std::string checkDfes(const std::string& s) {
    return core::isValidDfes(s) ? std::string() : "not a 7-digit DfES number: " + s;
}

void addSyncCommands(CliScope& c) {
    struct Options {
        std::vector<std::string> schools;
        bool dryRun = false;
        bool verbose = false;
        std::string histSchool;
        int limit = 20;
        std::int64_t runId = 0;
        std::int64_t since = 0;
        int changeLimit = 1000;
        std::int64_t approveRun = 0;
        std::string actor;
    };
    auto o = std::make_shared<Options>();
    CLI::App& app = c.app;
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;

    auto* run =
        app.add_subcommand("run", "one pass over the configured schools (or the named ones)");
    run->add_option("--school", o->schools, "DfES number (repeatable)")->check(checkDfes);
    run->add_flag("--dry-run", o->dryRun, "plan only: change nothing");
    run->add_flag("--verbose", o->verbose, "print every school's summary");
    run->callback(
        [o, &g, io, &status] { status = cmdRun(g, o->schools, o->dryRun, io, o->verbose); });

    auto* plan = app.add_subcommand("plan", "same as run --dry-run");
    plan->add_option("--school", o->schools, "DfES number (repeatable)")->check(checkDfes);
    plan->add_flag("--verbose", o->verbose, "print every school's summary");
    plan->callback([o, &g, io, &status] { status = cmdRun(g, o->schools, true, io, o->verbose); });

    auto* history = app.add_subcommand("history", "recent runs of a school");
    history->add_option("--school", o->histSchool)->required()->check(checkDfes);
    history->add_option("--limit", o->limit)->check(CLI::Range(1, 10000));
    history->callback(
        [o, &g, io, &status] { status = cmdHistory(g, o->histSchool, o->limit, io); });

    auto* showRun = app.add_subcommand("show-run", "one run with its actions");
    showRun->add_option("RUN", o->runId)->required()->check(CLI::PositiveNumber);
    showRun->callback([o, &g, io, &status] { status = cmdShowRun(g, o->runId, io); });

    auto* approve = app.add_subcommand("approve", "approve a held run (S3)");
    approve->add_option("RUN", o->approveRun, "the held run")
        ->required()
        ->check(CLI::PositiveNumber);
    approve->add_option("--actor", o->actor, "who approves (default: the OS user)");
    approve->callback(
        [o, &g, io, &status] { status = cmdApprove(g, o->approveRun, o->actor, io); });

    auto* changes = app.add_subcommand("changes", "the change log (SPEC §9.2)");
    changes->add_option("--since", o->since, "list changes after this sequence number")
        ->check(CLI::NonNegativeNumber);
    changes->add_option("--limit", o->changeLimit, "at most this many (default 1000)")
        ->check(CLI::Range(1, 10000));
    changes->callback(
        [o, &g, io, &status] { status = cmdChanges(g, o->since, o->changeLimit, io); });

    auto* db = app.add_subcommand("db", "directory housekeeping");
    db->require_subcommand(1);
    db->add_subcommand("migrate", "apply the numbered schema scripts")->callback([&g, io, &status] {
        status = cmdDbMigrate(g, io);
    });
    app.add_subcommand("check-config", "validate the configuration without running")
        ->callback([&g, io, &status] { status = cmdCheckConfig(g, io); });
    app.add_subcommand("version", "print the version")->callback([&g, io, &status] {
        status = cmdVersion(g, io);
    });
}

namespace {

// "misync stauts": CLI11 says only that a subcommand is required. Name the word it did not know
// and the commands of that level instead (a typo is the usual cause).
std::optional<std::string> unknownCommand(CLI::App& app) {
    CLI::App* level = &app;  // the deepest command parsed ("accounts" in "accounts lst")
    while (!level->get_subcommands().empty()) {
        level = level->get_subcommands().front();
    }
    std::vector<std::string> rest = app.remaining(true);
    if (rest.empty() || rest.front().starts_with('-')) {
        return std::nullopt;
    }
    std::string known;
    for (const CLI::App* sub : level->get_subcommands([](CLI::App*) { return true; })) {
        known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    std::string where = level == &app ? "" : " " + level->get_name();
    return "unknown command '" + rest.front() + "' for misync" + where +
           "; the commands are: " + known + "\nRun with --help for more information.\n";
}

}  // namespace

int runCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
    setUpLogging();
    GlobalOptions g;
    if (const char* env = std::getenv("MISYNC_CONFIG"); env != nullptr && *env != '\0') {
        g.configFile = env;
    }
    CLI::App app{"misync: school identity provisioning client"};
    app.require_subcommand(1);
    app.fallthrough();
    addGlobals(app, g);
    int status = kExitOk;
    CliScope scope{app, g, Io{out, err}, status};

    addSyncCommands(scope);
    addStatusCommands(scope);
    auto* accounts = app.add_subcommand("accounts", "list, show and manage accounts");
    accounts->require_subcommand(1);
    addAccountCommands(scope, *accounts);
    addAdminCommands(scope, *accounts);
    addSecretsCommands(scope);
    addDaemonCommands(scope);
    addServiceCommands(scope);

    try {
        app.parse(argc, argv);
    } catch (const CLI::RequiredError& e) {
        if (auto unknown = unknownCommand(app)) {
            err << *unknown;
            return kExitUsage;
        }
        return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
    } catch (const CLI::ParseError& e) {
        // Help goes to stdout with status 0; every other parse error is a usage error (2).
        return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
    }
    return status;
}

}  // namespace misync::daemon
