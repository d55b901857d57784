#include "storage/change_log.h"

namespace misync::storage {

namespace json = boost::json;

std::string encodeChangeFields(const std::vector<reconcile::ChangeField>& fields) {
    if (fields.empty()) {
        return {};
    }
    // Written directly rather than through a json::object (issue 8: an initial load encodes
    // 540,000 of these); a name given twice keeps its first place and its last value, as an
    // object's operator[] would.
    std::string out = "{";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto& name = fields[i].name;
        bool seen = false;
        for (std::size_t k = 0; k < i && !seen; ++k) {
            seen = fields[k].name == name;
        }
        if (seen) {
            continue;
        }
        const reconcile::ChangeField* last = &fields[i];
        for (std::size_t k = i + 1; k < fields.size(); ++k) {
            if (fields[k].name == name) {
                last = &fields[k];
            }
        }
        if (out.size() > 1) {
            out += ',';
        }
        out += json::serialize(json::string_view(name));
        out += ':';
        if (last->isBool) {
            out += last->value == "true" ? "true" : "false";
        } else {
            out += json::serialize(json::string_view(last->value));
        }
    }
    out += '}';
    return out;
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
