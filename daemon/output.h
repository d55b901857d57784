// Human-readable output of the CLI (stdout); --json output lives with each command.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "reconcile/plan.h"
#include "storage/directory.h"
#include "storage/run_record.h"
#include "storage/school_status.h"

namespace misync::daemon {

// A readable summary of one run; lists at most `maxActions` actions (then points to show-run).
void printRunSummary(std::ostream& out, const storage::RunRecord& r, const std::string& name,
                     std::size_t maxActions = 20);
void printHistory(std::ostream& out, const std::string& school,
                  const std::vector<storage::RunRecord>& runs);

// The human output of `run` and `plan`, one run at a time: every school's summary while they fit
// a screen (at most kScreenful schools) or with --verbose; beyond that only the schools that
// failed, were held or warned. finish() always ends with one line of totals over all schools.
class RunReport {
  public:
    static constexpr std::size_t kScreenful = 20;
    RunReport(std::size_t schools, bool verbose);
    // Prints the summary of `r` when it is to be listed, and adds it to the totals.
    void add(std::ostream& out, const storage::RunRecord& r, const std::string& name);
    // A note on the schools left out (if any), then the totals line.
    void finish(std::ostream& out) const;
    // "25 schools: 24 applied, 1 failed; 3 created, 0 updated, …; 1 rejected record, 0 warnings"
    std::string totals() const;

  private:
    bool listAll_;
    std::size_t runs_ = 0;
    std::size_t unlisted_ = 0;
    std::map<std::string, std::size_t> outcomes_;
    reconcile::Counts counts_;
    std::uint64_t warnings_ = 0;
};

// `run --json`: {"runs": [RUN, …]} written a run at a time. A run is held back while its batch
// has not committed (`pending`), and written with those before it once one has.
class JsonRunStream {
  public:
    JsonRunStream(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
    void add(const storage::RunRecord& r, bool pending);
    void finish();  // writes what is held back and closes the object

  private:
    void write();
    std::ostream& out_;
    bool enabled_;
    bool opened_ = false;
    std::size_t written_ = 0;
    std::vector<std::string> held_;
};

// One school of `misync status`: the store's row, its configured name and its flags.
struct SchoolStatusLine {
    storage::SchoolStatusRow row;
    std::string name;
    storage::StatusFlags flags;
};
// One line per school (DfES, name, last run, flags), then a line of totals.
void printStatus(std::ostream& out, const std::vector<SchoolStatusLine>& schools);

// One change log row on one line: seq, time, school, kind, who or what, and the new values.
void printChange(std::ostream& out, const storage::ChangeRow& row);

// RFC 4180 quoting for one CSV field.
std::string csvField(const std::string& s);

}  // namespace misync::daemon
