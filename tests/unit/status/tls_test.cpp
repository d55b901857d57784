// The status server under TLS (SPEC §9 "TLS when configured", §7 tls_certificate and
// tls_private_key): a self-signed certificate made with `openssl req -x509` in a temp folder,
// requests over TLS with keep-alive and Strict-Transport-Security, plain HTTP refused, and
// start-up failing with a message naming the certificate or key file at fault.
#include <gmock/gmock.h>

#include <cstdlib>
#include <fstream>

#include "core/errors.h"
#include "http_client.h"
#include "status/server.h"
#include "status_fixture.h"

using namespace misync;
using namespace misync::statustest;
using ::testing::HasSubstr;

namespace {

class TlsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = makeTempDir("misync-status-tls-");
        db_ = (dir_ / "directory.db").string();
        cert_ = (dir_ / "cert.pem").string();
        key_ = (dir_ / "key.pem").string();
        const std::string cmd =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
            "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -keyout '" +
            key_ + "' -out '" + cert_ + "' 2>'" + (dir_ / "openssl.log").string() + "'";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    void TearDown() override {
        server_.reset();
        fs::remove_all(dir_);
    }

    status::ServerOptions options(const std::string& cert, const std::string& key) const {
        status::ServerOptions o;
        o.listen = "127.0.0.1:0";
        o.tlsCertificate = cert;
        o.tlsPrivateKey = key;
        return o;
    }
    status::StatusServer& start(const status::ServerOptions& o) {
        server_ = std::make_unique<status::StatusServer>(
            o, testTokens(), daemon_, metrics_, "0.1.0-test", [db = db_] {
                return storage::Directory::open({"sqlite", db, ""});
            });
        server_->start();
        return *server_;
    }
    // start() of a server with these files fails; its message.
    std::string failure(const std::string& cert, const std::string& key) {
        try {
            start(options(cert, key));
        } catch (const core::Error& e) {
            return e.what();
        }
        ADD_FAILURE() << "started with " << cert << " and " << key;
        return {};
    }

    fs::path dir_;
    std::string db_, cert_, key_;
    FakeDaemon daemon_;
    status::Metrics metrics_;
    std::unique_ptr<status::StatusServer> server_;
};

TEST_F(TlsTest, ServesOverTlsWithKeepAliveAndHsts) {
    auto& s = start(options(cert_, key_));
    TlsClient c(s.port(), cert_);
    ASSERT_FALSE(c.connectError) << c.connectError.message();
    for (int i = 0; i < 2; ++i) {
        auto health = c.get("/healthz");
        ASSERT_TRUE(health) << c.error.message();
        EXPECT_EQ(health->result_int(), 200u);
        EXPECT_TRUE(health->keep_alive());
        EXPECT_EQ((*health)["Strict-Transport-Security"], "max-age=31536000");
        auto schools = c.get("/api/v1/schools", kAdminToken);
        ASSERT_TRUE(schools) << c.error.message();
        EXPECT_EQ(schools->result_int(), 200u);
    }
    auto denied = c.get("/api/v1/schools");
    ASSERT_TRUE(denied);
    EXPECT_EQ(denied->result_int(), 401u);
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
    auto& s = start(options(cert_, key_));
    Client plain(s.port());
    ASSERT_FALSE(plain.connectError);
    EXPECT_FALSE(plain.get("/healthz").has_value());
    // The server goes on serving TLS.
    TlsClient c(s.port(), cert_);
    EXPECT_TRUE(c.get("/healthz"));
}

TEST_F(TlsTest, StartUpFailsNamingTheFileAtFault) {
    const std::string missing = (dir_ / "no-such-key.pem").string();
    std::string why = failure(cert_, missing);
    EXPECT_THAT(why, HasSubstr("status.tls_private_key " + missing));
    EXPECT_THAT(why, HasSubstr("No such file"));

    const std::string garbage = (dir_ / "garbage.pem").string();
    std::ofstream(garbage) << "not a certificate\n";
    why = failure(garbage, key_);
    EXPECT_THAT(why, HasSubstr("status.tls_certificate " + garbage));

    why = failure(cert_, garbage);
    EXPECT_THAT(why, HasSubstr("status.tls_private_key " + garbage));

    // A key of another certificate.
    const std::string otherKey = (dir_ / "other-key.pem").string();
    ASSERT_EQ(std::system(("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" +
                           otherKey + "' 2>/dev/null")
                              .c_str()),
              0);
    why = failure(cert_, otherKey);
    EXPECT_THAT(why, HasSubstr(otherKey));
    EXPECT_TRUE(why.find("mismatch") != std::string::npos ||
                why.find("does not match") != std::string::npos)
        << why;
    // Only one of the two.
    why = failure(cert_, "");
    EXPECT_THAT(why, HasSubstr("tls_private_key"));
}

}  // namespace
