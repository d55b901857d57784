// What a run records (S1) and its JSON shape (SPEC §8 RUN object). P4: nothing here ever holds a
// password; actions carry usernames and field changes of MIS attributes only.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "reconcile/plan.h"

namespace misync::storage {

struct RunRecord {
    std::int64_t id = 0;
    std::string school;
    std::string trigger = "manual";  // schedule, file, manual, api
    std::string connector;
    std::string asOf;
    std::string startedAt;
    std::string finishedAt;
    // applied, no_change, planned, held, failed (S2); running while in flight, interrupted when
    // its process died (RunMarkers).
    std::string outcome;
    std::string extractedAt;
    std::string planDigest;
    // S3: the held run whose approval let this run apply (its plan digest was the same).
    std::optional<std::int64_t> approvedRun;
    // S3: the approval this run spent, used or not (the next run of a school that plans spends
    // the school's pending approval). Written with the run; not part of its JSON.
    std::optional<std::int64_t> spendsApproval;
    // RunMarkers: the `running` row announced ahead of a batch that this record finishes, in the
    // record's transaction: the record takes that row's id, unless a run of the school committed
    // after it was announced; then the row is removed and the record gets a new id, so that a
    // school's ids keep the order in which its runs committed (S1 history). Not part of its JSON.
    std::int64_t replacesRun = 0;
    std::vector<core::SourceFile> files;
    reconcile::Counts counts;
    std::vector<reconcile::Action> actions;
    std::vector<core::Warning> warnings;
    std::vector<core::RecordError> errors;
};

boost::json::object actionToJson(const reconcile::Action& a);
reconcile::Action actionFromJson(const boost::json::object& o);
boost::json::object countsToJson(const reconcile::Counts& c);
reconcile::Counts countsFromJson(const boost::json::value& v);
boost::json::array filesToJson(const std::vector<core::SourceFile>& files);
std::vector<core::SourceFile> filesFromJson(const boost::json::value& v);
boost::json::array warningsToJson(const std::vector<core::Warning>& w);
std::vector<core::Warning> warningsFromJson(const boost::json::value& v);
boost::json::array errorsToJson(const std::vector<core::RecordError>& e);
std::vector<core::RecordError> errorsFromJson(const boost::json::value& v);

// The RUN object of SPEC §8; `withActions` false gives the summary the status API lists.
boost::json::object runToJson(const RunRecord& r, bool withActions = true);

}  // namespace misync::storage
