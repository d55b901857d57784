// The conformance fixture's own PostgreSQL side (tests/support/pg_server.h), which does not need
// the backend: the binary's one server makes databases that psql and pg_dump reach, knows one
// it has made, and drops them. Named Postgresql* so that it runs in misync_storage_tests_postgresql
// beside the PostgreSQL instances of the store tests, on the same server.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/pg_server.h"

using misync::testsupport::PgEnvironment;
using misync::testsupport::PgServer;

namespace {

TEST(PostgresqlTestServer, MakesDatabasesThatPsqlAndPgDumpReachAndDropsThem) {
    PgServer* pg = PgEnvironment::server();
    ASSERT_NE(pg, nullptr);
    if (!pg->available()) {
        GTEST_SKIP() << pg->whyNot();
    }
    const std::string name = PgEnvironment::freshDatabaseName();
    EXPECT_NE(name, PgEnvironment::freshDatabaseName()) << "a name is given once";
    ASSERT_EQ(pg->createDatabase(name), "");
    EXPECT_NE(pg->createDatabase(name), "") << "it exists already";

    std::string out;
    ASSERT_EQ(pg->psql("CREATE TABLE t (k integer, v text); INSERT INTO t VALUES (1, 'a|b'), (2, "
                       "'Siân')",
                       &out, name),
              0)
        << out;
    ASSERT_EQ(pg->psql("SELECT k, v FROM t ORDER BY k", &out, name), 0) << out;
    EXPECT_EQ(out, "1|a|b\n2|Siân\n") << "unaligned, without headers, as sqlite3 prints rows";
    EXPECT_NE(pg->psql("SELECT nonsense FROM t", &out, name), 0);
    EXPECT_NE(out.find("nonsense"), std::string::npos) << out;

    ASSERT_EQ(pg->pgDump(name, &out), 0) << out;
    EXPECT_NE(out.find("Siân"), std::string::npos) << out;

    // The connection string names the database and the password file, never the password.
    const std::string conninfo = pg->conninfo(name);
    EXPECT_NE(conninfo.find("dbname=" + name + " "), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("port=" + std::to_string(pg->port())), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("password_file=" + pg->passwordFile().string()), std::string::npos);
    std::ifstream in(pg->passwordFile());
    std::string password;
    std::getline(in, password);
    EXPECT_FALSE(password.empty());
    EXPECT_EQ(conninfo.find(password), std::string::npos) << conninfo;

    EXPECT_EQ(pg->dropDatabase(name), "");
    EXPECT_NE(pg->psql("SELECT 1", &out, name), 0) << "dropped";
    EXPECT_EQ(pg->dropDatabase(name), "") << "dropping what is gone is no error";
}

}  // namespace
