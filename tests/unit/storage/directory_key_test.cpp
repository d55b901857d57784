// P3: the directory's facts (directory_meta), its sealed passwords as a whole, and the rules of
// storage/directory_key.h: which key file may be used, created or refused, rotation in one
// transaction, and a rotation interrupted after its commit.
#include "storage/directory_key.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "core/errors.h"
#include "storage/directory.h"
#include "storage/secret_box.h"

using namespace misync;
namespace fs = std::filesystem;

namespace {

class DirectoryKeyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("misync-directory-key-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
        db_ = (dir_ / "directory.db").string();
        keyFile_ = dir_ / "secret.key";
        directory_ = open();
    }
    void TearDown() override {
        directory_.reset();
        fs::remove_all(dir_);
    }

    std::unique_ptr<storage::Directory> open() {
        return storage::Directory::open({"sqlite", db_, ""});
    }
    // Raw SQL on a connection of its own, as another process would.
    void sql(const std::string& statement) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 10'000);
        EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    std::string recorded() {
        return directory_->metaValue(storage::kKeyFingerprintMeta).value_or("(none)");
    }

    // Applies a plan that creates `username` with a visible `password` sealed by `box`.
    void create(const std::string& username, const std::optional<std::string>& password,
                const storage::SecretBox& box, storage::Directory* d = nullptr) {
        reconcile::Account a;
        a.username = username;
        a.school = "6612345";
        a.attrs.misId = username + "-id";
        a.attrs.legalForename = "Siân";
        a.attrs.legalSurname = username;
        a.displayName = "Siân " + username;
        a.createdAt = "2026-11-28T06:30:00Z";
        reconcile::Plan p;
        p.school = a.school;
        p.accounts.push_back({a, password, {a.username}});
        reconcile::Action act;
        act.kind = reconcile::ActionKind::Create;
        act.username = username;
        p.actions.push_back(act);
        ++p.counts["create"];
        storage::RunRecord r;
        r.school = a.school;
        r.connector = "sims-xml";
        r.asOf = "2026-11-28";
        r.startedAt = r.finishedAt = "2026-11-28T06:30:00Z";
        r.outcome = "applied";
        r.actions = p.actions;
        r.counts = p.counts;
        (d != nullptr ? *d : *directory_).apply(p, r, box);
    }
    std::string sealedOf(const std::string& username) {
        auto row = directory_->findAccount(username);
        return row ? row->passwordSealed : std::string();
    }
    // Expects `body` to throw core::ConfigError whose message names the key file.
    template <typename F>
    std::string expectRefusal(F body) {
        try {
            body();
            ADD_FAILURE() << "no refusal";
        } catch (const core::ConfigError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("secrets.key_file " + keyFile_.string() + ": "), std::string::npos)
                << what;
            return what;
        }
        return {};
    }
    std::string read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    fs::path dir_;
    std::string db_;
    fs::path keyFile_;
    std::unique_ptr<storage::Directory> directory_;
};

storage::SecretBox keyOf(unsigned char fill) {
    std::array<unsigned char, 32> key{};
    key.fill(fill);
    return storage::SecretBox(key);
}

TEST_F(DirectoryKeyTest, MetaRoundTrip) {
    EXPECT_EQ(directory_->metaValue("colour"), std::nullopt);
    directory_->setMetaValue("colour", "green");
    EXPECT_EQ(directory_->metaValue("colour"), "green");
    directory_->setMetaValue("colour", "red");  // replaces
    EXPECT_EQ(directory_->metaValue("colour"), "red");
    EXPECT_EQ(open()->metaValue("colour"), "red") << "committed, seen by another connection";

    // metaMatches: insert-if-absent, then compare.
    EXPECT_TRUE(directory_->metaMatches("shape", "round"));
    EXPECT_EQ(directory_->metaValue("shape"), "round");
    EXPECT_TRUE(directory_->metaMatches("shape", "round"));
    EXPECT_FALSE(directory_->metaMatches("shape", "square"));
    EXPECT_EQ(directory_->metaValue("shape"), "round");
}

TEST_F(DirectoryKeyTest, MetaMatchesForgetsWhatItConfirmedWhenTheTransactionEnds) {
    directory_->setMetaValue("k", "one");
    directory_->exclusive([&] { EXPECT_TRUE(directory_->metaMatches("k", "one")); });
    sql("UPDATE directory_meta SET value = 'two' WHERE key = 'k'");  // another process
    directory_->exclusive([&] {
        EXPECT_FALSE(directory_->metaMatches("k", "one")) << "asked again after the commit";
        EXPECT_TRUE(directory_->metaMatches("k", "two"));
    });
    // A rolled-back transaction forgets too.
    EXPECT_THROW(directory_->exclusive([&] {
        EXPECT_TRUE(directory_->metaMatches("k", "two"));
        throw core::Error("boom");
    }),
                 core::Error);
    sql("UPDATE directory_meta SET value = 'three' WHERE key = 'k'");
    directory_->exclusive([&] { EXPECT_FALSE(directory_->metaMatches("k", "two")); });
    // setMetaValue within a transaction replaces what was confirmed.
    directory_->exclusive([&] {
        EXPECT_TRUE(directory_->metaMatches("k", "three"));
        directory_->setMetaValue("k", "four");
        EXPECT_FALSE(directory_->metaMatches("k", "three"));
    });
}

TEST_F(DirectoryKeyTest, SealedPasswordsAreCountedAndVisited) {
    const auto box = keyOf(1);
    EXPECT_EQ(directory_->sealedPasswordCount(), 0);
    create("jonesa", "HappyRiver42", box);
    create("evansb", std::nullopt, box);  // no visible password
    create("owenc", "QuietHill17", box);
    EXPECT_EQ(directory_->sealedPasswordCount(), 2);
    std::vector<std::string> names;
    directory_->forEachSealedPassword([&](const std::string& user, const std::string& sealed) {
        names.push_back(user);
        EXPECT_TRUE(box.open(sealed)) << user;
    });
    EXPECT_EQ(names, (std::vector<std::string>{"jonesa", "owenc"}));
}

TEST_F(DirectoryKeyTest, ResealMovesEveryPasswordToTheNewKeyAndReportsTheUnreadable) {
    const auto oldKey = keyOf(1);
    const auto newKey = keyOf(2);
    create("jonesa", "HappyRiver42", oldKey);
    create("owenc", "QuietHill17", oldKey);
    create("prysd", "GreenLeaf55", keyOf(9));  // sealed under a key nobody has now
    const std::string foreign = sealedOf("prysd");
    const std::string updatedBefore = directory_->findAccount("jonesa")->updatedAt;

    const storage::ResealReport r = directory_->resealPasswords(oldKey, newKey);
    EXPECT_EQ(r.resealed, 2);
    EXPECT_EQ(r.unreadable, std::vector<std::string>{"prysd"});
    EXPECT_EQ(newKey.open(sealedOf("jonesa")), "HappyRiver42");
    EXPECT_EQ(newKey.open(sealedOf("owenc")), "QuietHill17");
    EXPECT_EQ(oldKey.open(sealedOf("jonesa")), std::nullopt);
    EXPECT_EQ(sealedOf("prysd"), foreign) << "an unreadable value is left, not dropped";
    EXPECT_EQ(directory_->findAccount("jonesa")->updatedAt, updatedBefore);
}

TEST_F(DirectoryKeyTest, AResealThatFailsHalfwayChangesNothing) {
    const auto oldKey = keyOf(1);
    create("jonesa", "HappyRiver42", oldKey);
    create("owenc", "QuietHill17", oldKey);
    create("prysd", "GreenLeaf55", oldKey);
    const std::string before = sealedOf("jonesa");
    // The last row's update fails, after the first two were written.
    sql("CREATE TRIGGER fail_reseal BEFORE UPDATE OF password_sealed ON accounts "
        "WHEN old.username = 'prysd' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    try {
        directory_->resealPasswords(oldKey, keyOf(2));
        ADD_FAILURE() << "no error";
    } catch (const core::StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("disk on fire"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(db_), std::string::npos) << e.what();
    }
    EXPECT_EQ(sealedOf("jonesa"), before);
    for (const char* u : {"jonesa", "owenc", "prysd"}) {
        EXPECT_TRUE(oldKey.open(sealedOf(u))) << u;
    }
    // Inside an enclosing transaction that fails after it, the reseal is undone too.
    sql("DROP TRIGGER fail_reseal");
    EXPECT_THROW(directory_->exclusive([&] {
        directory_->resealPasswords(oldKey, keyOf(2));
        throw core::Error("later step failed");
    }),
                 core::Error);
    EXPECT_EQ(sealedOf("jonesa"), before);
}

TEST_F(DirectoryKeyTest, AFreshDirectoryCreatesTheKeyAndRecordsItsFingerprint) {
    const auto box = storage::openDirectoryKey(keyFile_, *directory_);
    ASSERT_TRUE(fs::is_regular_file(keyFile_));
    EXPECT_EQ(fs::status(keyFile_).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(recorded(), box.fingerprint());
    EXPECT_EQ(storage::SecretBox::load(keyFile_)->fingerprint(), box.fingerprint());
    // Opened again: the same key, nothing new.
    const std::string content = read(keyFile_);
    EXPECT_EQ(storage::openDirectoryKey(keyFile_, *directory_).fingerprint(), box.fingerprint());
    EXPECT_EQ(read(keyFile_), content);
}

TEST_F(DirectoryKeyTest, AMissingKeyFileIsRefusedWhilePasswordsAreSealed) {
    const auto box = storage::openDirectoryKey(keyFile_, *directory_);
    create("jonesa", "HappyRiver42", box);
    create("owenc", "QuietHill17", box);
    fs::rename(keyFile_, dir_ / "moved-away.key");
    const std::string before = recorded();
    const std::string what =
        expectRefusal([&] { storage::openDirectoryKey(keyFile_, *directory_); });
    EXPECT_NE(what.find("missing"), std::string::npos) << what;
    EXPECT_NE(what.find("2 sealed passwords"), std::string::npos) << what;
    EXPECT_FALSE(fs::exists(keyFile_)) << "no new key was created";
    EXPECT_EQ(recorded(), before);
    EXPECT_EQ(storage::peekDirectoryKey(keyFile_, *directory_), std::nullopt);

    fs::rename(dir_ / "moved-away.key", keyFile_);  // restored
    EXPECT_EQ(storage::openDirectoryKey(keyFile_, *directory_).open(sealedOf("jonesa")),
              "HappyRiver42");
}

TEST_F(DirectoryKeyTest, AnotherKeyIsRefusedWhilePasswordsAreSealed) {
    const auto box = storage::openDirectoryKey(keyFile_, *directory_);
    create("jonesa", "HappyRiver42", box);
    const std::string original = read(keyFile_);
    keyOf(7).writeKeyFile(keyFile_);  // a valid key, but not this directory's
    const std::string what =
        expectRefusal([&] { storage::openDirectoryKey(keyFile_, *directory_); });
    EXPECT_NE(what.find("is not the key"), std::string::npos) << what;
    EXPECT_NE(what.find(storage::shortFingerprint(box.fingerprint())), std::string::npos) << what;
    EXPECT_EQ(what.find(original.substr(0, 16)), std::string::npos) << "never the key itself";
    EXPECT_EQ(recorded(), box.fingerprint());
    EXPECT_EQ(storage::peekDirectoryKey(keyFile_, *directory_), std::nullopt);
}

TEST_F(DirectoryKeyTest, WithNothingSealedAMissingOrReplacedKeyIsSimplyReplaced) {
    const auto first = storage::openDirectoryKey(keyFile_, *directory_);
    fs::remove(keyFile_);
    const auto second = storage::openDirectoryKey(keyFile_, *directory_);
    EXPECT_NE(second.fingerprint(), first.fingerprint());
    EXPECT_EQ(recorded(), second.fingerprint());
    keyOf(7).writeKeyFile(keyFile_);
    EXPECT_EQ(storage::openDirectoryKey(keyFile_, *directory_).fingerprint(),
              keyOf(7).fingerprint());
    EXPECT_EQ(recorded(), keyOf(7).fingerprint());
}

TEST_F(DirectoryKeyTest, ADirectoryFromBeforeTheFingerprintIsJudgedByItsPasswords) {
    const auto box = keyOf(3);
    create("jonesa", "HappyRiver42", box);
    create("owenc", "QuietHill17", keyOf(4));  // a leftover from another key
    ASSERT_EQ(recorded(), "(none)");

    keyOf(5).writeKeyFile(keyFile_);  // opens neither
    const std::string what =
        expectRefusal([&] { storage::openDirectoryKey(keyFile_, *directory_); });
    EXPECT_NE(what.find("opens none"), std::string::npos) << what;
    EXPECT_EQ(recorded(), "(none)");
    EXPECT_EQ(storage::peekDirectoryKey(keyFile_, *directory_), std::nullopt);

    box.writeKeyFile(keyFile_);  // opens one of the two: accepted and recorded
    ASSERT_TRUE(storage::peekDirectoryKey(keyFile_, *directory_));
    EXPECT_EQ(recorded(), "(none)") << "peeking records nothing";
    EXPECT_EQ(storage::openDirectoryKey(keyFile_, *directory_).fingerprint(), box.fingerprint());
    EXPECT_EQ(recorded(), box.fingerprint());
}

TEST_F(DirectoryKeyTest, RotationReSealsUnderANewKeyFile) {
    const auto box = storage::openDirectoryKey(keyFile_, *directory_);
    create("jonesa", "HappyRiver42", box);
    create("owenc", "QuietHill17", box);
    const auto report = storage::rotateDirectoryKey(keyFile_, *directory_, box);
    EXPECT_EQ(report.reseal.resealed, 2);
    EXPECT_TRUE(report.reseal.unreadable.empty());
    EXPECT_FALSE(fs::exists(storage::pendingKeyFile(keyFile_)));
    const auto now = storage::SecretBox::load(keyFile_);
    ASSERT_TRUE(now);
    EXPECT_EQ(now->fingerprint(), report.fingerprint);
    EXPECT_NE(report.fingerprint, box.fingerprint());
    EXPECT_EQ(recorded(), report.fingerprint);
    EXPECT_EQ(fs::status(keyFile_).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(now->open(sealedOf("jonesa")), "HappyRiver42");
    EXPECT_EQ(box.open(sealedOf("jonesa")), std::nullopt);

    // The old box no longer seals into this directory: its write fails, whole.
    EXPECT_THROW(create("prysd", "GreenLeaf55", box), core::ConfigError);
    EXPECT_FALSE(directory_->findAccount("prysd"));
}

TEST_F(DirectoryKeyTest, AFailedRotationKeepsTheOldKeyAndPasswords) {
    const auto box = storage::openDirectoryKey(keyFile_, *directory_);
    create("jonesa", "HappyRiver42", box);
    const std::string keyBefore = read(keyFile_);
    sql("CREATE TRIGGER fail_reseal BEFORE UPDATE OF password_sealed ON accounts "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    EXPECT_THROW(storage::rotateDirectoryKey(keyFile_, *directory_, box), core::StoreError);
    EXPECT_EQ(read(keyFile_), keyBefore);
    EXPECT_FALSE(fs::exists(storage::pendingKeyFile(keyFile_))) << "the new key is removed";
    EXPECT_EQ(recorded(), box.fingerprint());
    EXPECT_EQ(box.open(sealedOf("jonesa")), "HappyRiver42");
}

TEST_F(DirectoryKeyTest, ARotationInterruptedAfterItsCommitIsFinishedByTheNextCommand) {
    const auto box = storage::openDirectoryKey(keyFile_, *directory_);
    create("jonesa", "HappyRiver42", box);
    const std::string oldKey = read(keyFile_);
    const auto report = storage::rotateDirectoryKey(keyFile_, *directory_, box);
    // The state a crash between the commit and the move leaves: the new key only in .new.
    fs::rename(keyFile_, storage::pendingKeyFile(keyFile_));
    {
        std::ofstream out(keyFile_, std::ios::binary);
        out << oldKey;
    }
    fs::permissions(keyFile_, fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_TRUE(storage::peekDirectoryKey(keyFile_, *directory_)) << "readers use the new key";
    EXPECT_TRUE(fs::exists(storage::pendingKeyFile(keyFile_))) << "peeking moves nothing";

    const auto reopened = storage::openDirectoryKey(keyFile_, *directory_);
    EXPECT_EQ(reopened.fingerprint(), report.fingerprint);
    EXPECT_FALSE(fs::exists(storage::pendingKeyFile(keyFile_)));
    EXPECT_EQ(storage::SecretBox::load(keyFile_)->fingerprint(), report.fingerprint);
    EXPECT_EQ(reopened.open(sealedOf("jonesa")), "HappyRiver42");
}

TEST_F(DirectoryKeyTest, ANewKeyLeftByARotationThatDidNotCommitIsRemoved) {
    const auto box = storage::openDirectoryKey(keyFile_, *directory_);
    create("jonesa", "HappyRiver42", box);
    keyOf(8).writeKeyFile(storage::pendingKeyFile(keyFile_));
    const auto reopened = storage::openDirectoryKey(keyFile_, *directory_);
    EXPECT_EQ(reopened.fingerprint(), box.fingerprint());
    EXPECT_FALSE(fs::exists(storage::pendingKeyFile(keyFile_)));
    EXPECT_EQ(reopened.open(sealedOf("jonesa")), "HappyRiver42");

    // A .new that matches neither the key file nor the record is nobody's to delete.
    keyOf(7).writeKeyFile(keyFile_);
    keyOf(8).writeKeyFile(storage::pendingKeyFile(keyFile_));
    expectRefusal([&] { storage::openDirectoryKey(keyFile_, *directory_); });
    EXPECT_TRUE(fs::exists(storage::pendingKeyFile(keyFile_)));
}

TEST_F(DirectoryKeyTest, ARotationByAnotherProcessFailsALaterWriteWithTheOldKey) {
    // Process A checks its key; process B rotates; A's run then seals with the old key.
    const auto a = storage::openDirectoryKey(keyFile_, *directory_);
    create("jonesa", "HappyRiver42", a);
    {
        auto other = open();
        const auto b = storage::openDirectoryKey(keyFile_, *other);
        storage::rotateDirectoryKey(keyFile_, *other, b);
    }
    EXPECT_THROW(create("owenc", "QuietHill17", a), core::ConfigError);
    EXPECT_FALSE(directory_->findAccount("owenc")) << "the whole write was rolled back";
    const auto fresh = storage::openDirectoryKey(keyFile_, *directory_);
    create("owenc", "QuietHill17", fresh);
    EXPECT_EQ(fresh.open(sealedOf("owenc")), "QuietHill17");
    EXPECT_EQ(fresh.open(sealedOf("jonesa")), "HappyRiver42");
}

TEST_F(DirectoryKeyTest, ConcurrentFirstUsesAgreeOnOneKeyAndOneFingerprint) {
    for (int round = 0; round < 10; ++round) {
        keyFile_ = dir_ / ("round" + std::to_string(round)) / "secret.key";
        directory_->setMetaValue(storage::kKeyFingerprintMeta, "stale-from-an-earlier-round");
        std::vector<std::string> fingerprints(6);
        std::vector<std::thread> threads;
        for (auto& fp : fingerprints) {
            threads.emplace_back([&fp, this] {
                try {
                    auto d = open();  // a connection of its own, as another process has
                    fp = storage::openDirectoryKey(keyFile_, *d).fingerprint();
                } catch (const std::exception& e) {
                    ADD_FAILURE() << e.what();
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        const std::string onDisk = storage::SecretBox::load(keyFile_)->fingerprint();
        for (const auto& fp : fingerprints) {
            EXPECT_EQ(fp, onDisk) << "round " << round;
        }
        EXPECT_EQ(recorded(), onDisk) << "round " << round;
        EXPECT_EQ(std::distance(fs::directory_iterator(keyFile_.parent_path()), {}), 1);
    }
}

}  // namespace
