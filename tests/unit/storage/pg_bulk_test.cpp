// The PostgreSQL driver's pipeline (storage/pg_connection.h, issue 9 item 4): inside a
// transaction, statements without rows are sent ahead without waiting for each answer; their
// failures come out of the next call that waits for the server, typed as they would have been
// (a uniqueness conflict is a core::ConflictError), and never out of a ROLLBACK. Outside a
// transaction every statement still waits. And the directory's ANALYZE of tables that grew.
// Named Postgresql* (misync_storage_tests_postgresql).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/errors.h"
#include "storage/pg_connection.h"
#include "tests/support/test_directory.h"

using misync::storage::PgConnection;
using misync::storage::StatementCache;
using misync::storage::Stmt;
using misync::testsupport::Backend;
using misync::testsupport::TestDirectory;

namespace {

class PostgresqlPipeline : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::make_unique<TestDirectory>(Backend::Postgresql);
        if (!db_->skipReason().empty()) {
            GTEST_SKIP() << db_->skipReason();
        }
        ASSERT_EQ(db_->error(), "");
        ASSERT_EQ(db_->exec("CREATE TABLE t (k integer PRIMARY KEY, v text)"), "");
        pg_ = std::make_unique<PgConnection>(db_->conninfo());
        cache_ = std::make_unique<StatementCache>(*pg_);
    }
    void TearDown() override {
        cache_.reset();
        pg_.reset();
        db_.reset();
    }
    void insert(int k, const std::string& v = "x") {
        Stmt s(*cache_, "INSERT INTO t (k, v) VALUES (?, ?)");
        s.integer(1, k).text(2, v).exec();
    }
    std::int64_t countInTransaction() {
        Stmt q(*cache_, "SELECT count(*) FROM t");
        EXPECT_TRUE(q.step());
        return q.columnInt(0);
    }

    std::unique_ptr<TestDirectory> db_;
    std::unique_ptr<PgConnection> pg_;
    std::unique_ptr<StatementCache> cache_;
};

TEST_F(PostgresqlPipeline, StatementsSentAheadInATransactionAreAllThereAndCommit) {
    pg_->exec("BEGIN");
    const int n = static_cast<int>(PgConnection::kPipelineDepth) * 3 + 7;  // drains on the way
    for (int k = 1; k <= n; ++k) {
        insert(k, "v" + std::to_string(k));
        if (k == 1) {
            EXPECT_TRUE(pg_->pipelining()) << "sent ahead, not waited for";
        }
    }
    EXPECT_TRUE(pg_->transactionOpen());
    EXPECT_EQ(countInTransaction(), n) << "a query waits for every statement sent before it";
    EXPECT_FALSE(pg_->pipelining());
    insert(n + 1);
    pg_->exec("COMMIT");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM t"), std::to_string(n + 1));
    EXPECT_EQ(db_->scalar("SELECT v FROM t WHERE k = 17"), "v17") << "each row its own values";
}

TEST_F(PostgresqlPipeline, AConflictSentAheadIsAConflictErrorAtTheNextWaitAndNothingCommits) {
    pg_->exec("BEGIN");
    insert(1);
    EXPECT_NO_THROW(insert(1)) << "the duplicate is only sent";
    insert(2);
    try {
        pg_->drain();
        FAIL() << "the duplicate key was not reported";
    } catch (const misync::core::ConflictError& e) {
        EXPECT_NE(std::string(e.what()).find("23505"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(pg_->pipelining());
    EXPECT_NO_THROW(pg_->exec("ROLLBACK"));
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM t"), "0");
    insert(3);  // the connection goes on
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM t"), "1");
}

TEST_F(PostgresqlPipeline, AFailureSentAheadComesOutOfTheNextQueryAndCommitIsNeverReached) {
    pg_->exec("BEGIN");
    insert(1);
    insert(1);
    EXPECT_THROW(countInTransaction(), misync::core::ConflictError);
    pg_->exec("ROLLBACK");
    pg_->exec("BEGIN");
    insert(5);
    insert(5);
    EXPECT_THROW(pg_->exec("COMMIT"), misync::core::ConflictError)
        << "the COMMIT waits first: a failed transaction is never committed as a rollback";
    pg_->exec("ROLLBACK");
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresqlPipeline, ARollbackAfterAFailureSentAheadDoesNotThrowIt) {
    pg_->exec("BEGIN");
    insert(1);
    insert(1);
    EXPECT_TRUE(pg_->pipelining());
    EXPECT_NO_THROW(pg_->exec("ROLLBACK")) << "what is rolled back may have failed";
    EXPECT_FALSE(pg_->transactionOpen());
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresqlPipeline, OutsideATransactionEveryStatementWaits) {
    insert(1);
    EXPECT_FALSE(pg_->pipelining());
    EXPECT_THROW(insert(1), misync::core::ConflictError) << "at once, not at a later statement";
    EXPECT_EQ(db_->scalar("SELECT count(*) FROM t"), "1") << "autocommitted, and kept";
}

TEST_F(PostgresqlPipeline, AStatementDroppedWhileSendingAheadIsDeallocatedAfterTheDrain) {
    auto prepared = [&] {
        Stmt q(*cache_, "SELECT count(*) FROM pg_prepared_statements");
        EXPECT_TRUE(q.step());
        return q.columnInt(0);
    };
    const std::int64_t before = prepared();
    pg_->exec("BEGIN");
    {
        auto cursor = pg_->prepare("INSERT INTO t (k, v) VALUES (?, 'dropped')");
        cursor->bindInt(1, 9);
        cursor->execute();
        EXPECT_TRUE(pg_->pipelining());
    }  // destroyed while its statement is in the pipeline: no wait, no throw
    EXPECT_EQ(prepared(), before) << "deallocated once the pipeline drained";
    pg_->exec("COMMIT");
    EXPECT_EQ(db_->scalar("SELECT v FROM t WHERE k = 9"), "dropped");
}

}  // namespace

namespace {

// PgDirectory::analyzeGrownTables: a table changed by more than 1,000 rows plus its size at its
// last analysis is analysed after the directory's next write, so that the next run's plans see
// its size (an initial load's UPN lookups were a scan of every learner per school without it).
// analyze_count counts only ANALYZE statements, never autovacuum's.
TEST(PostgresqlAnalyze, ATableThatGrewIsAnalysedAfterTheNextWriteAndOneThatDidNotIsLeftAlone) {
    TestDirectory db(Backend::Postgresql);
    if (!db.skipReason().empty()) {
        GTEST_SKIP() << db.skipReason();
    }
    ASSERT_EQ(db.error(), "");
    auto d = db.open();
    const auto opened = std::chrono::steady_clock::now();
    auto analyses = [&](const std::string& table) {
        return db.scalar("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = '" + table +
                         "'");
    };
    ASSERT_EQ(analyses("directory_meta"), "0");
    ASSERT_EQ(db.exec("INSERT INTO directory_meta (key, value) SELECT 'filler-' || n, 'x' FROM "
                      "generate_series(1, 3000) n"),
              "");
    // A session's counts reach the server's statistics when it ends (psql's has).
    for (int i = 0; i < 100 && std::stoi(db.scalar("SELECT n_mod_since_analyze FROM "
                                                   "pg_stat_user_tables WHERE relname = "
                                                   "'directory_meta'")) < 3000;
         ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_until(opened + std::chrono::milliseconds(1100));  // once a second
    d->setMetaValue("probe", "1");
    EXPECT_EQ(analyses("directory_meta"), "1");
    EXPECT_EQ(analyses("accounts"), "0") << "unchanged: not analysed";
}

}  // namespace
