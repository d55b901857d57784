#include "storage/secret_box.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "core/errors.h"

namespace misync::storage {
namespace fs = std::filesystem;

namespace {

using Key = std::array<unsigned char, SecretBox::kKeyBytes>;

// A key file is tiny; reading a little more than the largest valid one is enough to say "too
// big" without loading whatever large file the path was pointed at by mistake.
constexpr std::size_t kMaxKeyFileRead = 4096;
constexpr std::size_t kHexKeyChars = 2 * SecretBox::kKeyBytes;

void initSodium() {
    if (sodium_init() < 0) {
        throw core::Error("cannot initialise libsodium");
    }
}

[[noreturn]] void fail(const fs::path& keyFile, const std::string& what) {
    throw core::Error("secret key file " + keyFile.string() + ": " + what);
}

std::string errnoText() {
    return std::error_code(errno, std::generic_category()).message();
}

// Wipes a buffer that held key material when it goes out of scope.
struct Wipe {
    void* data;
    std::size_t size;
    ~Wipe() { sodium_memzero(data, size); }
};

Key parseKey(const fs::path& keyFile, std::string& content) {
    Key key{};
    if (content.size() == SecretBox::kKeyBytes) {
        std::memcpy(key.data(), content.data(), key.size());
        return key;
    }
    std::string_view text(content);
    if (text.ends_with('\n')) {
        text.remove_suffix(1);
        if (text.ends_with('\r')) {
            text.remove_suffix(1);
        }
    }
    std::size_t binLength = 0;
    const char* hexEnd = nullptr;
    if (text.size() != kHexKeyChars ||
        sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &binLength,
                       &hexEnd) != 0 ||
        binLength != key.size() || hexEnd != text.data() + text.size()) {
        sodium_memzero(key.data(), key.size());
        fail(keyFile,
             "must hold 64 hexadecimal characters (and an optional newline) or exactly "
             "32 bytes, but holds " +
                 std::to_string(content.size()) + " bytes of another form");
    }
    return key;
}

Key readKey(const fs::path& keyFile) {
    std::error_code ec;
    const fs::file_status status = fs::status(keyFile, ec);
    if (ec) {
        fail(keyFile, "cannot be read: " + ec.message());
    }
    if (!fs::is_regular_file(status)) {
        fail(keyFile, "is not a regular file");
    }
#ifndef _WIN32  // Windows has no such mode bits: the folder's ACLs protect it (docs/windows.md)
    const fs::perms perms = status.permissions();
    if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
        spdlog::warn("secret_key_file={} is accessible to other users; restrict it to mode 0600",
                     keyFile.string());
    }
#endif
    std::ifstream in(keyFile, std::ios::binary);
    if (!in) {
        fail(keyFile, "cannot be opened for reading: " + errnoText());
    }
    std::string content(kMaxKeyFileRead + 1, '\0');
    Wipe wipe{content.data(), content.size()};
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    if (in.bad()) {
        fail(keyFile, "cannot be read: " + errnoText());
    }
    const auto length = static_cast<std::size_t>(in.gcount());
    if (length > kMaxKeyFileRead) {
        fail(keyFile, "is far too large to be a key");
    }
    std::string exact(content.data(), length);
    Wipe wipeExact{exact.data(), exact.size()};
    return parseKey(keyFile, exact);
}

#ifndef _WIN32

void writeAll(int fd, const fs::path& tmp, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(tmp, "cannot be written: " + errnoText());
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Without this a crash soon after start-up could lose the new key's directory entry while the
// database already holds passwords sealed with it.
void syncDirectory(const fs::path& dir) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// Writes `text` to a fresh temp file beside `keyFile` (mode 0600, O_EXCL, flushed to disk) and
// returns its path; the caller moves it into place.
fs::path writeTempFile(const fs::path& keyFile, std::string_view text) {
    constexpr std::size_t kTagBytes = 8;
    std::array<unsigned char, kTagBytes> tag{};
    randombytes_buf(tag.data(), tag.size());
    std::array<char, 2 * kTagBytes + 1> tagHex{};
    sodium_bin2hex(tagHex.data(), tagHex.size(), tag.data(), tag.size());
    fs::path tmp = keyFile;
    tmp += std::string(".tmp-") + tagHex.data();

    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                          S_IRUSR | S_IWUSR);
    if (fd < 0) {
        fail(tmp, "cannot be created: " + errnoText());
    }
    try {
        writeAll(fd, tmp, text);
        if (::fsync(fd) != 0) {
            fail(tmp, "cannot be flushed to disk: " + errnoText());
        }
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    return tmp;
}

// Moves a temp file from writeTempFile() in place with link(), which never replaces an existing
// file. Returns false when another process created the key file first (its key wins, so that
// everyone seals with the same key).
bool publishKeyFile(const fs::path& keyFile, std::string_view text) {
    const fs::path tmp = writeTempFile(keyFile, text);
    bool created = true;
    if (::link(tmp.c_str(), keyFile.c_str()) != 0) {
        const int linkError = errno;
        if (linkError == EEXIST) {
            created = false;
        } else {
            // Some file systems have no hard links: fall back to rename, which is atomic but
            // would replace a key created in the instant since we looked.
            std::error_code ec;
            if (fs::exists(keyFile, ec)) {
                created = false;
            } else if (::rename(tmp.c_str(), keyFile.c_str()) != 0) {
                const std::string why = errnoText();
                ::unlink(tmp.c_str());
                fail(keyFile, "cannot be created: " + why);
            }
        }
    }
    ::unlink(tmp.c_str());  // no-op after a successful rename
    syncDirectory(keyFile.parent_path());
    return created;
}

// Moves a fresh temp file over `file` (rename replaces atomically).
void replaceKeyFile(const fs::path& file, std::string_view text) {
    const fs::path tmp = writeTempFile(file, text);
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        const std::string why = errnoText();
        ::unlink(tmp.c_str());
        fail(file, "cannot be written: " + why);
    }
    syncDirectory(file.parent_path());
}

#else

// Windows: no O_EXCL/link; the service account's profile folder protects the file (ACLs are
// left to the installer). Not built or tested on Windows yet.
bool publishKeyFile(const fs::path& keyFile, std::string_view text) {
    fs::path tmp = keyFile;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!out.flush()) {
            fail(tmp, "cannot be written");
        }
    }
    std::error_code ec;
    if (fs::exists(keyFile, ec)) {
        fs::remove(tmp, ec);
        return false;
    }
    fs::rename(tmp, keyFile, ec);
    if (ec) {
        fail(keyFile, "cannot be created: " + ec.message());
    }
    return true;
}

void replaceKeyFile(const fs::path& file, std::string_view text) {
    fs::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!out.flush()) {
            fail(tmp, "cannot be written");
        }
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) {
        fail(file, "cannot be written: " + ec.message());
    }
}

#endif

// The key as the key file holds it: 64 hex characters and a newline. The caller wipes it.
std::string keyFileText(const Key& key) {
    std::array<char, kHexKeyChars + 1> hex{};
    Wipe wipeHex{hex.data(), hex.size()};
    sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
    std::string text(hex.data(), kHexKeyChars);
    text.push_back('\n');
    return text;
}

void createParentFolder(const fs::path& keyFile) {
    if (keyFile.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(keyFile.parent_path(), ec);
        if (ec) {
            fail(keyFile, "cannot create its folder: " + ec.message());
        }
    }
}

}  // namespace

std::optional<SecretBox> SecretBox::load(const fs::path& keyFile) {
    initSodium();
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(keyFile, ec));
    if (ec && ec != std::errc::no_such_file_or_directory) {
        fail(keyFile, "cannot be examined: " + ec.message());
    }
    if (!exists) {
        return std::nullopt;
    }
    Key key = readKey(keyFile);
    Wipe wipe{key.data(), key.size()};
    return SecretBox(key);
}

SecretBox SecretBox::loadOrCreate(const fs::path& keyFile) {
    if (auto box = load(keyFile)) {
        return *box;
    }
    createParentFolder(keyFile);
    Key key{};
    Wipe wipeKey{key.data(), key.size()};
    randombytes_buf(key.data(), key.size());
    std::string text = keyFileText(key);
    Wipe wipeText{text.data(), text.size()};

    if (!publishKeyFile(keyFile, text)) {
        Key theirs = readKey(keyFile);
        Wipe wipeTheirs{theirs.data(), theirs.size()};
        return SecretBox(theirs);
    }
    spdlog::info("secret_key_file={} created with a new key", keyFile.string());
    return SecretBox(key);
}

SecretBox SecretBox::generate() {
    initSodium();
    Key key{};
    Wipe wipeKey{key.data(), key.size()};
    randombytes_buf(key.data(), key.size());
    return SecretBox(key);
}

void SecretBox::writeKeyFile(const fs::path& file) const {
    createParentFolder(file);
    std::string text = keyFileText(key_);
    Wipe wipeText{text.data(), text.size()};
    replaceKeyFile(file, text);
}

bool SecretBox::moveKeyFile(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec == std::errc::no_such_file_or_directory && !fs::exists(from)) {
        return false;
    }
    if (ec) {
        fail(to, "cannot be replaced by " + from.string() + ": " + ec.message());
    }
#ifndef _WIN32
    syncDirectory(to.parent_path());
#endif
    return true;
}

std::string SecretBox::fingerprint() const {
    // A keyed hash of a constant is a MAC only the key's holder can compute: it names the key
    // and, BLAKE2b being a PRF, says nothing about it.
    static constexpr std::string_view kContext = "misync P3 secret key fingerprint v1";
    std::array<unsigned char, crypto_generichash_BYTES> digest{};
    crypto_generichash(digest.data(), digest.size(),
                       reinterpret_cast<const unsigned char*>(kContext.data()), kContext.size(),
                       key_.data(), key_.size());
    std::array<char, 2 * crypto_generichash_BYTES + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data(), 2 * crypto_generichash_BYTES);
}

void SecretBox::setSealCheck(std::function<void()> check) {
    sealCheck_ = std::move(check);
}

SecretBox::SecretBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {
    initSodium();
}

SecretBox::~SecretBox() {
    sodium_memzero(key_.data(), key_.size());
}

std::string SecretBox::seal(std::string_view plaintext) const {
    if (sealCheck_) {
        sealCheck_();
    }
    std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                   plaintext.size());
    randombytes_buf(box.data(), crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), box.data(), key_.data());
    const std::size_t b64Size =
        sodium_base64_encoded_len(box.size(), sodium_base64_VARIANT_ORIGINAL);
    std::string text(b64Size, '\0');
    sodium_bin2base64(text.data(), text.size(), box.data(), box.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    text.resize(b64Size - 1);  // sodium writes a terminating NUL
    return text;
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = sealed.find_first_not_of(kSpace);
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    sealed = sealed.substr(first, sealed.find_last_not_of(kSpace) - first + 1);

    std::vector<unsigned char> box(sealed.size() / 4 * 3 + 3);
    std::size_t boxSize = 0;
    const char* end = nullptr;
    if (sodium_base642bin(box.data(), box.size(), sealed.data(), sealed.size(), nullptr, &boxSize,
                          &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != sealed.data() + sealed.size() ||
        boxSize < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        return std::nullopt;
    }
    std::string plaintext(boxSize - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                   box.data() + crypto_secretbox_NONCEBYTES,
                                   boxSize - crypto_secretbox_NONCEBYTES, box.data(),
                                   key_.data()) != 0) {
        return std::nullopt;
    }
    return plaintext;
}

}  // namespace misync::storage
