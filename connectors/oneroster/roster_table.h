// One CSV file of a OneRoster set (SPEC §6.3), parsed once and kept compactly so that every
// school configured on the set reads its rows from memory: the cells of each row are stored one
// after another in one buffer. Columns are found by header name, never by position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/csv/csv_reader.h"

namespace misync::connectors::oneroster {

class RosterTable {
  public:
    RosterTable() = default;
    // Parses `bytes` (one CSV file with a header row) named `name` in messages and records
    // (e.g. "users.csv" or "la.zip/users.csv"); `where` is the path for a ConnectorError. With
    // `keep` non-empty only the columns whose header names match one of `keep` are stored (the
    // others cost nothing); otherwise every column is. Throws core::ConnectorError for a file
    // that is not CSV (connectors/csv/csv_reader.h).
    static RosterTable parse(std::string_view bytes, std::string name, std::string_view where,
                             std::span<const std::string_view> keep = {});

    const std::string& name() const { return name_; }
    const csv::CsvHeader& header() const { return header_; }
    std::size_t rows() const { return numbers_.size(); }
    // The index of the stored column named `name` (case, spaces and underscores ignored), or
    // of the first of `names` the file has.
    std::optional<std::size_t> column(std::string_view name) const { return header_.find(name); }
    std::optional<std::size_t> column(std::span<const std::string_view> names) const;
    // The trimmed text of a cell; "" for an absent column or a short row.
    std::string_view cell(std::size_t row, std::optional<std::size_t> column) const;
    // The 1-based record number of a row in its file (R15 messages).
    std::uint32_t number(std::size_t row) const { return numbers_[row]; }

  private:
    std::string name_;
    csv::CsvHeader header_;  // the stored columns only
    std::size_t width_ = 0;
    std::string cells_;
    std::vector<std::uint32_t> starts_;  // rows() * width_ + 1 offsets into cells_
    std::vector<std::uint32_t> numbers_;
};

}  // namespace misync::connectors::oneroster
