// The CLI's command registrations, one function per area so that each stays small: every
// function adds its subcommands to `app` (or to a parent subcommand such as `accounts`) and
// sets `status` from its command's callback. Option values live in holders the callbacks own.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "daemon/commands.h"

namespace misync::daemon {

struct CliScope {
    CLI::App& app;
    GlobalOptions& g;
    Io io;
    int& status;
};

// CLI11 validator: a 7-digit DfES number (SPEC §1).
std::string checkDfes(const std::string& s);

// run, plan, history, show-run, changes, db migrate, check-config, version (cli.cpp)
void addSyncCommands(CliScope& c);
// status (cli_status.cpp)
void addStatusCommands(CliScope& c);
// accounts list|show, groups list, export credentials (cli_accounts.cpp)
void addAccountCommands(CliScope& c, CLI::App& accounts);
// accounts add|deactivate|reactivate|reset-password|rename|promote|demote, consent
// confirm|withdraw: the administrator commands of SPEC §8 (cli_admin.cpp)
void addAdminCommands(CliScope& c, CLI::App& accounts);
// secrets rotate (cli_secrets.cpp)
void addSecretsCommands(CliScope& c);
// daemon (cli_daemon.cpp)
void addDaemonCommands(CliScope& c);
// service install|uninstall|start|stop|reload: the Windows service (SPEC §10), chosen when
// linking: windows-service/service_commands.cpp on Windows; on Linux (cli_service.cpp) a
// usage error that points to systemd.
void addServiceCommands(CliScope& c);

}  // namespace misync::daemon
