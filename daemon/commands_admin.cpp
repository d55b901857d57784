// The administrator commands of SPEC §8: accounts add|deactivate|reactivate|reset-password|
// rename|promote|demote and consent confirm|withdraw. Each does its reads, the pure check of
// reconcile/admin.h and the write inside one Directory::exclusive() transaction, so that nothing
// changes between the check and the write; a refusal writes nothing at all.
#ifndef _WIN32
#include <pwd.h>
#endif
#include <spdlog/spdlog.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <sstream>

#include "core/errors.h"
#include "core/text.h"
#include "daemon/account_json.h"
#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/context.h"
#include "reconcile/admin.h"
#include "reconcile/passwords.h"
#include "reconcile/usernames.h"

namespace misync::daemon {

namespace json = boost::json;

namespace {

// U3/U4/P2: new usernames and passwords for one command. The username registry is loaded inside
// the command's transaction (every name ever given, by any process) and only when a new name is
// made; its allocations are committed once the write succeeded.
class Generators {
  public:
    Generators(storage::Directory& directory, unsigned maxLength, bool needNames)
        : allocator_(registry_, maxLength) {
        if (needNames) {
            directory.loadUsernames(registry_);
        }
    }
    reconcile::AdminServices services() { return {allocator_, passwords_, names_}; }
    reconcile::PasswordGenerator& passwords() { return passwords_; }
    void commit() { allocator_.commit(); }

  private:
    reconcile::UsernameRegistry registry_;
    reconcile::UsernameAllocator allocator_;
    reconcile::SecurePasswordGenerator passwords_;
    reconcile::NameTransliterator names_;
};

const reconcile::Policy& policyOf(const Context& ctx, const std::string& school) {
    const SchoolConfig* s = ctx.config.findSchool(school);
    return s != nullptr ? s->policy : ctx.config.policy;
}

std::vector<reconcile::Account> accountsOf(storage::Directory& dir,
                                           const storage::AccountFilter& filter) {
    std::vector<reconcile::Account> out;
    for (auto& row : dir.listAccounts(filter)) {
        out.push_back(std::move(row.account));
    }
    return out;
}

// R10: the school's Digital Champions, whatever their status (the pure checks count the active).
std::vector<reconcile::Account> championsOf(storage::Directory& dir, const std::string& school) {
    storage::AccountFilter f;
    f.school = school;
    f.role = "staff";
    std::vector<reconcile::Account> out;
    for (auto& a : accountsOf(dir, f)) {
        if (a.digitalChampion) {
            out.push_back(std::move(a));
        }
    }
    return out;
}

struct Outcome {
    reconcile::AdminResult result;
    std::vector<storage::AccountRow> rows;  // the written accounts as stored
};

// Runs `decide` (reads and the pure check) and, unless it refuses, writes its change: all in one
// exclusive transaction. The secret key is loaded only when the change seals a password (P3), so
// a refusal or a change without one never needs it; a key that does not open this directory's
// passwords fails the command inside the transaction, which then changes nothing.
Outcome decideAndApply(Context& ctx, const std::string& actor,
                       const std::function<reconcile::AdminResult(storage::Directory&)>& decide) {
    Outcome out;
    storage::Directory& dir = ctx.directory();
    dir.exclusive([&] {
        out.result = decide(dir);
        if (out.result.refused() || out.result.change.accounts.empty()) {
            return;
        }
        const storage::SecretBox* box = nullptr;
        for (const auto& w : out.result.change.accounts) {
            if (w.newPassword) {
                box = &ctx.box();
            }
        }
        dir.applyAdmin(out.result.change, actor, box);
        for (const auto& w : out.result.change.accounts) {
            if (auto row = dir.findAccount(w.account.username)) {
                out.rows.push_back(std::move(*row));
            }
        }
    });
    for (const auto& e : out.result.change.events) {
        spdlog::info("actor={} change={} username={} school={}", actor, e.kind, e.username,
                     e.school);  // P4: never a password
    }
    return out;
}

struct Report {
    const char* verb;            // "Deactivated", "New password for", …
    bool showPassword = false;   // P3: print the visible passwords
    bool listUnchanged = false;  // consent: the accounts already in that state
};

int report(Context& ctx, const GlobalOptions& g, Io io, const Outcome& o, const Report& how) {
    if (o.result.refused()) {
        io.err << "misync: " << o.result.refusal->text() << "\n";
        return kExitUsage;
    }
    const auto& change = o.result.change;
    if (g.json) {
        json::array accounts;
        for (const auto& row : o.rows) {
            json::object a = accountJson(ctx, row);
            if (how.showPassword) {
                a["password"] = visiblePassword(ctx, row);
            }
            accounts.push_back(std::move(a));
        }
        json::array warnings;
        for (const auto& w : change.warnings) {
            warnings.push_back(json::object{{"code", w.code}, {"message", w.message}});
        }
        json::object out{{"accounts", std::move(accounts)}, {"warnings", std::move(warnings)}};
        if (how.listUnchanged) {
            json::array unchanged;
            for (const auto& n : change.unchanged) {
                unchanged.emplace_back(n);
            }
            out["unchanged"] = std::move(unchanged);
        }
        io.out << json::serialize(out) << "\n";
        return kExitOk;
    }
    for (const auto& row : o.rows) {
        const auto& a = row.account;
        io.out << how.verb << " " << a.username << " (" << core::toString(a.role) << ", "
               << a.school << ", " << a.displayName << ")";
        if (how.showPassword) {
            io.out << ": password " << visiblePassword(ctx, row);
        }
        io.out << "\n";
    }
    std::size_t newPasswords = 0;
    for (const auto& w : change.accounts) {
        newPasswords += w.newPassword ? 1 : 0;
    }
    if (!how.showPassword && newPasswords > 0) {
        io.out << "The new password" << (newPasswords == 1 ? " is" : "s are")
               << " visible with --show-password, `accounts show USERNAME --show-password` or "
                  "`export credentials`.\n";
    }
    for (const auto& n : change.unchanged) {
        io.out << "Unchanged " << n << " (already so)\n";
    }
    for (const auto& w : change.warnings) {
        io.out << "warning " << w.code << ": " << w.message << "\n";
    }
    return kExitOk;
}

// One account by username or alias, or the refusal for an unknown one (SPEC §8).
std::optional<reconcile::Account> lookUp(storage::Directory& dir, const std::string& name,
                                         reconcile::AdminResult& refusal) {
    if (auto row = dir.findAccount(std::string(core::trim(name)))) {
        return std::move(row->account);
    }
    auto why = reconcile::unknownAccount(name);
    refusal = reconcile::AdminResult::refuse(why.rule, why.message);
    return std::nullopt;
}

// A typed password from --password-file: the file's one line ("-" reads standard input), so
// that the password need not appear in the process list. P4: never echoed in a message.
std::optional<std::string> readPasswordFile(const std::string& path, Io io) {
    std::string text;
    if (path == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            io.err << "misync: --password-file " << path
                   << ": cannot read: " << std::strerror(errno) << "\n";
            return std::nullopt;
        }
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string_view where = path == "-" ? "standard input" : path;
    std::size_t end = text.find('\n');
    if (end != std::string::npos && !core::trim(text.substr(end)).empty()) {
        io.err << "misync: --password-file " << where << ": holds more than one line\n";
        return std::nullopt;
    }
    std::string password = text.substr(0, end);
    if (!password.empty() && password.back() == '\r') {
        password.pop_back();
    }
    if (password.empty()) {
        io.err << "misync: --password-file " << where << ": holds no password\n";
        return std::nullopt;
    }
    return password;
}

}  // namespace

int cmdAccountsAdd(const GlobalOptions& g, const AdminOptions& admin, const AddAccountOptions& add,
                   Io io) {
    return withContext(g, io, [&](Context& ctx) {
        const SchoolConfig* school = ctx.config.findSchool(add.school);
        if (school == nullptr) {
            throw core::ConfigError("school " + add.school + " is not in " +
                                    ctx.config.file.string());
        }
        reconcile::NewManualAccount req;
        req.school = add.school;
        req.role = core::parseRole(add.role).value_or(core::Role::NonMis);
        req.forename = add.forename;
        req.surname = add.surname;
        if (!add.dob.empty()) {
            req.dob = core::parseIsoDate(add.dob);
            if (!req.dob) {
                io.err << "misync: --dob: not a YYYY-MM-DD date: " << add.dob << "\n";
                return kExitUsage;
            }
        }
        const std::string actor = actorName(admin.actor);
        std::optional<Generators> gen;
        Outcome o = decideAndApply(ctx, actor, [&](storage::Directory& dir) {
            gen.emplace(dir, school->policy.usernameMaxLength, true);
            storage::AccountFilter f;
            f.school = add.school;
            auto services = gen->services();
            return reconcile::addManualAccount(req, accountsOf(dir, f), services, core::nowIso());
        });
        if (!o.result.refused()) {
            gen->commit();
        }
        return report(ctx, g, io, o, {"Created", admin.showPassword});
    });
}

int cmdAccountsDeactivate(const GlobalOptions& g, const AdminOptions& admin,
                          const std::string& username, bool reactivate, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        const std::string actor = actorName(admin.actor);
        Outcome o = decideAndApply(ctx, actor, [&](storage::Directory& dir) {
            reconcile::AdminResult refused;
            auto a = lookUp(dir, username, refused);
            if (!a) {
                return refused;
            }
            if (reactivate) {
                return reconcile::reactivateAccount(*a);
            }
            return reconcile::deactivateAccount(*a, championsOf(dir, a->school), core::nowIso());
        });
        return report(ctx, g, io, o, {reactivate ? "Reactivated" : "Deactivated"});
    });
}

int cmdAccountsResetPassword(const GlobalOptions& g, const AdminOptions& admin,
                             const ResetPasswordOptions& reset, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        std::optional<std::string> typed = reset.password;
        if (!reset.passwordFile.empty()) {
            typed = readPasswordFile(reset.passwordFile, io);
            if (!typed) {
                return kExitUsage;
            }
        }
        const std::string actor = actorName(admin.actor);
        reconcile::SecurePasswordGenerator passwords;
        Outcome o = decideAndApply(ctx, actor, [&](storage::Directory& dir) {
            if (!reset.school.empty()) {
                storage::AccountFilter f;
                f.school = reset.school;
                f.role = "learner";
                f.status = "active";
                f.regGroup = reset.regGroup;
                return reconcile::resetRegGroupPasswords(reset.school, reset.regGroup,
                                                         accountsOf(dir, f), passwords);
            }
            reconcile::AdminResult refused;
            auto a = lookUp(dir, reset.username, refused);
            if (!a) {
                return refused;
            }
            return reconcile::resetPassword(*a, typed, passwords);
        });
        return report(ctx, g, io, o, {"New password for", admin.showPassword});
    });
}

int cmdAccountsRename(const GlobalOptions& g, const AdminOptions& admin,
                      const RenameOptions& rename, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        const std::string actor = actorName(admin.actor);
        std::optional<Generators> gen;
        Outcome o = decideAndApply(ctx, actor, [&](storage::Directory& dir) {
            reconcile::AdminResult refused;
            auto a = lookUp(dir, rename.username, refused);
            if (!a) {
                return refused;
            }
            gen.emplace(dir, policyOf(ctx, a->school).usernameMaxLength, rename.newUsername);
            reconcile::RenameRequest req{rename.forename, rename.surname, rename.newUsername};
            auto services = gen->services();
            return reconcile::renameAccount(*a, req, services);
        });
        if (!o.result.refused() && gen) {
            gen->commit();
        }
        return report(ctx, g, io, o, {"Renamed", admin.showPassword && rename.newUsername});
    });
}

int cmdAccountsChampion(const GlobalOptions& g, const AdminOptions& admin,
                        const std::string& username, bool promote, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        const std::string actor = actorName(admin.actor);
        Outcome o = decideAndApply(ctx, actor, [&](storage::Directory& dir) {
            reconcile::AdminResult refused;
            auto a = lookUp(dir, username, refused);
            if (!a) {
                return refused;
            }
            if (promote) {
                return reconcile::promoteChampion(*a);
            }
            return reconcile::demoteChampion(*a, championsOf(dir, a->school), actor);
        });
        return report(ctx, g, io, o, {promote ? "Promoted" : "Demoted"});
    });
}

int cmdConsent(const GlobalOptions& g, const AdminOptions& admin,
               const std::vector<std::string>& usernames, bool confirm, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        const std::string actor = actorName(admin.actor);
        Outcome o = decideAndApply(ctx, actor, [&](storage::Directory& dir) {
            std::vector<reconcile::NamedAccount> targets;
            for (const auto& name : usernames) {
                reconcile::NamedAccount t{name, std::nullopt};
                if (auto row = dir.findAccount(std::string(core::trim(name)))) {
                    t.account = std::move(row->account);
                }
                targets.push_back(std::move(t));
            }
            return reconcile::setConsent(targets, confirm);
        });
        return report(ctx, g, io, o,
                      {confirm ? "Consent confirmed for" : "Consent withdrawn for", false, true});
    });
}

}  // namespace misync::daemon
