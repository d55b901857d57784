// A OneRoster 1.1 CSV set parsed once (SPEC §6.3): its manifest, the four tables misync reads and
// indexes from org to users and classes and from class to enrollments, so that each of the
// schools configured on one set finds its rows without scanning the others'. Immutable once
// built: the schools of a run (and the daemon's workers) share one.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "connectors/oneroster/manifest.h"
#include "connectors/oneroster/roster_source.h"
#include "connectors/oneroster/roster_table.h"
#include "core/model.h"

namespace misync::connectors::oneroster {

using RowList = std::vector<std::uint32_t>;

struct RosterSet {
    // Per FileKind: how the set sends the file (the manifest's word, or bulk for a present file
    // of a set without a manifest) and, unless absent, its table.
    std::array<Mode, 4> modes{Mode::Absent, Mode::Absent, Mode::Absent, Mode::Absent};
    std::array<RosterTable, 4> tables;
    bool hasManifest = false;
    std::vector<core::SourceFile> files;  // what was read, with sha256 (records: 0)
    std::string extractedAt;              // S6: the newest file time
    std::vector<core::Warning> warnings;  // about the set as a whole (manifest)

    std::unordered_map<std::string, std::uint32_t> orgById;  // orgs.csv sourcedId → row
    // Orgs of type school (every org when orgs.csv has no type) by the DfES number their
    // identifier spells (identifierDigits), every org by its identifier as written, and the
    // orgs that are no school of their own (departments) by their parentSourcedId.
    std::unordered_map<std::string, RowList> schoolsByNumber;
    std::unordered_map<std::string, RowList> orgsByIdentifier;
    std::unordered_map<std::string, RowList> subOrgs;
    std::unordered_map<std::string, RowList> usersByOrg;          // each of orgSourcedIds → rows
    std::unordered_map<std::string, RowList> classesBySchool;     // schoolSourcedId → rows
    std::unordered_map<std::string, RowList> enrollmentsByClass;  // classSourcedId → rows
    // Enrollments whose class classes.csv does not have (a delta's unchanged class), by their
    // schoolSourcedId, so that each school can say how many it could not use.
    std::unordered_map<std::string, RowList> orphansBySchool;

    Mode mode(FileKind k) const { return modes[static_cast<std::size_t>(k)]; }
    const RosterTable& table(FileKind k) const { return tables[static_cast<std::size_t>(k)]; }
};

// Parses and indexes a set read by readRawSet(). Throws core::ConnectorError naming the file
// when the manifest cannot be used, a file the manifest lists as bulk or delta is missing, a
// file is not CSV, or a table lacks a column that every school's run needs (the message names
// the column and what the header has).
RosterSet buildRosterSet(RawSet raw);

// A DfES number as an org's identifier may write it: "6612345", "661 2345", "661/2345",
// "661-2345" all give "6612345"; an identifier with other characters is returned as it is.
std::string identifierDigits(std::string_view identifier);

}  // namespace misync::connectors::oneroster
