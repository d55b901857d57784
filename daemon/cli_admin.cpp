// CLI registrations of the administrator commands of SPEC §8: accounts add|deactivate|
// reactivate|reset-password|rename|promote|demote and consent confirm|withdraw. Every one takes
// --actor NAME (recorded with the change; default the OS user) and the global --json.
#include <memory>

#include "core/date.h"
#include "daemon/cli.h"
#include "daemon/cli_parts.h"

namespace misync::daemon {

namespace {

std::string checkIsoDate(const std::string& s) {
    return core::parseIsoDate(s) ? std::string() : "not a YYYY-MM-DD date: " + s;
}

}  // namespace

void addAdminCommands(CliScope& c, CLI::App& accounts) {
    struct Options {
        AdminOptions admin;
        AddAccountOptions add;
        std::string username;
        ResetPasswordOptions reset;
        std::string password;
        RenameOptions rename;
        std::string forename;
        std::string surname;
        std::vector<std::string> usernames;
    };
    auto o = std::make_shared<Options>();
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;
    auto actor = [o](CLI::App* cmd) {
        cmd->add_option("--actor", o->admin.actor,
                        "who makes the change, recorded with it (default: the OS user)");
    };
    auto showPassword = [o](CLI::App* cmd) {
        cmd->add_flag("--show-password", o->admin.showPassword,
                      "print the new visible password (P3)");
    };

    auto* add = accounts.add_subcommand("add", "a manual account: non-MIS or governor (R8)");
    add->add_option("--school", o->add.school, "DfES number")->required()->check(checkDfes);
    add->add_option("--role", o->add.role)
        ->required()
        ->check(CLI::IsMember({"non_mis", "governor"}));
    add->add_option("--forename", o->add.forename)->required();
    add->add_option("--surname", o->add.surname)->required();
    add->add_option("--dob", o->add.dob, "date of birth (YYYY-MM-DD)")->check(checkIsoDate);
    actor(add);
    showPassword(add);
    add->callback([o, &g, io, &status] { status = cmdAccountsAdd(g, o->admin, o->add, io); });

    for (bool reactivate : {false, true}) {
        auto* cmd = accounts.add_subcommand(
            reactivate ? "reactivate" : "deactivate",
            reactivate ? "reactivate an account"
                       : "deactivate an account (an MIS account stays so across syncs, R9)");
        cmd->add_option("USERNAME", o->username, "username or alias")->required();
        actor(cmd);
        cmd->callback([o, &g, io, &status, reactivate] {
            status = cmdAccountsDeactivate(g, o->admin, o->username, reactivate, io);
        });
    }

    auto* reset = accounts.add_subcommand(
        "reset-password", "a new visible password: one account, or a whole registration group");
    auto* user = reset->add_option("USERNAME", o->reset.username, "username or alias");
    auto* password =
        reset->add_option("--password", o->password, "the new password (P1); generated if omitted");
    auto* passwordFile = reset->add_option("--password-file", o->reset.passwordFile,
                                           "read the new password from FILE ('-': standard input)");
    auto* school = reset->add_option("--school", o->reset.school, "DfES number (with --reg-group)")
                       ->check(checkDfes);
    auto* regGroup = reset->add_option("--reg-group", o->reset.regGroup,
                                       "every active learner of this registration group");
    password->excludes(passwordFile);
    school->needs(regGroup);
    regGroup->needs(school);
    user->excludes(school);
    for (auto* typed : {password, passwordFile}) {
        typed->excludes(school);
    }
    actor(reset);
    showPassword(reset);
    reset->callback([o, &g, io, &status, password] {
        if (o->reset.username.empty() && o->reset.school.empty()) {
            io.err
                << "misync: accounts reset-password: give USERNAME, or --school D --reg-group G\n";
            status = kExitUsage;
            return;
        }
        if (password->count() > 0) {
            o->reset.password = o->password;
        }
        status = cmdAccountsResetPassword(g, o->admin, o->reset, io);
    });

    auto* rename = accounts.add_subcommand("rename", "a legal name change (R4)");
    rename->add_option("USERNAME", o->rename.username, "username or alias")->required();
    auto* forename = rename->add_option("--forename", o->forename, "new legal forename");
    auto* surname = rename->add_option("--surname", o->surname, "new legal surname");
    rename->add_flag("--new-username", o->rename.newUsername,
                     "a new username from the names (the old one stays an alias) and a new "
                     "password");
    actor(rename);
    showPassword(rename);
    rename->callback([o, &g, io, &status, forename, surname] {
        if (forename->count() > 0) {
            o->rename.forename = o->forename;
        }
        if (surname->count() > 0) {
            o->rename.surname = o->surname;
        }
        status = cmdAccountsRename(g, o->admin, o->rename, io);
    });

    for (bool promote : {true, false}) {
        auto* cmd = accounts.add_subcommand(
            promote ? "promote" : "demote",
            promote ? "make an MIS staff account a Digital Champion (R10)"
                    : "remove a Digital Champion (not a school's last one, R10)");
        cmd->add_option("USERNAME", o->username, "username or alias")->required();
        actor(cmd);
        cmd->callback([o, &g, io, &status, promote] {
            status = cmdAccountsChampion(g, o->admin, o->username, promote, io);
        });
    }

    auto* consent = c.app.add_subcommand("consent", "learner consent for additional services");
    consent->require_subcommand(1);
    for (bool confirm : {true, false}) {
        auto* cmd = consent->add_subcommand(
            confirm ? "confirm" : "withdraw",
            confirm ? "confirm consent of learners" : "withdraw consent of learners");
        cmd->add_option("USERNAME", o->usernames, "usernames or aliases")->required();
        actor(cmd);
        cmd->callback([o, &g, io, &status, confirm] {
            status = cmdConsent(g, o->admin, o->usernames, confirm, io);
        });
    }
}

}  // namespace misync::daemon
