// The daemon's configuration keys (SPEC §7, §9.1): [daemon], a school's settle_seconds,
// [[notify]], and file keys given as systemd credentials (`credential:NAME`). Secrets — token
// contents, URL paths — never appear in a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.h"
#include "daemon/config.h"

namespace fs = std::filesystem;
using misync::connectors::ConnectorRegistry;
using misync::core::ConfigError;
using misync::daemon::Config;
using misync::daemon::ConfigEnvironment;
using misync::daemon::parseConfig;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::Not;

namespace {

ConnectorRegistry registry() {
    ConnectorRegistry r;
    r.registerFactory("sims-xml", [] { return nullptr; });
    return r;
}

constexpr const char* kFile = "/etc/misync/misync.toml";

Config parse(std::string_view text, ConfigEnvironment env = {}) {
    return parseConfig(text, kFile, registry(), env);
}

std::string errorOf(std::string_view text, ConfigEnvironment env = {}) {
    try {
        parse(text, env);
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
}

// A folder of its own under the temporary folder, for token files and credentials.
class Files {
  public:
    Files() {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() / (std::string("misync-config-daemon-") + info->name());
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~Files() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    Files(const Files&) = delete;
    Files& operator=(const Files&) = delete;
    fs::path write(const std::string& name, const std::string& content) const {
        std::ofstream(path_ / name, std::ios::binary) << content;
        return path_ / name;
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

constexpr std::string_view kSchool =
    "[[school]]\ndfes = \"6612345\"\nconnector = \"sims-xml\"\nsource = \"/srv/mis/a\"\n";

TEST(ConfigDaemon, DefaultsWhenNothingIsGiven) {
    Config c = parse(std::string(kSchool));
    EXPECT_EQ(c.daemon.workers, 1u);
    EXPECT_EQ(c.daemon.settleSeconds, 5u);
    EXPECT_EQ(c.daemon.stopTimeoutSeconds, 30u);
    EXPECT_EQ(c.schools.at(0).settleSeconds, 5u);
    EXPECT_TRUE(c.notify.empty());
}

TEST(ConfigDaemon, DaemonKeysAndASchoolsOwnSettleTime) {
    // [daemon] after the schools still sets their default (§9.1: per school or in [daemon]).
    Config c = parse(std::string(kSchool) + "settle_seconds = 9\n" +
                     "[[school]]\ndfes = \"6612346\"\nconnector = \"sims-xml\"\nsource = \"b\"\n" +
                     "[daemon]\nworkers = 4\nsettle_seconds = 2\nstop_timeout_seconds = 10\n");
    EXPECT_EQ(c.daemon.workers, 4u);
    EXPECT_EQ(c.daemon.settleSeconds, 2u);
    EXPECT_EQ(c.daemon.stopTimeoutSeconds, 10u);
    EXPECT_EQ(c.schools.at(0).settleSeconds, 9u);
    EXPECT_EQ(c.schools.at(1).settleSeconds, 2u);
}

TEST(ConfigDaemon, DaemonValuesOutOfRangeNameTheKeyAndLine) {
    EXPECT_THAT(errorOf("[daemon]\nworkers = 0\n"),
                HasSubstr(":2:11: key 'daemon.workers': must be between 1 and 64 (found 0)"));
    EXPECT_THAT(errorOf("[daemon]\nworkers = 65\n"), HasSubstr("(found 65)"));
    EXPECT_THAT(errorOf("[daemon]\nsettle_seconds = 0\n"),
                HasSubstr("key 'daemon.settle_seconds': must be between 1 and 3600"));
    EXPECT_THAT(errorOf("[daemon]\nstop_timeout_seconds = \"30\"\n"),
                HasSubstr("key 'daemon.stop_timeout_seconds': expected an integer, found a "
                          "string"));
    EXPECT_THAT(errorOf("[daemon]\nthreads = 2\n"),
                HasSubstr("key 'daemon.threads': unknown key (known here: workers, "
                          "settle_seconds, stop_timeout_seconds)"));
    EXPECT_THAT(errorOf(std::string(kSchool) + "settle_seconds = 4000\n"),
                HasSubstr(":5:18: key 'school[1].settle_seconds': must be between 1 and 3600"));
}

TEST(ConfigNotify, UrlsOnAndDefaults) {
    Config c = parse(
        "[[notify]]\nurl = \"https://la.example/hooks/misync\"\n"
        "[[notify]]\nurl = \"http://127.0.0.1:8080?x=1\"\non = [\"stale\", \"failed\"]\n"
        "[[notify]]\nurl = \"http://[::1]:9000/h\"\non = [\"held\"]\n");
    ASSERT_EQ(c.notify.size(), 3u);
    const auto& a = c.notify[0];
    EXPECT_EQ(a.scheme, "https");
    EXPECT_EQ(a.host, "la.example");
    EXPECT_EQ(a.port, "443");
    EXPECT_EQ(a.target, "/hooks/misync");
    EXPECT_THAT(a.on, ElementsAre("failed", "held", "stale"));
    EXPECT_EQ(a.origin(), "https://la.example");
    EXPECT_TRUE(a.token.empty());
    const auto& b = c.notify[1];
    EXPECT_EQ(b.port, "8080");
    EXPECT_EQ(b.target, "/?x=1");
    EXPECT_THAT(b.on, ElementsAre("failed", "stale"));  // in a fixed order
    EXPECT_TRUE(b.notifiesOn("stale"));
    EXPECT_FALSE(b.notifiesOn("held"));
    EXPECT_EQ(b.origin(), "http://127.0.0.1:8080");
    EXPECT_EQ(c.notify[2].host, "::1");
    EXPECT_EQ(c.notify[2].origin(), "http://[::1]:9000");
}

TEST(ConfigNotify, BadEntriesAreErrorsThatNeverQuoteTheUrl) {
    auto bad = [](const std::string& url) {
        return errorOf("[[notify]]\nurl = \"" + url + "\"\n");
    };
    EXPECT_THAT(bad("ftp://la.example/secret-path"),
                HasSubstr(":2:7: key 'notify[1].url': must be an http:// or https:// URL"));
    EXPECT_THAT(bad("https://la.example:99999/secret-path"),
                HasSubstr("port must be a number from 1 to 65535"));
    EXPECT_THAT(bad("https://user:pw@la.example/secret-path"),
                HasSubstr("a user name or password in the URL is not supported"));
    EXPECT_THAT(bad("https:///secret-path"), HasSubstr("the URL has no host"));
    EXPECT_THAT(bad("https://la.example/secret path"), HasSubstr("spaces or control characters"));
    for (const char* url : {"ftp://la.example/secret-path", "https://la.example:0/secret-path",
                            "https://user:pw@la.example/secret-path"}) {
        EXPECT_THAT(bad(url), Not(HasSubstr("secret"))) << url;
    }
    EXPECT_THAT(errorOf("[[notify]]\non = [\"failed\"]\n"),
                HasSubstr(":1:1: key 'notify[1].url': is required"));
    EXPECT_THAT(errorOf("[[notify]]\nurl = \"http://a.example/\"\non = [\"failed\", \"late\"]\n"),
                HasSubstr(":3:17: key 'notify[1].on': unknown event 'late' (known: failed, held, "
                          "stale)"));
    EXPECT_THAT(errorOf("[[notify]]\nurl = \"http://a.example/\"\non = [\"held\", \"held\"]\n"),
                HasSubstr("'held' is listed twice"));
    EXPECT_THAT(errorOf("[[notify]]\nurl = \"http://a.example/\"\non = []\n"),
                HasSubstr("must name at least one of failed, held, stale"));
    EXPECT_THAT(errorOf("[[notify]]\nurl = \"http://a.example/\"\non = \"failed\"\n"),
                HasSubstr("expected an array of strings, found a string"));
    EXPECT_THAT(errorOf("[[notify]]\nurl = \"http://a.example/\"\n"
                        "[[notify]]\nurl = \"http://a.example/\"\n"),
                HasSubstr(":4:7: key 'notify[2].url': the same URL is already a target at line 1"));
    EXPECT_THAT(errorOf("[notify]\nurl = \"http://a.example/\"\n"),
                HasSubstr("write each target as a [[notify]] block"));
}

TEST(ConfigNotify, TheTokenIsReadFromItsFileAndNeverShown) {
    Files files;
    auto good = files.write("notify.token", "s3cret-Token_1\n");
    Config c =
        parse("[[notify]]\nurl = \"http://a.example/\"\ntoken_file = \"" + good.string() + "\"\n");
    EXPECT_EQ(c.notify.at(0).token, "s3cret-Token_1");

    auto spaced = files.write("bad.token", "s3cret token\n");
    auto m = errorOf("[[notify]]\nurl = \"http://a.example/\"\ntoken_file = \"" + spaced.string() +
                     "\"\n");
    EXPECT_THAT(m, HasSubstr("key 'notify[1].token_file': the file holds characters a bearer "
                             "token cannot have"));
    EXPECT_THAT(m, Not(HasSubstr("s3cret")));
    auto missing = errorOf("[[notify]]\nurl = \"http://a.example/\"\ntoken_file = \"" +
                           (files.path() / "none").string() + "\"\n");
    EXPECT_THAT(missing, HasSubstr("key 'notify[1].token_file': cannot read '" +
                                   (files.path() / "none").string() + "'"));
}

TEST(ConfigCredentials, FileKeysMayNameSystemdCredentials) {
    Files creds;
    creds.write("misync-key", std::string(64, 'a') + "\n");
    creds.write("tokens", "[[token]]\n");
    creds.write("notify", "Bearer-part\n");
    creds.write("db", "host=db dbname=misync\n");
    ConfigEnvironment env{creds.path()};
    Config c = parse(
        "[directory]\nbackend = \"postgresql\"\nconnection_file = \"credential:db\"\n"
        "[secrets]\nkey_file = \"credential:misync-key\"\n"
        "[status]\ntokens_file = \"credential:tokens\"\n"
        "[[notify]]\nurl = \"http://a.example/\"\ntoken_file = \"credential:notify\"\n",
        env);
    EXPECT_EQ(c.secrets.keyFile, (creds.path() / "misync-key").string());
    EXPECT_EQ(c.status.tokensFile, (creds.path() / "tokens").string());
    EXPECT_EQ(c.notify.at(0).token, "Bearer-part");
    EXPECT_EQ(c.directory.connection, "host=db dbname=misync");
}

TEST(ConfigCredentials, ClearErrorsWithoutTheDirectoryOrTheFile) {
    EXPECT_THAT(errorOf("[secrets]\nkey_file = \"credential:misync-key\"\n"),
                HasSubstr(":2:12: key 'secrets.key_file': 'credential:misync-key' needs "
                          "$CREDENTIALS_DIRECTORY, which systemd sets for a service with "
                          "LoadCredential=; it is not set"));
    Files creds;
    ConfigEnvironment env{creds.path()};
    EXPECT_THAT(errorOf("[status]\ntokens_file = \"credential:tokens\"\n", env),
                HasSubstr("key 'status.tokens_file': credential 'tokens' is not in "
                          "$CREDENTIALS_DIRECTORY (" +
                          creds.path().string() + ")"));
    EXPECT_THAT(errorOf("[secrets]\nkey_file = \"credential:../etc/key\"\n", env),
                HasSubstr("a credential name is a file name, without '/'"));
    EXPECT_THAT(errorOf("[secrets]\nkey_file = \"credential:\"\n", env),
                HasSubstr("a credential name is a file name"));
}

TEST(ConfigCredentials, CommandsOtherThanTheDaemonSkipTheDaemonsOwnCredentials) {
    // `misync status` by hand, beside a service that gets its tokens from systemd.
    ConfigEnvironment commands;
    commands.daemonCredentialsOptional = true;
    Config c = parse(
        "[status]\ntokens_file = \"credential:tokens.toml\"\n"
        "tls_certificate = \"credential:cert\"\ntls_private_key = \"credential:key\"\n"
        "[[notify]]\nurl = \"http://a.example/\"\ntoken_file = \"credential:notify.token\"\n",
        commands);
    EXPECT_EQ(c.status.tokensFile, "credential:tokens.toml");  // kept as written, not looked up
    EXPECT_TRUE(c.notify.at(0).token.empty());
    // What commands need themselves is still required.
    EXPECT_THAT(errorOf("[secrets]\nkey_file = \"credential:misync-key\"\n", commands),
                HasSubstr("needs $CREDENTIALS_DIRECTORY"));
    // With the folder given, everything is looked up as for the daemon.
    Files creds;
    commands.credentialsDirectory = creds.path();
    EXPECT_THAT(errorOf("[status]\ntokens_file = \"credential:tokens.toml\"\n", commands),
                HasSubstr("credential 'tokens.toml' is not in $CREDENTIALS_DIRECTORY"));
}

}  // namespace
