#include "daemon/notify_state.h"

#include <algorithm>

namespace misync::daemon {
namespace {

std::string withoutNumbers(std::string_view text) {
    std::string out;
    bool inNumber = false;
    for (char c : text) {
        const bool digit = c >= '0' && c <= '9';
        if (digit && !inNumber) {
            out += '#';
        } else if (!digit) {
            out += c;
        }
        inNumber = digit;
    }
    return out;
}

SchoolCondition make(Condition kind, std::string reason, std::int64_t runId) {
    SchoolCondition c{kind, std::move(reason), "", runId};
    c.reasonKey = withoutNumbers(c.reason);
    return c;
}

std::optional<Condition> fromName(std::string_view name) {
    for (Condition c : {Condition::Failed, Condition::Held, Condition::Stale}) {
        if (conditionName(c) == name) {
            return c;
        }
    }
    return std::nullopt;
}

const core::Warning* warning(const storage::RunRecord& run, std::string_view code) {
    auto it = std::find_if(run.warnings.rbegin(), run.warnings.rend(),
                           [&](const core::Warning& w) { return w.code == code; });
    return it == run.warnings.rend() ? nullptr : &*it;
}

}  // namespace

std::string_view conditionName(Condition c) {
    switch (c) {
        case Condition::Ok:
            return "ok";
        case Condition::Failed:
            return "failed";
        case Condition::Held:
            return "held";
        case Condition::Stale:
            return "stale";
    }
    return "ok";
}

SchoolCondition conditionOf(const storage::RunRecord& run) {
    if (run.outcome == "failed" || run.outcome == "interrupted") {
        // The runner records what failed the run as the last error (R15, R14).
        if (run.errors.empty()) {
            return make(Condition::Failed, "the run failed", run.id);
        }
        const auto& e = run.errors.back();
        return make(Condition::Failed, e.code + ": " + e.message, run.id);
    }
    if (run.outcome == "held") {
        const core::Warning* w = warning(run, "held");
        return make(Condition::Held, w != nullptr ? w->message : "the run was held", run.id);
    }
    if (const core::Warning* w = warning(run, "stale_extract")) {
        SchoolCondition c = make(Condition::Stale, w->message, run.id);
        c.reasonKey = "stale_extract";  // staleness is one reason, however old the extract
        return c;
    }
    return make(Condition::Ok, "", run.id);
}

AlertRules::AlertRules(const std::vector<std::string>& on) {
    setOn(on);
}

void AlertRules::setOn(const std::vector<std::string>& on) {
    on_.clear();
    for (const auto& name : on) {
        if (auto c = fromName(name)) {
            on_.insert(*c);
        }
    }
    for (auto& [school, c] : last_) {
        c = filtered(c);
    }
}

SchoolCondition AlertRules::filtered(const SchoolCondition& c) const {
    if (c.kind == Condition::Ok || on_.count(c.kind) != 0) {
        return c;
    }
    return SchoolCondition{Condition::Ok, "", "", c.runId};
}

void AlertRules::seed(const std::string& school, const SchoolCondition& now) {
    last_.try_emplace(school, filtered(now));  // what this target has seen itself stands
}

std::optional<Alert> AlertRules::observe(const std::string& school, const SchoolCondition& now) {
    const SchoolCondition seen = filtered(now);
    auto [it, added] = last_.try_emplace(school);
    const SchoolCondition before = it->second;  // Ok when the school is new to this target
    if (seen.kind == before.kind && seen.reasonKey == before.reasonKey) {
        return std::nullopt;  // still the run that entered it on record
    }
    it->second = seen;
    if (seen.kind == Condition::Ok) {
        return Alert{"recovered", seen, before};
    }
    return Alert{std::string(conditionName(seen.kind)), seen, {}};
}

boost::json::object notificationBody(const storage::RunRecord& run, const Alert& alert) {
    boost::json::object body = storage::runToJson(run, false);
    boost::json::object n{{"event", alert.event}, {"school", run.school}};
    if (alert.event == "recovered") {
        n["reason"] = "recovered from " + std::string(conditionName(alert.from.kind)) + ": " +
                      alert.from.reason;
        n["recovered_from"] = boost::json::object{{"event", conditionName(alert.from.kind)},
                                                  {"reason", alert.from.reason},
                                                  {"run_id", alert.from.runId}};
    } else {
        n["reason"] = alert.condition.reason;
    }
    body["notification"] = std::move(n);
    return body;
}

}  // namespace misync::daemon
