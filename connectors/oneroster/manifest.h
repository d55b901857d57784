// The manifest of a OneRoster 1.1 CSV set (SPEC §6.3): `manifest.csv` with the columns
// propertyName,value and a line `file.X,bulk|delta|absent` per file. Real manifests have typos:
// property names are matched ignoring case, spaces and underscores, with or without ".csv", in
// the singular or plural and in British spelling ("file.enrolments"); lines misync does not need
// are ignored. A value that is not bulk, delta or absent for a file misync reads is an error
// naming the line: taking a delta for a bulk file would make everyone it omits a leaver.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace misync::connectors::oneroster {

// The files of a set that misync reads, in the order they are read.
enum class FileKind : std::uint8_t { Orgs, Users, Classes, Enrollments };
inline constexpr std::array<FileKind, 4> kFileKinds{FileKind::Orgs, FileKind::Users,
                                                    FileKind::Classes, FileKind::Enrollments};
std::string_view fileName(FileKind kind);  // "orgs.csv", …

enum class Mode : std::uint8_t { Bulk, Delta, Absent };
std::string_view toString(Mode mode);

struct Manifest {
    // Per FileKind: what the manifest says, or nullopt when it has no line for the file.
    std::array<std::optional<Mode>, 4> modes{};
    std::string version;             // oneroster.version, "" when not given
    std::vector<std::string> notes;  // lines misync read but could not use, for a warning

    std::optional<Mode> operator[](FileKind k) const { return modes[static_cast<std::size_t>(k)]; }
};

// Parses manifest.csv. Throws core::ConnectorError naming `where` and the record for a file
// without the propertyName and value columns, an unknown mode of a file misync reads, or two
// lines that give one file different modes.
Manifest parseManifest(std::string_view bytes, std::string_view name, std::string_view where);

// The file a manifest property names ("file.Enrolments.csv" → Enrollments), if misync reads it.
std::optional<FileKind> fileOfProperty(std::string_view property);

}  // namespace misync::connectors::oneroster
