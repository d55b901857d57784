#include "daemon/output.h"

namespace misync::daemon {

namespace {

std::string plural(std::uint64_t n, const char* word) {
    return std::to_string(n) + " " + word;
}

std::string describe(const reconcile::Action& a) {
    using reconcile::ActionKind;
    std::string s = reconcile::toString(a.kind);
    switch (a.kind) {
        case ActionKind::GroupCreate:
        case ActionKind::GroupUpdate:
        case ActionKind::GroupArchive:
            s += " group " + a.group;
            break;
        default:
            s += " " + std::string(core::toString(a.role)) + " " + a.username;
            if (!a.misId.empty()) {
                s += " (MIS id " + a.misId + ")";
            }
            if (!a.fromSchool.empty()) {
                s += " from " + a.fromSchool;
            }
    }
    s += ": " + a.reason;
    for (const auto& c : a.changes) {
        s += "; " + c.field + " '" + c.before + "' → '" + c.after + "'";
    }
    return s;
}

}  // namespace

void printRunSummary(std::ostream& out, const storage::RunRecord& r, const std::string& name,
                     std::size_t maxActions) {
    out << r.school;
    if (!name.empty()) {
        out << " " << name;
    }
    out << ": " << r.outcome;
    if (r.id != 0) {
        out << " (run " << r.id << ")";
    }
    out << ", as of " << r.asOf << "\n";
    const auto& c = r.counts;
    out << "  accounts: " << plural(c["create"], "created") << ", "
        << plural(c["update"], "updated") << ", " << plural(c["rename"], "renamed") << ", "
        << plural(c["transfer"], "transferred") << ", " << plural(c["deactivate"], "deactivated")
        << ", " << plural(c["reactivate"], "reactivated") << "\n";
    out << "  groups: " << plural(c["group_create"], "created") << ", "
        << plural(c["group_update"], "updated") << ", " << plural(c["group_archive"], "archived")
        << "; memberships: " << c["membership_add"] << " added, " << c["membership_remove"]
        << " removed\n";
    if (c["awaiting_transfer"] != 0 || c["rejected"] != 0) {
        out << "  " << plural(c["awaiting_transfer"], "awaiting transfer") << ", "
            << plural(c["rejected"], "rejected") << "\n";
    }
    std::size_t shown = 0;
    for (const auto& a : r.actions) {
        if (shown == maxActions) {
            out << "  … and " << (r.actions.size() - shown) << " more";
            if (r.id != 0) {
                out << " (misync show-run " << r.id << ")";
            }
            out << "\n";
            break;
        }
        out << "  - " << describe(a) << "\n";
        ++shown;
    }
    for (const auto& w : r.warnings) {
        out << "  warning " << w.code << ": " << w.message << "\n";
    }
    for (const auto& e : r.errors) {
        out << "  error " << e.code << ": ";
        if (!e.file.empty()) {
            out << e.file;
            if (e.record != 0) {
                out << " record " << e.record;
            }
            out << ": ";
        }
        out << e.message << "\n";
    }
}

void printHistory(std::ostream& out, const std::string& school,
                  const std::vector<storage::RunRecord>& runs) {
    if (runs.empty()) {
        out << "No runs recorded for " << school << ".\n";
        return;
    }
    out << "run     outcome     as of       started               changes\n";
    for (const auto& r : runs) {
        std::uint64_t changes = 0;
        for (auto v : r.counts.values) {
            changes += v;
        }
        std::string id = std::to_string(r.id);
        std::string outcome = r.outcome;
        out << id << std::string(id.size() < 8 ? 8 - id.size() : 1, ' ') << outcome
            << std::string(outcome.size() < 12 ? 12 - outcome.size() : 1, ' ') << r.asOf << "  "
            << r.startedAt << "  " << changes << "\n";
    }
}

void printChange(std::ostream& out, const storage::ChangeRow& row) {
    const auto& e = row.event;
    out << row.seq << "  " << row.at << "  " << e.school << "  " << e.kind;
    if (!e.username.empty()) {
        out << " " << e.username;
    }
    if (!e.group.empty()) {
        out << " group " << e.group;
    }
    if (!e.fromSchool.empty()) {
        out << " from " << e.fromSchool;
    }
    for (const auto& f : e.fields) {
        out << " " << f.name << "=" << f.value;
    }
    if (row.runId) {
        out << "  (run " << *row.runId << ")";
    } else if (!row.actor.empty()) {
        out << "  (by " << row.actor << ")";
    }
    out << "\n";
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    return out + "\"";
}

}  // namespace misync::daemon
