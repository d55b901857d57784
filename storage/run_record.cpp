#include "storage/run_record.h"

namespace misync::storage {

namespace json = boost::json;

namespace {
std::string str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) {
        return {};
    }
    return std::string(it->value().as_string());
}
bool isGroupAction(reconcile::ActionKind k) {
    return k == reconcile::ActionKind::GroupCreate || k == reconcile::ActionKind::GroupUpdate ||
           k == reconcile::ActionKind::GroupArchive;
}
}  // namespace

json::object actionToJson(const reconcile::Action& a) {
    json::object o;
    o["action"] = reconcile::toString(a.kind);
    if (isGroupAction(a.kind)) {
        o["school"] = a.school;
        o["group"] = a.group;
    } else {
        o["role"] = core::toString(a.role);
        o["school"] = a.school;
        o["mis_id"] = a.misId;
        o["upn"] = a.upn;
        o["username"] = a.username;
    }
    if (!a.fromSchool.empty()) {
        o["from_school"] = a.fromSchool;
    }
    o["reason"] = a.reason;
    if (!a.changes.empty()) {
        json::array ch;
        for (const auto& c : a.changes) {
            ch.push_back(
                json::object{{"field", c.field}, {"before", c.before}, {"after", c.after}});
        }
        o["changes"] = std::move(ch);
    }
    return o;
}

reconcile::Action actionFromJson(const json::object& o) {
    reconcile::Action a;
    std::string kind = str(o, "action");
    for (int k = 0; k <= static_cast<int>(reconcile::ActionKind::GroupArchive); ++k) {
        if (kind == reconcile::toString(static_cast<reconcile::ActionKind>(k))) {
            a.kind = static_cast<reconcile::ActionKind>(k);
        }
    }
    a.role = core::parseRole(str(o, "role")).value_or(core::Role::Learner);
    a.school = str(o, "school");
    a.misId = str(o, "mis_id");
    a.upn = str(o, "upn");
    a.username = str(o, "username");
    a.reason = str(o, "reason");
    a.fromSchool = str(o, "from_school");
    a.group = str(o, "group");
    if (auto it = o.find("changes"); it != o.end() && it->value().is_array()) {
        for (const auto& c : it->value().as_array()) {
            const auto& co = c.as_object();
            a.changes.push_back({str(co, "field"), str(co, "before"), str(co, "after")});
        }
    }
    return a;
}

json::object countsToJson(const reconcile::Counts& c) {
    json::object o;
    for (std::size_t i = 0; i < reconcile::kCountKeys.size(); ++i) {
        o[reconcile::kCountKeys[i]] = c.values[i];
    }
    return o;
}

reconcile::Counts countsFromJson(const json::value& v) {
    reconcile::Counts c;
    if (!v.is_object()) {
        return c;
    }
    for (std::size_t i = 0; i < reconcile::kCountKeys.size(); ++i) {
        if (auto* p = v.as_object().if_contains(reconcile::kCountKeys[i])) {
            c.values[i] = p->to_number<std::uint64_t>();
        }
    }
    return c;
}

json::array filesToJson(const std::vector<core::SourceFile>& files) {
    json::array a;
    for (const auto& f : files) {
        a.push_back(json::object{{"name", f.name}, {"sha256", f.sha256}, {"records", f.records}});
    }
    return a;
}

std::vector<core::SourceFile> filesFromJson(const json::value& v) {
    std::vector<core::SourceFile> out;
    if (!v.is_array()) {
        return out;
    }
    for (const auto& f : v.as_array()) {
        const auto& o = f.as_object();
        out.push_back(
            {str(o, "name"), str(o, "sha256"), o.at("records").to_number<std::uint64_t>()});
    }
    return out;
}

json::array warningsToJson(const std::vector<core::Warning>& w) {
    json::array a;
    for (const auto& x : w) {
        a.push_back(json::object{{"code", x.code}, {"message", x.message}});
    }
    return a;
}

std::vector<core::Warning> warningsFromJson(const json::value& v) {
    std::vector<core::Warning> out;
    if (v.is_array()) {
        for (const auto& x : v.as_array()) {
            out.push_back({str(x.as_object(), "code"), str(x.as_object(), "message")});
        }
    }
    return out;
}

json::array errorsToJson(const std::vector<core::RecordError>& e) {
    json::array a;
    for (const auto& x : e) {
        json::object o{{"code", x.code}, {"file", x.file}};
        if (x.record != 0) {
            o["record"] = x.record;
        } else {
            o["record"] = nullptr;
        }
        o["message"] = x.message;
        a.push_back(std::move(o));
    }
    return a;
}

std::vector<core::RecordError> errorsFromJson(const json::value& v) {
    std::vector<core::RecordError> out;
    if (v.is_array()) {
        for (const auto& x : v.as_array()) {
            const auto& o = x.as_object();
            core::RecordError e{str(o, "code"), str(o, "file"), 0, str(o, "message")};
            if (auto* r = o.if_contains("record"); r != nullptr && r->is_number()) {
                e.record = r->to_number<std::uint32_t>();
            }
            out.push_back(std::move(e));
        }
    }
    return out;
}

json::object runToJson(const RunRecord& r, bool withActions) {
    json::object o;
    if (r.id != 0) {
        o["run_id"] = r.id;
    } else {
        o["run_id"] = nullptr;
    }
    o["school"] = r.school;
    o["outcome"] = r.outcome;
    o["trigger"] = r.trigger;
    o["as_of"] = r.asOf;
    o["started_at"] = r.startedAt;
    o["finished_at"] = r.finishedAt;
    o["source"] = json::object{{"connector", r.connector}, {"files", filesToJson(r.files)}};
    if (!r.extractedAt.empty()) {
        o["extracted_at"] = r.extractedAt;
    }
    o["counts"] = countsToJson(r.counts);
    if (r.approvedRun) {
        o["approved_run"] = *r.approvedRun;
    }
    if (withActions) {
        json::array acts;
        for (const auto& a : r.actions) {
            acts.push_back(actionToJson(a));
        }
        o["actions"] = std::move(acts);
    }
    o["warnings"] = warningsToJson(r.warnings);
    o["errors"] = errorsToJson(r.errors);
    return o;
}

}  // namespace misync::storage
