#include "daemon/output.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <string_view>

namespace misync::daemon {

namespace {

std::string plural(std::uint64_t n, const char* word) {
    return std::to_string(n) + " " + word;
}

// "1 school", "2 schools"
std::string counted(std::uint64_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// S2's outcomes in the order totals list them, then any other in name order.
constexpr std::array<std::string_view, 5> kOutcomeOrder = {"applied", "no_change", "planned",
                                                           "held", "failed"};

std::string outcomeLabel(const std::string& outcome) {
    return outcome == "no_change" ? "no change" : outcome;
}

// "24 applied, 1 failed": the non-zero outcomes of `tally`.
std::string outcomeList(const std::map<std::string, std::size_t>& tally) {
    std::vector<std::string> keys(kOutcomeOrder.begin(), kOutcomeOrder.end());
    for (const auto& [k, n] : tally) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
            keys.push_back(k);
        }
    }
    std::string out;
    for (const auto& k : keys) {
        auto it = tally.find(k);
        if (it == tally.end() || it->second == 0) {
            continue;
        }
        out += (out.empty() ? "" : ", ") + std::to_string(it->second) + " " + outcomeLabel(k);
    }
    return out;
}

// Characters, not bytes, so that Welsh names (ŵ, ŷ) line up.
std::size_t displayWidth(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string padded(const std::string& s, std::size_t width) {
    const std::size_t w = displayWidth(s);
    return w >= width ? s : s + std::string(width - w, ' ');
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
        << ", " << plural(c["reactivate"], "reactivated") << ", " << plural(c["purge"], "purged")
        << "\n";
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

RunReport::RunReport(std::size_t schools, bool verbose)
    : listAll_(verbose || schools <= kScreenful) {}

void RunReport::add(std::ostream& out, const storage::RunRecord& r, const std::string& name) {
    ++runs_;
    ++outcomes_[r.outcome];
    for (std::size_t i = 0; i < counts_.values.size(); ++i) {
        counts_.values[i] += r.counts.values[i];
    }
    warnings_ += r.warnings.size();
    if (listAll_ || r.outcome == "failed" || r.outcome == "held" || !r.warnings.empty()) {
        printRunSummary(out, r, name);
    } else {
        ++unlisted_;
    }
}

std::string RunReport::totals() const {
    const auto& c = counts_;
    std::string out = counted(runs_, "school", "schools") + ": " + outcomeList(outcomes_) + "; ";
    out += plural(c["create"], "created") + ", " + plural(c["update"], "updated") + ", " +
           plural(c["rename"], "renamed") + ", " + plural(c["transfer"], "transferred") + ", " +
           plural(c["deactivate"], "deactivated") + ", " + plural(c["reactivate"], "reactivated") +
           ", " + plural(c["purge"], "purged") + "; ";
    out += counted(c["rejected"], "rejected record", "rejected records") + ", " +
           counted(warnings_, "warning", "warnings");
    return out;
}

void RunReport::finish(std::ostream& out) const {
    if (unlisted_ > 0) {
        out << "(" << counted(unlisted_, "school", "schools")
            << " without failures, holds or warnings not listed; --verbose lists every school)\n";
    }
    out << totals() << "\n";
}

namespace {

std::string lastRunText(const storage::SchoolStatusRow& row) {
    if (!row.lastRun) {
        return "never run";
    }
    const auto& r = *row.lastRun;
    return "run " + std::to_string(r.id) + " " + outcomeLabel(r.outcome) + " " +
           (r.finishedAt.empty() ? r.startedAt : r.finishedAt);
}

std::string flagsText(const SchoolStatusLine& s) {
    std::vector<std::string> parts;
    if (s.flags.held) {
        parts.push_back("held (run " + std::to_string(*s.row.heldRun) + ")");
    }
    if (s.flags.stale) {
        parts.emplace_back("stale");
    }
    if (s.flags.failed) {
        parts.push_back(s.row.consecutiveFailures > 1
                            ? "failed (" + std::to_string(s.row.consecutiveFailures) + " in a row)"
                            : std::string("failed"));
    }
    if (s.flags.noDigitalChampion) {
        parts.emplace_back("no Digital Champion");
    }
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : ", ") + p;
    }
    return out.empty() ? "ok" : out;
}

}  // namespace

void printStatus(std::ostream& out, const std::vector<SchoolStatusLine>& schools) {
    std::size_t nameWidth = 0;
    std::size_t runWidth = 0;
    for (const auto& s : schools) {
        nameWidth = std::max(nameWidth, std::min<std::size_t>(displayWidth(s.name), 40));
        runWidth = std::max(runWidth, displayWidth(lastRunText(s.row)));
    }
    std::map<std::string, std::size_t> outcomes;
    std::array<std::size_t, 4> flagged{};  // held, stale, failed, no Digital Champion
    for (const auto& s : schools) {
        out << s.row.school << "  " << padded(s.name, nameWidth) << "  "
            << padded(lastRunText(s.row), runWidth) << "  " << flagsText(s) << "\n";
        ++outcomes[s.row.lastRun ? s.row.lastRun->outcome : "never run"];
        flagged[0] += s.flags.held ? 1 : 0;
        flagged[1] += s.flags.stale ? 1 : 0;
        flagged[2] += s.flags.failed ? 1 : 0;
        flagged[3] += s.flags.noDigitalChampion ? 1 : 0;
    }
    out << counted(schools.size(), "school", "schools") << ": " << outcomeList(outcomes) << "; ";
    static constexpr std::array<const char*, 4> kFlagNames = {"held", "stale", "failed",
                                                              "no Digital Champion"};
    std::string flags;
    for (std::size_t i = 0; i < flagged.size(); ++i) {
        if (flagged[i] > 0) {
            flags += (flags.empty() ? "" : ", ") + std::to_string(flagged[i]) + " " + kFlagNames[i];
        }
    }
    out << (flags.empty() ? "no flags" : "flagged: " + flags) << "\n";
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

void JsonRunStream::add(const storage::RunRecord& r, bool pending) {
    if (!enabled_) {
        return;
    }
    held_.push_back(boost::json::serialize(storage::runToJson(r)));
    if (!pending) {
        write();
    }
}

void JsonRunStream::write() {
    if (!opened_) {
        out_ << R"({"runs":[)";
        opened_ = true;
    }
    for (const auto& run : held_) {
        if (written_++ > 0) {
            out_ << ',';
        }
        out_ << run;
    }
    held_.clear();
    out_.flush();
}

void JsonRunStream::finish() {
    if (!enabled_) {
        return;
    }
    write();
    out_ << "]}\n";
}

}  // namespace misync::daemon
