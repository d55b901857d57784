// Reading a connector's source files (SPEC §6): whole files into a reused buffer, with a size
// limit so that a runaway export (or a hostile file) fails the run with a clear message instead
// of filling memory, and the files' time for S6. Shared by every file-based connector.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace misync::connectors {

// The most misync reads from one source file: 1 GiB. The largest real export is an
// authority-wide OneRoster users.csv (about 150 MB for all of Wales).
inline constexpr std::uintmax_t kMaxSourceFileBytes = std::uintmax_t{1} << 30;

// Reads the whole of `path` into `buffer` (reusing its capacity); returns the file's mtime.
// Throws core::ConnectorError naming the file when it cannot be read, is not a regular file, or
// is larger than `limit` bytes.
std::filesystem::file_time_type readSourceFile(const std::filesystem::path& path,
                                               std::string& buffer,
                                               std::uintmax_t limit = kMaxSourceFileBytes);

// A file time as ISO-8601 UTC to the second (Snapshot::extractedAt, S6).
std::string isoUtc(std::filesystem::file_time_type time);

}  // namespace misync::connectors
