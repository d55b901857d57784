// One school's snapshot from a parsed OneRoster set (SPEC §6.3): the school's org (and the
// departments under it), its users as learners and staff, its classes as registration groups
// and classes, and their enrollments as memberships, with what the set's manifest says about
// each file turned into the snapshot's completeness and coverage.
#pragma once

#include "connectors/connector.h"
#include "connectors/oneroster/roster_set.h"
#include "core/model.h"

namespace misync::connectors::oneroster {

// Throws core::ConnectorError when the set holds no org for the school (S5), two orgs claim it,
// or a column named by the school's `fields` is missing; core::ConfigError for a `fields` key
// that is not a canonical field.
core::Snapshot schoolSnapshot(const RosterSet& set, const SchoolSource& school);

// SPEC §6.3 `grades` → the year group text misync normalises: PK → N2, KG → R, 01…13 as they
// are; "" for the CEDS grades that are no year group (IT, PR, PS, TK, UG, Other …); anything
// else as it is (then rejected as invalid_year_group). Of several grades the first counts.
std::string_view gradeYear(std::string_view grades);

}  // namespace misync::connectors::oneroster
