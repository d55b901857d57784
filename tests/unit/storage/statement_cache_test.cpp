// StatementCache (issue 8): a connection's statements prepared once and lent by SQL text, one
// borrower at a time, and always given back reset, so that a lent statement never keeps a read
// open or a binding alive past its use.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "core/errors.h"
#include "storage/sqlite_connection.h"

using misync::storage::SqliteConnection;
using misync::storage::StatementCache;
using SqliteStmt = misync::storage::Stmt;

namespace {

class StatementCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
        exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
        exec("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        connection_ = std::make_unique<SqliteConnection>(db_);
        cache_ = std::make_unique<StatementCache>(*connection_);
    }
    void TearDown() override {
        cache_.reset();  // finalizes its statements, so the connection closes cleanly
        connection_.reset();
        EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);
    }
    void exec(const char* sql) { ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), 0); }

    sqlite3* db_ = nullptr;
    std::unique_ptr<SqliteConnection> connection_;  // borrows db_
    std::unique_ptr<StatementCache> cache_;
};

constexpr const char* kByKey = "SELECT v FROM t WHERE k = ?";

TEST_F(StatementCacheTest, ATextIsPreparedOnceForEverySuccessiveUse) {
    for (int k = 1; k <= 3; ++k) {
        SqliteStmt st(*cache_, kByKey);
        st.integer(1, k);
        ASSERT_TRUE(st.step());
        EXPECT_EQ(st.columnText(0), k == 1 ? "one" : k == 2 ? "two" : "three");
    }
    EXPECT_EQ(cache_->prepares(), 1u);
}

TEST_F(StatementCacheTest, ANestedUseOfTheSameTextGetsAStatementOfItsOwn) {
    {
        SqliteStmt outer(*cache_, "SELECT k FROM t ORDER BY k");
        ASSERT_TRUE(outer.step());
        EXPECT_EQ(outer.columnInt(0), 1);
        {
            SqliteStmt inner(*cache_, "SELECT k FROM t ORDER BY k");
            ASSERT_TRUE(inner.step());
            EXPECT_EQ(inner.columnInt(0), 1);
        }
        // The outer iteration goes on where it was, untouched by the inner one.
        ASSERT_TRUE(outer.step());
        EXPECT_EQ(outer.columnInt(0), 2);
    }
    EXPECT_EQ(cache_->prepares(), 2u);
    // Both are kept now: two more nested uses prepare nothing.
    {
        SqliteStmt a(*cache_, "SELECT k FROM t ORDER BY k");
        SqliteStmt b(*cache_, "SELECT k FROM t ORDER BY k");
    }
    EXPECT_EQ(cache_->prepares(), 2u);
}

TEST_F(StatementCacheTest, AStatementComesBackResetWithItsBindingsCleared) {
    {
        SqliteStmt st(*cache_, kByKey);
        st.integer(1, 2);
        ASSERT_TRUE(st.step());              // a row is pending: the statement holds a read open
        auto second = cache_->take(kByKey);  // a second statement: the first is still lent
        ASSERT_NE(second, nullptr);
        cache_->give(std::move(second));
    }
    // The statement given back mid-iteration holds nothing open, and its old binding is gone:
    // without a new one the parameter is NULL and nothing matches.
    sqlite3_stmt* s = nullptr;
    while ((s = sqlite3_next_stmt(db_, s)) != nullptr) {
        EXPECT_EQ(sqlite3_stmt_busy(s), 0);
    }
    SqliteStmt again(*cache_, kByKey);
    EXPECT_FALSE(again.step());
    EXPECT_EQ(cache_->prepares(), 2u);
}

TEST_F(StatementCacheTest, AWriteThroughACachedStatementIsSeenAndTheNextUseStartsAfresh) {
    constexpr const char* kInsert = "INSERT INTO t (k, v) VALUES (?, ?)";
    for (int k = 10; k < 13; ++k) {
        SqliteStmt ins(*cache_, kInsert);
        ins.integer(1, k).text(2, "n" + std::to_string(k)).exec();
    }
    SqliteStmt count(*cache_, "SELECT count(*) FROM t");
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.columnInt(0), 6);
    EXPECT_EQ(cache_->prepares(), 2u);
}

TEST_F(StatementCacheTest, TextsBeyondTheLimitArePreparedEachTimeAndNotKept) {
    for (std::size_t i = 0; i < StatementCache::kMaxTexts + 10; ++i) {
        SqliteStmt st(*cache_, "SELECT " + std::to_string(i));
        ASSERT_TRUE(st.step());
        EXPECT_EQ(st.columnInt(0), static_cast<std::int64_t>(i));
    }
    const std::size_t before = cache_->prepares();
    {
        SqliteStmt kept(*cache_, "SELECT 0");  // among the first kMaxTexts: kept
        SqliteStmt gone(*cache_, "SELECT " + std::to_string(StatementCache::kMaxTexts + 5));
    }
    EXPECT_EQ(cache_->prepares(), before + 1);
    std::size_t live = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr;
         s = sqlite3_next_stmt(db_, s)) {
        ++live;
    }
    EXPECT_EQ(live, StatementCache::kMaxTexts);
}

TEST_F(StatementCacheTest, SqlThatDoesNotPrepareThrowsAStoreErrorNamingSqlitesReason) {
    try {
        SqliteStmt st(*cache_, "SELECT nope FROM missing_table");
        FAIL() << "expected a StoreError";
    } catch (const misync::core::StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("missing_table"), std::string::npos) << e.what();
    }
    // The failure left nothing behind, and the cache goes on serving.
    SqliteStmt ok(*cache_, kByKey);
    ok.integer(1, 1);
    EXPECT_TRUE(ok.step());
}

}  // namespace
