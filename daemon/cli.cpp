#include "daemon/cli.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "core/date.h"
#include "core/school.h"
#include "core/year_group.h"
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

std::string checkDfes(const std::string& s) {
    return core::isValidDfes(s) ? std::string() : "not a 7-digit DfES number: " + s;
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
    Io io{out, err};
    int status = kExitOk;

    std::vector<std::string> schools;
    bool dryRun = false;
    auto* run =
        app.add_subcommand("run", "one pass over the configured schools (or the named ones)");
    run->add_option("--school", schools, "DfES number (repeatable)")->check(checkDfes);
    run->add_flag("--dry-run", dryRun, "plan only: change nothing");
    run->callback([&] { status = cmdRun(g, schools, dryRun, io); });

    auto* plan = app.add_subcommand("plan", "same as run --dry-run");
    plan->add_option("--school", schools, "DfES number (repeatable)")->check(checkDfes);
    plan->callback([&] { status = cmdRun(g, schools, true, io); });

    auto* accounts = app.add_subcommand("accounts", "list and show accounts");
    accounts->require_subcommand(1);
    storage::AccountFilter filter;
    std::string consent;
    auto* list = accounts->add_subcommand("list", "accounts, filtered as the portal's lists are");
    list->add_option("--school", filter.school)->check(checkDfes);
    list->add_option("--role", filter.role)
        ->check(CLI::IsMember({"learner", "staff", "non_mis", "governor"}));
    list->add_option("--status", filter.status)
        ->check(CLI::IsMember({"active", "deactivated", "purged"}));
    list->add_option("--year", filter.yearGroup);
    list->add_option("--reg-group", filter.regGroup);
    list->add_option("--consent", consent)->check(CLI::IsMember({"yes", "no"}));
    list->add_option("--created-since", filter.createdSince)->check([](const std::string& s) {
        return core::parseIsoDate(s) ? std::string() : "not a YYYY-MM-DD date: " + s;
    });
    list->add_option("--search", filter.search, "matches names, username, UPN");
    list->callback([&] {
        if (!consent.empty()) {
            filter.consent = consent == "yes";
        }
        // Year groups are stored normalised (SPEC §6): `Year 7`, `Y7` and `7` all find year 7.
        if (!filter.yearGroup.empty()) {
            filter.yearGroup =
                core::normalizeYearGroup(filter.yearGroup).value_or(filter.yearGroup);
        }
        status = cmdAccountsList(g, filter, io);
    });
    std::string username;
    bool showPassword = false;
    auto* show = accounts->add_subcommand("show", "one account");
    show->add_option("USERNAME", username)->required();
    show->add_flag("--show-password", showPassword, "include the visible password (P3)");
    show->callback([&] { status = cmdAccountsShow(g, username, showPassword, io); });

    auto* groups = app.add_subcommand("groups", "groups and their members");
    groups->require_subcommand(1);
    std::string groupSchool;
    std::string groupType;
    bool archived = false;
    auto* glist = groups->add_subcommand("list", "groups with their members");
    glist->add_option("--school", groupSchool)->check(checkDfes);
    glist->add_option("--type", groupType)
        ->check(CLI::IsMember({"registration", "year", "class", "house"}));
    glist->add_flag("--archived", archived, "include archived groups");
    glist->callback([&] { status = cmdGroupsList(g, groupSchool, groupType, archived, io); });

    auto* exp = app.add_subcommand("export", "exports");
    exp->require_subcommand(1);
    std::string expSchool;
    std::string expRole;
    std::string expOut;
    auto* creds = exp->add_subcommand("credentials", "credential CSV as the portal writes it");
    creds->add_option("--school", expSchool)->required()->check(checkDfes);
    creds->add_option("--role", expRole)->required()->check(CLI::IsMember({"learner", "staff"}));
    creds->add_option("--out", expOut, "write to FILE (mode 0600) instead of stdout");
    creds->callback([&] { status = cmdExportCredentials(g, expSchool, expRole, expOut, io); });

    std::string histSchool;
    int limit = 20;
    auto* history = app.add_subcommand("history", "recent runs of a school");
    history->add_option("--school", histSchool)->required()->check(checkDfes);
    history->add_option("--limit", limit)->check(CLI::Range(1, 10000));
    history->callback([&] { status = cmdHistory(g, histSchool, limit, io); });

    std::int64_t runId = 0;
    auto* showRun = app.add_subcommand("show-run", "one run with its actions");
    showRun->add_option("RUN", runId)->required()->check(CLI::PositiveNumber);
    showRun->callback([&] { status = cmdShowRun(g, runId, io); });

    std::int64_t since = 0;
    int changeLimit = 1000;
    auto* changes = app.add_subcommand("changes", "the change log (SPEC §9.2)");
    changes->add_option("--since", since, "list changes after this sequence number")
        ->check(CLI::NonNegativeNumber);
    changes->add_option("--limit", changeLimit, "at most this many (default 1000)")
        ->check(CLI::Range(1, 10000));
    changes->callback([&] { status = cmdChanges(g, since, changeLimit, io); });

    auto* db = app.add_subcommand("db", "directory housekeeping");
    db->require_subcommand(1);
    db->add_subcommand("migrate", "apply the numbered schema scripts")->callback([&] {
        status = cmdDbMigrate(g, io);
    });
    app.add_subcommand("check-config", "validate the configuration without running")->callback([&] {
        status = cmdCheckConfig(g, io);
    });
    app.add_subcommand("version", "print the version")->callback([&] {
        status = cmdVersion(g, io);
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Help goes to stdout with status 0; every other parse error is a usage error (2).
        return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
    }
    return status;
}

}  // namespace misync::daemon
