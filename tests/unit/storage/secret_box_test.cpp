#include "storage/secret_box.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <thread>
#include <vector>

#include "core/errors.h"

using misync::storage::SecretBox;
namespace fs = std::filesystem;

namespace {

std::array<unsigned char, 32> keyOf(unsigned char fill) {
    std::array<unsigned char, 32> key{};
    key.fill(fill);
    return key;
}

// A fresh folder per test, removed afterwards.
class SecretBoxFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device rd;
        dir_ = fs::temp_directory_path() /
               ("misync-secret-box-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(dir_, ec);
    }
    void write(const fs::path& file, std::string_view content) {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    std::string read(const fs::path& file) {
        std::string content(fs::file_size(file), '\0');
        std::ifstream in(file, std::ios::binary);
        in.read(content.data(), static_cast<std::streamsize>(content.size()));
        return content;
    }
    // Expects loadOrCreate to throw core::Error naming the file.
    void expectBadKeyFile(const fs::path& file) {
        try {
            SecretBox::loadOrCreate(file);
            ADD_FAILURE() << "no error for " << file;
        } catch (const misync::core::Error& e) {
            EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
        }
    }
    fs::path dir_;
};

}  // namespace

TEST(SecretBox, RoundTrip) {
    const SecretBox box(keyOf(7));
    using namespace std::string_literals;
    for (const std::string& plain : {"HappyRiver42"s, ""s, "Ŵŵ pass\0word"s, "x"s}) {
        const std::string sealed = box.seal(plain);
        ASSERT_EQ(box.open(sealed), plain);
        // base64 of 24-byte nonce + 16-byte MAC + the text
        const std::size_t raw = 24 + 16 + plain.size();
        EXPECT_EQ(sealed.size(), (raw + 2) / 3 * 4);
        EXPECT_TRUE(std::regex_match(sealed, std::regex("[A-Za-z0-9+/]+=*")));
    }
    EXPECT_EQ(box.open("  " + box.seal("padded") + "\n"), "padded");
}

TEST(SecretBox, FreshNonceEachSeal) {
    const SecretBox box(keyOf(7));
    EXPECT_NE(box.seal("HappyRiver42"), box.seal("HappyRiver42"));
}

TEST(SecretBox, TamperedOrTruncatedDoesNotOpen) {
    const SecretBox box(keyOf(7));
    const std::string sealed = box.seal("HappyRiver42");
    for (std::size_t i = 0; i < sealed.size() && sealed[i] != '='; ++i) {
        std::string tampered = sealed;
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        EXPECT_EQ(box.open(tampered), std::nullopt) << i;
    }
    EXPECT_EQ(box.open(sealed.substr(0, sealed.size() - 4)), std::nullopt);
    EXPECT_EQ(box.open(sealed.substr(4)), std::nullopt);
    EXPECT_EQ(box.open(sealed + "AAAA"), std::nullopt);
}

TEST(SecretBox, WrongKeyDoesNotOpen) {
    const SecretBox box(keyOf(7));
    const SecretBox other(keyOf(8));
    EXPECT_EQ(other.open(box.seal("HappyRiver42")), std::nullopt);
}

TEST(SecretBox, GarbageNeverCrashes) {
    const SecretBox box(keyOf(7));
    for (const char* garbage :
         {"", " ", "-", "====", "AAAA", "!!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not base64 at all",
          "QUJD", "\xff\xfe\x00"}) {
        EXPECT_EQ(box.open(garbage), std::nullopt) << garbage;
    }
    std::mt19937 rng(1);
    for (int i = 0; i < 2000; ++i) {
        std::string s(rng() % 200, '\0');
        for (char& c : s) {
            c = static_cast<char>(i % 2 == 0 ? rng() % 256 : "ABCabc019+/="[rng() % 12]);
        }
        EXPECT_EQ(box.open(s), std::nullopt);
    }
}

TEST_F(SecretBoxFiles, CreatesKeyFileOnceWithMode0600) {
    const fs::path file = dir_ / "nested" / "folder" / "secret.key";
    const SecretBox first = SecretBox::loadOrCreate(file);
    ASSERT_TRUE(fs::is_regular_file(file));
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    const std::string content = read(file);
    EXPECT_TRUE(std::regex_match(content, std::regex("[0-9a-f]{64}\n"))) << content.size();
    // Only the key file is left behind: no temp files.
    EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), {}), 1);

    const SecretBox second = SecretBox::loadOrCreate(file);
    EXPECT_EQ(read(file), content);  // reused, not replaced
    EXPECT_EQ(second.open(first.seal("HappyRiver42")), "HappyRiver42");

    // A different key file gives a different key.
    const SecretBox third = SecretBox::loadOrCreate(dir_ / "other.key");
    EXPECT_EQ(third.open(first.seal("HappyRiver42")), std::nullopt);
}

TEST_F(SecretBoxFiles, ReadsHexAndRawKeys) {
    const std::string hex(64, 'a');  // 0xaa repeated
    const SecretBox expected(keyOf(0xaa));
    const std::string sealed = expected.seal("HappyRiver42");
    for (const std::string& content :
         {hex, hex + "\n", hex + "\r\n", std::string(64, 'A'), std::string(32, '\xaa')}) {
        write(dir_ / "k", content);
        EXPECT_EQ(SecretBox::loadOrCreate(dir_ / "k").open(sealed), "HappyRiver42")
            << content.size();
    }
}

TEST_F(SecretBoxFiles, BadKeyFilesAreErrorsNamingTheFile) {
    for (const std::string& content :
         {std::string(), std::string("short"), std::string(63, 'a'), std::string(65, 'a'),
          std::string(64, 'g'), std::string(64, 'a') + "\n\n", std::string(33, 'x'),
          std::string(100000, 'a')}) {
        write(dir_ / "bad.key", content);
        expectBadKeyFile(dir_ / "bad.key");
    }
    expectBadKeyFile(dir_);  // a folder, not a file
    fs::create_symlink(dir_ / "missing-target", dir_ / "dangling.key");
    expectBadKeyFile(dir_ / "dangling.key");
}

TEST_F(SecretBoxFiles, ErrorsDoNotQuoteTheKey) {
    const std::string almost = std::string(63, 'c') + "z";  // would be a key but for one char
    write(dir_ / "bad.key", almost);
    try {
        SecretBox::loadOrCreate(dir_ / "bad.key");
        ADD_FAILURE() << "no error";
    } catch (const misync::core::Error& e) {
        EXPECT_EQ(std::string(e.what()).find("cccc"), std::string::npos) << e.what();
    }
}

TEST_F(SecretBoxFiles, UnreadableFileOrFolder) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads files whatever their mode";
    }
    write(dir_ / "locked.key", std::string(64, 'a'));
    fs::permissions(dir_ / "locked.key", fs::perms::none);
    expectBadKeyFile(dir_ / "locked.key");
    fs::create_directories(dir_ / "ro");
    fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    expectBadKeyFile(dir_ / "ro" / "new.key");
}

TEST_F(SecretBoxFiles, ConcurrentCreatorsAgreeOnOneKey) {
    for (int round = 0; round < 20; ++round) {
        const fs::path file = dir_ / ("race" + std::to_string(round)) / "secret.key";
        std::vector<std::optional<SecretBox>> boxes(6);
        std::vector<std::thread> threads;
        for (auto& box : boxes) {
            threads.emplace_back([&box, &file] {
                try {
                    box.emplace(SecretBox::loadOrCreate(file));
                } catch (const std::exception& e) {
                    ADD_FAILURE() << e.what();
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        ASSERT_TRUE(std::all_of(boxes.begin(), boxes.end(), [](auto& b) { return b.has_value(); }));
        const std::string sealed = boxes.front()->seal("HappyRiver42");
        for (const auto& box : boxes) {
            ASSERT_EQ(box->open(sealed), "HappyRiver42") << "round " << round;
        }
        EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), {}), 1);
    }
}

// P3: the fingerprint names a key without revealing it.
TEST(SecretBox, FingerprintIsStableForAKeyAndDiffersForAnother) {
    const SecretBox a(keyOf(7));
    const SecretBox sameKey(keyOf(7));
    const SecretBox other(keyOf(8));
    EXPECT_EQ(a.fingerprint(), sameKey.fingerprint());
    EXPECT_EQ(a.fingerprint(), a.fingerprint());
    EXPECT_NE(a.fingerprint(), other.fingerprint());
    EXPECT_TRUE(std::regex_match(a.fingerprint(), std::regex("[0-9a-f]{64}"))) << a.fingerprint();
    // Not the key in hex, nor a plain hash of it.
    EXPECT_EQ(a.fingerprint().find("0707070707"), std::string::npos);
    std::array<unsigned char, crypto_generichash_BYTES> plain{};
    const auto key = keyOf(7);
    crypto_generichash(plain.data(), plain.size(), key.data(), key.size(), nullptr, 0);
    std::array<char, 2 * crypto_generichash_BYTES + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), plain.data(), plain.size());
    EXPECT_NE(a.fingerprint(), std::string(hex.data()));
    EXPECT_NE(SecretBox::generate().fingerprint(), SecretBox::generate().fingerprint());
}

TEST(SecretBox, ASealCheckThatThrowsStopsTheSeal) {
    SecretBox box(keyOf(7));
    int checks = 0;
    box.setSealCheck([&checks] {
        if (++checks == 2) {
            throw misync::core::Error("not this key any more");
        }
    });
    EXPECT_EQ(box.open(box.seal("HappyRiver42")), "HappyRiver42");
    EXPECT_THROW(box.seal("HappyRiver42"), misync::core::Error);
    EXPECT_EQ(checks, 2);
    EXPECT_EQ(box.open(SecretBox(keyOf(7)).seal("x")), "x") << "opening is never checked";
    EXPECT_EQ(checks, 2);
}

TEST_F(SecretBoxFiles, LoadDoesNotCreate) {
    EXPECT_EQ(SecretBox::load(dir_ / "missing.key"), std::nullopt);
    EXPECT_FALSE(fs::exists(dir_ / "missing.key"));
    write(dir_ / "bad.key", "short");
    EXPECT_THROW(SecretBox::load(dir_ / "bad.key"), misync::core::Error);
}

TEST_F(SecretBoxFiles, WriteKeyFileReplacesWholeWithMode0600) {
    const fs::path file = dir_ / "sub" / "secret.key.new";
    const SecretBox a = SecretBox::generate();
    a.writeKeyFile(file);
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_TRUE(std::regex_match(read(file), std::regex("[0-9a-f]{64}\n")));
    EXPECT_EQ(SecretBox::load(file)->fingerprint(), a.fingerprint());
    const SecretBox b = SecretBox::generate();
    b.writeKeyFile(file);  // replaces
    EXPECT_EQ(SecretBox::load(file)->fingerprint(), b.fingerprint());
    EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), {}), 1) << "no temp files";
}

TEST_F(SecretBoxFiles, MoveKeyFile) {
    const SecretBox a = SecretBox::generate();
    a.writeKeyFile(dir_ / "k.new");
    SecretBox::generate().writeKeyFile(dir_ / "k");
    EXPECT_TRUE(SecretBox::moveKeyFile(dir_ / "k.new", dir_ / "k"));
    EXPECT_FALSE(fs::exists(dir_ / "k.new"));
    EXPECT_EQ(SecretBox::load(dir_ / "k")->fingerprint(), a.fingerprint());
    EXPECT_FALSE(SecretBox::moveKeyFile(dir_ / "k.new", dir_ / "k")) << "already moved";
    EXPECT_EQ(SecretBox::load(dir_ / "k")->fingerprint(), a.fingerprint());
}
