// The tokens file of SPEC §7 (who may read the status endpoint, §9): [[token]] tables with name,
// scope and the SHA-256 of the bearer token; every problem a ConfigError naming FILE:LINE and
// the key; tokens checked by hashing and comparing with every digest in constant time.
#include <gmock/gmock.h>

#include <sodium.h>

#include <fstream>

#include "core/errors.h"
#include "status/tokens.h"
#include "status_fixture.h"

using namespace misync;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// printf %s "$TOKEN" | sha256sum
std::string hexDigest(const std::string& token) {
    const auto d = status::sha256(token);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : d) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

std::string problemsOf(const std::string& text) {
    try {
        status::TokenSet::parse(text, "/etc/misync/tokens.toml");
    } catch (const core::ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return {};
}

const std::string kGood =
    "# who may read the status endpoint\n"
    "[[token]]\n"
    "name = \"la-dashboard\"\n"
    "scope = \"admin\"\n"
    "sha256 = \"" +
    hexDigest("admin-bearer") +
    "\"\n"
    "\n"
    "[[token]]\n"
    "name = \"ysgol-enghraifft\"\n"
    "scope = \"school:6612345\"\n"
    "sha256 = \"" +
    hexDigest("school-bearer") + "\"\n";

TEST(Tokens, TheDigestIsTheSha256OfTheToken) {
    // sha256("abc"), FIPS 180-2.
    EXPECT_EQ(hexDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Tokens, AGoodFileGivesEachTokenItsScope) {
    const auto set = status::TokenSet::parse(kGood, "tokens.toml");
    ASSERT_EQ(set.tokens().size(), 2u);
    const status::Token* admin = set.check("admin-bearer");
    ASSERT_NE(admin, nullptr);
    EXPECT_EQ(admin->name, "la-dashboard");
    EXPECT_TRUE(admin->scope.isAdmin());
    EXPECT_TRUE(admin->scope.allows("6612345"));
    EXPECT_TRUE(admin->scope.allows("6610001"));
    const status::Token* school = set.check("school-bearer");
    ASSERT_NE(school, nullptr);
    EXPECT_EQ(school->name, "ysgol-enghraifft");
    EXPECT_EQ(school->scope.kind, status::Scope::Kind::School);
    EXPECT_EQ(school->scope.text(), "school:6612345");
    EXPECT_TRUE(school->scope.allows("6612345"));
    EXPECT_FALSE(school->scope.allows("6610001"));
    EXPECT_EQ(set.check("admin-bearer "), nullptr);
    EXPECT_EQ(set.check("Admin-bearer"), nullptr);
    EXPECT_EQ(set.check(""), nullptr);
    EXPECT_EQ(set.check(hexDigest("admin-bearer")), nullptr) << "the digest is not the token";
}

TEST(Tokens, UpperCaseDigestsAndAnEmptyFileAreFine) {
    std::string upper = hexDigest("t1");
    for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    const auto set = status::TokenSet::parse(
        "[[token]]\nname = \"x\"\nscope = \"admin\"\nsha256 = \"" + upper + "\"\n", "t.toml");
    EXPECT_NE(set.check("t1"), nullptr);
    EXPECT_TRUE(status::TokenSet::parse("# nobody yet\n", "t.toml").tokens().empty());
}

TEST(Tokens, EveryKindOfBadFileNamesTheFileLineAndKey) {
    const std::string d1 = hexDigest("one");
    const std::string d2 = hexDigest("two");
    auto token = [](const std::string& name, const std::string& scope, const std::string& sha) {
        return "[[token]]\nname = " + name + "\nscope = " + scope + "\nsha256 = " + sha + "\n";
    };
    struct Case {
        std::string text;
        std::string expect;  // a part of the message, FILE:LINE:COL and the key included
    };
    const std::string f = "/etc/misync/tokens.toml:";
    const std::vector<Case> cases = {
        {"[[token]]\nname = \"a\"\nscope = \"admin\"\nsha256 = \"" + d1 + "\"\nowner = \"x\"\n",
         f + "5:1: key 'token[1].owner': unknown key"},
        {"admins = []\n" + token("\"a\"", "\"admin\"", "\"" + d1 + "\""),
         f + "1:1: key 'admins': unknown key"},
        {"[[token]]\nscope = \"admin\"\nsha256 = \"" + d1 + "\"\n",
         f + "1:1: key 'token[1].name': missing"},
        {"[[token]]\nname = \"a\"\nsha256 = \"" + d1 + "\"\n",
         f + "1:1: key 'token[1].scope': missing"},
        {"[[token]]\nname = \"a\"\nscope = \"admin\"\n", f + "1:1: key 'token[1].sha256': missing"},
        {token("7", "\"admin\"", "\"" + d1 + "\""),
         f + "2:8: key 'token[1].name': must be a string, not an integer"},
        {token("\"\"", "\"admin\"", "\"" + d1 + "\""),
         f + "2:8: key 'token[1].name': must not be empty"},
        {token("\"a\"", "\"root\"", "\"" + d1 + "\""), f + "3:9: key 'token[1].scope': must be"},
        {token("\"a\"", "\"school:661234\"", "\"" + d1 + "\""),
         f + "3:9: key 'token[1].scope': must be \"admin\" or \"school:\""},
        {token("\"a\"", "\"school:661234X\"", "\"" + d1 + "\""), "key 'token[1].scope'"},
        {token("\"a\"", "\"School:6612345\"", "\"" + d1 + "\""), "key 'token[1].scope'"},
        {token("\"a\"", "\"admin\"", "\"" + d1.substr(1) + "\""),
         f + "4:10: key 'token[1].sha256': must be 64 hex digits"},
        {token("\"a\"", "\"admin\"", "\"" + d1.substr(1) + "g\""),
         "key 'token[1].sha256': must be 64 hex digits"},
        {token("\"a\"", "\"admin\"", "\"" + d1 + "\"") +
             token("\"a\"", "\"admin\"", "\"" + d2 + "\""),
         f + "6:8: key 'token[2].name': 'a' is already the name of token[1]"},
        {token("\"a\"", "\"admin\"", "\"" + d1 + "\"") +
             token("\"b\"", "\"admin\"", "\"" + d1 + "\""),
         f + "8:10: key 'token[2].sha256': the same digest as token[1]"},
        {"token = \"x\"\n", f + "1:9: key 'token': must be an array of tables"},
        {"[[token]\nname = \"a\"\n", f + "1:"},  // TOML syntax
    };
    for (const auto& c : cases) {
        const std::string message = problemsOf(c.text);
        EXPECT_THAT(message, HasSubstr(c.expect)) << c.text;
        EXPECT_THAT(message, Not(HasSubstr(d1))) << "digests are never quoted";
    }
    // Every problem at once, in file order.
    const std::string both = problemsOf("[[token]]\nname = \"a\"\nscope = \"x\"\nsha256 = \"y\"\n");
    EXPECT_THAT(both, HasSubstr(f + "3:9: key 'token[1].scope'"));
    EXPECT_THAT(both, HasSubstr("\n" + f + "4:10: key 'token[1].sha256'"));
}

TEST(Tokens, AMissingFileIsAConfigErrorNamingIt) {
    try {
        status::TokenSet::load("/nonexistent/misync/tokens.toml");
        FAIL() << "no error";
    } catch (const core::ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/misync/tokens.toml"));
        EXPECT_THAT(e.what(), HasSubstr("No such file"));
    }
}

TEST(Tokens, DuplicatesAreRefusedWhenBuiltInCodeToo) {
    const auto d = status::sha256("x");
    EXPECT_THROW(status::TokenSet({{"a", status::Scope::parse("admin"), d},
                                   {"a", status::Scope::parse("admin"), status::sha256("y")}}),
                 core::ConfigError);
    EXPECT_THROW(status::TokenSet({{"a", status::Scope::parse("admin"), d},
                                   {"b", status::Scope::parse("admin"), d}}),
                 core::ConfigError);
}

// The check hashes the presented token once and compares with every digest, in constant time
// (sodium_memcmp), without stopping at the first match.
std::size_t compares = 0;
int countingCompare(const void* a, const void* b, std::size_t n) {
    ++compares;
    return sodium_memcmp(a, b, n);
}

TEST(Tokens, EveryDigestIsComparedInConstantTime) {
    EXPECT_EQ(status::TokenSet().compare(), &sodium_memcmp);
    EXPECT_EQ(status::TokenSet::parse(kGood, "t.toml").compare(), &sodium_memcmp);
    std::vector<status::Token> list;
    for (int i = 0; i < 5; ++i) {
        list.push_back({"t" + std::to_string(i), status::Scope::parse("admin"),
                        status::sha256("bearer-" + std::to_string(i))});
    }
    const status::TokenSet set(list, &countingCompare);
    for (int i : {0, 2, 4}) {
        compares = 0;
        const auto* t = set.check("bearer-" + std::to_string(i));
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t->name, "t" + std::to_string(i));
        EXPECT_EQ(compares, 5u) << "a match at " << i << " still compares every digest";
    }
    compares = 0;
    EXPECT_EQ(set.check("nobody"), nullptr);
    EXPECT_EQ(compares, 5u);
}

// SIGHUP: the file is read again into a new set; the server swaps it whole (server_test.cpp).
TEST(Tokens, ReloadingReadsTheFileAgain) {
    const auto dir = statustest::makeTempDir("misync-tokens-");
    const auto file = dir / "tokens.toml";
    std::ofstream(file) << kGood;
    const auto before = status::TokenSet::load(file);
    EXPECT_NE(before.check("school-bearer"), nullptr);
    std::ofstream(file) << "[[token]]\nname = \"new\"\nscope = \"school:6610001\"\nsha256 = \""
                        << hexDigest("new-bearer") << "\"\n";
    const auto after = status::TokenSet::load(file);
    EXPECT_EQ(after.check("school-bearer"), nullptr);
    ASSERT_NE(after.check("new-bearer"), nullptr);
    EXPECT_EQ(after.check("new-bearer")->scope.school, "6610001");
    EXPECT_NE(before.check("school-bearer"), nullptr) << "a set never changes once built";
    std::filesystem::remove_all(dir);
}

}  // namespace
