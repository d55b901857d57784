// The change log as stored (SPEC §9.2): every change to the directory, by a run or by an
// administrator, in commit order, with the CHANGE JSON shape the feed serves.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "reconcile/changes.h"

namespace misync::storage {

struct ChangeRow {
    std::int64_t seq = 0;
    std::string at;                     // ISO-8601 UTC, when the change was committed
    std::optional<std::int64_t> runId;  // null for an administrator's change
    std::string actor;                  // who made an administrator's change
    reconcile::ChangeEvent event;
};

// {"seq", "at", "school", "run_id", "kind", "username", "role", "fields"} plus "group" for group
// and membership kinds, "from_school" for transfers and "actor" for administrators' changes.
boost::json::object changeToJson(const ChangeRow& row);

// The `fields` column: a JSON object of the new values ('' for none).
std::string encodeChangeFields(const std::vector<reconcile::ChangeField>& fields);
std::vector<reconcile::ChangeField> decodeChangeFields(const std::string& text);

}  // namespace misync::storage
