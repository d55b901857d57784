// CLI registrations of the read-side account commands: accounts list|show, groups list and the
// credential export (SPEC §8).
#include <memory>

#include "core/date.h"
#include "core/year_group.h"
#include "daemon/cli_parts.h"

namespace misync::daemon {

void addAccountCommands(CliScope& c, CLI::App& accounts) {
    struct Options {
        storage::AccountFilter filter;
        std::string consent;
        std::string username;
        bool showPassword = false;
        std::string groupSchool;
        std::string groupType;
        bool archived = false;
        std::string expSchool;
        std::string expRole;
        std::string expOut;
    };
    auto o = std::make_shared<Options>();
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;

    auto* list = accounts.add_subcommand("list", "accounts, filtered as the portal's lists are");
    list->add_option("--school", o->filter.school)->check(checkDfes);
    list->add_option("--role", o->filter.role)
        ->check(CLI::IsMember({"learner", "staff", "non_mis", "governor"}));
    list->add_option("--status", o->filter.status)
        ->check(CLI::IsMember({"active", "deactivated", "purged"}));
    list->add_option("--year", o->filter.yearGroup);
    list->add_option("--reg-group", o->filter.regGroup);
    list->add_option("--consent", o->consent)->check(CLI::IsMember({"yes", "no"}));
    list->add_option("--created-since", o->filter.createdSince)->check([](const std::string& s) {
        return core::parseIsoDate(s) ? std::string() : "not a YYYY-MM-DD date: " + s;
    });
    list->add_option("--search", o->filter.search, "matches names, username, UPN");
    list->callback([o, &g, io, &status] {
        if (!o->consent.empty()) {
            o->filter.consent = o->consent == "yes";
        }
        // Year groups are stored normalised (SPEC §6): `Year 7`, `Y7` and `7` all find year 7.
        if (!o->filter.yearGroup.empty()) {
            o->filter.yearGroup =
                core::normalizeYearGroup(o->filter.yearGroup).value_or(o->filter.yearGroup);
        }
        status = cmdAccountsList(g, o->filter, io);
    });
    auto* show = accounts.add_subcommand("show", "one account");
    show->add_option("USERNAME", o->username)->required();
    show->add_flag("--show-password", o->showPassword, "include the visible password (P3)");
    show->callback(
        [o, &g, io, &status] { status = cmdAccountsShow(g, o->username, o->showPassword, io); });

    auto* groups = c.app.add_subcommand("groups", "groups and their members");
    groups->require_subcommand(1);
    auto* glist = groups->add_subcommand("list", "groups with their members");
    glist->add_option("--school", o->groupSchool)->check(checkDfes);
    glist->add_option("--type", o->groupType)
        ->check(CLI::IsMember({"registration", "year", "class", "house"}));
    glist->add_flag("--archived", o->archived, "include archived groups");
    glist->callback([o, &g, io, &status] {
        status = cmdGroupsList(g, o->groupSchool, o->groupType, o->archived, io);
    });

    auto* exp = c.app.add_subcommand("export", "exports");
    exp->require_subcommand(1);
    auto* creds = exp->add_subcommand("credentials", "credential CSV as the portal writes it");
    creds->add_option("--school", o->expSchool)->required()->check(checkDfes);
    creds->add_option("--role", o->expRole)->required()->check(CLI::IsMember({"learner", "staff"}));
    creds->add_option("--out", o->expOut, "write to FILE (mode 0600) instead of stdout");
    creds->callback([o, &g, io, &status] {
        status = cmdExportCredentials(g, o->expSchool, o->expRole, o->expOut, io);
    });
}

}  // namespace misync::daemon
