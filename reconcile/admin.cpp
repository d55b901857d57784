#include "reconcile/admin.h"

#include <set>

#include "core/text.h"

namespace misync::reconcile {

namespace {

using core::Role;

// "a learner", "a non-MIS", "a governor" … account: how R10 refusals name a role.
std::string roleNoun(const Account& a) {
    switch (a.role) {
        case Role::Learner:
            return "a learner";
        case Role::Staff:
            return a.source == AccountSource::Mis ? "an MIS staff" : "a manual staff";
        case Role::NonMis:
            return "a non-MIS";
        case Role::Governor:
            return "a governor";
    }
    return "an";
}

ChangeEvent eventFor(const char* kind, const Account& a) {
    ChangeEvent e;
    e.kind = kind;
    e.school = a.school;
    e.username = a.username;
    e.role = a.role;
    return e;
}

ChangeField boolField(const char* name, bool value) {
    return {name, value ? "true" : "false", true};
}

// R5: a purged account's personal data is gone; no operation but reading it applies.
std::optional<AdminResult> refusePurged(const Account& a) {
    if (a.status != AccountStatus::Purged) {
        return std::nullopt;
    }
    return AdminResult::refuse("R5", a.username + " was purged: its personal data is gone");
}

// Typed names: surrounding white space goes, invalid UTF-8 is replaced (it must stay printable).
std::string cleanName(std::string_view s) {
    return core::sanitizeUtf8(core::trim(s));
}

bool sameName(std::string_view a, std::string_view b) {
    return core::iequals(a, b);
}

// Active Digital Champions of `school` other than `self`.
std::size_t otherActiveChampions(const std::vector<Account>& champions, const Account& self) {
    std::size_t n = 0;
    for (const auto& c : champions) {
        if (c.id != self.id && c.school == self.school && c.digitalChampion &&
            c.status == AccountStatus::Active) {
            ++n;
        }
    }
    return n;
}

}  // namespace

std::string AdminRefusal::text() const {
    return rule.empty() ? message : rule + ": " + message;
}

AdminResult AdminResult::refuse(std::string rule, std::string message) {
    AdminResult r;
    r.refusal = AdminRefusal{std::move(rule), std::move(message)};
    return r;
}

AdminRefusal unknownAccount(std::string_view name) {
    return {"", "no account " + std::string(name) + " (unknown username or alias)"};
}

AdminResult addManualAccount(const NewManualAccount& req,
                             const std::vector<Account>& schoolAccounts, AdminServices& svc,
                             const std::string& now) {
    if (req.role != Role::NonMis && req.role != Role::Governor) {
        return AdminResult::refuse(
            "R8", "only non-MIS and governor accounts are created by hand; " +
                      std::string(core::toString(req.role)) + " accounts come from the MIS");
    }
    const std::string forename = cleanName(req.forename);
    const std::string surname = cleanName(req.surname);
    if (forename.empty()) {
        return AdminResult::refuse("R8", "the forename cannot be empty");
    }
    if (surname.empty()) {
        return AdminResult::refuse("R8", "the surname cannot be empty");
    }
    Account a;
    a.role = req.role;
    a.source = AccountSource::Manual;
    a.school = req.school;
    a.attrs.legalForename = forename;
    a.attrs.legalSurname = surname;
    a.attrs.dob = req.dob ? req.dob->toString() : "";
    a.displayName = displayName(a.attrs);
    a.status = AccountStatus::Active;
    a.createdAt = now;
    a.username = svc.usernames.allocate(usernameBase(svc.names, surname, forename));  // U1–U6
    a.passwordAvailable = true;

    AdminResult r;
    // R8 seen from the manual side: the person may already have an MIS account here.
    const std::string key = svc.names.toAscii(forename) + "|" + svc.names.toAscii(surname);
    for (const auto& m : schoolAccounts) {
        if (m.school != req.school || m.source != AccountSource::Mis ||
            m.status != AccountStatus::Active) {
            continue;
        }
        if (!a.attrs.dob.empty() && !m.attrs.dob.empty() && a.attrs.dob != m.attrs.dob) {
            continue;
        }
        const auto& p = m.attrs;
        const bool legal =
            svc.names.toAscii(p.legalForename) + "|" + svc.names.toAscii(p.legalSurname) == key;
        const bool preferred =
            svc.names.toAscii(p.preferredForename.empty() ? p.legalForename : p.preferredForename) +
                "|" +
                svc.names.toAscii(p.preferredSurname.empty() ? p.legalSurname
                                                             : p.preferredSurname) ==
            key;
        if (legal || preferred) {
            r.change.warnings.push_back(
                {"possible_duplicate", "new " + std::string(core::toString(a.role)) + " account " +
                                           a.username + " has the same name as MIS account " +
                                           m.username + " (" + core::toString(m.role) + ")"});
        }
    }

    ChangeEvent e = eventFor("account.created", a);
    e.fields.push_back({"source", toString(a.source), false});
    for (const auto& f : attributeFields()) {
        if (!(a.attrs.*f.member).empty()) {
            e.fields.push_back({f.name, a.attrs.*f.member, false});
        }
    }
    e.fields.push_back({"display_name", a.displayName, false});
    e.fields.push_back({"status", toString(a.status), false});
    r.change.events.push_back(std::move(e));
    std::string password = svc.passwords.generate(a.username);  // P2
    r.change.accounts.push_back({a, std::move(password), {a.username}});
    return r;
}

AdminResult deactivateAccount(const Account& account, const std::vector<Account>& champions,
                              const std::string& now) {
    if (auto refused = refusePurged(account)) {
        return *refused;
    }
    if (account.status == AccountStatus::Deactivated) {
        return AdminResult::refuse("R5", account.username + " is already deactivated");
    }
    AdminResult r;
    Account a = account;
    a.status = AccountStatus::Deactivated;
    a.deactivatedAt = now;
    if (a.source == AccountSource::Mis) {
        a.adminDeactivated = true;  // R9: stays deactivated while the person is on roll
    }
    if (a.digitalChampion && otherActiveChampions(champions, a) == 0) {
        r.change.warnings.push_back(
            {"no_digital_champion", "deactivating " + a.username + " leaves school " + a.school +
                                        " without an active Digital Champion (R10)"});
    }
    ChangeEvent e = eventFor("account.deactivated", a);
    e.fields.push_back({"status", toString(a.status), false});
    r.change.events.push_back(std::move(e));
    r.change.leaveGroups.push_back({a.id, a.username, a.role});  // R11
    r.change.accounts.push_back({std::move(a), std::nullopt, {}});
    return r;
}

AdminResult reactivateAccount(const Account& account) {
    if (auto refused = refusePurged(account)) {
        return *refused;
    }
    if (account.status == AccountStatus::Active) {
        return AdminResult::refuse("R6", account.username + " is already active");
    }
    AdminResult r;
    Account a = account;
    a.status = AccountStatus::Active;
    a.adminDeactivated = false;
    a.deactivatedAt.clear();
    if (a.source == AccountSource::Mis && !a.ownerOnRoll) {
        r.change.warnings.push_back(
            {"not_on_roll", a.username + ": the MIS of " + a.school +
                                " does not have this person on roll, so the next sync "
                                "deactivates the account again unless the MIS has them on roll "
                                "by then (R5)"});
    }
    ChangeEvent e = eventFor("account.reactivated", a);
    e.fields.push_back({"status", toString(a.status), false});
    r.change.events.push_back(std::move(e));
    r.change.accounts.push_back({std::move(a), std::nullopt, {}});
    return r;
}

namespace {

// P2/P3/R9: a new visible password set by an administrator.
void newPassword(AdminChange& change, const Account& account, std::string password) {
    Account a = account;
    a.passwordAvailable = true;
    a.passwordByAdmin = true;
    ChangeEvent e = eventFor("account.password_reset", a);
    e.fields.push_back(boolField("password_available", true));  // P4: never the password
    change.events.push_back(std::move(e));
    change.accounts.push_back({std::move(a), std::move(password), {}});
}

}  // namespace

AdminResult resetPassword(const Account& account, const std::optional<std::string>& typed,
                          PasswordGenerator& passwords) {
    if (auto refused = refusePurged(account)) {
        return *refused;
    }
    std::string password;
    if (typed) {
        if (auto why = checkPassword(*typed, account.username)) {
            return AdminResult::refuse("P1", *why + " (account " + account.username + ")");
        }
        password = *typed;
    } else {
        password = passwords.generate(account.username);
    }
    AdminResult r;
    newPassword(r.change, account, std::move(password));
    return r;
}

AdminResult resetRegGroupPasswords(const std::string& school, const std::string& regGroup,
                                   const std::vector<Account>& accounts,
                                   PasswordGenerator& passwords) {
    AdminResult r;
    for (const auto& a : accounts) {
        if (a.school == school && a.role == Role::Learner && a.status == AccountStatus::Active &&
            a.attrs.regGroup == regGroup) {
            newPassword(r.change, a, passwords.generate(a.username));
        }
    }
    if (r.change.accounts.empty()) {
        return AdminResult::refuse("R11", "registration group " + regGroup + " of school " +
                                              school + " has no active learners");
    }
    return r;
}

AdminResult renameAccount(const Account& account, const RenameRequest& req, AdminServices& svc) {
    if (auto refused = refusePurged(account)) {
        return *refused;
    }
    if (!req.forename && !req.surname && !req.newUsername) {
        return AdminResult::refuse("R4", "nothing to change for " + account.username +
                                             ": give --forename, --surname or --new-username");
    }
    Account a = account;
    ChangeEvent e;
    auto setName = [&](const std::optional<std::string>& given, const char* what,
                       std::string Attributes::*legal, std::string Attributes::*preferred,
                       const char* legalField,
                       const char* preferredField) -> std::optional<AdminRefusal> {
        if (!given) {
            return std::nullopt;
        }
        std::string name = cleanName(*given);
        if (name.empty()) {
            return AdminRefusal{"R4", std::string("the ") + what + " cannot be empty"};
        }
        a.attrs.*legal = name;
        e.fields.push_back({legalField, name, false});
        if (!(a.attrs.*preferred).empty()) {
            (a.attrs.*preferred).clear();  // the display name shows what the administrator typed
            e.fields.push_back({preferredField, "", false});
        }
        a.nameLocked = true;  // R9: an administrator's rename survives every later sync
        return std::nullopt;
    };
    if (auto bad =
            setName(req.forename, "forename", &Attributes::legalForename,
                    &Attributes::preferredForename, "legal_forename", "preferred_forename")) {
        return AdminResult::refuse(bad->rule, bad->message);
    }
    if (auto bad = setName(req.surname, "surname", &Attributes::legalSurname,
                           &Attributes::preferredSurname, "legal_surname", "preferred_surname")) {
        return AdminResult::refuse(bad->rule, bad->message);
    }
    const std::string shown = displayName(a.attrs);
    if (shown != a.displayName) {
        a.displayName = shown;
        e.fields.push_back({"display_name", shown, false});
    }
    AdminResult r;
    std::optional<std::string> password;
    std::vector<std::string> names;
    if (req.newUsername) {
        // R4: a new username (U1–U6; never one given before, U3), the old one kept as an alias so
        // that mail still arrives, and a new visible password.
        const std::string name = svc.usernames.allocate(
            usernameBase(svc.names, a.attrs.legalSurname, a.attrs.legalForename));
        e.fields.push_back({"username", name, false});
        e.fields.push_back({"previous_username", a.username, false});  // now an alias
        a.aliases.push_back(a.username);
        a.username = name;
        names.push_back(name);
        password = svc.passwords.generate(name);
        a.passwordAvailable = true;
        a.passwordByAdmin = true;  // R9: generated at an administrator's request
    }
    e.kind = "account.renamed";
    e.school = a.school;
    e.username = a.username;
    e.role = a.role;
    r.change.events.push_back(std::move(e));
    if (password) {
        ChangeEvent p = eventFor("account.password_reset", a);
        p.fields.push_back(boolField("password_available", true));  // P4
        r.change.events.push_back(std::move(p));
    }
    r.change.accounts.push_back({std::move(a), std::move(password), std::move(names)});
    return r;
}

AdminResult promoteChampion(const Account& account) {
    if (account.role != Role::Staff || account.source != AccountSource::Mis) {
        return AdminResult::refuse("R10", "Digital Champions are MIS staff only; " +
                                              account.username + " is " + roleNoun(account) +
                                              " account");
    }
    if (account.status != AccountStatus::Active) {
        return AdminResult::refuse("R10", account.username + " is " + toString(account.status) +
                                              "; only an active account can be a Digital "
                                              "Champion");
    }
    if (account.digitalChampion) {
        return AdminResult::refuse("R10", account.username + " is already a Digital Champion");
    }
    AdminResult r;
    Account a = account;
    a.digitalChampion = true;
    ChangeEvent e = eventFor("account.digital_champion_changed", a);
    e.fields.push_back(boolField("digital_champion", true));
    r.change.events.push_back(std::move(e));
    r.change.accounts.push_back({std::move(a), std::nullopt, {}});
    return r;
}

AdminResult demoteChampion(const Account& account, const std::vector<Account>& champions,
                           std::string_view actor) {
    if (!account.digitalChampion) {
        return AdminResult::refuse("R10", account.username + " is not a Digital Champion");
    }
    bool self = sameName(actor, account.username);
    for (const auto& alias : account.aliases) {
        self = self || sameName(actor, alias);
    }
    if (self) {
        return AdminResult::refuse("R10", "you cannot demote yourself (" + account.username +
                                              "); another Digital Champion of " + account.school +
                                              " must do it");
    }
    if (account.status == AccountStatus::Active && otherActiveChampions(champions, account) == 0) {
        return AdminResult::refuse("R10", account.username +
                                              " is the last active Digital Champion of " +
                                              account.school + "; promote another first");
    }
    AdminResult r;
    Account a = account;
    a.digitalChampion = false;
    ChangeEvent e = eventFor("account.digital_champion_changed", a);
    e.fields.push_back(boolField("digital_champion", false));
    r.change.events.push_back(std::move(e));
    r.change.accounts.push_back({std::move(a), std::nullopt, {}});
    return r;
}

AdminResult setConsent(const std::vector<NamedAccount>& targets, bool consent) {
    std::vector<std::string> unknown;
    std::vector<std::string> notLearners;
    std::vector<std::string> purgedNames;
    for (const auto& t : targets) {
        if (!t.account) {
            unknown.push_back(t.name);
        } else if (t.account->role != Role::Learner) {
            notLearners.push_back(t.account->username + " is " + roleNoun(*t.account) + " account");
        } else if (t.account->status == AccountStatus::Purged) {
            purgedNames.push_back(t.account->username);
        }
    }
    auto list = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) {
            out += (out.empty() ? "" : ", ") + s;
        }
        return out;
    };
    // One refusal naming every offending name, under the rule of its first kind of problem.
    std::string rule;
    std::string message;
    auto add = [&](const char* r, const std::string& text) {
        if (message.empty()) {
            rule = r;
            message = text;
        } else {
            message += "; " + std::string(r) + (*r == '\0' ? "" : ": ") + text;
        }
    };
    if (!unknown.empty()) {
        add("", "no account " + list(unknown) + " (unknown username or alias)");
    }
    if (!notLearners.empty()) {
        add("§8", "consent is for learners only: " + list(notLearners));
    }
    if (!purgedNames.empty()) {
        add("R5", list(purgedNames) + (purgedNames.size() == 1 ? " was" : " were") +
                      " purged: the personal data is gone");
    }
    if (!message.empty()) {
        return AdminResult::refuse(rule, message);
    }
    AdminResult r;
    std::set<std::int64_t> seen;
    for (const auto& t : targets) {
        const Account& cur = *t.account;
        if (!seen.insert(cur.id).second) {
            continue;
        }
        if (cur.consent == consent) {
            r.change.unchanged.push_back(cur.username);
            continue;
        }
        Account a = cur;
        a.consent = consent;
        ChangeEvent e = eventFor("account.consent_changed", a);
        e.fields.push_back(boolField("consent", consent));
        r.change.events.push_back(std::move(e));
        r.change.accounts.push_back({std::move(a), std::nullopt, {}});
    }
    return r;
}

}  // namespace misync::reconcile
