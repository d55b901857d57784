// P3: visible passwords are stored encrypted with a secret key that lives outside the database
// (secrets.key_file, or a systemd credential). SecretBox is libsodium's crypto_secretbox
// (XSalsa20-Poly1305): authenticated, so a tampered, truncated or foreign value does not open.
// P4: nothing here logs or puts a password or key in an error message.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace misync::storage {

class SecretBox {
  public:
    static constexpr std::size_t kKeyBytes = 32;

    // Reads the key file: 64 hex characters (optionally followed by a newline), or exactly 32
    // raw bytes. When the file is missing, creates it and its parent folder with a fresh random
    // key in hex, mode 0600, written atomically (a temp file opened with O_EXCL, then moved in
    // place without replacing: if another process created the key meanwhile, that key is used).
    // Throws core::Error naming the file on any problem (wrong size or content, unreadable).
    static SecretBox loadOrCreate(const std::filesystem::path& keyFile);

    explicit SecretBox(const std::array<unsigned char, kKeyBytes>& key);
    SecretBox(const SecretBox&) = default;
    SecretBox& operator=(const SecretBox&) = default;
    ~SecretBox();  // wipes the key

    // A fresh random 24-byte nonce each call; returns base64 (original variant, padded) of
    // nonce || ciphertext-with-MAC.
    std::string seal(std::string_view plaintext) const;
    // nullopt when the text is not base64, is too short, was tampered with, or was sealed with
    // another key. Surrounding white space is ignored. Never throws on bad input.
    std::optional<std::string> open(std::string_view sealed) const;

  private:
    std::array<unsigned char, kKeyBytes> key_;
};

}  // namespace misync::storage
