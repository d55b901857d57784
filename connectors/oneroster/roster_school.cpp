#include "connectors/oneroster/roster_school.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "connectors/oneroster/roster_columns.h"
#include "connectors/records.h"
#include "core/date.h"
#include "core/errors.h"
#include "core/text.h"
#include "core/upn.h"
#include "core/year_group.h"

namespace misync::connectors::oneroster {

namespace {

using Cell = std::optional<std::size_t>;

std::string lowered(std::string_view s) {
    return core::normalizeFieldName(core::trim(s));
}

// The first of comma-separated values ("Ma,En" → "Ma").
std::string_view firstOf(std::string_view list) {
    return core::trim(list.substr(0, list.find(',')));
}

// SPEC §6.3 roles: student → learner; teacher, administrator, aide → staff; others ignored.
std::optional<core::Role> roleOf(std::string_view role) {
    const std::string r = lowered(role);
    if (r == "student") {
        return core::Role::Learner;
    }
    if (r == "teacher" || r == "administrator" || r == "aide") {
        return core::Role::Staff;
    }
    return std::nullopt;
}

// A warning that many rows of a big set may share: counted, with a few examples, said once.
class Tally {
  public:
    Tally(std::string code, std::string what) : code_(std::move(code)), what_(std::move(what)) {}
    void add(std::string_view example) {
        if (++count_ <= 3) {
            examples_.push_back(quotedValue(example));
        }
    }
    void emit(core::Snapshot& snap) const {
        if (count_ == 0) {
            return;
        }
        std::string eg;
        for (const auto& e : examples_) {
            eg += (eg.empty() ? " (e.g. " : ", ") + e;
        }
        snap.warnings.push_back({code_, std::to_string(count_) + " " + what_ + eg + ")"});
    }

  private:
    std::string code_;
    std::string what_;
    std::size_t count_ = 0;
    std::vector<std::string> examples_;
};

// The school's own `fields` (canonical name → column), checked once.
std::map<Field, std::string> renamedFields(const SchoolSource& school) {
    std::map<Field, std::string> out;
    for (const auto& [canonical, column] : school.fields) {
        auto field = parseCanonicalField(canonical);
        if (!field) {
            throw core::ConfigError("fields: '" + canonical +
                                    "' is not a oneroster field (known: " + canonicalNames() + ")");
        }
        if (core::normalizeFieldName(core::trim(column)).empty()) {
            throw core::ConfigError("fields: '" + canonical + "' maps to an empty column name");
        }
        out[*field] = column;
    }
    return out;
}

class SchoolReader {
  public:
    SchoolReader(const RosterSet& set, const SchoolSource& school)
        : set_(set), school_(school), renamed_(renamedFields(school)) {}

    core::Snapshot read();

  private:
    struct ClassInfo {
        std::string code;
        bool homeroom = false;
    };
    enum class PersonState : std::uint8_t { Accepted, Rejected, Departed };

    const RosterSet& set_;
    const SchoolSource& school_;
    std::map<Field, std::string> renamed_;
    core::Snapshot snap_;
    std::unordered_set<std::string> orgs_;  // the school's org and the departments under it
    std::vector<std::uint32_t> classRows_;
    std::unordered_map<std::string, ClassInfo> classes_;     // the school's, by sourcedId
    std::unordered_map<std::string, std::string> regGroup_;  // learner sourcedId → homeroom
    std::unordered_map<std::string, std::pair<core::Role, PersonState>> persons_;
    std::optional<core::Date> extractDate_;  // an enrollment that ended before it is over

    void resolveOrgs();
    Cell fieldColumn(const RosterTable& t, Field f, std::span<const std::string_view> defaults);
    RowList rowsOf(const std::unordered_map<std::string, RowList>& index) const;
    void classesOf();
    void homerooms();
    void users();
    void enrollments();
    bool ended(const RosterTable& t, std::size_t row, Cell status, Cell end) const;
    void countRecords(const std::string& file, std::size_t records);
};

void SchoolReader::countRecords(const std::string& file, std::size_t records) {
    for (auto& f : snap_.files) {
        if (f.name == file) {
            f.records = records;
        }
    }
}

void SchoolReader::resolveOrgs() {
    const RosterTable& orgs = set_.table(FileKind::Orgs);
    const std::string& wanted = school_.org;
    if (set_.mode(FileKind::Orgs) == Mode::Absent) {
        if (wanted.empty()) {
            throw core::ConnectorError(
                "the set has no orgs.csv, so school " + school_.dfes +
                    " cannot be found by its DfES number: name its org in the school's "
                    "configuration with org = \"<the org's sourcedId>\"",
                "orgs.csv");
        }
        orgs_.insert(wanted);
        return;
    }
    const Cell id = orgs.column(col::kSourcedId);
    auto rowsAt = [](const std::unordered_map<std::string, RowList>& index,
                     const std::string& key) {
        auto it = index.find(key);
        return it == index.end() ? RowList{} : it->second;
    };
    RowList found;
    if (!wanted.empty()) {
        if (auto it = set_.orgById.find(wanted); it != set_.orgById.end()) {
            found.push_back(it->second);  // by sourcedId
        } else {
            found = rowsAt(set_.orgsByIdentifier, wanted);  // by identifier, of any type
        }
    } else {
        found = rowsAt(set_.schoolsByNumber, school_.dfes);
    }
    // S5: the set holds no org for the configured school.
    if (found.empty()) {
        throw core::ConnectorError(
            orgs.name() + ": S5: " +
                (wanted.empty()
                     ? "no org of type school has identifier " + school_.dfes +
                           " (if the school's org carries another identifier, name it with "
                           "org = \"…\" in the school's configuration)"
                     : "no org has sourcedId or identifier " + quotedValue(wanted) +
                           " (the school's org setting)"),
            orgs.name());
    }
    if (found.size() > 1) {
        throw core::ConnectorError(orgs.name() + ": orgs " + quotedValue(orgs.cell(found[0], id)) +
                                       " and " + quotedValue(orgs.cell(found[1], id)) +
                                       " both have identifier " +
                                       quotedValue(wanted.empty() ? school_.dfes : wanted) +
                                       ": name the school's with org = \"<sourcedId>\"",
                                   orgs.name());
    }
    const std::string root(orgs.cell(found[0], id));
    orgs_.insert(root);
    // Departments and other orgs below the school (not schools of their own) are part of it.
    std::vector<std::string> queue{root};
    while (!queue.empty()) {
        const std::string parent = std::move(queue.back());
        queue.pop_back();
        for (std::uint32_t r : rowsAt(set_.subOrgs, parent)) {
            std::string self(orgs.cell(r, id));
            if (orgs_.insert(self).second) {
                queue.push_back(std::move(self));
            }
        }
    }
}

Cell SchoolReader::fieldColumn(const RosterTable& t, Field f,
                               std::span<const std::string_view> defaults) {
    if (auto it = renamed_.find(f); it != renamed_.end()) {
        Cell c = t.column(it->second);
        if (!c) {
            throw core::ConnectorError(t.name() + ": no column " + quotedValue(it->second) +
                                           " (the school's fields." +
                                           std::string(canonicalName(f)) +
                                           "); the header has: " + csv::describeHeader(t.header()),
                                       t.name());
        }
        return c;
    }
    return defaults.empty() ? std::nullopt : t.column(defaults);
}

RowList SchoolReader::rowsOf(const std::unordered_map<std::string, RowList>& index) const {
    RowList rows;
    for (const auto& org : orgs_) {
        if (auto it = index.find(org); it != index.end()) {
            rows.insert(rows.end(), it->second.begin(), it->second.end());
        }
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
}

bool SchoolReader::ended(const RosterTable& t, std::size_t row, Cell status, Cell end) const {
    if (lowered(t.cell(row, status)) == "tobedeleted") {
        return true;
    }
    std::string_view e = t.cell(row, end);
    if (e.empty() || !extractDate_) {
        return false;
    }
    auto date = core::parseDate(e);
    return date && *date < *extractDate_;
}

void SchoolReader::classesOf() {
    if (set_.mode(FileKind::Classes) == Mode::Absent) {
        return;
    }
    const RosterTable& t = set_.table(FileKind::Classes);
    const Cell id = t.column(col::kSourcedId);
    const Cell status = t.column(col::kStatus);
    const Cell type = t.column(col::kClassType);
    const Cell code = fieldColumn(t, Field::GroupCode, col::kClassCode);
    const Cell title = t.column(col::kTitle);
    const Cell subject = fieldColumn(t, Field::Subject, col::kSubjectCodes);
    const Cell grades = fieldColumn(t, Field::YearGroup, col::kGrades);
    const bool delta = set_.mode(FileKind::Classes) == Mode::Delta;
    Tally otherTypes("unknown_class_type",
                     "classes of a classType other than homeroom or "
                     "scheduled are ignored");
    Tally sameCode("duplicate_class_code",
                   "classes share their classCode with an earlier class and join its group");
    std::unordered_set<std::string> codes;
    classRows_ = rowsOf(set_.classesBySchool);
    countRecords(t.name(), classRows_.size());
    for (std::uint32_t r : classRows_) {
        std::string groupCode(t.cell(r, code));
        if (groupCode.empty()) {
            groupCode = t.cell(r, title);
        }
        if (lowered(t.cell(r, status)) == "tobedeleted") {
            if (delta && !groupCode.empty()) {
                snap_.removedGroups.push_back(groupCode);
            }
            continue;
        }
        const std::string kind = lowered(t.cell(r, type));
        if (kind != "homeroom" && kind != "scheduled") {
            otherTypes.add(t.cell(r, type));
            continue;
        }
        if (groupCode.empty()) {
            snap_.rejected.push_back(
                {"missing_group", t.name(), t.number(r),
                 "class " + quotedValue(t.cell(r, id)) + " has no classCode or title"});
            continue;
        }
        classes_[std::string(t.cell(r, id))] = ClassInfo{groupCode, kind == "homeroom"};
        if (!codes.insert(groupCode).second) {
            sameCode.add(groupCode);
            continue;
        }
        auto year = core::normalizeYearGroup(gradeYear(t.cell(r, grades)));
        snap_.groups.push_back(core::Group{
            groupCode, kind == "homeroom" ? core::GroupType::Registration : core::GroupType::Class,
            std::string(firstOf(t.cell(r, subject))), year ? *year : std::string(),
            core::RecordRef{t.name(), t.number(r)}});
    }
    otherTypes.emit(snap_);
    sameCode.emit(snap_);
}

// R3: a learner's registration group is the homeroom class they are enrolled in.
void SchoolReader::homerooms() {
    if (set_.mode(FileKind::Enrollments) == Mode::Absent) {
        return;
    }
    const RosterTable& t = set_.table(FileKind::Enrollments);
    const Cell user = t.column(col::kUserSourcedId);
    const Cell role = t.column(col::kRole);
    const Cell status = t.column(col::kStatus);
    const Cell end = t.column(col::kEndDate);
    for (const auto& [classId, info] : classes_) {
        if (!info.homeroom) {
            continue;
        }
        auto it = set_.enrollmentsByClass.find(classId);
        if (it == set_.enrollmentsByClass.end()) {
            continue;
        }
        for (std::uint32_t r : it->second) {
            if (ended(t, r, status, end) ||
                (role && roleOf(t.cell(r, role)) != core::Role::Learner)) {
                continue;
            }
            auto [slot, fresh] = regGroup_.try_emplace(std::string(t.cell(r, user)), info.code);
            if (!fresh && info.code < slot->second) {
                slot->second = info.code;  // two homerooms: the same one whatever the order
            }
        }
    }
}

void SchoolReader::users() {
    if (set_.mode(FileKind::Users) == Mode::Absent) {
        return;
    }
    const RosterTable& t = set_.table(FileKind::Users);
    const Cell status = t.column(col::kStatus);
    const Cell enabled = t.column(col::kEnabledUser);
    const Cell role = t.column(col::kRole);
    const Cell identifier = t.column(col::kIdentifier);
    std::array<Cell, kFieldCount> columns{};
    auto set = [&](Field f, std::span<const std::string_view> defaults) {
        columns[static_cast<std::size_t>(f)] = fieldColumn(t, f, defaults);
    };
    set(Field::MisId, col::kSourcedId);
    set(Field::LegalForename, col::kGivenName);
    set(Field::LegalSurname, col::kFamilyName);
    set(Field::PreferredForename, col::kPreferredGivenName);
    set(Field::PreferredSurname, col::kPreferredFamilyName);
    set(Field::YearGroup, col::kGrades);
    for (Field f : {Field::AdmissionNumber, Field::StaffCode, Field::NationalId, Field::Title,
                    Field::Dob, Field::Gender, Field::AdmissionDate, Field::LeavingDate,
                    Field::EnrolmentStatus, Field::StaffRole, Field::RegGroup, Field::Upn}) {
        set(f, {});
    }
    const bool ownUpn = renamed_.contains(Field::Upn);
    const bool ownReg = renamed_.contains(Field::RegGroup);
    const bool ownRole = renamed_.contains(Field::StaffRole);
    RecordAssembler assembler;
    assembler.setPersonFiles(t.name(), t.name());
    RowList rows = rowsOf(set_.usersByOrg);
    countRecords(t.name(), rows.size());
    // Rows without orgs: a delta may say no more than "sourcedId,tobedeleted". Such a row can
    // only be about a user whose account has that id (sourcedIds are unique in a set), so every
    // school on the set reads it as a departure; the planner finds the account or nothing.
    if (auto it = set_.usersByOrg.find(""); it != set_.usersByOrg.end()) {
        rows.insert(rows.end(), it->second.begin(), it->second.end());
        std::sort(rows.begin(), rows.end());
    }
    const Cell userOrgs = t.column(col::kUserOrgs);
    auto depart = [&](core::Role who, const std::string& id, std::string_view upn,
                      std::uint32_t r) {
        snap_.departures.push_back(core::Departure{
            who, id, core::isValidUpn(upn) ? core::canonicalUpn(upn) : std::string(),
            core::RecordRef{t.name(), t.number(r)}});
    };
    for (std::uint32_t r : rows) {
        const std::string e = lowered(t.cell(r, enabled));
        const bool gone =
            lowered(t.cell(r, status)) == "tobedeleted" || e == "false" || e == "0" || e == "no";
        if (!gone && t.cell(r, userOrgs).empty()) {
            continue;  // no org: not this school's
        }
        const std::string_view roleText = t.cell(r, role);
        auto who = roleOf(roleText);
        if (!who) {
            const std::string id(t.cell(r, columns[static_cast<std::size_t>(Field::MisId)]));
            if (gone && roleText.empty() && !id.empty() &&
                persons_.try_emplace(id, core::Role::Learner, PersonState::Departed).second) {
                // A bare tobedeleted row: whoever has the id, learner or staff, has left.
                const std::string_view upn = t.cell(r, identifier);
                depart(core::Role::Learner, id, core::hasUpnShape(upn) ? upn : "", r);
                depart(core::Role::Staff, id, "", r);
            }
            continue;  // parents, guardians, proctors … (SPEC §6.3)
        }
        const bool learner = *who == core::Role::Learner;
        FieldValues v;
        for (std::size_t f = 0; f < kFieldCount; ++f) {
            v.text[f] = t.cell(r, columns[f]);
        }
        // A learner's identifier is the UPN when it has a UPN's shape (SPEC §6.3).
        if (!ownUpn) {
            std::string_view id = t.cell(r, identifier);
            v.set(Field::Upn, learner && core::hasUpnShape(id) ? id : std::string_view{});
        } else if (!learner) {
            v.set(Field::Upn, {});
        }
        if (!ownRole && !learner) {
            v.set(Field::StaffRole, roleText);
        }
        v.set(Field::YearGroup, gradeYear(v[Field::YearGroup]));
        if (learner && !ownReg) {
            auto it = regGroup_.find(std::string(v[Field::MisId]));
            v.set(Field::RegGroup,
                  it == regGroup_.end() ? std::string_view{} : std::string_view(it->second));
        }
        const std::string id(v[Field::MisId]);
        if (gone) {
            // R5: no longer on roll (a delta's tobedeleted, or a disabled user).
            if (!id.empty() && persons_.try_emplace(id, *who, PersonState::Departed).second) {
                depart(*who, id, v[Field::Upn], r);
            }
            continue;
        }
        const std::size_t before = snap_.persons.size();
        assembler.addPerson(*who, v, t.name(), t.number(r), snap_);
        if (!id.empty()) {
            persons_.try_emplace(
                id, *who,
                snap_.persons.size() > before ? PersonState::Accepted : PersonState::Rejected);
        }
    }
}

void SchoolReader::enrollments() {
    if (set_.mode(FileKind::Enrollments) == Mode::Absent) {
        return;
    }
    const RosterTable& t = set_.table(FileKind::Enrollments);
    const Cell cls = t.column(col::kClassSourcedId);
    const Cell user = t.column(col::kUserSourcedId);
    const Cell role = t.column(col::kRole);
    const Cell status = t.column(col::kStatus);
    const Cell end = t.column(col::kEndDate);
    const bool delta = set_.mode(FileKind::Enrollments) == Mode::Delta;
    const bool allUsers = set_.mode(FileKind::Users) == Mode::Bulk;
    Tally unknown("unknown_member", "enrollments name users that " +
                                        set_.table(FileKind::Users).name() +
                                        " does not list at this school; they are ignored");
    Tally noClass("unknown_class", "enrollments name classes that " +
                                       set_.table(FileKind::Classes).name() +
                                       " does not have; they are ignored");
    RowList rows;
    for (const auto& [classId, info] : classes_) {
        if (auto it = set_.enrollmentsByClass.find(classId); it != set_.enrollmentsByClass.end()) {
            rows.insert(rows.end(), it->second.begin(), it->second.end());
        }
    }
    std::sort(rows.begin(), rows.end());
    for (std::uint32_t r : rowsOf(set_.orphansBySchool)) {
        noClass.add(t.cell(r, cls));
    }
    countRecords(t.name(), rows.size());
    std::unordered_set<std::string> seen;
    for (std::uint32_t r : rows) {
        const ClassInfo& info = classes_.at(std::string(t.cell(r, cls)));
        const std::string id(t.cell(r, user));
        auto person = persons_.find(id);
        std::optional<core::Role> who;
        if (role && !t.cell(r, role).empty()) {
            who = roleOf(t.cell(r, role));
        } else if (person != persons_.end()) {
            who = person->second.first;
        }
        if (!who || id.empty()) {
            continue;
        }
        core::Membership m{info.code, id, *who, core::RecordRef{t.name(), t.number(r)}};
        if (ended(t, r, status, end)) {
            if (delta) {
                snap_.removedMemberships.push_back(std::move(m));
            }
            continue;
        }
        if (person == persons_.end()) {
            if (allUsers) {
                unknown.add(id);
                continue;
            }
            // A delta's user that did not change: the account is the directory's to find.
        } else if (person->second.second != PersonState::Accepted) {
            continue;  // rejected (reported there) or no longer on roll
        }
        std::string key = info.code + '\0' + (*who == core::Role::Learner ? 'L' : 'S') + id;
        if (seen.insert(std::move(key)).second) {
            snap_.memberships.push_back(std::move(m));
        }
    }
    unknown.emit(snap_);
    noClass.emit(snap_);
}

core::Snapshot SchoolReader::read() {
    resolveOrgs();
    extractDate_ = core::parseDate(set_.extractedAt.substr(0, 10));
    snap_.extractedAt = set_.extractedAt;
    snap_.warnings = set_.warnings;
    const Mode roll = set_.mode(FileKind::Users);
    // SPEC §6: OneRoster bulk files are a complete roll, delta files partial; a set without
    // users.csv says nothing about who is on roll.
    snap_.complete = roll == Mode::Absent ? false : school_.complete.value_or(roll == Mode::Bulk);
    auto coverage = [](Mode m) {
        return m == Mode::Bulk    ? core::Coverage::Roll
               : m == Mode::Delta ? core::Coverage::Changes
                                  : core::Coverage::None;
    };
    snap_.groupCoverage = coverage(set_.mode(FileKind::Classes));
    snap_.membershipCoverage = set_.mode(FileKind::Classes) == Mode::Absent
                                   ? core::Coverage::None
                                   : coverage(set_.mode(FileKind::Enrollments));
    // The files the snapshot came from, with their digests; countRecords() adds this school's
    // record counts.
    snap_.files = set_.files;
    classesOf();
    homerooms();
    users();
    enrollments();
    return std::move(snap_);
}

}  // namespace

std::string_view gradeYear(std::string_view grades) {
    std::string_view g = firstOf(grades);
    const std::string l = lowered(g);
    if (l == "pk") {
        return "N2";
    }
    if (l == "kg") {
        return "R";
    }
    for (std::string_view none : {"it", "pr", "ps", "tk", "ug", "other", "postgraduate", "13+"}) {
        if (l == none) {
            return {};
        }
    }
    return g;
}

core::Snapshot schoolSnapshot(const RosterSet& set, const SchoolSource& school) {
    return SchoolReader(set, school).read();
}

}  // namespace misync::connectors::oneroster
