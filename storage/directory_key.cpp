#include "storage/directory_key.h"

#include <spdlog/spdlog.h>

#include <system_error>

#include "core/date.h"
#include "core/errors.h"

namespace misync::storage {
namespace fs = std::filesystem;

namespace {

// How many usernames a warning names before it only counts.
constexpr std::size_t kNamesShown = 10;

[[noreturn]] void refuse(const fs::path& keyFile, const std::string& why) {
    throw core::ConfigError("secrets.key_file " + keyFile.string() + ": " + why);
}

std::string sealedPasswords(std::int64_t n) {
    return std::to_string(n) + (n == 1 ? " sealed password" : " sealed passwords");
}

std::string someNames(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < kNamesShown; ++i) {
        out += (i == 0 ? "" : ", ") + names[i];
    }
    if (names.size() > kNamesShown) {
        out += ", … (" + std::to_string(names.size() - kNamesShown) + " more)";
    }
    return out;
}

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}

// A key file as the checks see it: core::Error (a file that is not a key, unreadable) becomes a
// configuration error, as the file is the configured secrets.key_file.
std::optional<SecretBox> loadKey(const fs::path& keyFile) {
    try {
        return SecretBox::load(keyFile);
    } catch (const core::ConfigError&) {
        throw;
    } catch (const core::Error& e) {
        throw core::ConfigError(e.what());
    }
}

// A pendingKeyFile() that cannot be read as a key is no rotation's: rotateDirectoryKey writes it
// whole or not at all.
std::optional<SecretBox> loadPending(const fs::path& pending) {
    try {
        return SecretBox::load(pending);
    } catch (const core::Error&) {
        return std::nullopt;
    }
}

// Which sealed passwords `box` opens (for a directory that has no fingerprint yet).
struct Probe {
    std::int64_t opened = 0;
    std::vector<std::string> unopened;  // usernames
};

Probe probe(Directory& directory, const SecretBox& box) {
    Probe p;
    directory.forEachSealedPassword([&](const std::string& username, const std::string& sealed) {
        if (box.open(sealed)) {
            ++p.opened;
        } else {
            p.unopened.push_back(username);
        }
    });
    return p;
}

void warnUnopened(const fs::path& keyFile, const Probe& p) {
    if (!p.unopened.empty()) {
        spdlog::warn(
            "secrets.key_file={} opens {} of the directory's {}; these {} do not open under it "
            "and show as '-' until their passwords are reset: {}",
            keyFile.string(), p.opened,
            sealedPasswords(p.opened + static_cast<std::int64_t>(p.unopened.size())),
            p.unopened.size(), someNames(p.unopened));
    }
}

void moveIntoPlace(const fs::path& pending, const fs::path& keyFile) {
    try {
        if (SecretBox::moveKeyFile(pending, keyFile)) {
            spdlog::warn(
                "secrets.key_file={}: finished a key rotation that was interrupted after its "
                "commit: moved {} into place",
                keyFile.string(), pending.string());
        }
    } catch (const core::Error& e) {
        refuse(keyFile,
               "the directory's passwords are sealed under the new key in " + pending.string() +
                   " (a key rotation was interrupted after its commit), which cannot be moved "
                   "into place: " +
                   e.what() + "; move it there by hand");
    }
}

// A rotation writes pendingKeyFile() inside its transaction and moves it only after the commit:
// the recorded fingerprint says whether the rotation committed.
void finishRotation(const fs::path& keyFile, Directory& directory) {
    const fs::path pending = pendingKeyFile(keyFile);
    if (!present(pending)) {
        return;
    }
    std::optional<SecretBox> next = loadPending(pending);
    if (next && directory.metaValue(kKeyFingerprintMeta) == next->fingerprint()) {
        moveIntoPlace(pending, keyFile);
        return;
    }
    // While this holds the write lock no rotation is between writing the file and committing.
    directory.exclusive([&] {
        if (!present(pending)) {
            return;  // another process finished or removed it
        }
        const std::optional<std::string> recorded = directory.metaValue(kKeyFingerprintMeta);
        next = loadPending(pending);
        if (next && recorded == next->fingerprint()) {
            moveIntoPlace(pending, keyFile);
            return;
        }
        std::optional<SecretBox> current;
        try {
            current = SecretBox::load(keyFile);
        } catch (const core::Error&) {
            return;  // the checks that follow report the key file
        }
        if (current && recorded == current->fingerprint()) {
            std::error_code ec;
            fs::remove(pending, ec);
            spdlog::warn(
                "secrets.key_file={}: removed {}, left by a key rotation that did not commit "
                "(the passwords are still sealed under {})",
                keyFile.string(), pending.string(), keyFile.string());
        }
        // Otherwise it is left alone: it may be the only copy of a key someone needs.
    });
}

// The key file is present and its fingerprint is not the recorded one: decide under the write
// lock, so that two processes cannot both record a fingerprint (insert-if-absent, then compare).
void checkAgainstDirectory(const fs::path& keyFile, Directory& directory, const SecretBox& box,
                           const std::string& fingerprint) {
    directory.exclusive([&] {
        const std::optional<std::string> recorded = directory.metaValue(kKeyFingerprintMeta);
        if (recorded == fingerprint) {
            return;
        }
        const std::int64_t sealed = directory.sealedPasswordCount();
        if (sealed == 0) {
            if (recorded) {
                spdlog::warn(
                    "secrets.key_file={} holds another key than the one last recorded (fingerprint "
                    "{}, now {}); the directory holds no sealed password, so this key is "
                    "recorded in its place",
                    keyFile.string(), shortFingerprint(*recorded), shortFingerprint(fingerprint));
            }
            directory.setMetaValue(kKeyFingerprintMeta, fingerprint);
            return;
        }
        if (recorded) {
            refuse(keyFile, "is not the key the directory's " + sealedPasswords(sealed) +
                                " were sealed with (its fingerprint starts " +
                                shortFingerprint(fingerprint) + ", the directory records " +
                                shortFingerprint(*recorded) +
                                "); restore the key file they were sealed with. Nothing was "
                                "changed");
        }
        // A directory from before schema 3: the sealed passwords themselves say whose they are.
        const Probe p = probe(directory, box);
        if (p.opened == 0) {
            refuse(keyFile, "opens none of the directory's " + sealedPasswords(sealed) +
                                ": it is not the key they were sealed with; restore that key "
                                "file. Nothing was changed");
        }
        warnUnopened(keyFile, p);
        directory.setMetaValue(kKeyFingerprintMeta, fingerprint);
    });
}

}  // namespace

fs::path pendingKeyFile(const fs::path& keyFile) {
    fs::path p = keyFile;
    p += ".new";
    return p;
}

std::string shortFingerprint(const std::string& fingerprint) {
    return fingerprint.substr(0, 16);
}

SecretBox openDirectoryKey(const fs::path& keyFile, Directory& directory) {
    finishRotation(keyFile, directory);
    std::optional<SecretBox> box = loadKey(keyFile);
    if (!box) {
        const std::int64_t sealed = directory.sealedPasswordCount();
        if (sealed > 0) {
            refuse(keyFile, "is missing, but the directory holds " + sealedPasswords(sealed) +
                                ", sealed under the key that file held; restore it from a backup "
                                "(a new key would make every visible password unreadable, so "
                                "none was created). Nothing was changed");
        }
        try {
            box = SecretBox::loadOrCreate(keyFile);  // race-safe: one key file wins
        } catch (const core::Error& e) {
            throw core::ConfigError(e.what());
        }
    }
    const std::string fingerprint = box->fingerprint();
    if (directory.metaValue(kKeyFingerprintMeta) != fingerprint) {
        checkAgainstDirectory(keyFile, directory, *box, fingerprint);
    }
    // Checked again where it matters: in the transaction that stores what this key sealed.
    box->setSealCheck([&directory, fingerprint, keyFile] {
        if (!directory.metaMatches(kKeyFingerprintMeta, fingerprint)) {
            refuse(keyFile,
                   "the directory's passwords were re-sealed under another key while this "
                   "command ran (secrets rotate); nothing was written, run it again");
        }
    });
    return *box;
}

std::optional<SecretBox> peekDirectoryKey(const fs::path& keyFile, Directory& directory) {
    std::optional<SecretBox> box;
    try {
        box = SecretBox::load(keyFile);
    } catch (const core::Error& e) {
        spdlog::warn("{}", e.what());
        return std::nullopt;
    }
    const std::optional<std::string> recorded = directory.metaValue(kKeyFingerprintMeta);
    if (box && recorded == box->fingerprint()) {
        return box;
    }
    // A rotation that committed but has not been moved into place yet.
    if (std::optional<SecretBox> next = loadPending(pendingKeyFile(keyFile));
        next && recorded == next->fingerprint()) {
        return next;
    }
    const std::int64_t sealed = directory.sealedPasswordCount();
    if (sealed == 0) {
        return std::nullopt;  // nothing to open
    }
    if (!box) {
        spdlog::warn(
            "secrets.key_file={} is missing: the directory's {} cannot be shown or exported "
            "until it is restored",
            keyFile.string(), sealedPasswords(sealed));
        return std::nullopt;
    }
    if (recorded) {
        spdlog::warn(
            "secrets.key_file={} is not the key the directory's {} were sealed with "
            "(fingerprint {}, recorded {})",
            keyFile.string(), sealedPasswords(sealed), shortFingerprint(box->fingerprint()),
            shortFingerprint(*recorded));
        return std::nullopt;
    }
    const Probe p = probe(directory, *box);
    if (p.opened == 0) {
        spdlog::warn("secrets.key_file={} opens none of the directory's {}", keyFile.string(),
                     sealedPasswords(sealed));
        return std::nullopt;
    }
    return box;
}

RotationReport rotateDirectoryKey(const fs::path& keyFile, Directory& directory,
                                  const SecretBox& current) {
    const fs::path pending = pendingKeyFile(keyFile);
    const std::string before = current.fingerprint();
    const SecretBox next = SecretBox::generate();
    RotationReport report;
    report.fingerprint = next.fingerprint();
    bool written = false;
    try {
        directory.exclusive([&] {
            if (directory.metaValue(kKeyFingerprintMeta) != before) {
                refuse(keyFile,
                       "the directory's passwords were re-sealed under another key since this "
                       "command checked it (another secrets rotate?); run it again");
            }
            // Inside the transaction: whoever finds this file while holding the write lock
            // knows from the recorded fingerprint whether its rotation committed.
            next.writeKeyFile(pending);
            written = true;
            report.reseal = directory.resealPasswords(current, next);
            directory.setMetaValue(kKeyFingerprintMeta, report.fingerprint);
        });
    } catch (...) {
        // Did the transaction commit after all (an error after COMMIT)? Only then does the new
        // key belong in place; when that cannot be told, it is left in `pending` for
        // finishRotation to decide by the recorded fingerprint.
        std::optional<bool> committed;
        try {
            committed = directory.metaValue(kKeyFingerprintMeta) == report.fingerprint;
        } catch (const core::Error&) {
        }
        if (committed != true) {
            if (written && committed == false) {
                std::error_code ec;
                fs::remove(pending, ec);
            }
            throw;
        }
    }
    // Committed: the passwords are sealed under the key in `pending` alone, until this move.
    if (!SecretBox::moveKeyFile(pending, keyFile)) {
        // Another command finished the rotation (finishRotation) in the meantime.
        std::optional<SecretBox> now = loadKey(keyFile);
        if (!now || now->fingerprint() != report.fingerprint) {
            refuse(keyFile, "does not hold the new key after the rotation, and " +
                                pending.string() + " has gone; restore the key file");
        }
    }
    spdlog::info("secrets.key_file={} rotated: {} re-sealed, {} unreadable, fingerprint {}",
                 keyFile.string(), report.reseal.resealed, report.reseal.unreadable.size(),
                 shortFingerprint(report.fingerprint));
    return report;
}

LostKeyReport replaceLostKey(const fs::path& keyFile, Directory& directory,
                             const std::string& actor) {
    finishRotation(keyFile, directory);
    if (present(keyFile)) {
        if (directory.sealedPasswordCount() == 0) {
            refuse(keyFile,
                   "the directory holds no sealed password, so nothing is lost: this key file "
                   "is used as it is");
        }
        if (peekDirectoryKey(keyFile, directory)) {
            refuse(keyFile,
                   "is the directory's key: nothing is lost. Run `secrets rotate` without "
                   "--key-lost for a new key that keeps the passwords");
        }
        refuse(keyFile,
               "is present, and --key-lost never replaces a key file. If it is not the "
               "directory's key and that key is lost for good, move this file away first");
    }
    LostKeyReport report;
    directory.exclusive([&] {
        if (present(keyFile)) {
            refuse(keyFile, "was put back meanwhile: nothing was changed");
        }
        report.forgotten = directory.forgetSealedPasswords(actor, core::nowIso());
    });
    if (!report.forgotten.empty()) {
        spdlog::warn(
            "secrets.key_file={} was lost: gave up the visible passwords of {} accounts (they "
            "show as '-' until reset): {}",
            keyFile.string(), report.forgotten.size(), someNames(report.forgotten));
    }
    // Nothing is sealed now: a new key, as for a new directory.
    report.fingerprint = openDirectoryKey(keyFile, directory).fingerprint();
    return report;
}

}  // namespace misync::storage
