// Column names of SIMS CommandReporter reports (SPEC §6.1) and how they map to canonical fields.
// SIMS writes a space in a column name as `_x0020_`; names are matched after decoding, ignoring
// case, spaces and underscores, and a school's `fields` table replaces the default names (SPEC §6).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connectors/fields.h"

namespace misync::connectors {

// The three reports of a SIMS extract set, in the order they are read.
enum class SimsFileKind : std::uint8_t { Students, Staff, Groups };

// "students", "staff", "groups": the keys of SchoolSource::files.
std::string_view toString(SimsFileKind kind);
// Default file name inside the drop folder, e.g. "students.xml".
std::string_view defaultFileName(SimsFileKind kind);

// The canonical fields (connectors/fields.h), under the name this connector's code uses.
using SimsField = Field;
inline constexpr std::size_t kSimsFieldCount = kFieldCount;

// Decodes every `_xHHHH_` (and `_xHHHHHHHH_`) escape of an XML element name to UTF-8, as SIMS
// and .NET write characters that are not allowed in XML names. A malformed escape stays as
// written; an escape of a surrogate or past U+10FFFF becomes U+FFFD.
std::string decodeXmlName(std::string_view name);

// A column of one report: the field it fills and how preferred it is among the field's
// alternative names (0 = first choice, e.g. "Legal Forename" before "Forename").
struct SimsColumn {
    SimsField field = SimsField::MisId;
    std::uint8_t rank = 0;
};

// Maps the element names of one report to fields. Built once per file (the default names of
// `kind` with the school's `fields` overrides applied); find() caches each raw element name so
// that per-record lookups neither decode nor allocate.
class SimsColumnMap {
  public:
    // `fields`: canonical name → the school's column name (SchoolSource::fields). Throws
    // core::ConfigError when a canonical name is not a sims-xml field, naming the known ones.
    SimsColumnMap(SimsFileKind kind, const std::map<std::string, std::string>& fields);

    // The column for an element name exactly as it appears in the file (still escaped), or
    // nullptr when the report's column is not one misync reads. `position` is the element's
    // index among its record's children: a report repeats its columns in the same order in
    // every record, so one comparison with the previous record's name there usually answers.
    const SimsColumn* find(std::string_view rawName, std::size_t position);

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    // Bounds the raw-name cache so that a hostile file with millions of distinct element names
    // cannot grow it without limit; past the bound names are resolved without caching.
    static constexpr std::size_t kMaxCachedNames = 512;

    std::optional<SimsColumn> resolve(std::string_view rawName) const;

    static constexpr std::size_t kMaxPositions = 64;
    struct Seen {
        std::string rawName;
        const std::optional<SimsColumn>* column = nullptr;  // into rawCache_ (nodes are stable)
    };

    std::unordered_map<std::string, SimsColumn> byNormalizedName_;
    std::unordered_map<std::string, std::optional<SimsColumn>, Hash, std::equal_to<>> rawCache_;
    std::vector<Seen> byPosition_;
    SimsColumn resolved_;  // storage for an uncached lookup's answer
};

}  // namespace misync::connectors
