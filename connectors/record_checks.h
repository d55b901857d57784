// Checks every connector's snapshot gets in Connector::read(), whatever the format (SPEC §6
// "Text is UTF-8", R15): a record whose text is not valid UTF-8, holds a control character, or
// has a field longer than kMaxFieldBytes is rejected naming its file, record and field, instead
// of being stored as it is (a 20 MB forename) or silently changed (bytes replaced, a name
// dropping out of the username). A rejected person still counts as in the extract (R15, not
// R5): the error keeps their role and, when it is usable, their MIS id and UPN.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace misync::connectors {

// The longest field misync takes from an MIS, in bytes: a name, an id or a group code. Real MIS
// fields are far shorter (SIMS: 30–60 characters); the portal's display names stop at 256.
inline constexpr std::size_t kMaxFieldBytes = 256;

// Why `value` cannot be stored: "is not valid UTF-8 (byte 0xFF at offset 3)", "holds a control
// character (U+0000 at offset 0)", "is 20971520 bytes long; at most 256", or nullopt.
std::optional<std::string> textProblem(std::string_view value);

// Moves persons, groups and memberships with unusable text from the snapshot to its rejected
// records (code `invalid_text` or `field_too_long`), in place.
void rejectUnusableText(core::Snapshot& snapshot);

}  // namespace misync::connectors
