// Turning one MIS record's canonical field values into a Person, Group or Membership of the
// snapshot, with the checks every connector applies alike (SPEC §6, R15): required id and names,
// UPN check letter, dates, year groups, enrolment status, group and member types, duplicates,
// memberships of unknown or rejected persons. A connector reads its format into FieldValues
// and hands each record here; the assembler remembers what it has seen across the school's files.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "connectors/fields.h"
#include "core/date.h"
#include "core/model.h"

namespace misync::connectors {

// The trimmed text of each canonical field of one record ("" when absent). Views into the
// connector's buffer: only accepted values are copied out.
struct FieldValues {
    std::array<std::string_view, kFieldCount> text{};
    std::string_view operator[](Field f) const { return text[static_cast<std::size_t>(f)]; }
    void set(Field f, std::string_view value) { text[static_cast<std::size_t>(f)] = value; }
};

// A value quoted for a message: at most 80 bytes, made valid UTF-8, so that a hostile value can
// neither flood a run record nor break it.
std::string quotedValue(std::string_view value);

class RecordAssembler {
  public:
    // How a format's date values read: core::parseDate (SPEC §6 spellings) unless a connector
    // accepts more (Teacher Centre: a spreadsheet's D/M/YYYY cell with a midnight time of day).
    // A value it refuses is an invalid_date naming the value as written.
    using DateReader = std::optional<core::Date> (*)(std::string_view);
    void setDateReader(DateReader reader) { readDate_ = reader; }
    // What messages call a field: its canonical name ("admission_date") unless the format's own
    // name says more to the people who read them (CTF: "SchoolHistory EntryDate").
    using FieldLabel = std::string_view (*)(Field);
    void setFieldLabels(FieldLabel label) { label_ = label; }
    // For a format whose learners have no MIS id of their own (CTF, SPEC §6.2): a learner is
    // known by its UPN, which becomes its MIS id (canonical form) and Field::MisId is not read.
    // A learner without UPN is missing_id; a repeated UPN is duplicate_upn, never duplicate_id,
    // and a rejected record claims no UPN, so a later record with it may still be accepted.
    // Learners are then not remembered for memberships (such a format has none).
    void identifyLearnersByUpn() { learnersByUpn_ = true; }
    // Where learners and staff come from, for unknown_member warnings ("… is not in FILE").
    void setPersonFiles(std::string learnersFile, std::string staffFile);
    // Room for `count` more persons of `role` (a national run: no rehash cascade per file).
    void reservePersons(core::Role role, std::size_t count);
    void reserveMemberships(std::size_t count);
    // Forgets the persons of `role` (their ids, and for learners their UPNs), or every group and
    // membership: a connector whose file failed half-way, and whose records were therefore not
    // kept, may read that file again from the start.
    void forgetPersons(core::Role role);
    void forgetGroups();

    // A learner or staff record: appended to snapshot.persons, or a RecordError{code, file,
    // record} (missing_id, duplicate_id, missing_name, invalid_upn, duplicate_upn, invalid_date,
    // invalid_year_group, invalid_enrolment_status) that keeps who it was about (R15, not R5).
    void addPerson(core::Role role, const FieldValues& v, std::string_view file,
                   std::uint32_t record, core::Snapshot& snapshot);
    // A membership record (a group without members when member_id is empty): the group is
    // defined by its first usable record; errors missing_group, invalid_group_type,
    // invalid_year_group, invalid_member_type; a Warning unknown_member for a member whose
    // person record is missing (one whose record was rejected is skipped without one).
    void addMembership(const FieldValues& v, std::string_view file, std::uint32_t record,
                       core::Snapshot& snapshot);

  private:
    DateReader readDate_ = &core::parseDate;
    FieldLabel label_ = &canonicalName;
    bool learnersByUpn_ = false;
    // Looked up by the string_views of a parsed record, without a string of their own.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    template <typename V>
    using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;
    using TextSet = std::unordered_set<std::string, TextHash, std::equal_to<>>;
    // Per role, every MIS id seen → whether its record was accepted.
    TextMap<bool> learnerIds_;
    TextMap<bool> staffIds_;
    std::unordered_set<std::string> learnerUpns_;
    std::string learnersFile_ = "the learners";
    std::string staffFile_ = "the staff";
    TextSet groupCodes_;
    // The group of the last membership record: a report lists a group's members together, so
    // most records name the group of the one before (issue 8). Cleared with groupCodes_.
    const std::string* lastGroup_ = nullptr;
    // A membership seen: its group's code in groupCodes_ and its member's id in learnerIds_ or
    // staffIds_, as pointers (the containers' elements do not move), so that telling a repeat
    // costs no string of its own (issue 8). Cleared whenever those are.
    struct MembershipKey {
        const std::string* group;
        const std::string* member;
        bool operator==(const MembershipKey& o) const {
            return group == o.group && member == o.member;
        }
    };
    struct MembershipKeyHash {
        std::size_t operator()(const MembershipKey& k) const {
            return std::hash<const void*>{}(k.group) * 31 + std::hash<const void*>{}(k.member);
        }
    };
    std::unordered_set<MembershipKey, MembershipKeyHash> membershipKeys_;
};

}  // namespace misync::connectors
