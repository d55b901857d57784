#include "reconcile/passwords.h"

#include <sodium.h>
#ifndef MISYNC_NO_ICU
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#else
#include "reconcile/latin_fallback.h"
#endif

#include <algorithm>
#include <limits>

#include "core/errors.h"
#include "core/text.h"

namespace misync::reconcile {
namespace {

constexpr std::size_t kMinLength = 8;            // P1
constexpr std::size_t kMinGeneratedLength = 10;  // P2
// Each draw fails P1 only when it contains the username or is too short; even a one-letter
// username leaves most words usable, so this bound is never reached in practice: it only turns
// an impossible request into an error instead of a hang.
constexpr int kMaxAttempts = 100000;

struct Composition {
    bool valid = true;
    std::size_t length = 0;  // code points
    bool upper = false;
    bool lower = false;
    bool digit = false;
};

Composition inspect(std::string_view password) {
    Composition c;
#ifdef MISYNC_NO_ICU
    // A build without ICU (docs/windows.md): case known for ASCII and Latin letters only.
    for (std::size_t at = 0; at < password.size();) {
        const std::int32_t cp = nextCodePoint(password, at);
        if (cp < 0) {
            c.valid = false;
            return c;
        }
        ++c.length;
        const LetterCase lc = letterCase(cp);
        c.upper = c.upper || lc == LetterCase::Upper;
        c.lower = c.lower || lc == LetterCase::Lower;
        c.digit = c.digit || (cp >= '0' && cp <= '9');
    }
    return c;
#else
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(password.data());
    const auto size = static_cast<std::int32_t>(password.size());
    std::int32_t i = 0;
    while (i < size) {
        UChar32 cp = 0;
        U8_NEXT(bytes, i, size, cp);
        if (cp < 0) {
            c.valid = false;
            return c;
        }
        ++c.length;
        c.upper = c.upper || u_isUUppercase(cp);
        c.lower = c.lower || u_isULowercase(cp);
        c.digit = c.digit || (cp >= '0' && cp <= '9');
    }
    return c;
#endif
}

// Draws two words and two digits until the result passes P1 for the username; `uniform(n)`
// returns an unbiased integer in [0, n).
template <class Uniform>
std::string generateWith(Uniform&& uniform, std::string_view username) {
    const auto words = passwordWords();
    const auto wordCount = static_cast<std::uint32_t>(words.size());
    std::string password;
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        const std::string_view first = words[uniform(wordCount)];
        const std::string_view second = words[uniform(wordCount)];
        password.clear();
        for (std::string_view word : {first, second}) {
            password.push_back(static_cast<char>(word.front() - 'a' + 'A'));
            password.append(word.substr(1));
        }
        for (int d = 0; d < 2; ++d) {
            password.push_back(static_cast<char>('2' + uniform(8)));  // 2-9: no 0/O, 1/l/I
        }
        if (password.size() >= kMinGeneratedLength && !checkPassword(password, username)) {
            return password;
        }
    }
    throw core::Error("cannot generate a password that passes the policy for username \"" +
                      std::string(username) + "\"");
}

}  // namespace

std::optional<std::string> checkPassword(std::string_view password, std::string_view username) {
    const Composition c = inspect(password);
    if (!c.valid) {
        return "password must be valid UTF-8 text";
    }
    if (c.length < kMinLength) {
        return "password must be at least 8 characters long";
    }
    if (!c.upper) {
        return "password must contain at least one upper-case letter";
    }
    if (!c.lower) {
        return "password must contain at least one lower-case letter";
    }
    if (!c.digit) {
        return "password must contain at least one digit";
    }
    const std::string lowered = core::lowerAscii(password);
    const auto weak = weakPasswords();
    if (std::binary_search(weak.begin(), weak.end(), std::string_view(lowered))) {
        return "password is too common: it is on the block list of weak passwords";
    }
    std::string_view name = username.substr(0, username.find('@'));
    if (!name.empty() && lowered.find(core::lowerAscii(name)) != std::string::npos) {
        return "password must not contain the username";
    }
    return std::nullopt;
}

SecurePasswordGenerator::SecurePasswordGenerator() {
    if (sodium_init() < 0) {
        throw core::Error("cannot initialise libsodium for password generation");
    }
}

SecurePasswordGenerator::~SecurePasswordGenerator() {
    sodium_memzero(pool_.data(), sizeof pool_);
}

std::uint32_t SecurePasswordGenerator::uniform(std::uint32_t n) {
    if (n < 2) {
        return 0;
    }
    const std::uint32_t min = (0U - n) % n;  // 2^32 mod n: values below it would bias
    for (;;) {
        if (next_ == pool_.size()) {
            randombytes_buf(pool_.data(), sizeof pool_);
            next_ = 0;
        }
        const std::uint32_t r = pool_[next_];
        pool_[next_++] = 0;
        if (r >= min) {
            return r % n;
        }
    }
}

std::string SecurePasswordGenerator::generate(std::string_view username) {
    return generateWith([this](std::uint32_t n) { return uniform(n); }, username);
}

SeededPasswordGenerator::SeededPasswordGenerator(std::uint64_t seed) : engine_(seed) {}

std::string SeededPasswordGenerator::generate(std::string_view username) {
    // Rejection sampling rather than std::uniform_int_distribution, whose algorithm differs
    // between standard libraries: the same seed must give the same passwords everywhere.
    return generateWith(
        [this](std::uint32_t n) {
            const std::uint64_t bound = n;
            const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod n
            for (;;) {
                const std::uint64_t x = engine_();
                if (x >= threshold) {
                    return static_cast<std::uint32_t>(x % bound);
                }
            }
        },
        username);
}

}  // namespace misync::reconcile
