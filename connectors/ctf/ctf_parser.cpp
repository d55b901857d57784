#include "connectors/ctf/ctf_parser.h"

#include <cstring>
#include <unordered_set>

#include "core/errors.h"
#include "core/school.h"
#include "core/text.h"
#include "core/upn.h"
#include "core/year_group.h"

namespace misync::connectors {

namespace {

// parse_doctype so that a DOCTYPE (and with it any entity declaration) becomes visible and can be
// refused; parse_embed_pcdata keeps an element's text in its own node (half the nodes). No
// attribute normalisation: a CTF carries its data in elements.
constexpr unsigned kParseOptions = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol |
                                   pugi::parse_embed_pcdata | pugi::parse_doctype;

constexpr std::size_t kMaxQuoted = 80;

std::string quoted(std::string_view value) {
    std::string out = "'";
    out += core::sanitizeUtf8(value.substr(0, kMaxQuoted));
    if (value.size() > kMaxQuoted) {
        out += "…";
    }
    out += "'";
    return out;
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
            fail(where, "not well-formed XML: a second root element " + quoted(top.name()));
        }
        root_ = top;
    }
    if (!named(root_, "ctfile")) {
        fail(where, "root element is " + quoted(root_.name()) +
                        ", expected CTfile (a Common Transfer File)");
    }
    pugi::xml_node header = child(root_, "header");
    if (!header) {
        fail(where, "the CTF has no <Header>");
    }
    if (pugi::xml_node name = child(header, "documentname")) {
        std::string_view doc = core::trim(name.child_value());
        if (core::normalizeFieldName(doc) != "commontransferfile") {
            fail(where, "DocumentName is " + quoted(doc) + ", expected 'Common Transfer File'");
        }
    }
    pugi::xml_node source = child(header, "sourceschool");
    std::string_view lea = value(source, "lea");
    std::string_view estab = value(source, "estab");
    header_.sourceSchool = std::string(lea) + std::string(estab);
    if (lea.size() != 3 || estab.size() != 4 || !core::isValidDfes(header_.sourceSchool)) {
        fail(where, "SourceSchool LEA " + quoted(lea) + " and Estab " + quoted(estab) +
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
    out.persons.reserve(count);
    std::unordered_set<std::string> upns;
    upns.reserve(count);
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
        auto at = [&](CtfField f) { return v[static_cast<std::size_t>(f)]; };
        const std::string_view upnText = at(CtfField::Upn);

        auto bad = [&](const char* code, std::string message) {
            core::RecordError e{code, fileName_, record, std::move(message)};
            // Who it was about, so that a rejected record never reads as a leaver (R5, R15).
            e.role = core::Role::Learner;
            if (core::hasUpnShape(upnText)) {
                e.upn = core::canonicalUpn(upnText);
                e.misId = e.upn;
            }
            out.rejected.push_back(std::move(e));
        };
        if (upnText.empty()) {
            bad("missing_id", "pupil has no UPN");
            continue;
        }
        if (!core::isValidUpn(upnText)) {
            bad("invalid_upn",
                "UPN " + quoted(upnText) +
                    (core::hasUpnShape(upnText)
                         ? " has a wrong check letter"
                         : " is not a UPN (a letter, 11 digits, a digit or letter)"));
            continue;
        }
        core::Person p;
        p.role = core::Role::Learner;
        p.upn = core::canonicalUpn(upnText);
        if (at(CtfField::LegalForename).empty() || at(CtfField::LegalSurname).empty()) {
            bad("missing_name", "UPN " + quoted(p.upn) + " has no " +
                                    (at(CtfField::LegalForename).empty() ? "Forename" : "Surname"));
            continue;
        }
        auto date = [&](std::string_view what, std::string_view t,
                        std::optional<core::Date>& target) {
            if (t.empty()) {
                return true;
            }
            target = core::parseDate(t);
            if (!target) {
                bad("invalid_date", "UPN " + quoted(p.upn) + ": " + std::string(what) + " " +
                                        quoted(t) +
                                        " is not a date (YYYY-MM-DD, ISO date-time or D/M/YYYY)");
                return false;
            }
            return true;
        };
        if (!date("DOB", at(CtfField::Dob), p.dob)) {
            continue;
        }
        const HistoryEntry h = historyOf(pupil, historySchool);
        std::optional<core::Date> entry;
        std::optional<core::Date> leaving;
        if (!date("SchoolHistory EntryDate", h.entry, entry) ||
            !date("SchoolHistory LeavingDate", h.leaving, leaving)) {
            continue;
        }
        if (direction == CtfDirection::Own) {
            p.admissionDate = entry;
            p.leavingDate = leaving;
        } else {
            // SPEC §6.2, R7: on roll here from the day after leaving the source school, so that
            // the account moves across on the first day and not before.
            p.admissionDate = leaving ? leaving->addDays(1) : nextFirstSeptember(extractDate);
        }
        if (std::string_view year = at(CtfField::YearGroup); !year.empty()) {
            if (core::iequals(year, "X")) {
                // NC year "X": not following the National Curriculum year system; no year group.
            } else if (auto normalized = core::normalizeYearGroup(year)) {
                p.yearGroup = std::move(*normalized);
            } else {
                bad("invalid_year_group", "UPN " + quoted(p.upn) + ": NCyearActual " +
                                              quoted(year) + " is not N1, N2, R, 1-14 or X");
                continue;
            }
        }
        if (std::string_view status = at(CtfField::EnrolmentStatus); !status.empty()) {
            auto enrolment = core::parseEnrolment(status);
            if (!enrolment) {
                bad("invalid_enrolment_status", "UPN " + quoted(p.upn) + ": EnrolStatus " +
                                                    quoted(status) + " is not C, M, S or G");
                continue;
            }
            p.enrolment = *enrolment;
        }
        if (!upns.insert(p.upn).second) {
            bad("duplicate_upn", "UPN " + quoted(p.upn) + " belongs to an earlier pupil");
            continue;
        }
        p.misId = p.upn;
        // Bytes as they are: Connector::read() rejects text that is not valid UTF-8 or too long
        // (connectors/record_checks.h), which replacing bytes here would hide.
        p.legalForename = std::string(at(CtfField::LegalForename));
        p.legalSurname = std::string(at(CtfField::LegalSurname));
        p.preferredForename = std::string(at(CtfField::PreferredForename));
        p.preferredSurname = std::string(at(CtfField::PreferredSurname));
        p.gender = std::string(at(CtfField::Gender));
        p.source = core::RecordRef{fileName_, record};
        out.persons.push_back(std::move(p));
    }
    return out;
}

}  // namespace misync::connectors
