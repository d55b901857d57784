// P3: the secret key cannot be lost in silence. With the key file moved away or replaced, every
// command that needs the key refuses (exit 2, the file named, nothing changed, no key created)
// while the others keep working; restoring the key brings everything back; `secrets rotate`
// re-seals every visible password under a new key, and a rotation interrupted after its commit
// is finished by the next command. No password ever reaches stderr (P4).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>

#include "e2e_fixture.h"

namespace misync::e2e {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr const char* kSchool = "6612001";

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class KeyTest : public E2eTest {
  protected:
    void SetUp() override {
        E2eTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        writeConfig({{kSchool, "", ""}});
        x_.students = {{.id = "1001",
                        .upn = makeUpn(kSchool, 1),
                        .forename = "Aled",
                        .surname = "Jones",
                        .year = "8",
                        .reg = "8A",
                        .admissionDate = "2024-09-01"},
                       {.id = "1002",
                        .upn = makeUpn(kSchool, 2),
                        .forename = "Bethan",
                        .surname = "Evans",
                        .year = "8",
                        .reg = "8A",
                        .admissionDate = "2024-09-01"}};
        x_.staff = {{.id = "2001", .forename = "Gwen", .surname = "Owen"}};
        writeSchool(kSchool, x_);
        Result day1 = check({"run", "--as-of", "2025-03-01"}, 0);
        for (const char* role : {"learner", "staff"}) {
            for (auto& [user, row] : credentials(kSchool, role)) {
                passwords_[user] = row["Password"];
            }
        }
        ASSERT_EQ(passwords_.size(), 3u);
        for (const auto& [user, password] : passwords_) {
            ASSERT_GE(password.size(), 8u) << user;
        }
    }
    void TearDown() override {
        // P4: whatever the commands printed on stderr, no password.
        for (const auto& [user, password] : passwords_) {
            for (const auto& err : stderrs_) {
                EXPECT_EQ(err.find(password), std::string::npos)
                    << "password of " << user << " in stderr: " << err;
            }
        }
        E2eTest::TearDown();
    }

    fs::path keyFile() const { return dir() / "secret.key"; }
    fs::path pendingFile() const { return dir() / "secret.key.new"; }

    // Runs misync and expects `status`; keeps stderr for the P4 check.
    Result check(std::vector<std::string> args, int status) {
        Result r = misync(args);
        stderrs_.push_back(r.err);
        std::string line;
        for (const auto& a : args) {
            line += " " + a;
        }
        EXPECT_EQ(r.status, status)
            << "misync" << line << "\nstdout: " << r.out << "\nstderr: " << r.err;
        return r;
    }
    // Expects a refusal of the key: exit 2 naming the key file.
    Result refused(std::vector<std::string> args, const std::string& why) {
        Result r = check(std::move(args), 2);
        EXPECT_THAT(r.err, HasSubstr("misync: configuration error: secrets.key_file " +
                                     keyFile().string() + ": "));
        EXPECT_THAT(r.err, HasSubstr(why));
        return r;
    }
    // A query's rows on the directory, as the sqlite3 command line prints them.
    std::string sql(const std::string& statement) { return directory().query(statement); }
    // Everything the directory holds, as text (a SQLite file's bytes may move between the
    // database and its write-ahead log without any change).
    std::string directoryContent() { return directory().dump(); }
    std::string shownPassword(const std::string& user) {
        Result r = check({"accounts", "show", user, "--show-password", "--json"}, 0);
        return str(parseJson(r.out), "password");
    }
    std::map<std::string, std::string> shownPasswords() {
        std::map<std::string, std::string> out;
        for (const auto& [user, password] : passwords_) {
            out[user] = shownPassword(user);
        }
        return out;
    }
    void writeKey(const fs::path& file, const std::string& content) {
        writeFile(file, content);
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    }
    // Every command that needs the key, each refused for `why`, and the directory unchanged.
    void expectEveryKeyCommandRefused(const std::string& why) {
        const std::string before = directoryContent();
        refused({"run", "--as-of", "2025-03-02"}, why);
        refused({"run", "--as-of", "2025-03-02", "--dry-run"}, why);
        refused({"plan", "--as-of", "2025-03-02"}, why);
        refused({"accounts", "show", "jonesa", "--show-password"}, why);
        refused({"export", "credentials", "--school", kSchool, "--role", "learner"}, why);
        refused({"export", "credentials", "--school", kSchool, "--role", "staff", "--out",
                 (dir() / "staff.csv").string()},
                why);
        EXPECT_FALSE(fs::exists(dir() / "staff.csv"));
        refused({"secrets", "rotate"}, why);
        EXPECT_EQ(directoryContent(), before) << "nothing changed, no run recorded";
        // The commands that do not need the key keep working.
        Result list = check({"accounts", "list", "--json"}, 0);
        EXPECT_THAT(list.err, HasSubstr("secrets.key_file=" + keyFile().string()));
        const json::value listed = parseJson(list.out);
        ASSERT_TRUE(listed.is_array()) << list.out;
        EXPECT_EQ(listed.as_array().size(), 3u);
        for (const auto& a : listed.as_array()) {
            EXPECT_TRUE(a.as_object().at("password_available").as_bool())
                << "restoring the key shows them: " << str(a, "username");
        }
        check({"accounts", "show", "jonesa", "--json"}, 0);
        check({"history", "--school", kSchool}, 0);
        check({"groups", "list"}, 0);
        check({"changes"}, 0);
        EXPECT_EQ(directoryContent(), before);
    }

    SchoolExtract x_;
    std::map<std::string, std::string> passwords_;  // username → password
    std::vector<std::string> stderrs_;
};

TEST_F(KeyTest, AFreshDirectoryCreatesTheKeyOwnerOnlyAndRecordsItsFingerprint) {
    struct stat st {};
    ASSERT_EQ(::stat(keyFile().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_TRUE(std::regex_match(readAll(keyFile()), std::regex("[0-9a-f]{64}\n")));
    const std::string fp = sql("SELECT value FROM directory_meta WHERE key = 'key_fingerprint'");
    EXPECT_TRUE(std::regex_match(fp, std::regex("[0-9a-f]{64}\n"))) << fp;
    EXPECT_EQ(fp.find(readAll(keyFile()).substr(0, 16)), std::string::npos);
    EXPECT_EQ(shownPasswords(), passwords_);
}

// The directory holds personal data (and sealed passwords): owner-only, with its WAL files.
TEST_F(KeyTest, TheDirectoryDatabaseAndItsFilesAreOwnerOnly) {
    for (const auto& f : fs::directory_iterator(dir())) {
        const std::string name = f.path().filename().string();
        if (name.rfind("directory.db", 0) != 0) {
            continue;
        }
        struct stat st {};
        ASSERT_EQ(::stat(f.path().c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0077, 0u) << name << " mode " << std::oct << (st.st_mode & 0777);
    }
    EXPECT_TRUE(fs::exists(database()));
}

TEST_F(KeyTest, AKeyMovedAwayIsRefusedUntilItIsRestored) {
    fs::rename(keyFile(), dir() / "elsewhere.key");
    // A newcomer: a real run would seal a new password.
    x_.students.push_back({.id = "1003",
                           .upn = makeUpn(kSchool, 3),
                           .forename = "Carys",
                           .surname = "Hughes",
                           .year = "8",
                           .reg = "8A",
                           .admissionDate = "2024-09-01"});
    writeSchool(kSchool, x_);
    expectEveryKeyCommandRefused("is missing, but the directory holds 3 sealed passwords");
    EXPECT_FALSE(fs::exists(keyFile())) << "no new key was created";
    EXPECT_EQ(history(kSchool).size(), 1u);

    fs::rename(dir() / "elsewhere.key", keyFile());
    EXPECT_EQ(shownPasswords(), passwords_);
    json::value runs = runJson("2025-03-02");
    EXPECT_EQ(countOf(runOf(runs, kSchool), "create"), 1);
    EXPECT_EQ(credentials(kSchool, "learner").at("hughesc").at("Password"),
              shownPassword("hughesc"));
    EXPECT_NE(shownPassword("hughesc"), "-");
}

TEST_F(KeyTest, AReplacedKeyFileIsRefusedUntilTheRightOneIsBack) {
    const std::string original = readAll(keyFile());
    writeKey(keyFile(), std::string(64, 'c') + "\n");  // a valid key, but not this directory's
    expectEveryKeyCommandRefused("is not the key the directory's 3 sealed passwords were sealed");
    EXPECT_EQ(readAll(keyFile()), std::string(64, 'c') + "\n");

    writeKey(keyFile(), original);
    EXPECT_EQ(shownPasswords(), passwords_);
    check({"run", "--as-of", "2025-03-02"}, 0);
}

TEST_F(KeyTest, RotateReSealsEveryPasswordUnderANewKey) {
    const std::string oldKey = readAll(keyFile());
    const std::string oldFp = sql("SELECT value FROM directory_meta WHERE key = 'key_fingerprint'");
    Result r = check({"secrets", "rotate", "--json"}, 0);
    json::value v = parseJson(r.out);
    EXPECT_EQ(num(v, "resealed"), 3);
    EXPECT_TRUE(v.as_object().at("unreadable").as_array().empty());
    EXPECT_TRUE(std::regex_match(str(v, "fingerprint"), std::regex("[0-9a-f]{16}")));
    EXPECT_EQ(oldFp.substr(0, 16), str(v, "previous_fingerprint"));
    const std::string newKey = readAll(keyFile());
    EXPECT_NE(newKey, oldKey);
    EXPECT_TRUE(std::regex_match(newKey, std::regex("[0-9a-f]{64}\n")));
    EXPECT_FALSE(fs::exists(pendingFile()));
    struct stat st {};
    ASSERT_EQ(::stat(keyFile().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_THAT(sql("SELECT value FROM directory_meta WHERE key = 'key_fingerprint'"),
                testing::StartsWith(str(v, "fingerprint")));
    EXPECT_EQ(shownPasswords(), passwords_);
    EXPECT_EQ(credentials(kSchool, "learner").at("jonesa").at("Password"), passwords_["jonesa"]);

    // The old key opens none of them: a copy of the directory without its fingerprint (as from
    // before schema 3) judges the key by its passwords. SQLite only: it copies the file.
    if (!onPostgresql()) {
        const fs::path copy = dir() / "copy.db";
        ASSERT_EQ(
            execute("/usr/bin/sqlite3", {database().string(), ".backup " + copy.string()}).status,
            0);
        ASSERT_EQ(execute("/usr/bin/sqlite3", {copy.string(), "DELETE FROM directory_meta"}).status,
                  0);
        const fs::path oldKeyFile = dir() / "old.key";
        writeKey(oldKeyFile, oldKey);
        const fs::path oldConfig = dir() / "old.toml";
        writeFile(oldConfig, "[directory]\npath = \"" + copy.string() +
                                 "\"\n[secrets]\nkey_file = \"" + oldKeyFile.string() + "\"\n");
        Result old = execute(MISYNC_BINARY, {"--config", oldConfig.string(), "accounts", "show",
                                             "jonesa", "--show-password"});
        stderrs_.push_back(old.err);
        EXPECT_EQ(old.status, 2) << old.out << old.err;
        EXPECT_THAT(old.err, HasSubstr("opens none of the directory's 3 sealed passwords"));
    }

    // Human output, and a second rotation.
    Result again = check({"secrets", "rotate"}, 0);
    EXPECT_THAT(again.out, HasSubstr("Re-sealed 3 visible passwords under a new key"));
    EXPECT_THAT(again.out, HasSubstr("was " + str(v, "fingerprint")));
    EXPECT_NE(readAll(keyFile()), newKey);
    EXPECT_EQ(shownPasswords(), passwords_);
    for (const auto& [user, password] : passwords_) {
        EXPECT_THAT(r.out + again.out, Not(HasSubstr(password)));
    }
    check({"run", "--as-of", "2025-03-02"}, 0);
}

TEST_F(KeyTest, ARotationInterruptedAfterItsCommitIsFinishedByTheNextCommand) {
    const std::string oldKey = readAll(keyFile());
    check({"secrets", "rotate"}, 0);
    const std::string newKey = readAll(keyFile());
    // What a crash between the commit and the move leaves: the directory sealed under the new
    // key and recording its fingerprint, the new key only in secret.key.new.
    fs::rename(keyFile(), pendingFile());
    writeKey(keyFile(), oldKey);

    EXPECT_EQ(check({"accounts", "list", "--json"}, 0).err.find("configuration error"),
              std::string::npos);
    Result show = check({"accounts", "show", "jonesa", "--show-password", "--json"}, 0);
    EXPECT_EQ(str(parseJson(show.out), "password"), passwords_["jonesa"]);
    EXPECT_THAT(show.err, HasSubstr("finished a key rotation that was interrupted"));
    EXPECT_FALSE(fs::exists(pendingFile()));
    EXPECT_EQ(readAll(keyFile()), newKey);
    EXPECT_EQ(shownPasswords(), passwords_);
}

TEST_F(KeyTest, ANewKeyLeftByARotationThatNeverCommittedIsRemoved) {
    const std::string key = readAll(keyFile());
    writeKey(pendingFile(), std::string(64, 'd') + "\n");
    Result run = check({"run", "--as-of", "2025-03-02"}, 0);
    EXPECT_THAT(run.err, HasSubstr("did not commit"));
    EXPECT_FALSE(fs::exists(pendingFile()));
    EXPECT_EQ(readAll(keyFile()), key);
    EXPECT_EQ(shownPasswords(), passwords_);
}

TEST_F(KeyTest, APasswordThatNoLongerOpensIsReportedNeverDroppedInSilence) {
    // A value damaged in the database: valid base64, but it does not open.
    sql("UPDATE accounts SET password_sealed = 'AAAA' || substr(password_sealed, 5) "
        "WHERE username = 'evansb'");
    json::array list = accounts();
    EXPECT_FALSE(byUsername(list, "evansb")->at("password_available").as_bool());
    EXPECT_TRUE(byUsername(list, "jonesa")->at("password_available").as_bool());
    EXPECT_FALSE(showAccount("evansb").at("password_available").as_bool());
    EXPECT_EQ(shownPassword("evansb"), "-");

    Result r = check({"secrets", "rotate", "--json"}, 0);
    json::value v = parseJson(r.out);
    EXPECT_EQ(num(v, "resealed"), 2);
    ASSERT_EQ(v.as_object().at("unreadable").as_array().size(), 1u);
    EXPECT_EQ(v.as_object().at("unreadable").as_array()[0].as_string(), "evansb");
    EXPECT_THAT(sql("SELECT password_sealed FROM accounts WHERE username = 'evansb'"),
                testing::StartsWith("AAAA"))
        << "left as it was";
    Result human = check({"secrets", "rotate"}, 0);
    EXPECT_THAT(human.out, HasSubstr("1 sealed password did not open under the old key"));
    EXPECT_THAT(human.out, HasSubstr("evansb"));
    for (const auto& [user, password] : passwords_) {
        EXPECT_EQ(shownPassword(user), user == "evansb" ? "-" : password) << user;
    }
}

TEST_F(KeyTest, AKeyLostForGoodCanBeGivenUpOnlyOnPurpose) {
    // With the right key present, or another one, --key-lost refuses and changes nothing.
    const std::string key = readAll(keyFile());
    const std::string before = directoryContent();
    refused({"secrets", "rotate", "--key-lost"}, "is the directory's key: nothing is lost");
    writeKey(keyFile(), std::string(64, 'e') + "\n");
    refused({"secrets", "rotate", "--key-lost"}, "never replaces a key file");
    EXPECT_EQ(readAll(keyFile()), std::string(64, 'e') + "\n");
    EXPECT_EQ(directoryContent(), before);

    fs::remove(keyFile());  // and no backup anywhere
    Result r = check({"secrets", "rotate", "--key-lost", "--actor", "it-office", "--json"}, 0);
    json::value v = parseJson(r.out);
    std::vector<std::string> forgotten;
    for (const auto& u : v.as_object().at("forgotten").as_array()) {
        forgotten.emplace_back(u.as_string());
    }
    std::sort(forgotten.begin(), forgotten.end());
    EXPECT_EQ(forgotten, (std::vector<std::string>{"evansb", "jonesa", "oweng"}));
    struct stat st {};
    ASSERT_EQ(::stat(keyFile().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_NE(readAll(keyFile()), key);
    for (const auto& a : accounts()) {
        EXPECT_FALSE(a.as_object().at("password_available").as_bool()) << str(a, "username");
    }
    EXPECT_EQ(shownPassword("jonesa"), "-");
    // R14/§9.2: each given-up password is a change, by the actor, with no password in it.
    Result changes = check({"changes", "--json"}, 0);
    int updates = 0;
    const json::value feed = parseJson(changes.out);
    for (const auto& c : feed.as_object().at("changes").as_array()) {
        const auto& o = c.as_object();
        if (str(o, "kind") == "account.updated" &&
            o.at("fields").as_object().contains("password_available")) {
            EXPECT_FALSE(o.at("fields").as_object().at("password_available").as_bool());
            ++updates;
        }
    }
    EXPECT_EQ(updates, 3);
    EXPECT_THAT(check({"changes"}, 0).out, HasSubstr("it-office"));
    for (const auto& [user, password] : passwords_) {
        EXPECT_THAT(changes.out, Not(HasSubstr(password)));
    }
    // Everything works again, and new passwords are sealed under the new key.
    x_.students.push_back({.id = "1003",
                           .upn = makeUpn(kSchool, 3),
                           .forename = "Carys",
                           .surname = "Hughes",
                           .year = "8",
                           .reg = "8A",
                           .admissionDate = "2024-09-01"});
    writeSchool(kSchool, x_);
    check({"run", "--as-of", "2025-03-02"}, 0);
    EXPECT_NE(shownPassword("hughesc"), "-");
    refused({"secrets", "rotate", "--key-lost"}, "is the directory's key: nothing is lost");
}

}  // namespace
}  // namespace misync::e2e
