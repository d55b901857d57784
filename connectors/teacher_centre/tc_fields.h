// Column names of misync's Teacher Centre import layout (SPEC §6.4) and how they map to the
// canonical fields of SPEC §6. Columns are found by header name, never by position, matching
// case-insensitively and ignoring spaces and underscores; a school's `fields` table names its
// own column for a canonical field (tried first, the layout's names after it).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/csv/csv_reader.h"
#include "connectors/fields.h"

namespace misync::connectors {

// The three files of a Teacher Centre export, in the order they are read.
enum class TcFileKind : std::uint8_t { Pupils, Staff, Groups };

// "pupils", "staff", "groups": the keys of SchoolSource::files.
std::string_view toString(TcFileKind kind);
// Default file name inside the drop folder, e.g. "pupils.csv".
std::string_view defaultFileName(TcFileKind kind);

// The canonical fields (connectors/fields.h), under the name this connector's code uses.
using TcField = Field;
inline constexpr std::size_t kTcFieldCount = kFieldCount;

// Where each field of one file is in its header (nullopt: the file has no such column).
class TcColumns {
  public:
    // Finds the columns of `kind` in `header`. Throws core::ConfigError for a `fields` name that
    // is not a canonical field, and core::ConnectorError naming `where` and the column when a
    // required column is missing: pupils and staff need mis_id, legal_forename and
    // legal_surname; groups need group_code, group_type, member_id and member_type.
    TcColumns(TcFileKind kind, const csv::CsvHeader& header,
              const std::map<std::string, std::string>& fields, std::string_view where);

    std::optional<std::size_t> operator[](TcField field) const {
        return columns_[static_cast<std::size_t>(field)];
    }

  private:
    std::array<std::optional<std::size_t>, kTcFieldCount> columns_{};
};

}  // namespace misync::connectors
