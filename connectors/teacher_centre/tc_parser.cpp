#include "connectors/teacher_centre/tc_parser.h"

#include <stdexcept>

#include "connectors/csv/csv_reader.h"
#include "connectors/digest.h"
#include "core/date.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// SPEC §6 dates, and a D/M/YYYY date followed by a midnight-style time of day (`01/09/2025
// 00:00` or `1/9/2025 0:00:00`), as a spreadsheet writes a date cell when it saves a CSV.
std::optional<core::Date> parseCsvDate(std::string_view value) {
    if (auto date = core::parseDate(value)) {
        return date;
    }
    const std::size_t space = value.find(' ');
    if (space == std::string_view::npos || value.find('/') > space) {
        return std::nullopt;
    }
    std::string_view time = core::trim(value.substr(space + 1));
    // H:MM or HH:MM, optionally :SS.
    const std::size_t colon = time.find(':');
    if (colon == 0 || colon > 2 || (time.size() != colon + 3 && time.size() != colon + 6)) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < time.size(); ++i) {
        const bool sep = i == colon || (time.size() == colon + 6 && i == colon + 3);
        if (sep ? time[i] != ':' : !isDigit(time[i])) {
            return std::nullopt;
        }
    }
    return core::parseDate(value.substr(0, space));
}

core::Role roleOf(TcFileKind kind) {
    return kind == TcFileKind::Pupils ? core::Role::Learner : core::Role::Staff;
}

// The trimmed text of each field of one row, pointing into the reader's buffer: a row is
// inspected without allocating, and only accepted values are copied out.
FieldValues valuesOf(const csv::CsvRecord& row, const TcColumns& columns) {
    FieldValues v;
    for (std::size_t i = 0; i < kTcFieldCount; ++i) {
        v.text[i] = core::trim(row.at(columns[static_cast<TcField>(i)]));
    }
    return v;
}

}  // namespace

TeacherCentreParser::TeacherCentreParser(std::map<std::string, std::string> fields)
    : fields_(std::move(fields)) {
    records_.setDateReader(&parseCsvDate);
}

std::string TeacherCentreParser::onLine() const {
    // A quoted line break makes a row's line differ from its record number + 1; the line is
    // where a spreadsheet or an editor finds it.
    return " (line " + std::to_string(line_) + ")";
}

void TeacherCentreParser::parse(TcFileKind kind, std::string_view fileName, std::string_view bytes,
                                core::Snapshot& snapshot, std::string_view path,
                                std::string_view sha256) {
    const std::string_view where = path.empty() ? fileName : path;
    auto& done = parsed_[static_cast<std::size_t>(kind)];
    if (done) {
        throw std::logic_error("teacher-centre: the " + std::string(toString(kind)) +
                               " file was already parsed");
    }
    if (kind == TcFileKind::Pupils) {
        pupilsFile_ = fileName;
    } else if (kind == TcFileKind::Staff) {
        staffFile_ = fileName;
    }
    records_.setPersonFiles(pupilsFile_, staffFile_);
    // Rows go to `part` first, so that a file that fails half-way adds nothing.
    core::Snapshot part;
    std::optional<TcColumns> columns;
    std::uint32_t rows = 0;
    try {
        csv::readCsv(
            bytes, where,
            [&](const csv::CsvHeader& header) { columns.emplace(kind, header, fields_, where); },
            [&](const csv::CsvRecord& row) {
                rows = row.number;
                line_ = row.line;
                const FieldValues values = valuesOf(row, *columns);
                const std::size_t rejected = part.rejected.size();
                if (kind == TcFileKind::Groups) {
                    records_.addMembership(values, fileName, row.number, part);
                } else {
                    records_.addPerson(roleOf(kind), values, fileName, row.number, part);
                }
                if (part.rejected.size() != rejected) {
                    part.rejected.back().message += onLine();
                }
            });
    } catch (...) {
        // Nothing of the file is kept, so the assembler must not remember its records either.
        if (kind == TcFileKind::Groups) {
            records_.forgetGroups();
        } else {
            records_.forgetPersons(roleOf(kind));
        }
        throw;
    }
    done = true;
    snapshot.files.push_back(core::SourceFile{
        std::string(fileName), sha256.empty() ? sha256Hex(bytes) : std::string(sha256), rows});
    auto append = [](auto& to, auto& from) {
        to.insert(to.end(), std::make_move_iterator(from.begin()),
                  std::make_move_iterator(from.end()));
    };
    append(snapshot.persons, part.persons);
    append(snapshot.groups, part.groups);
    append(snapshot.memberships, part.memberships);
    append(snapshot.rejected, part.rejected);
    append(snapshot.warnings, part.warnings);
}

}  // namespace misync::connectors
