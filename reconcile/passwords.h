// Passwords (SPEC §4): the policy every password must pass (P1) and the generators of new
// passwords (P2). Storing them encrypted (P3) is storage::SecretBox; callers must never put a
// password in a log, run record or error message (P4), and nothing here does.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace misync::reconcile {

// P1: nullopt when the password is acceptable, else a message naming the rule that failed
// (never the password itself). Rules, checked in this order:
//   - valid UTF-8 text of at least 8 characters (code points);
//   - at least one upper-case letter, one lower-case letter (any script: Ŵ and ŵ count) and one
//     digit (0-9);
//   - not on the block list of weak passwords (weakPasswords(), compared ignoring ASCII case);
//   - does not contain the username, ignoring ASCII case (skipped for an empty username; for an
//     e-mail address only its local part is looked for).
std::optional<std::string> checkPassword(std::string_view password, std::string_view username);

// The constant tables behind P1 and P2 (password_words.cpp), each sorted and lower case.
std::span<const std::string_view> weakPasswords();  // P1 block list
std::span<const std::string_view> passwordWords();  // P2 word list

// P2: makes a new password for `username` that passes checkPassword for that username.
class PasswordGenerator {
  public:
    virtual ~PasswordGenerator() = default;
    virtual std::string generate(std::string_view username) = 0;
};

// The shape of every generated password (P2): two capitalised words from passwordWords() and
// two digits, e.g. "HappyRiver42", 10 to 14 characters, matching
// ^[A-Z][a-z]{2,5}[A-Z][a-z]{2,5}[2-9]{2}$ and drawn again until it passes P1.
// Look-alike rule: digits are 2-9 only (no 0/O or 1/l/I confusion), no word contains 'l', and
// no word starts with 'i' or 'o' (so neither capital I nor capital O ever appears); lower-case
// 'i' and 'o' are kept, since without 0 and 1 they have nothing to be confused with.
// Strength: 718 words give 718² × 64 ≈ 2^25 combinations (a few percent fewer after the length
// rule), which suits learner accounts behind the portal's rate limiting, not high-value ones.

// P2 with libsodium's CSPRNG (randombytes_uniform: unbiased). Throws core::Error if libsodium
// cannot be initialised.
class SecurePasswordGenerator final : public PasswordGenerator {
  public:
    SecurePasswordGenerator();
    ~SecurePasswordGenerator() override;
    SecurePasswordGenerator(const SecurePasswordGenerator&) = delete;
    SecurePasswordGenerator& operator=(const SecurePasswordGenerator&) = delete;
    std::string generate(std::string_view username) override;

  private:
    // Random words drawn from the OS generator 4 KiB at a time (one getrandom call instead of
    // one per choice: 540k first passwords made ~3M system calls); wiped when refilled and
    // on destruction. Choices are unbiased by rejection sampling.
    std::uint32_t uniform(std::uint32_t n);
    std::array<std::uint32_t, 1024> pool_{};
    std::size_t next_ = pool_.size();
};

// The same shape from a seeded, portable PRNG (mt19937_64 with our own unbiased range
// reduction, so every platform gives the same sequence): for tests and benchmarks only.
class SeededPasswordGenerator final : public PasswordGenerator {
  public:
    explicit SeededPasswordGenerator(std::uint64_t seed);
    std::string generate(std::string_view username) override;

  private:
    std::mt19937_64 engine_;
};

}  // namespace misync::reconcile
