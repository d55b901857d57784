#include "connectors/sims_xml/sims_parser.h"

#include <pugixml.hpp>

#include <cstring>
#include <stdexcept>

#include "connectors/digest.h"
#include "core/date.h"
#include "core/errors.h"
#include "core/text.h"
#include "core/upn.h"
#include "core/year_group.h"

namespace misync::connectors {

namespace {

// parse_default without attribute normalisation (misync reads no attributes, so a huge
// attribute costs one scan and nothing more); parse_embed_pcdata stores a column's text in
// its element node, halving the node count of a report. Entity escapes stay on.
constexpr unsigned kParseOptions =
    pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol | pugi::parse_embed_pcdata |
    pugi::parse_doctype;  // kept as a node only so that it can be refused

constexpr std::size_t kMaxQuoted = 80;

bool isSpace(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Quotes a value for a message, cut short so that a hostile megabyte-long value cannot
// flood the run record, and made valid UTF-8 so that the message is safe to store and print.
std::string quoted(std::string_view value) {
    std::string out = "'";
    out += core::sanitizeUtf8(value.substr(0, kMaxQuoted));
    if (value.size() > kMaxQuoted) {
        out += "…";
    }
    out += "'";
    return out;
}

// The same, unquoted, for messages whose wording is fixed (e.g. unknown_member).
std::string shown(std::string_view value) {
    std::string q = quoted(value);
    return q.substr(1, q.size() - 2);
}

// Values are kept as the file has them: Connector::read() rejects a record whose text is not
// valid UTF-8 or too long (connectors/record_checks.h), naming the field, instead of changing it.
std::string text(std::string_view value) {
    return std::string(value);
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

void reject(core::Snapshot& snapshot, const char* code, std::string_view fileName,
            std::uint32_t record, std::string message) {
    snapshot.rejected.push_back(
        core::RecordError{code, std::string(fileName), record, std::move(message)});
}

}  // namespace

// The trimmed text of each column of one <Record>, pointing into the parsed buffer: a record
// is inspected without allocating, and only accepted values are copied out.
struct SimsXmlParser::Values {
    std::array<std::string_view, kSimsFieldCount> text{};
    std::array<std::uint8_t, kSimsFieldCount> rank{};

    Values() { rank.fill(0xFF); }
    std::string_view operator[](SimsField f) const { return text[static_cast<std::size_t>(f)]; }

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
                text[i] = value;
                rank[i] = column->rank;
            }
        }
    }
};

SimsXmlParser::SimsXmlParser(std::map<std::string, std::string> fields)
    : fields_(std::move(fields)) {}

void SimsXmlParser::parse(SimsFileKind kind, std::string_view fileName, std::string& bytes,
                          core::Snapshot& snapshot, std::string_view path) {
    const std::string_view where = path.empty() ? fileName : path;
    auto& done = parsed_[static_cast<std::size_t>(kind)];
    if (done) {
        throw std::logic_error("sims-xml: the " + std::string(toString(kind)) +
                               " report was already parsed");
    }
    // Built before anything is read, so that bad configuration fails first.
    SimsColumnMap columns(kind, fields_);
    core::SourceFile source{std::string(fileName), sha256Hex(bytes), 0};

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
            fail(where, "not well-formed XML: a second root element " + quoted(top.name()) +
                            " after " + quoted(root.name()));
        }
        root = top;
    }
    if (std::strcmp(root.name(), "SuperStarReport") != 0) {
        fail(where, "root element is " + quoted(root.name()) +
                        ", expected SuperStarReport (a SIMS CommandReporter XML report)");
    }

    done = true;
    if (kind == SimsFileKind::Students) {
        studentsFile_ = fileName;
    } else if (kind == SimsFileKind::Staff) {
        staffFile_ = fileName;
    }
    auto isRecord = [](pugi::xml_node n) {
        return n.type() == pugi::node_element && std::strcmp(n.name(), "Record") == 0;
    };
    // Sizing the tables up front spares a national run a rehash cascade per large file.
    std::size_t count = 0;
    for (pugi::xml_node record = root.first_child(); record; record = record.next_sibling()) {
        count += isRecord(record) ? 1 : 0;
    }
    if (kind == SimsFileKind::Groups) {
        membershipKeys_.reserve(membershipKeys_.size() + count);
        snapshot.memberships.reserve(snapshot.memberships.size() + count);
    } else {
        (kind == SimsFileKind::Students ? learnerIds_ : staffIds_).reserve(count);
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
            readMembership(values, fileName, index, snapshot);
        } else {
            readPerson(kind, values, fileName, index, snapshot);
        }
    }
    source.records = index;
    snapshot.files.push_back(std::move(source));
}

void SimsXmlParser::readPerson(SimsFileKind kind, const Values& v, std::string_view fileName,
                               std::uint32_t record, core::Snapshot& snapshot) {
    const bool learner = kind == SimsFileKind::Students;
    auto bad = [&](const char* code, std::string message) {
        reject(snapshot, code, fileName, record, std::move(message));
        // Keep who the record was about (R15 must not turn into R5).
        core::RecordError& e = snapshot.rejected.back();
        e.role = learner ? core::Role::Learner : core::Role::Staff;
        e.misId = text(v[SimsField::MisId]);
        if (learner && core::hasUpnShape(v[SimsField::Upn])) {
            e.upn = core::canonicalUpn(v[SimsField::Upn]);
        }
    };
    if (v[SimsField::MisId].empty()) {
        bad("missing_id", "record has no ID");
        return;
    }
    auto& ids = learner ? learnerIds_ : staffIds_;
    auto [seen, isNew] = ids.try_emplace(text(v[SimsField::MisId]), false);
    if (!isNew) {
        bad("duplicate_id", "ID " + quoted(seen->first) + " appears in an earlier record");
        return;
    }
    if (v[SimsField::LegalForename].empty() || v[SimsField::LegalSurname].empty()) {
        bad("missing_name", "ID " + quoted(seen->first) + " has no legal " +
                                (v[SimsField::LegalForename].empty() ? "forename" : "surname"));
        return;
    }
    core::Person p;
    p.role = learner ? core::Role::Learner : core::Role::Staff;
    if (std::string_view upn = v[SimsField::Upn]; !upn.empty()) {
        if (!core::isValidUpn(upn)) {
            bad("invalid_upn",
                "UPN " + quoted(upn) +
                    (core::hasUpnShape(upn) ? " has a wrong check letter"
                                            : " is not a UPN (a letter, 11 digits, a digit or "
                                              "letter)"));
            return;
        }
        p.upn = core::canonicalUpn(upn);
    }
    struct DateField {
        SimsField field;
        std::optional<core::Date>* target;
    };
    for (DateField d :
         {DateField{SimsField::Dob, &p.dob}, DateField{SimsField::AdmissionDate, &p.admissionDate},
          DateField{SimsField::LeavingDate, &p.leavingDate}}) {
        std::string_view value = v[d.field];
        if (value.empty()) {
            continue;
        }
        *d.target = core::parseDate(value);
        if (!*d.target) {
            bad("invalid_date", std::string(canonicalName(d.field)) + " " + quoted(value) +
                                    " is not a date (YYYY-MM-DD, ISO date-time or D/M/YYYY)");
            return;
        }
    }
    if (std::string_view year = v[SimsField::YearGroup]; !year.empty()) {
        auto normalized = core::normalizeYearGroup(year);
        if (!normalized) {
            bad("invalid_year_group", "year group " + quoted(year) + " is not N1, N2, R or 1-14");
            return;
        }
        p.yearGroup = std::move(*normalized);
    }
    if (std::string_view status = v[SimsField::EnrolmentStatus]; !status.empty()) {
        auto enrolment = core::parseEnrolment(status);
        if (!enrolment) {
            bad("invalid_enrolment_status",
                "enrolment status " + quoted(status) + " is not C, M, S or G");
            return;
        }
        p.enrolment = *enrolment;
    }
    // Last, so that a record rejected for another reason does not claim its UPN.
    if (!p.upn.empty() && !learnerUpns_.insert(p.upn).second) {
        bad("duplicate_upn", "UPN " + quoted(p.upn) + " belongs to an earlier learner");
        return;
    }
    seen->second = true;
    p.misId = seen->first;
    p.admissionNumber = text(v[SimsField::AdmissionNumber]);
    p.staffCode = text(v[SimsField::StaffCode]);
    p.nationalId = text(v[SimsField::NationalId]);
    p.legalForename = text(v[SimsField::LegalForename]);
    p.legalSurname = text(v[SimsField::LegalSurname]);
    p.preferredForename = text(v[SimsField::PreferredForename]);
    p.preferredSurname = text(v[SimsField::PreferredSurname]);
    p.gender = text(v[SimsField::Gender]);
    p.regGroup = text(v[SimsField::RegGroup]);
    p.staffRole = text(v[SimsField::StaffRole]);
    p.title = text(v[SimsField::Title]);
    p.source = core::RecordRef{std::string(fileName), record};
    snapshot.persons.push_back(std::move(p));
}

void SimsXmlParser::readMembership(const Values& v, std::string_view fileName, std::uint32_t record,
                                   core::Snapshot& snapshot) {
    auto bad = [&](const char* code, std::string message) {
        reject(snapshot, code, fileName, record, std::move(message));
    };
    std::string code = text(v[SimsField::GroupCode]);
    if (code.empty()) {
        bad("missing_group", "record has no group code");
        return;
    }
    const bool known = groupCodes_.contains(code);
    std::optional<core::GroupType> type;
    if (std::string_view typeText = v[SimsField::GroupType]; !typeText.empty()) {
        type = core::parseGroupType(typeText);
        if (!type) {
            bad("invalid_group_type", "group " + quoted(code) + " has group type " +
                                          quoted(typeText) +
                                          ", not Registration, Year, Class or House");
            return;
        }
    } else if (!known) {
        bad("invalid_group_type", "group " + quoted(code) + " has no group type");
        return;
    }
    std::optional<std::string> year = core::normalizeYearGroup(v[SimsField::YearGroup]);
    if (!year) {
        bad("invalid_year_group", "group " + quoted(code) + " has year group " +
                                      quoted(v[SimsField::YearGroup]) + ", not N1, N2, R or 1-14");
        return;
    }
    const std::string_view memberId = v[SimsField::MemberId];
    core::Role role = core::Role::Learner;
    if (!memberId.empty()) {
        auto parsed = core::parseRole(v[SimsField::MemberType]);
        if (!parsed || (*parsed != core::Role::Learner && *parsed != core::Role::Staff)) {
            bad("invalid_member_type", "member " + quoted(memberId) + " of group " + quoted(code) +
                                           " has member type " + quoted(v[SimsField::MemberType]) +
                                           ", not Pupil or Staff");
            return;
        }
        role = *parsed;
    }
    // The first usable record of a group defines it; a record without ID is a group that has
    // no members yet, which still has to exist (R11).
    if (!known) {
        groupCodes_.insert(code);
        snapshot.groups.push_back(core::Group{code, *type, text(v[SimsField::Subject]),
                                              std::move(*year),
                                              core::RecordRef{std::string(fileName), record}});
    }
    if (memberId.empty()) {
        return;
    }
    const bool learner = role == core::Role::Learner;
    std::string id = text(memberId);
    const auto& ids = learner ? learnerIds_ : staffIds_;
    auto person = ids.find(id);
    if (person == ids.end()) {
        snapshot.warnings.push_back(core::Warning{
            "unknown_member", std::string(fileName) + " record " + std::to_string(record) +
                                  ": member ID " + shown(id) + " is not in " +
                                  (learner ? studentsFile_ : staffFile_)});
        return;
    }
    if (!person->second) {
        return;  // its own record was rejected and reported there
    }
    std::string key = code;
    key += '\0';
    key += learner ? 'L' : 'S';
    key += id;
    if (!membershipKeys_.insert(std::move(key)).second) {
        return;
    }
    snapshot.memberships.push_back(core::Membership{
        std::move(code), std::move(id), role, core::RecordRef{std::string(fileName), record}});
}

}  // namespace misync::connectors
