// P3: the secret key of a directory, checked against the directory before any command uses it,
// so that a missing, replaced or wrong key file can never turn the visible passwords into `-`
// in silence. The directory records the fingerprint of the key that sealed its passwords
// (directory_meta key `key_fingerprint`, SecretBox::fingerprint()); docs/configuration.md
// ([secrets]) explains every refusal to the operator and how to recover.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "storage/directory.h"
#include "storage/secret_box.h"

namespace misync::storage {

// directory_meta key of the fingerprint of the key that seals the directory's passwords.
inline constexpr const char* kKeyFingerprintMeta = "key_fingerprint";

// Where `secrets rotate` keeps the new key until its transaction has committed.
std::filesystem::path pendingKeyFile(const std::filesystem::path& keyFile);

// The first 16 hex digits of a fingerprint: enough to tell keys apart in messages.
std::string shortFingerprint(const std::string& fingerprint);

// The key in `keyFile` for sealing and opening the passwords of `directory`:
//  - a rotation interrupted after its commit (the recorded fingerprint is that of
//    pendingKeyFile()) is finished: the new key is moved into place; a pendingKeyFile() left by
//    a rotation that did not commit is removed;
//  - no key file: one is created (0600) when the directory holds no sealed password, and its
//    fingerprint recorded; with sealed passwords, refused;
//  - a key file whose fingerprint is not the recorded one: refused while passwords are sealed;
//    when none is, this key is recorded instead;
//  - no fingerprint recorded yet (a directory from before schema 3): recorded when the key opens
//    any of the sealed passwords (a warning counts those it does not open), refused when it
//    opens none.
// A refusal throws core::ConfigError "secrets.key_file PATH: …" and changes nothing. Two
// processes on a new directory end with one key file and one fingerprint. The box returned
// checks, in each transaction in which it seals, that the directory still records its
// fingerprint (a rotation committed by another process meanwhile fails that write, whole).
SecretBox openDirectoryKey(const std::filesystem::path& keyFile, Directory& directory);

// For commands that only read: the key when openDirectoryKey would accept it as it stands, else
// nullopt (the reason logged as a warning when passwords are sealed). Never creates, moves or
// records anything.
std::optional<SecretBox> peekDirectoryKey(const std::filesystem::path& keyFile,
                                          Directory& directory);

struct RotationReport {
    ResealReport reseal;
    std::string fingerprint;  // of the new key
};

// `misync secrets rotate` (P3), with `current` from openDirectoryKey(): writes a new key to
// pendingKeyFile() (0600, flushed to disk), then in one transaction re-seals every visible
// password under it and records its fingerprint, and only after the commit moves it over
// `keyFile`. Until the commit the old key and passwords stand; after it, a crash before the move
// is finished by the next openDirectoryKey(). Throws core::Error (nothing changed) when the
// transaction fails, core::ConfigError when the key changed since `current` was checked.
RotationReport rotateDirectoryKey(const std::filesystem::path& keyFile, Directory& directory,
                                  const SecretBox& current);

struct LostKeyReport {
    std::vector<std::string> forgotten;  // usernames whose visible password was given up
    std::string fingerprint;             // of the new key
};

// `misync secrets rotate --key-lost` (P3), for a key that is gone for good: only when no file is
// at `keyFile` (a key file is never replaced or deleted here: a wrong one must be moved away by
// hand first). Gives up every sealed password in one transaction (forgetSealedPasswords, by
// `actor`), then creates a new key as for a new directory. Throws core::ConfigError, changing
// nothing, when a key file is present (the directory's own key, or another one).
LostKeyReport replaceLostKey(const std::filesystem::path& keyFile, Directory& directory,
                             const std::string& actor);

}  // namespace misync::storage
