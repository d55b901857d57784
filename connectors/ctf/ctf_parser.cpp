#include "connectors/ctf/ctf_parser.h"

#include <cstring>

#include "connectors/records.h"
#include "core/errors.h"
#include "core/school.h"
#include "core/text.h"

namespace misync::connectors {

namespace {

// parse_doctype so that a DOCTYPE (and with it any entity declaration) becomes visible and can be
// refused; parse_embed_pcdata keeps an element's text in its own node (half the nodes). No
// attribute normalisation: a CTF carries its data in elements.
constexpr unsigned kParseOptions = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol |
                                   pugi::parse_embed_pcdata | pugi::parse_doctype;

// The canonical field (connectors/fields.h) of each CtfField, for the record assembler.
constexpr std::array<Field, kCtfFieldCount> kCanonical{Field::Upn,
                                                       Field::LegalSurname,
                                                       Field::LegalForename,
                                                       Field::Dob,
                                                       Field::Gender,
                                                       Field::PreferredSurname,
                                                       Field::PreferredForename,
                                                       Field::YearGroup,
                                                       Field::EnrolmentStatus};

// What a CTF calls the fields whose values can be refused, for messages a school's staff read.
std::string_view ctfLabel(Field field) {
    switch (field) {
        case Field::Dob:
            return "DOB";
        case Field::AdmissionDate:
            return "SchoolHistory EntryDate";
        case Field::LeavingDate:
            return "SchoolHistory LeavingDate";
        default:
            return canonicalName(field);
    }
}

std::string text(std::string_view value) {
    return core::sanitizeUtf8(value);
}

[[noreturn]] void fail(std::string_view where, const std::string& what) {
    throw core::ConnectorError(std::string(where) + ": " + what,
                               std::string(where.substr(where.find_last_of('/') + 1)));
}

// `normalized` is lower case without spaces or underscores (SPEC §6 name matching).
bool named(pugi::xml_node n, std::string_view normalized) {
    if (n.type() != pugi::node_element) {
        return false;
    }
    std::array<char, 32> buffer{};
    const std::size_t len = normalizeInto(n.name(), buffer);
    return len != 0 && std::string_view(buffer.data(), len) == normalized;
}

pugi::xml_node child(pugi::xml_node parent, std::string_view normalized) {
    for (pugi::xml_node n = parent.first_child(); n; n = n.next_sibling()) {
        if (named(n, normalized)) {
            return n;
        }
    }
    return {};
}

std::string_view value(pugi::xml_node parent, std::string_view normalized) {
    return core::trim(child(parent, normalized).child_value());
}

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// pugixml stops at a NUL byte and ignores text around the root element; both would let a damaged
// file pass as a shorter one, so they are checked on the bytes first (8-bit encodings only).
void checkBytes(std::string_view where, std::string_view b) {
    std::size_t start = 0;
    if (b.starts_with("\xEF\xBB\xBF")) {
        start = 3;
    } else if (b.size() >= 2 && (b[0] == '\0' || b[1] == '\0' || b.starts_with("\xFE\xFF") ||
                                 b.starts_with("\xFF\xFE"))) {
        return;  // UTF-16 or UTF-32, left to pugixml's encoding detection
    }
    if (const void* nul = std::memchr(b.data(), 0, b.size())) {
        fail(where, "not a text file: NUL byte at byte offset " +
                        std::to_string(static_cast<const char*>(nul) - b.data()));
    }
    std::size_t first = start;
    while (first < b.size() && isSpace(b[first])) {
        ++first;
    }
    if (first < b.size() && b[first] != '<') {
        fail(where, "not well-formed XML: text before the root element at byte offset " +
                        std::to_string(first));
    }
    std::size_t last = b.size();
    while (last > first && isSpace(b[last - 1])) {
        --last;
    }
    if (last > first && b[last - 1] != '>') {
        fail(where, "not well-formed XML: text after the root element at byte offset " +
                        std::to_string(last - 1));
    }
}

// One SchoolHistory entry's dates, as written (checked when used).
struct HistoryEntry {
    std::string_view entry;
    std::string_view leaving;
    bool found = false;
};

// The entry of `school` (LEA + Estab); of several, the one that started last (a learner who left
// and came back), an entry without EntryDate counting as the earliest.
HistoryEntry historyOf(pugi::xml_node pupil, std::string_view school) {
    HistoryEntry best;
    std::optional<core::Date> bestEntry;
    pugi::xml_node history = child(pupil, "schoolhistory");
    for (pugi::xml_node s = history.first_child(); s; s = s.next_sibling()) {
        if (!named(s, "school")) {
            continue;
        }
        std::string_view lea = value(s, "lea");
        std::string_view estab = value(s, "estab");
        if (lea.size() + estab.size() != school.size() || !school.starts_with(lea) ||
            !school.ends_with(estab)) {
            continue;
        }
        HistoryEntry e{value(s, "entrydate"), value(s, "leavingdate"), true};
        std::optional<core::Date> entry = core::parseDate(e.entry);
        if (!best.found || (entry && (!bestEntry || *entry >= *bestEntry))) {
            best = e;
            bestEntry = entry;
        }
    }
    return best;
}

}  // namespace

core::Date nextFirstSeptember(core::Date d) {
    core::Date sept = core::Date::fromYmd(d.year(), 9, 1);
    return sept >= d ? sept : core::Date::fromYmd(d.year() + 1, 9, 1);
}

CtfDocument::CtfDocument(std::string_view fileName, std::string& bytes, std::string_view path)
    : fileName_(fileName) {
    const std::string_view where = path.empty() ? fileName : path;
    checkBytes(where, bytes);
    pugi::xml_parse_result result =
        doc_.load_buffer_inplace(bytes.data(), bytes.size(), kParseOptions, pugi::encoding_auto);
    if (!result) {
        fail(where, std::string("not well-formed XML: ") + result.description() +
                        " at byte offset " + std::to_string(result.offset));
    }
    for (pugi::xml_node top = doc_.first_child(); top; top = top.next_sibling()) {
        if (top.type() == pugi::node_doctype) {
            // Entity declarations live in the DOCTYPE: refusing it refuses them (entity
            // expansion attacks, external entities).
            fail(where,
                 "refused: the file has a DOCTYPE or entity declaration (no MIS writes one)");
        }
        if (top.type() != pugi::node_element) {
            continue;
        }
        if (root_) {
            fail(where, "not well-formed XML: a second root element " + quotedValue(top.name()));
        }
        root_ = top;
    }
    if (!named(root_, "ctfile")) {
        fail(where, "root element is " + quotedValue(root_.name()) +
                        ", expected CTfile (a Common Transfer File)");
    }
    pugi::xml_node header = child(root_, "header");
    if (!header) {
        fail(where, "the CTF has no <Header>");
    }
    if (pugi::xml_node name = child(header, "documentname")) {
        std::string_view doc = core::trim(name.child_value());
        if (core::normalizeFieldName(doc) != "commontransferfile") {
            fail(where,
                 "DocumentName is " + quotedValue(doc) + ", expected 'Common Transfer File'");
        }
    }
    pugi::xml_node source = child(header, "sourceschool");
    std::string_view lea = value(source, "lea");
    std::string_view estab = value(source, "estab");
    header_.sourceSchool = std::string(lea) + std::string(estab);
    if (lea.size() != 3 || estab.size() != 4 || !core::isValidDfes(header_.sourceSchool)) {
        fail(where, "SourceSchool LEA " + quotedValue(lea) + " and Estab " + quotedValue(estab) +
                        " are not a school number (3 + 4 digits)");
    }
    pugi::xml_node dest = child(header, "destschool");
    header_.destSchool =
        text(std::string(value(dest, "lea")).append(value(dest, "estab")).substr(0, 16));
    header_.dateTime = text(value(header, "datetime").substr(0, 64));
    header_.extractedAt = core::parseTimestamp(header_.dateTime);
}

CtfPupils CtfDocument::pupils(std::string_view school, CtfDirection direction,
                              core::Date extractDate, const CtfFieldMap& fields) const {
    CtfPupils out;
    pugi::xml_node data = child(root_, "ctfpupildata");
    std::size_t count = 0;
    for (pugi::xml_node p = data.first_child(); p; p = p.next_sibling()) {
        count += named(p, "pupil") ? 1 : 0;
    }
    // Duplicates are a file's own: across files the newest file wins per UPN (ctf.cpp).
    RecordAssembler records;
    records.identifyLearnersByUpn();
    records.setFieldLabels(&ctfLabel);
    records.reservePersons(core::Role::Learner, count);
    core::Snapshot snapshot;
    snapshot.persons.reserve(count);
    const std::string_view historySchool =
        direction == CtfDirection::Own ? school : std::string_view(header_.sourceSchool);

    for (pugi::xml_node pupil = data.first_child(); pupil; pupil = pupil.next_sibling()) {
        if (!named(pupil, "pupil")) {
            continue;
        }
        const std::uint32_t record = ++out.records;
        std::array<std::string_view, kCtfFieldCount> v{};
        std::array<std::uint8_t, kCtfFieldCount> rank{};
        rank.fill(0xFF);
        auto collect = [&](pugi::xml_node parent) {
            for (pugi::xml_node n = parent.first_child(); n; n = n.next_sibling()) {
                if (n.type() != pugi::node_element) {
                    continue;
                }
                auto hit = fields.find(n.name());
                std::string_view t = core::trim(n.child_value());
                if (!hit || t.empty()) {
                    continue;
                }
                auto i = static_cast<std::size_t>(hit->field);
                if (hit->rank < rank[i]) {
                    v[i] = t;
                    rank[i] = hit->rank;
                }
            }
        };
        collect(pupil);
        collect(child(pupil, "basicdetails"));
        FieldValues values;
        for (std::size_t i = 0; i < kCtfFieldCount; ++i) {
            values.set(kCanonical[i], v[i]);
        }
        if (core::iequals(values[Field::YearGroup], "X")) {
            // NC year "X": not following the National Curriculum year system; no year group.
            values.set(Field::YearGroup, {});
        }
        const HistoryEntry h = historyOf(pupil, historySchool);
        values.set(Field::AdmissionDate, h.entry);
        values.set(Field::LeavingDate, h.leaving);
        const std::size_t accepted = snapshot.persons.size();
        records.addPerson(core::Role::Learner, values, fileName_, record, snapshot);
        if (snapshot.persons.size() != accepted && direction == CtfDirection::Incoming) {
            // SPEC §6.2, R7: on roll here from the day after leaving the source school, so that
            // the account moves across on the first day and not before.
            core::Person& p = snapshot.persons.back();
            p.admissionDate =
                p.leavingDate ? p.leavingDate->addDays(1) : nextFirstSeptember(extractDate);
            p.leavingDate.reset();
        }
    }
    out.persons = std::move(snapshot.persons);
    out.rejected = std::move(snapshot.rejected);
    return out;
}

}  // namespace misync::connectors
