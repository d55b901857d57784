#include "connectors/csv/csv_reader.h"

#include <csv.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <utility>

#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors::csv {

namespace {

// libcsv is fed this much at a time, so that an error raised by a handler (kept, since an
// exception must not unwind through C frames) stops the read soon after it happened.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

[[noreturn]] void fail(std::string_view where, const std::string& what) {
    throw core::ConnectorError(std::string(where) + ": " + what,
                               std::string(where.substr(where.find_last_of('/') + 1)));
}

std::uint64_t lineAt(std::string_view bytes, std::size_t offset) {
    return 1 + static_cast<std::uint64_t>(std::count(
                   bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// The state libcsv's callbacks work on: the fields of the row being read, one after another in
// `text`, and what to do with each finished row.
struct Reader {
    std::string_view where;
    const HeaderHandler& onHeader;
    const RecordHandler& onRecord;

    std::string text;
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // offset, length in `text`
    bool anyText = false;
    std::uint64_t line = 1;  // the line libcsv has reached
    std::uint64_t rowLine = 1;
    bool headerRead = false;
    std::uint32_t records = 0;
    CsvRecord record;
    std::exception_ptr error;

    void field(const char* data, std::size_t size) {
        if (error) {
            return;
        }
        if (spans.empty()) {
            rowLine = line;
        }
        if (spans.size() >= kMaxFieldsPerRow) {
            try {
                fail(where, "line " + std::to_string(rowLine) + " has more than " +
                                std::to_string(kMaxFieldsPerRow) + " fields");
            } catch (...) {
                error = std::current_exception();
            }
            return;
        }
        spans.emplace_back(text.size(), size);
        if (size > 0) {
            text.append(data, size);
            anyText = true;
            line += static_cast<std::uint64_t>(std::count(data, data + size, '\n'));
        }
    }

    void endRow(int terminator) {
        if (terminator == '\n') {
            ++line;
        }
        if (error || spans.empty()) {
            return;  // a blank line (CSV_REPALL_NL reports every line break)
        }
        try {
            if (!anyText) {
                // Every field empty: a spreadsheet's padding row, skipped like a blank line.
            } else if (!headerRead) {
                std::vector<std::string> names;
                names.reserve(spans.size());
                for (auto [offset, size] : spans) {
                    names.emplace_back(core::trim(std::string_view(text).substr(offset, size)));
                }
                headerRead = true;
                onHeader(CsvHeader(std::move(names)));
            } else {
                record.number = ++records;
                record.line = rowLine;
                record.fields.clear();
                for (auto [offset, size] : spans) {
                    record.fields.push_back(std::string_view(text).substr(offset, size));
                }
                onRecord(record);
            }
        } catch (...) {
            error = std::current_exception();
        }
        spans.clear();
        text.clear();
        anyText = false;
    }
};

extern "C" void csvField(void* data, std::size_t size, void* state) {
    static_cast<Reader*>(state)->field(static_cast<const char*>(data), size);
}

extern "C" void csvRow(int terminator, void* state) {
    static_cast<Reader*>(state)->endRow(terminator);
}

// Owns a libcsv parser.
class Parser {
  public:
    Parser() {
        // Strict: a quote inside an unquoted field, text after a closing quote and an
        // unterminated quoted field are errors rather than guesses.
        ok_ = csv_init(&p_, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) == 0;
    }
    ~Parser() {
        if (ok_) {
            csv_free(&p_);
        }
    }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;

    bool ok() const { return ok_; }
    csv_parser* get() { return &p_; }

  private:
    csv_parser p_{};
    bool ok_ = false;
};

}  // namespace

CsvHeader::CsvHeader(std::vector<std::string> names) : names_(std::move(names)) {
    while (!names_.empty() && core::trim(names_.back()).empty()) {
        names_.pop_back();  // SPEC §6: trailing empty header columns are ignored
    }
    normalized_.reserve(names_.size());
    for (const auto& name : names_) {
        normalized_.push_back(core::normalizeFieldName(core::trim(name)));
    }
}

std::optional<std::size_t> CsvHeader::find(std::string_view name) const {
    const std::string wanted = core::normalizeFieldName(core::trim(name));
    if (wanted.empty()) {
        return std::nullopt;
    }
    auto it = std::find(normalized_.begin(), normalized_.end(), wanted);
    if (it == normalized_.end()) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - normalized_.begin());
}

void readCsv(std::string_view bytes, std::string_view where, const HeaderHandler& onHeader,
             const RecordHandler& onRecord) {
    std::size_t start = 0;
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
        start = 3;  // SPEC §6: a UTF-8 byte-order mark is tolerated
    } else if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF") {
        fail(where, "UTF-16 text; export the file as CSV in UTF-8");
    }
    if (const void* nul = std::memchr(bytes.data(), 0, bytes.size())) {
        const auto offset = static_cast<std::size_t>(static_cast<const char*>(nul) - bytes.data());
        fail(where, "not a text file: NUL byte on line " + std::to_string(lineAt(bytes, offset)) +
                        " (byte offset " + std::to_string(offset) + ")");
    }
    Parser parser;
    if (!parser.ok()) {
        fail(where, "cannot start the CSV reader (out of memory)");
    }
    Reader reader{where, onHeader, onRecord};
    reader.line = 1;
    for (std::size_t pos = start; pos < bytes.size(); pos += kChunkBytes) {
        const std::size_t size = std::min(kChunkBytes, bytes.size() - pos);
        const std::size_t done =
            csv_parse(parser.get(), bytes.data() + pos, size, csvField, csvRow, &reader);
        if (reader.error) {
            std::rethrow_exception(reader.error);
        }
        if (done != size) {
            const std::size_t offset = pos + done;
            const int code = csv_error(parser.get());
            fail(where, std::string(code == CSV_EPARSE
                                        ? "not valid CSV (a quote inside an unquoted field or "
                                          "after a closing quote)"
                                        : csv_strerror(code)) +
                            " on line " + std::to_string(lineAt(bytes, offset)) + " (byte offset " +
                            std::to_string(offset) + ")");
        }
    }
    if (csv_fini(parser.get(), csvField, csvRow, &reader) != 0) {
        const std::uint64_t rowLine = reader.spans.empty() ? reader.line : reader.rowLine;
        fail(where, "not valid CSV: a quoted field in the row starting on line " +
                        std::to_string(rowLine) + " has no closing quote");
    }
    if (reader.error) {
        std::rethrow_exception(reader.error);
    }
    if (!reader.headerRead) {
        fail(where, "no header row (the file is empty)");
    }
}

}  // namespace misync::connectors::csv

namespace misync::connectors::csv {

std::string describeHeader(const CsvHeader& header) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& name : header.names()) {
        if (shown == 30 || out.size() > 400) {
            out += ", …";
            break;
        }
        out.append(out.empty() ? "" : ", ").append(core::sanitizeUtf8(name.substr(0, 60)));
        ++shown;
    }
    if (header.names().size() == 1) {
        const std::string& only = header.names().front();
        if (only.find(';') != std::string::npos) {
            out += " (the file separates fields with ';': save it as CSV with commas)";
        } else if (only.find('\t') != std::string::npos) {
            out += " (the file separates fields with tabs: save it as CSV with commas)";
        }
    }
    return out;
}

}  // namespace misync::connectors::csv
