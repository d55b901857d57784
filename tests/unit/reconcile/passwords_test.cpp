#include "reconcile/passwords.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <string>

using namespace misync::reconcile;

namespace {

std::string failure(std::string_view password, std::string_view username = "") {
    return checkPassword(password, username).value_or("");
}

bool inWordList(std::string_view word) {
    const auto words = passwordWords();
    return std::binary_search(words.begin(), words.end(), word);
}

// Checks one generated password against P1 and the documented P2 shape; returns its two words.
std::pair<std::string, std::string> checkGenerated(const std::string& password,
                                                   std::string_view username) {
    static const std::regex shape("([A-Z][a-z]{2,5})([A-Z][a-z]{2,5})([2-9]{2})");
    std::smatch m;
    EXPECT_TRUE(std::regex_match(password, m, shape)) << password;
    EXPECT_GE(password.size(), 10u) << password;
    EXPECT_EQ(checkPassword(password, username), std::nullopt) << password;
    EXPECT_EQ(password.find_first_of("01lIO"), std::string::npos) << password;
    if (m.size() != 4) {
        return {};
    }
    std::string first = m[1].str();
    std::string second = m[2].str();
    first[0] = static_cast<char>(std::tolower(first[0]));
    second[0] = static_cast<char>(std::tolower(second[0]));
    EXPECT_TRUE(inWordList(first)) << password;
    EXPECT_TRUE(inWordList(second)) << password;
    return {first, second};
}

}  // namespace

TEST(CheckPassword, AcceptsGoodPasswords) {
    EXPECT_EQ(checkPassword("HappyRiver42", "jonesa"), std::nullopt);
    EXPECT_EQ(checkPassword("Tr0ub4dor&3", "jonesa"), std::nullopt);
    EXPECT_EQ(checkPassword("Ŵŵŵŵŵŵŵ7", "jonesa"), std::nullopt);  // Welsh letters count
}

TEST(CheckPassword, EachRuleNamesItself) {
    EXPECT_EQ(failure("Abcdef1"), "password must be at least 8 characters long");
    EXPECT_EQ(failure(""), "password must be at least 8 characters long");
    // 7 characters in 13 bytes: length is counted in characters.
    EXPECT_EQ(failure("Ŵŵŵŵŵŵ7"), "password must be at least 8 characters long");
    EXPECT_EQ(failure("abcdefg1"), "password must contain at least one upper-case letter");
    EXPECT_EQ(failure("ABCDEFG1"), "password must contain at least one lower-case letter");
    EXPECT_EQ(failure("Abcdefgh"), "password must contain at least one digit");
    EXPECT_EQ(failure("Abcdefg\xff"
                      "1"),
              "password must be valid UTF-8 text");
    EXPECT_EQ(failure("Password1"),
              "password is too common: it is on the block list of weak passwords");
    EXPECT_EQ(failure("XjonesaY12", "jonesa"), "password must not contain the username");
}

TEST(CheckPassword, BlockListIgnoresCase) {
    for (const char* weak : {"Password1", "pASSWORD1", "PassWord123", "Welcome123", "WELCOMe123",
                             "Qwerty123", "Hwbcymru1", "HwbCymru2024", "Letmein1", "Abc12345"}) {
        EXPECT_TRUE(checkPassword(weak, "").has_value()) << weak;
        EXPECT_NE(failure(weak).find("block list"), std::string::npos) << weak;
    }
    EXPECT_EQ(checkPassword("Password1x", ""), std::nullopt);  // exact entries only
}

TEST(CheckPassword, EveryBlockListEntryIsRejected) {
    const auto weak = weakPasswords();
    EXPECT_GE(weak.size(), 200u);
    EXPECT_TRUE(std::is_sorted(weak.begin(), weak.end()));
    std::size_t checked = 0;
    for (std::string_view entry : weak) {
        // Upper-case the first letter so that the composition rules pass and only the list can
        // reject it.
        std::string variant(entry);
        const auto letter = variant.find_first_of("abcdefghijklmnopqrstuvwxyz");
        ASSERT_NE(letter, std::string::npos) << entry;
        variant[letter] = static_cast<char>(std::toupper(variant[letter]));
        if (variant.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) {
            continue;  // e.g. "1q2w3e4r" has only one letter of each case once capitalised
        }
        EXPECT_NE(failure(variant).find("block list"), std::string::npos) << entry;
        ++checked;
    }
    EXPECT_GE(checked, 200u);
}

TEST(CheckPassword, UsernameContainedIgnoringCase) {
    EXPECT_EQ(failure("MyJonesA2024x", "jonesa"), "password must not contain the username");
    EXPECT_EQ(failure("Xjonesa2024", "JonesA"), "password must not contain the username");
    EXPECT_EQ(failure("Xjonesa2024", "jonesa@hwbcymru.net"),
              "password must not contain the username");
    EXPECT_EQ(checkPassword("Xjones2024a", "jonesa"), std::nullopt);
    EXPECT_EQ(checkPassword("Xjonesa2024", ""), std::nullopt);  // no username: no check
}

TEST(CheckPassword, MessagesNeverQuoteThePassword) {
    for (const char* p : {"Zq1", "zqxwvuts9", "ZQXWVUTS9", "Zqxwvutsr", "Password1"}) {
        const std::string message = failure(p, "zqx");
        ASSERT_FALSE(message.empty()) << p;
        EXPECT_EQ(message.find(p), std::string::npos) << message;
    }
}

TEST(PasswordWords, FollowTheLookAlikeRule) {
    const auto words = passwordWords();
    EXPECT_GE(words.size(), 500u);
    EXPECT_TRUE(std::adjacent_find(words.begin(), words.end(), std::greater_equal<>()) ==
                words.end());
    for (std::string_view w : words) {
        EXPECT_GE(w.size(), 3u) << w;
        EXPECT_LE(w.size(), 6u) << w;
        EXPECT_TRUE(std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
            << w;
        EXPECT_EQ(w.find('l'), std::string_view::npos) << w;
        EXPECT_NE(w.front(), 'i') << w;
        EXPECT_NE(w.front(), 'o') << w;
        EXPECT_EQ(w.find("rn"), std::string_view::npos) << w;  // reads as 'm'
    }
}

TEST(SecurePasswordGenerator, TenThousandPassPolicyAndShape) {
    SecurePasswordGenerator generator;
    std::set<std::string> distinct;
    std::set<std::string> wordsSeen;
    for (int i = 0; i < 10000; ++i) {
        const std::string username = "jonesa" + std::to_string(i % 50);
        const std::string password = generator.generate(username);
        const auto [first, second] = checkGenerated(password, username);
        wordsSeen.insert(first);
        wordsSeen.insert(second);
        distinct.insert(password);
    }
    // 20,000 draws from ~700 words: all but a handful appear; repeats of a whole password are
    // rare (2^25 possibilities).
    EXPECT_GE(wordsSeen.size(), passwordWords().size() * 95 / 100);
    EXPECT_GE(distinct.size(), 9950u);
}

TEST(SecurePasswordGenerator, AvoidsShortUsernames) {
    SecurePasswordGenerator generator;
    for (int i = 0; i < 2000; ++i) {
        const std::string password = generator.generate("a");
        checkGenerated(password, "a");
        ASSERT_EQ(password.find('a'), std::string::npos) << password;
        ASSERT_EQ(password.find('A'), std::string::npos) << password;
    }
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(generator.generate("7").find('7'), std::string::npos);
    }
}

TEST(SeededPasswordGenerator, DeterministicAndSameRules) {
    SeededPasswordGenerator a(42);
    SeededPasswordGenerator b(42);
    SeededPasswordGenerator c(43);
    int differences = 0;
    std::set<std::string> wordsSeen;
    std::set<char> lastDigits;
    for (int i = 0; i < 10000; ++i) {
        const std::string username = "evansb" + std::to_string(i);
        const std::string pa = a.generate(username);
        ASSERT_EQ(pa, b.generate(username));
        differences += pa != c.generate(username) ? 1 : 0;
        const auto [first, second] = checkGenerated(pa, username);
        wordsSeen.insert(first);
        wordsSeen.insert(second);
        lastDigits.insert(pa.back());
    }
    EXPECT_GE(differences, 9900);
    EXPECT_EQ(wordsSeen.size(), passwordWords().size());  // every word reachable
    EXPECT_EQ(lastDigits, (std::set<char>{'2', '3', '4', '5', '6', '7', '8', '9'}));
}
