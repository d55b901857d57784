// The main of the test binaries that may use PostgreSQL: gtest's, with the PgEnvironment that
// owns the binary's one PostgreSQL server (started on first use, stopped after the last test).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/pg_server.h"

int main(int argc, char** argv) {
    ::testing::InitGoogleMock(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new misync::testsupport::PgEnvironment);
    return RUN_ALL_TESTS();
}
