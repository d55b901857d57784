// The per-thread cache of run pages (status/run_cache.h): a page is served again only while the
// directory's dataVersion() is unchanged, so a commit by anyone (here: another connection, as a
// run or the server's writer thread would) is seen by the next request.
#include <gmock/gmock.h>

#include "status/run_cache.h"
#include "status_fixture.h"

using namespace misync;
using namespace misync::statustest;
using ::testing::HasSubstr;

namespace {

TEST(RunPageCache, PagesAreKeptPerVersionAndBounded) {
    status::RunPageCache cache(100);
    EXPECT_EQ(cache.find(1, kA, 20, 0), nullptr);
    cache.store(1, kA, 20, 0, std::string(40, 'a'));
    cache.store(1, kA, 5, 0, std::string(40, 'b'));
    cache.store(1, kB, 20, 7, std::string(10, 'c'));
    ASSERT_NE(cache.find(1, kA, 20, 0), nullptr);
    EXPECT_EQ(*cache.find(1, kA, 20, 0), std::string(40, 'a'));
    EXPECT_EQ(*cache.find(1, kA, 5, 0), std::string(40, 'b'));
    EXPECT_EQ(*cache.find(1, kB, 20, 7), std::string(10, 'c'));
    EXPECT_EQ(cache.find(1, kB, 20, 0), nullptr) << "another page";
    // Full: it starts again with the newcomer.
    cache.store(1, kC, 20, 0, std::string(30, 'd'));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find(1, kA, 20, 0), nullptr);
    EXPECT_NE(cache.find(1, kC, 20, 0), nullptr);
    cache.store(1, kA, 20, 0, std::string(101, 'e'));  // larger than the whole cache
    EXPECT_EQ(cache.find(1, kA, 20, 0), nullptr);
    // Another version: nothing of the old one is served.
    EXPECT_EQ(cache.find(2, kC, 20, 0), nullptr);
    EXPECT_EQ(cache.size(), 0u);
}

TEST_F(RoutesTest, ACachedPageIsServedUntilTheDirectoryChanges) {
    // The server's readers never write; what changes the directory is another connection.
    auto writer = storage::Directory::open({"sqlite", (dir_ / "directory.db").string(), ""});
    DirectoryFiller fill(*writer);
    const std::int64_t first = fill.run(kA, "applied", 1);
    status::RunPageCache cache(1 << 20);
    const std::string target = std::string("/api/v1/schools/") + kA + "/runs";
    auto get = [&](const std::string& t) {
        status::Env env{*store_, daemon_, metrics_, "v", now_, false, &cache};
        return router_.handle(status::Request::make("GET", t, std::string("Bearer ") + kAdminToken),
                              tokens_, env);
    };
    const auto one = get(target);
    ASSERT_EQ(one.status, 200u);
    EXPECT_THAT(one.body, HasSubstr("\"run_id\":" + std::to_string(first)));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(get(target).body, one.body);
    EXPECT_EQ(get(target + "?limit=1").body, one.body) << "one run either way";
    EXPECT_EQ(cache.size(), 2u);

    const std::int64_t second = fill.run(kA, "failed", 2);
    const auto two = get(target);
    EXPECT_THAT(two.body, HasSubstr("\"run_id\":" + std::to_string(second)));
    EXPECT_EQ(cache.size(), 1u) << "the old pages are gone";
    // A 404 is not a page.
    EXPECT_EQ(get(std::string("/api/v1/schools/") + kNowhere + "/runs").status, 404u);
    EXPECT_EQ(cache.size(), 1u);
    // An approval through another connection is a change too.
    ASSERT_TRUE(writer->approvalOf(second) == std::nullopt);
    writer->approve({second, kA, "d", "x", "2026-11-28T12:00:00Z", std::nullopt});
    get(target);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_NE(cache.find(store_->dataVersion(), kA, 20, 0), nullptr);
}

}  // namespace
