#include "connectors/sims_xml/sims_parser.h"

#include <pugixml.hpp>

#include <cstring>
#include <stdexcept>

#include "connectors/digest.h"
#include "core/errors.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

// parse_default without attribute normalisation (misync reads no attributes, so a huge
// attribute costs one scan and nothing more); parse_embed_pcdata stores a column's text in
// its element node, halving the node count of a report. Entity escapes stay on.
constexpr unsigned kParseOptions =
    pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol | pugi::parse_embed_pcdata |
    pugi::parse_doctype;  // kept as a node only so that it can be refused

core::Role roleOf(SimsFileKind kind) {
    return kind == SimsFileKind::Students ? core::Role::Learner : core::Role::Staff;
}

bool isSpace(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// What a byte-level look at a report shows before pugixml sees it: pugixml treats a NUL byte as
// the end of input and silently drops text around the root element, so both are checked here.
struct ByteScan {
    bool wide = false;  // UTF-16 or UTF-32: left to pugixml's encoding detection
    std::size_t nulOffset = std::string::npos;
    std::size_t leadingTextOffset = std::string::npos;
    std::size_t trailingTextOffset = std::string::npos;
};

ByteScan scanBytes(std::string_view b) {
    ByteScan scan;
    std::size_t start = 0;
    if (b.size() >= 3 && b.substr(0, 3) == "\xEF\xBB\xBF") {
        start = 3;
    } else if (b.size() >= 2) {
        auto b0 = static_cast<unsigned char>(b[0]);
        auto b1 = static_cast<unsigned char>(b[1]);
        scan.wide = (b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE) || b0 == 0 || b1 == 0;
    }
    if (scan.wide) {
        return scan;
    }
    if (const void* nul = std::memchr(b.data(), 0, b.size())) {
        scan.nulOffset = static_cast<std::size_t>(static_cast<const char*>(nul) - b.data());
    }
    std::size_t first = start;
    while (first < b.size() && isSpace(static_cast<unsigned char>(b[first]))) {
        ++first;
    }
    if (first < b.size() && b[first] != '<') {
        scan.leadingTextOffset = first;
    }
    std::size_t last = b.size();
    while (last > first && isSpace(static_cast<unsigned char>(b[last - 1]))) {
        --last;
    }
    if (last > first && b[last - 1] != '>') {
        scan.trailingTextOffset = last - 1;
    }
    return scan;
}

[[noreturn]] void fail(std::string_view where, const std::string& what) {
    throw core::ConnectorError(std::string(where) + ": " + what,
                               std::string(where.substr(where.find_last_of('/') + 1)));
}

}  // namespace

// The trimmed text of each column of one <Record>, pointing into the parsed buffer: a record
// is inspected without allocating, and only accepted values are copied out.
struct SimsXmlParser::Values {
    FieldValues fields;
    std::array<std::uint8_t, kSimsFieldCount> rank{};

    Values() { rank.fill(0xFF); }

    void collect(pugi::xml_node record, SimsColumnMap& columns) {
        std::size_t position = 0;
        for (pugi::xml_node col = record.first_child(); col; col = col.next_sibling()) {
            if (col.type() != pugi::node_element) {
                continue;
            }
            const SimsColumn* column = columns.find(col.name(), position++);
            if (column == nullptr) {
                continue;
            }
            // An empty column counts as absent, so that an empty first-choice column (e.g. an
            // empty "Legal Forename" beside a filled "Forename") never hides a filled one.
            std::string_view value = core::trim(col.child_value());
            auto i = static_cast<std::size_t>(column->field);
            if (!value.empty() && column->rank < rank[i]) {
                fields.text[i] = value;
                rank[i] = column->rank;
            }
        }
    }
};

SimsXmlParser::SimsXmlParser(std::map<std::string, std::string> fields)
    : fields_(std::move(fields)) {}

void SimsXmlParser::parse(SimsFileKind kind, std::string_view fileName, std::string& bytes,
                          core::Snapshot& snapshot, std::string_view path,
                          std::string_view sha256) {
    const std::string_view where = path.empty() ? fileName : path;
    auto& done = parsed_[static_cast<std::size_t>(kind)];
    if (done) {
        throw std::logic_error("sims-xml: the " + std::string(toString(kind)) +
                               " report was already parsed");
    }
    // Built before anything is read, so that bad configuration fails first.
    SimsColumnMap columns(kind, fields_);
    core::SourceFile source{std::string(fileName),
                            sha256.empty() ? sha256Hex(bytes) : std::string(sha256), 0};

    const ByteScan scan = scanBytes(bytes);
    if (scan.nulOffset != std::string::npos) {
        fail(where, "not a text file: NUL byte at byte offset " + std::to_string(scan.nulOffset));
    }
    pugi::xml_document doc;
    pugi::xml_parse_result result =
        doc.load_buffer_inplace(bytes.data(), bytes.size(), kParseOptions, pugi::encoding_auto);
    if (!result) {
        fail(where, std::string("not well-formed XML: ") + result.description() +
                        " at byte offset " + std::to_string(result.offset));
    }
    if (scan.leadingTextOffset != std::string::npos) {
        fail(where, "not well-formed XML: text before the root element at byte offset " +
                        std::to_string(scan.leadingTextOffset));
    }
    if (scan.trailingTextOffset != std::string::npos) {
        fail(where, "not well-formed XML: text after the root element at byte offset " +
                        std::to_string(scan.trailingTextOffset));
    }
    pugi::xml_node root;
    for (pugi::xml_node top = doc.first_child(); top; top = top.next_sibling()) {
        if (top.type() == pugi::node_doctype) {
            // No MIS writes one; its entity declarations would turn into names unexpanded.
            fail(where,
                 "has a DOCTYPE (or entity declarations): refused, since no MIS report has one "
                 "and misync expands no entities");
        }
        if (top.type() != pugi::node_element) {
            continue;
        }
        if (root) {
            fail(where, "not well-formed XML: a second root element " + quotedValue(top.name()) +
                            " after " + quotedValue(root.name()));
        }
        root = top;
    }
    if (std::strcmp(root.name(), "SuperStarReport") != 0) {
        fail(where, "root element is " + quotedValue(root.name()) +
                        ", expected SuperStarReport (a SIMS CommandReporter XML report)");
    }

    done = true;
    if (kind == SimsFileKind::Students) {
        studentsFile_ = fileName;
    } else if (kind == SimsFileKind::Staff) {
        staffFile_ = fileName;
    }
    records_.setPersonFiles(studentsFile_, staffFile_);
    auto isRecord = [](pugi::xml_node n) {
        return n.type() == pugi::node_element && std::strcmp(n.name(), "Record") == 0;
    };
    // Sizing the tables up front spares a national run a rehash cascade per large file.
    std::size_t count = 0;
    for (pugi::xml_node record = root.first_child(); record; record = record.next_sibling()) {
        count += isRecord(record) ? 1 : 0;
    }
    if (kind == SimsFileKind::Groups) {
        records_.reserveMemberships(count);
        snapshot.memberships.reserve(snapshot.memberships.size() + count);
    } else {
        records_.reservePersons(roleOf(kind), count);
        snapshot.persons.reserve(snapshot.persons.size() + count);
    }
    std::uint32_t index = 0;
    for (pugi::xml_node record = root.first_child(); record; record = record.next_sibling()) {
        if (!isRecord(record)) {
            continue;
        }
        ++index;
        Values values;
        values.collect(record, columns);
        if (kind == SimsFileKind::Groups) {
            records_.addMembership(values.fields, fileName, index, snapshot);
        } else {
            records_.addPerson(roleOf(kind), values.fields, fileName, index, snapshot);
        }
    }
    source.records = index;
    snapshot.files.push_back(std::move(source));
}

}  // namespace misync::connectors
