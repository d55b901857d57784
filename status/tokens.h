// Who may read the status endpoint (SPEC §7 tokens file, §9): a set of named bearer tokens, each
// with a scope ("admin" or "school:DDDDDDD") and the SHA-256 digest of the token. The file holds
// digests only, so a token never has to be stored in the clear; a presented token is hashed and
// compared with every digest in constant time. A TokenSet is immutable: a reload (SIGHUP) builds a
// new one and the server swaps it in whole (StatusServer::reloadTokens).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace misync::status {

// What a caller may see (SPEC §9): everything (admin), one school, or nothing (no valid token:
// only the public routes).
struct Scope {
    enum class Kind { None, Admin, School };
    Kind kind = Kind::None;
    std::string school;  // the DfES number of a School scope

    bool isAdmin() const { return kind == Kind::Admin; }
    // Whether this scope may see school `dfes`'s data.
    bool allows(std::string_view dfes) const {
        return kind == Kind::Admin || (kind == Kind::School && school == dfes);
    }
    // "admin", "school:6612345" or "" (None).
    std::string text() const;
    // "admin" or "school:DDDDDDD" with a valid DfES number; nullopt-like Kind::None otherwise.
    static Scope parse(std::string_view text);
};

using Digest = std::array<unsigned char, 32>;

struct Token {
    std::string name;  // who: recorded as the actor of an approval, shown in logs
    Scope scope;
    Digest sha256{};
};

// The SHA-256 of `bearer` (libsodium).
Digest sha256(std::string_view bearer);

class TokenSet {
  public:
    // Compares two 32-byte digests; 0 when equal. Must take the same time whatever the bytes
    // (sodium_memcmp, the default); replaceable so that a test can watch it being called.
    using Compare = int (*)(const void*, const void*, std::size_t);

    TokenSet() = default;  // no tokens: every route but the public ones answers 401
    // Throws core::ConfigError on a duplicate name or digest.
    explicit TokenSet(std::vector<Token> tokens, Compare cmp = defaultCompare());

    // Reads the tokens file of SPEC §7. Every problem is a core::ConfigError whose message has
    // one line per problem, `FILE:LINE:COL: key 'token[2].scope': …` (tokens numbered from 1):
    // a TOML syntax error, an unknown key, a missing or mistyped name/scope/sha256, a scope that
    // is neither "admin" nor "school:" and a 7-digit DfES number, a digest that is not 64 hex
    // digits, a duplicate name or digest. Digests are never quoted in messages.
    static TokenSet load(const std::filesystem::path& file);
    // As load() for text in memory; `sourceName` names it in messages.
    static TokenSet parse(std::string_view text, const std::string& sourceName);

    // The token whose digest is the SHA-256 of `bearer`, or nullptr. Hashes `bearer` once and
    // compares the digest with every token's in constant time, never stopping at a match, so
    // the time taken says nothing about which token (if any) matched.
    const Token* check(std::string_view bearer) const;

    const std::vector<Token>& tokens() const { return tokens_; }
    Compare compare() const { return compare_; }
    static Compare defaultCompare();

  private:
    std::vector<Token> tokens_;
    Compare compare_ = defaultCompare();
};

}  // namespace misync::status
