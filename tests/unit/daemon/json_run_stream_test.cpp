// `misync run --json` (SPEC §8, issue 8): the {"runs": [RUN, …]} document is written a run at a
// time as batches commit, byte for byte what serializing the whole array at once gave, and a
// run whose batch has not committed yet is never on stdout.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "daemon/output.h"

using misync::daemon::JsonRunStream;
using misync::storage::RunRecord;

namespace {

RunRecord runOf(const std::string& school, std::int64_t id) {
    RunRecord r;
    r.school = school;
    r.id = id;
    r.outcome = "applied";
    return r;
}

std::string whole(const std::vector<RunRecord>& runs) {
    boost::json::array a;
    for (const auto& r : runs) {
        a.push_back(misync::storage::runToJson(r));
    }
    return boost::json::serialize(boost::json::object{{"runs", std::move(a)}}) + "\n";
}

TEST(JsonRunStream, WritesWhatTheWholeDocumentWouldBe) {
    std::vector<RunRecord> runs{runOf("6610001", 1), runOf("6610002", 2), runOf("6610003", 3)};
    std::ostringstream out;
    JsonRunStream s(out, true);
    s.add(runs[0], false);
    s.add(runs[1], true);
    s.add(runs[2], false);
    s.finish();
    EXPECT_EQ(out.str(), whole(runs));
}

TEST(JsonRunStream, HoldsBackRunsUntilTheirBatchCommits) {
    std::ostringstream out;
    JsonRunStream s(out, true);
    s.add(runOf("6610001", 1), true);
    s.add(runOf("6610002", 2), true);
    EXPECT_EQ(out.str(), "");
    s.add(runOf("6610003", 3), false);  // the batch of all three committed with this run
    const std::string after = out.str();
    EXPECT_NE(after.find("6610001"), std::string::npos);
    EXPECT_NE(after.find("6610003"), std::string::npos);
    s.add(runOf("6610004", 4), true);
    EXPECT_EQ(out.str(), after);  // still in an open batch
    s.finish();
    EXPECT_NE(out.str().find("6610004"), std::string::npos);
    EXPECT_NO_THROW(boost::json::parse(out.str()));
}

TEST(JsonRunStream, NoRunsIsAnEmptyArrayAndDisabledWritesNothing) {
    std::ostringstream out;
    JsonRunStream s(out, true);
    s.finish();
    EXPECT_EQ(out.str(), whole({}));
    std::ostringstream quiet;
    JsonRunStream off(quiet, false);
    off.add(runOf("6610001", 1), false);
    off.finish();
    EXPECT_EQ(quiet.str(), "");
}

}  // namespace
