#include "connectors/oneroster/roster_set.h"

#include "connectors/digest.h"
#include "connectors/oneroster/roster_columns.h"
#include "connectors/records.h"
#include "connectors/source_file.h"
#include "core/errors.h"
#include "core/text.h"

#include <unordered_set>

namespace misync::connectors::oneroster {

namespace {

constexpr std::size_t kManifest = 0;

std::size_t slot(FileKind k) {
    return static_cast<std::size_t>(k) + 1;
}

struct Required {
    FileKind kind;
    std::span<const std::string_view> names;
};

// The columns without which no school's run can read the file (SPEC §6.3: fail only then).
constexpr std::array<Required, 9> kRequired{{
    {FileKind::Orgs, col::kSourcedId},
    {FileKind::Users, col::kSourcedId},
    {FileKind::Users, col::kRole},
    {FileKind::Users, col::kUserOrgs},
    {FileKind::Users, col::kGivenName},
    {FileKind::Users, col::kFamilyName},
    {FileKind::Classes, col::kSourcedId},
    {FileKind::Classes, col::kClassType},
    {FileKind::Classes, col::kClassSchool},
}};

void requireColumn(const RosterTable& t, std::span<const std::string_view> names,
                   const std::string& where) {
    if (t.column(names)) {
        return;
    }
    std::string also;
    for (std::size_t i = 1; i < names.size(); ++i) {
        also += (also.empty() ? " (or '" : "', '") + std::string(names[i]);
    }
    if (!also.empty()) {
        also += "')";
    }
    throw core::ConnectorError(
        where + ": required column '" + std::string(names[0]) + "'" + also +
            " is missing; the header has: " + csv::describeHeader(t.header()),
        t.name());
}

// Comma-separated ids in one cell ("o1,o2"), trimmed, empty ones skipped.
template <typename F>
void eachId(std::string_view cell, F&& f) {
    while (!cell.empty()) {
        const auto comma = cell.find(',');
        std::string_view id = core::trim(cell.substr(0, comma));
        if (!id.empty()) {
            f(id);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        cell.remove_prefix(comma + 1);
    }
}

void index(RosterSet& set) {
    const RosterTable& orgs = set.table(FileKind::Orgs);
    const auto orgId = orgs.column(col::kSourcedId);
    const auto type = orgs.column(col::kOrgType);
    const auto identifier = orgs.column(col::kIdentifier);
    const auto parent = orgs.column(col::kParent);
    for (std::uint32_t r = 0; r < orgs.rows(); ++r) {
        set.orgById.emplace(std::string(orgs.cell(r, orgId)), r);  // the first of a repeated id
        const std::string t = core::normalizeFieldName(orgs.cell(r, type));
        if (std::string_view ident = orgs.cell(r, identifier); !ident.empty()) {
            set.orgsByIdentifier[std::string(ident)].push_back(r);
            if (!type || t == "school") {
                set.schoolsByNumber[identifierDigits(ident)].push_back(r);
            }
        }
        const bool ownUnit =
            t == "school" || t == "district" || t == "local" || t == "state" || t == "national";
        if (!ownUnit && !orgs.cell(r, parent).empty()) {
            set.subOrgs[std::string(orgs.cell(r, parent))].push_back(r);
        }
    }
    const RosterTable& users = set.table(FileKind::Users);
    const auto userOrgs = users.column(col::kUserOrgs);
    for (std::uint32_t r = 0; r < users.rows(); ++r) {
        bool any = false;
        eachId(users.cell(r, userOrgs), [&](std::string_view id) {
            RowList& rows = set.usersByOrg[std::string(id)];
            if (rows.empty() || rows.back() != r) {  // "o1,o1"
                rows.push_back(r);
            }
            any = true;
        });
        if (!any) {
            set.usersByOrg[""].push_back(r);  // a delta's bare "tobedeleted" row: any school's
        }
    }
    const RosterTable& classes = set.table(FileKind::Classes);
    const auto school = classes.column(col::kClassSchool);
    for (std::uint32_t r = 0; r < classes.rows(); ++r) {
        set.classesBySchool[std::string(classes.cell(r, school))].push_back(r);
    }
    const RosterTable& enrollments = set.table(FileKind::Enrollments);
    const auto cls = enrollments.column(col::kClassSourcedId);
    std::unordered_set<std::string_view> classIds;
    const auto classId = classes.column(col::kSourcedId);
    for (std::uint32_t r = 0; r < classes.rows(); ++r) {
        classIds.insert(classes.cell(r, classId));
    }
    const auto enrollmentSchool = enrollments.column(col::kClassSchool);
    for (std::uint32_t r = 0; r < enrollments.rows(); ++r) {
        std::string_view c = enrollments.cell(r, cls);
        set.enrollmentsByClass[std::string(c)].push_back(r);
        if (!classIds.contains(c)) {
            set.orphansBySchool[std::string(enrollments.cell(r, enrollmentSchool))].push_back(r);
        }
    }
}

}  // namespace

std::string identifierDigits(std::string_view identifier) {
    std::string out;
    for (char c : core::trim(identifier)) {
        if (c >= '0' && c <= '9') {
            out += c;
        } else if (c != ' ' && c != '-' && c != '/') {
            return std::string(identifier);
        }
    }
    return out;
}

RosterSet buildRosterSet(RawSet raw) {
    RosterSet set;
    std::optional<Manifest> manifest;
    if (const auto& m = raw.files[kManifest]) {
        manifest = parseManifest(m->bytes, m->name, m->where);
        set.hasManifest = true;
        set.files.push_back({m->name, sha256Hex(m->bytes), 0});
        for (const auto& note : manifest->notes) {
            set.warnings.push_back({"manifest_spelling", m->name + ": read " + quotedValue(note) +
                                                             " although the standard spells it "
                                                             "otherwise"});
        }
    } else {
        set.warnings.push_back(
            {"no_manifest", "the set has no manifest.csv: every file in it is read as bulk"});
    }
    for (FileKind k : kFileKinds) {
        auto& file = raw.files[slot(k)];
        const std::string name(fileName(k));
        Mode mode = file ? Mode::Bulk : Mode::Absent;
        if (manifest) {
            if (auto said = (*manifest)[k]) {
                mode = *said;
            } else if (file) {
                set.warnings.push_back({"manifest_spelling", "manifest.csv has no file." +
                                                                 name.substr(0, name.size() - 4) +
                                                                 " line: " + file->name +
                                                                 " is read as bulk"});
            }
        }
        if (mode != Mode::Absent && !file) {
            throw core::ConnectorError("the manifest lists " + name + " as " +
                                           std::string(toString(mode)) + " but the set has no " +
                                           name,
                                       name);
        }
        set.modes[static_cast<std::size_t>(k)] = mode;
        if (file) {
            set.files.push_back({file->name, sha256Hex(file->bytes), 0});
        }
        if (mode == Mode::Absent) {
            if (file) {
                set.warnings.push_back({"manifest_absent", file->name +
                                                               " is ignored: the manifest says "
                                                               "the set has none"});
            }
            continue;
        }
        std::span<const std::string_view> keep;
        if (k == FileKind::Enrollments) {
            keep = col::kEnrollmentKeep;
        }
        RosterTable& t = set.tables[static_cast<std::size_t>(k)];
        t = RosterTable::parse(file->bytes, file->name, file->where, keep);
        for (const auto& req : kRequired) {
            if (req.kind == k) {
                requireColumn(t, req.names, file->where);
            }
        }
        if (k == FileKind::Classes && !t.column(col::kClassCode) && !t.column(col::kTitle)) {
            requireColumn(t, col::kClassCode, file->where);
        }
        if (k == FileKind::Enrollments) {
            requireColumn(t, col::kClassSourcedId, file->where);
            requireColumn(t, col::kUserSourcedId, file->where);
        }
        file->bytes = std::string();  // the table holds what is needed
    }
    if (raw.newest != std::filesystem::file_time_type::min()) {
        set.extractedAt = isoUtc(raw.newest);
    }
    index(set);
    return set;
}

}  // namespace misync::connectors::oneroster
