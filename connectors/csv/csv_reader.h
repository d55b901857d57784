// A small RFC 4180 CSV reader over libcsv (SPEC §6: LF or CRLF, every field quoted or none, a
// final newline optional, a byte-order mark tolerated, trailing empty header columns ignored).
// Generic: it knows nothing of any MIS; the teacher-centre connector (SPEC §6.4) reads with it,
// and the OneRoster connector (SPEC §6.3) is meant to. Why libcsv: docs/formats-teacher-centre.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace misync::connectors::csv {

// The most fields one row may have. A real export has a few dozen columns; a hostile file of a
// gigabyte of commas would otherwise cost sixteen times its size in field positions.
inline constexpr std::size_t kMaxFieldsPerRow = 10000;

// The header row: column names as written (trimmed), without trailing empty columns.
class CsvHeader {
  public:
    CsvHeader() = default;
    explicit CsvHeader(std::vector<std::string> names);

    const std::vector<std::string>& names() const { return names_; }
    // The index of the first column whose name matches `name` ignoring case, spaces and
    // underscores (SPEC §6), or nullopt.
    std::optional<std::size_t> find(std::string_view name) const;

  private:
    std::vector<std::string> names_;
    std::vector<std::string> normalized_;
};

// One data row. `number` is its 1-based position among the file's data rows (the header and
// blank rows not counted): the record of an R15 message. `line` is the 1-based line the row
// starts on. Fields point into the reader's buffer and are valid only during the callback.
struct CsvRecord {
    std::uint32_t number = 0;
    std::uint64_t line = 0;
    std::vector<std::string_view> fields;

    // The field at `column`, or "" when the row is shorter (a missing field is an empty one).
    std::string_view operator[](std::size_t column) const {
        return column < fields.size() ? fields[column] : std::string_view{};
    }
    std::string_view at(std::optional<std::size_t> column) const {
        return column ? (*this)[*column] : std::string_view{};
    }
};

// The header's column names for a message ("UPN, Pupil ID, …"), cut short for a hostile header,
// with a hint when the file is not comma-separated (a one-column header holding ';' or tabs).
std::string describeHeader(const CsvHeader& header);

using HeaderHandler = std::function<void(const CsvHeader&)>;
using RecordHandler = std::function<void(const CsvRecord&)>;

// Reads `bytes` as one CSV file with a header row: calls `onHeader` once, then `onRecord` for
// each data row in order. A leading UTF-8 byte-order mark is skipped; rows that are empty or
// whose every field is empty are skipped (spreadsheets write them after the data). Quoted fields
// keep commas, doubled quotes (as one) and line breaks. Throws core::ConnectorError naming
// `where` (a path or file name) when the bytes are not CSV: no header row, NUL bytes or UTF-16
// text, a quote inside an unquoted field or after a closing quote, an unterminated quoted field,
// or more than kMaxFieldsPerRow fields in a row; the message gives the line. Exceptions from the
// handlers pass through.
void readCsv(std::string_view bytes, std::string_view where, const HeaderHandler& onHeader,
             const RecordHandler& onRecord);

}  // namespace misync::connectors::csv
