#include "storage/change_log.h"

namespace misync::storage {

namespace json = boost::json;

std::string encodeChangeFields(const std::vector<reconcile::ChangeField>& fields) {
    if (fields.empty()) {
        return {};
    }
    json::object o;
    for (const auto& f : fields) {
        if (f.isBool) {
            o[f.name] = f.value == "true";
        } else {
            o[f.name] = f.value;
        }
    }
    return json::serialize(o);
}

std::vector<reconcile::ChangeField> decodeChangeFields(const std::string& text) {
    std::vector<reconcile::ChangeField> out;
    if (text.empty()) {
        return out;
    }
    json::value v = json::parse(text);
    if (!v.is_object()) {
        return out;
    }
    for (const auto& kv : v.as_object()) {
        if (kv.value().is_bool()) {
            out.push_back({std::string(kv.key()), kv.value().as_bool() ? "true" : "false", true});
        } else if (kv.value().is_string()) {
            out.push_back({std::string(kv.key()), std::string(kv.value().as_string()), false});
        }
    }
    return out;
}

json::object changeToJson(const ChangeRow& row) {
    const auto& e = row.event;
    json::object o;
    o["seq"] = row.seq;
    o["at"] = row.at;
    o["school"] = e.school;
    if (row.runId) {
        o["run_id"] = *row.runId;
    } else {
        o["run_id"] = nullptr;
    }
    o["kind"] = e.kind;
    if (e.username.empty()) {
        o["username"] = nullptr;
    } else {
        o["username"] = e.username;
    }
    if (e.role) {
        o["role"] = core::toString(*e.role);
    } else {
        o["role"] = nullptr;
    }
    if (!e.group.empty()) {
        o["group"] = e.group;
    }
    if (!e.fromSchool.empty()) {
        o["from_school"] = e.fromSchool;
    }
    json::object fields;
    for (const auto& f : e.fields) {
        if (f.isBool) {
            fields[f.name] = f.value == "true";
        } else {
            fields[f.name] = f.value;
        }
    }
    o["fields"] = std::move(fields);
    if (!row.actor.empty()) {
        o["actor"] = row.actor;
    }
    return o;
}

}  // namespace misync::storage
