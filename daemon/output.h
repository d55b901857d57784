// Human-readable output of the CLI (stdout); --json output lives with each command.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "storage/directory.h"
#include "storage/run_record.h"

namespace misync::daemon {

// A readable summary of one run; lists at most `maxActions` actions (then points to show-run).
void printRunSummary(std::ostream& out, const storage::RunRecord& r, const std::string& name,
                     std::size_t maxActions = 20);
void printHistory(std::ostream& out, const std::string& school,
                  const std::vector<storage::RunRecord>& runs);

// One change log row on one line: seq, time, school, kind, who or what, and the new values.
void printChange(std::ostream& out, const storage::ChangeRow& row);

// RFC 4180 quoting for one CSV field.
std::string csvField(const std::string& s);

}  // namespace misync::daemon
