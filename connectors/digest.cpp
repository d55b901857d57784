#include "connectors/digest.h"

#include <sodium.h>

#include <array>

#include "core/errors.h"

namespace misync::connectors {

std::string sha256Hex(std::string_view data) {
    // sodium_init() is thread-safe and idempotent; a function-local constant runs it once
    // without any mutable global state.
    static const int kSodiumReady = sodium_init();
    if (kSodiumReady < 0) {
        throw core::ConnectorError("libsodium could not be initialised");
    }
    std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
    crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
    return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

}  // namespace misync::connectors
