// Where a OneRoster set's files are (SPEC §6.3): a folder, or a .zip archive. Files are found by
// name ignoring case (an export may write "Users.csv"), in a zip also inside one folder ("export/
// users.csv"); the files misync has no use for (courses, demographics, academicSessions …) are
// never read. A zip entry is read with the same 1 GiB limit as any source file, whatever its
// header claims, so that an archive bomb fails the run with a clear message.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>

namespace misync::connectors::oneroster {

// manifest.csv, then the four files of manifest.h's FileKind, in that order.
inline constexpr std::size_t kSetFiles = 5;

struct RawFile {
    std::string name;   // as recorded and in R15 messages: "users.csv", "la.zip/users.csv"
    std::string where;  // the path for messages: "/srv/mis/la.zip: users.csv"
    std::string bytes;
};

struct RawSet {
    std::array<std::optional<RawFile>, kSetFiles> files;  // absent: not in the set
    std::filesystem::file_time_type newest = std::filesystem::file_time_type::min();  // S6
};

// Reads the set's files. Throws core::ConnectorError naming the path when the source does not
// exist, is neither a folder nor a zip, the zip is damaged or encrypted, a file appears twice in
// a zip, or a file is too large.
RawSet readRawSet(const std::filesystem::path& source);

// A stat fingerprint of the set (the zip's, or each file's, name, size, mtime and inode), or
// nullopt when the source cannot be read (readRawSet() then says why).
std::optional<std::string> setFingerprint(const std::filesystem::path& source);
// The newest modification time of the set's files as ISO-8601 UTC (S6), or nullopt.
std::optional<std::string> setExtractedAt(const std::filesystem::path& source);

}  // namespace misync::connectors::oneroster
