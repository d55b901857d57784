#include "tests/support/test_directory.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <string_view>
#include <thread>

#include "tests/proc_locks.h"
#include "tests/support/pg_server.h"
#include "tests/support/process.h"

namespace misync::testsupport {

namespace fs = std::filesystem;

std::string backendName(Backend b) {
    return b == Backend::Sqlite ? "sqlite" : "postgresql";
}

std::string backendParamName(const ::testing::TestParamInfo<Backend>& info) {
    return backendName(info.param);
}

TestDirectory::TestDirectory(Backend backend) : TestDirectory(backend, {}) {}

TestDirectory::TestDirectory(Backend backend, fs::path sqlitePath) : backend_(backend) {
    if (backend_ == Backend::Sqlite && !sqlitePath.empty()) {
        sqlitePath_ = std::move(sqlitePath);
        return;
    }
    if (backend_ == Backend::Sqlite) {
        std::string tmpl = (fs::temp_directory_path() / "misync-store-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            error_ = "mkdtemp failed";
            return;
        }
        tempDir_ = tmpl;
        sqlitePath_ = tempDir_ / "directory.db";
        return;
    }
    makePgDatabase(false);
}

TestDirectory::TestDirectory(EvenWithoutBackend) : backend_(Backend::Postgresql) {
    makePgDatabase(true);
}

void TestDirectory::makePgDatabase(bool evenWithoutBackend) {
    // Asked first, so that a build without the backend never starts a server.
    if (!evenWithoutBackend) {
        skipReason_ = storage::Directory::unavailableBackend("postgresql");
        if (!skipReason_.empty()) {
            return;
        }
    }
    server_ = PgEnvironment::server();
    if (server_ == nullptr) {
        error_ = "no PgEnvironment registered (link tests/support/test_main.cpp)";
        return;
    }
    if (!server_->available()) {
        skipReason_ = server_->whyNot();
        return;
    }
    pgDatabase_ = PgEnvironment::freshDatabaseName();
    error_ = server_->createDatabase(pgDatabase_);
    if (!error_.empty()) {
        pgDatabase_.clear();
    }
}

TestDirectory::~TestDirectory() {
    if (!tempDir_.empty()) {
        std::error_code ec;
        fs::remove_all(tempDir_, ec);
    }
    if (!pgDatabase_.empty()) {
        server_->dropDatabase(pgDatabase_);
    }
}

storage::StoreOptions TestDirectory::options() const {
    if (backend_ == Backend::Sqlite) {
        return {"sqlite", sqlitePath_.string(), ""};
    }
    return {"postgresql", "", conninfo()};
}

std::unique_ptr<storage::Directory> TestDirectory::open(storage::OpenMode mode) const {
    return storage::Directory::open(options(), mode);
}

std::string TestDirectory::conninfo() const {
    return server_ != nullptr ? server_->conninfo(pgDatabase_) : "";
}

std::string TestDirectory::exec(const std::string& sql) const {
    if (backend_ == Backend::Sqlite) {
        sqlite3* db = nullptr;
        if (sqlite3_open(sqlitePath_.c_str(), &db) != SQLITE_OK) {
            std::string why = sqlite3_errmsg(db);
            sqlite3_close(db);
            return why.empty() ? "cannot open" : why;
        }
        sqlite3_busy_timeout(db, 10000);
        char* msg = nullptr;
        const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
        std::string why = rc == SQLITE_OK ? "" : (msg != nullptr ? msg : "sqlite3_exec failed");
        sqlite3_free(msg);
        sqlite3_close(db);
        return why;
    }
    std::string out;
    const int status = server_->psql(sql, &out, pgDatabase_);
    return status == 0 ? "" : (out.empty() ? "psql failed" : out);
}

std::string TestDirectory::scalar(const std::string& sql) const {
    if (backend_ == Backend::Sqlite) {
        sqlite3* db = nullptr;
        std::string value;
        sqlite3_stmt* st = nullptr;
        if (sqlite3_open(sqlitePath_.c_str(), &db) == SQLITE_OK &&
            sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char* text = sqlite3_column_text(st, 0);
            value = text != nullptr ? reinterpret_cast<const char*>(text) : "";
        } else {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        return value;
    }
    std::string out;
    if (server_->psql(sql, &out, pgDatabase_) != 0) {
        ADD_FAILURE() << sql << ": " << out;
        return "";
    }
    if (auto end = out.find('\n'); end != std::string::npos) {
        out.erase(end);
    }
    return out;
}

std::string TestDirectory::query(const std::string& sql) const {
    if (backend_ == Backend::Sqlite) {
        sqlite3* db = nullptr;
        std::string out;
        sqlite3_stmt* st = nullptr;
        if (sqlite3_open(sqlitePath_.c_str(), &db) != SQLITE_OK ||
            sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        } else {
            int rc = 0;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                for (int c = 0; c < sqlite3_column_count(st); ++c) {
                    const unsigned char* text = sqlite3_column_text(st, c);
                    out += (c > 0 ? "|" : "") +
                           std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "");
                }
                out += "\n";
            }
            if (rc != SQLITE_DONE) {
                ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
            }
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        return out;
    }
    std::string out;
    if (server_->psql(sql, &out, pgDatabase_) != 0) {
        ADD_FAILURE() << sql << ": " << out;
    }
    return out;
}

std::string TestDirectory::dump() const {
    if (backend_ == Backend::Sqlite) {
        Result r = execute("/usr/bin/sqlite3", {sqlitePath_.string(), ".dump"});
        EXPECT_EQ(r.status, 0) << r.err;
        return r.out;
    }
    std::string out;
    EXPECT_EQ(server_->pgDump(pgDatabase_, &out), 0) << out;
    // pg_dump (recent minor releases, 15.18 here) fences its output with \restrict and \unrestrict
    // and a key made afresh each time: not the directory's content.
    std::string kept;
    std::size_t pos = 0;
    while (pos < out.size()) {
        std::size_t end = out.find('\n', pos);
        end = end == std::string::npos ? out.size() : end + 1;
        const std::string_view line(out.data() + pos, end - pos);
        if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) {
            kept.append(line);
        }
        pos = end;
    }
    return kept;
}

int TestDirectory::leaseWaiters(const std::string& school) const {
    if (backend_ == Backend::Sqlite) {
        return lockWaiters(sqlitePath_.string() + ".lock", std::stol(school));
    }
    std::string out;
    server_->psql("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + pgDatabase_ +
                      "' AND wait_event_type = 'Lock'",
                  &out);
    try {
        return std::stoi(out);
    } catch (const std::exception&) {
        return 0;
    }
}

bool TestDirectory::awaitLeaseWaiters(const std::string& school, int count,
                                      std::chrono::seconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (leaseWaiters(school) < count) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

void TestDirectory::reset() {
    if (backend_ == Backend::Sqlite) {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::error_code ec;
            fs::remove(sqlitePath_.string() + suffix, ec);
        }
        return;
    }
    if (!pgDatabase_.empty()) {
        EXPECT_EQ(server_->dropDatabase(pgDatabase_), "");
        EXPECT_EQ(server_->createDatabase(pgDatabase_), "");
    }
}

void StoreTest::SetUp() {
    db_ = std::make_unique<TestDirectory>(GetParam());
    if (!db_->skipReason().empty()) {
        GTEST_SKIP() << db_->skipReason();
    }
    ASSERT_EQ(db_->error(), "") << "cannot make a " << backendName(GetParam()) << " directory";
}

void StoreTest::TearDown() {
    db_.reset();
}

}  // namespace misync::testsupport
