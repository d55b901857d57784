// P3: visible passwords are stored encrypted with a secret key that lives outside the database
// (secrets.key_file, or a systemd credential). SecretBox is libsodium's crypto_secretbox
// (XSalsa20-Poly1305): authenticated, so a tampered, truncated or foreign value does not open.
// P4: nothing here logs or puts a password or key in an error message.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
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
    // Reads the key file as loadOrCreate does; nullopt when there is no file at that path.
    static std::optional<SecretBox> load(const std::filesystem::path& keyFile);
    // A fresh random key, in memory only.
    static SecretBox generate();

    // Writes this key to `file` (hex, mode 0600) through a temp file that is flushed to disk and
    // then renamed over `file`, so that `file` holds the whole key or is left as it was.
    // Throws core::Error naming the file.
    void writeKeyFile(const std::filesystem::path& file) const;
    // Renames `from` over `to` (atomic) and flushes their folder. Returns false when `from` does
    // not exist (another process moved it first). Throws core::Error naming both files.
    static bool moveKeyFile(const std::filesystem::path& from, const std::filesystem::path& to);

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

    // P3: identifies the key without revealing it: hex BLAKE2b (crypto_generichash, 32 bytes)
    // keyed with the key over a fixed context string. Equal for equal keys, different (but for
    // a 2^-256 chance) for different ones; the key cannot be recovered from it.
    std::string fingerprint() const;

    // Called by seal() before it seals (storage/directory_key.h installs one that checks, in the
    // transaction that stores the sealed value, that the directory still seals with this key).
    // An exception from the check leaves seal() without sealing.
    void setSealCheck(std::function<void()> check);

  private:
    std::array<unsigned char, kKeyBytes> key_;
    std::function<void()> sealCheck_;
};

}  // namespace misync::storage
