#include "connectors/oneroster/roster_table.h"

#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors::oneroster {

RosterTable RosterTable::parse(std::string_view bytes, std::string name, std::string_view where,
                               std::span<const std::string_view> keep) {
    RosterTable t;
    t.name_ = std::move(name);
    std::vector<std::size_t> source;  // stored column → column of the file
    csv::readCsv(
        bytes, where,
        [&](const csv::CsvHeader& header) {
            std::vector<std::string> names;
            const auto& all = header.names();
            for (std::size_t i = 0; i < all.size(); ++i) {
                bool wanted = keep.empty();
                for (std::size_t k = 0; !wanted && k < keep.size(); ++k) {
                    wanted = core::normalizeFieldName(all[i]) == core::normalizeFieldName(keep[k]);
                }
                if (wanted) {
                    source.push_back(i);
                    names.push_back(all[i]);
                }
            }
            t.width_ = names.size();
            t.header_ = csv::CsvHeader(std::move(names));
            t.starts_.push_back(0);
        },
        [&](const csv::CsvRecord& r) {
            for (std::size_t c : source) {
                std::string_view v = core::trim(r[c]);
                t.cells_.append(v);
                if (t.cells_.size() > UINT32_MAX) {
                    throw core::ConnectorError(std::string(where) + ": too large to read", t.name_);
                }
                t.starts_.push_back(static_cast<std::uint32_t>(t.cells_.size()));
            }
            t.numbers_.push_back(r.number);
        });
    return t;
}

std::optional<std::size_t> RosterTable::column(std::span<const std::string_view> names) const {
    for (std::string_view n : names) {
        if (auto c = header_.find(n)) {
            return c;
        }
    }
    return std::nullopt;
}

std::string_view RosterTable::cell(std::size_t row, std::optional<std::size_t> column) const {
    if (!column || *column >= width_) {
        return {};
    }
    const std::size_t i = row * width_ + *column;
    return std::string_view(cells_).substr(starts_[i], starts_[i + 1] - starts_[i]);
}

}  // namespace misync::connectors::oneroster
