// Content digests of source files: every run records the sha256 of what it read (S1).
#pragma once

#include <string>
#include <string_view>

namespace misync::connectors {

// SHA-256 of `data` as 64 lower-case hex digits (libsodium). Throws core::ConnectorError when
// libsodium cannot be initialised.
std::string sha256Hex(std::string_view data);

}  // namespace misync::connectors
