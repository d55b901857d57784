// Reading a connector's source files (SPEC §6): whole files into a reused buffer, with a size
// limit so that a runaway export (or a hostile file) fails the run with a clear message instead
// of filling memory, and the files' time for S6. Shared by every file-based connector.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

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

// A drop folder of three fixed files (sims-xml, teacher-centre): what SchoolSource::files calls
// them and their default names, e.g. {"students", "staff", "groups"} and {"students.xml", …}.
struct FileSet {
    std::array<std::string_view, 3> keys;
    std::array<std::string_view, 3> defaults;
    std::string_view what;  // in messages: "a sims-xml report"
};
using FileNames = std::array<std::string, 3>;

// The configured name of each file: its default unless `files` renames it (keys matched
// ignoring case, spaces and underscores). Throws core::ConfigError for a key that is not one of
// the set's, naming the known ones, or an empty file name.
FileNames configuredFileNames(const FileSet& set, const std::map<std::string, std::string>& files);

// Connector::digests(), extractedAt() and fingerprint() for the files `names` in `folder`:
// nullopt when any cannot be read (read() then says what is wrong). The fingerprint is each
// file's name, size, mtime (ns) and inode.
std::optional<std::vector<core::SourceFile>> folderDigests(const std::filesystem::path& folder,
                                                           const FileNames& names);
std::optional<std::string> folderExtractedAt(const std::filesystem::path& folder,
                                             const FileNames& names);
// "size:mtime:inode" of a regular file (on Windows "size:mtime:" from std::filesystem, which
// has no inode), or nullopt when `path` is not one: what fingerprints are made of.
std::optional<std::string> fileStamp(const std::filesystem::path& path);

std::optional<std::string> folderFingerprint(const std::filesystem::path& folder,
                                             const FileNames& names);
// The same for any number of files.
std::optional<std::string> filesFingerprint(const std::filesystem::path& folder,
                                            std::span<const std::string> names);

}  // namespace misync::connectors
