#include "reconcile/changes.h"

#include <unordered_map>

namespace misync::reconcile {

namespace {

void addChanges(ChangeEvent& e, const std::vector<FieldChange>& changes) {
    for (const auto& c : changes) {
        const bool flag = c.field == "digital_champion" || c.field == "consent";
        e.fields.push_back({c.field, c.after, flag});
        if (c.field == "username") {
            // R4: the old username is an alias now; a consumer must know which account it was.
            e.fields.push_back({"previous_username", c.before, false});
        }
    }
}

// Everything a new account starts with, for account.created (SPEC §9.2: "fields holds the
// changed attributes with their new values"; for a new account that is every one that is set).
void addAccountState(ChangeEvent& e, const Account& a) {
    e.fields.push_back({"source", toString(a.source), false});
    for (const auto& f : attributeFields()) {
        if (!(a.attrs.*f.member).empty()) {
            e.fields.push_back({f.name, a.attrs.*f.member, false});
        }
    }
    e.fields.push_back({"display_name", a.displayName, false});
    e.fields.push_back({"status", toString(a.status), false});
}

const char* accountKind(ActionKind k) {
    switch (k) {
        case ActionKind::Create:
            return "account.created";
        case ActionKind::Update:
            return "account.updated";
        case ActionKind::Rename:
            return "account.renamed";
        case ActionKind::Transfer:
            return "account.transferred";
        case ActionKind::Deactivate:
            return "account.deactivated";
        case ActionKind::Reactivate:
            return "account.reactivated";
        case ActionKind::Purge:
            return "account.purged";
        default:
            return nullptr;
    }
}

}  // namespace

std::vector<ChangeEvent> changesOf(const Plan& plan) {
    std::vector<ChangeEvent> out;
    out.reserve(plan.actions.size() + plan.memberships.size());
    std::unordered_map<std::string, const Account*> created;
    for (const auto& w : plan.accounts) {
        if (w.account.id == 0) {
            created.emplace(w.account.username, &w.account);
        }
    }
    std::unordered_map<std::string, const GroupState*> groups;
    for (const auto& g : plan.groups) {
        groups.emplace(g.group.code, &g.group);
    }
    for (const auto& a : plan.actions) {
        ChangeEvent e;
        e.school = a.school;
        switch (a.kind) {
            case ActionKind::GroupCreate:
            case ActionKind::GroupUpdate:
            case ActionKind::GroupArchive: {
                e.group = a.group;
                if (a.kind == ActionKind::GroupArchive) {
                    e.kind = "group.archived";
                    e.fields.push_back({"archived", "true", true});
                } else if (a.kind == ActionKind::GroupUpdate) {
                    e.kind = "group.updated";
                    addChanges(e, a.changes);
                } else {
                    e.kind = "group.created";
                    if (auto g = groups.find(a.group); g != groups.end()) {
                        e.fields.push_back({"type", core::toString(g->second->type), false});
                        e.fields.push_back({"subject", g->second->subject, false});
                        e.fields.push_back({"year_group", g->second->yearGroup, false});
                    }
                }
                out.push_back(std::move(e));
                continue;
            }
            default:
                break;
        }
        const char* kind = accountKind(a.kind);
        if (kind == nullptr) {
            continue;  // awaiting transfers and rejected records change nothing
        }
        e.kind = kind;
        e.username = a.username;
        e.role = a.role;
        switch (a.kind) {
            case ActionKind::Create:
                if (auto c = created.find(a.username); c != created.end()) {
                    addAccountState(e, *c->second);
                }
                break;
            case ActionKind::Transfer:
                e.fromSchool = a.fromSchool;
                e.fields.push_back({"school", a.school, false});
                e.fields.push_back({"from_school", a.fromSchool, false});
                addChanges(e, a.changes);
                break;
            case ActionKind::Deactivate:
                e.fields.push_back({"status", "deactivated", false});
                addChanges(e, a.changes);
                break;
            case ActionKind::Reactivate:
                e.fields.push_back({"status", "active", false});
                addChanges(e, a.changes);
                break;
            case ActionKind::Purge:
                e.fields.push_back({"status", "purged", false});
                addChanges(e, a.changes);
                break;
            default:
                addChanges(e, a.changes);
        }
        out.push_back(std::move(e));
    }
    for (const auto& m : plan.memberships) {
        ChangeEvent e;
        e.kind = m.add ? "membership.added" : "membership.removed";
        e.school = m.school;
        e.group = m.groupCode;
        e.username = m.username;
        e.role = m.role;
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace misync::reconcile
