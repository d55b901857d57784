#include "reconcile/usernames.h"

#ifndef MISYNC_NO_ICU
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>
#else
#include "reconcile/latin_fallback.h"
#endif

#include <algorithm>
#include <limits>
#include <mutex>

#include "core/errors.h"
#include "core/text.h"

namespace misync::reconcile {
namespace {

// NFKC first so that compatibility forms (full-width letters, circled digits, ligatures such as
// ﬁ) become ordinary characters before romanisation; Latin-ASCII then folds the Latin letters
// U2 names (ß, æ, ø, ł, đ, þ) and strips diacritics.
constexpr const char* kTransformId = "NFKC; Any-Latin; Latin-ASCII; Lower";

bool isAsciiAlnumLower(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Keeps [a-z0-9], lower-casing A-Z; drops every other byte.
void appendFiltered(std::string& out, std::string_view text) {
    for (char c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (isAsciiAlnumLower(c)) {
            out.push_back(c);
        }
    }
}

bool isAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool hasUpperAscii(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

#ifndef MISYNC_NO_ICU
// The ICU transform is built on the first name that is not plain ASCII: building it is most of
// a one-school run's start-up (issue 8), and most runs meet no such name.
class NameTransliterator::Impl {
  public:
    icu::Transliterator& get() {
        std::call_once(once, [this] {
            UErrorCode status = U_ZERO_ERROR;
            UParseError parseError{};
            transliterator.reset(icu::Transliterator::createInstance(
                icu::UnicodeString::fromUTF8(kTransformId), UTRANS_FORWARD, parseError, status));
            if (U_FAILURE(status) || !transliterator) {
                transliterator.reset();
                failure = std::string("cannot build the ICU transliterator \"") + kTransformId +
                          "\": " + u_errorName(status);
            }
        });
        if (!transliterator) {
            throw core::Error(failure);
        }
        return *transliterator;
    }

  private:
    std::once_flag once;
    std::unique_ptr<icu::Transliterator> transliterator;
    std::string failure;
};
#else
class NameTransliterator::Impl {};  // a build without ICU: reconcile/latin_fallback.h
#endif

NameTransliterator::NameTransliterator() : impl_(std::make_unique<Impl>()) {}

NameTransliterator::~NameTransliterator() = default;

std::string NameTransliterator::toAscii(std::string_view utf8) const {
    std::string out;
    // Most names in a Welsh MIS are plain ASCII: skip ICU for them (it costs microseconds each).
    if (isAscii(utf8)) {
        out.reserve(utf8.size());
        appendFiltered(out, utf8);
        return out;
    }
#ifdef MISYNC_NO_ICU
    const std::string romanised = latinToAscii(utf8);
#else
    // fromUTF8 turns invalid sequences into U+FFFD, which the filter below drops.
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
    impl_->get().transliterate(text);
    std::string romanised;
    text.toUTF8String(romanised);
#endif
    out.reserve(romanised.size());
    appendFiltered(out, romanised);
    return out;
}

std::string usernameBase(const NameTransliterator& t, std::string_view legalSurname,
                         std::string_view legalForename) {
    // U2: a surname that yields nothing gives `user` — not a one-letter name made of the
    // forename's initial alone.
    std::string base = t.toAscii(legalSurname);
    if (base.empty()) {
        return "user";
    }
    const std::string forename = t.toAscii(legalForename);
    if (!forename.empty()) {
        base.push_back(forename.front());
    }
    return base;
}

std::string usernameCandidate(std::string_view base, std::uint32_t suffix, unsigned maxLength) {
    const std::string digits = suffix == 0 ? std::string() : std::to_string(suffix);
    if (digits.size() >= maxLength) {
        throw core::Error("username base \"" + std::string(base) + "\" has no room for suffix " +
                          digits + " within " + std::to_string(maxLength) + " characters");
    }
    std::string candidate(base.substr(0, maxLength - digits.size()));
    candidate += digits;
    return candidate;
}

std::size_t SuffixKeyHash::operator()(const SuffixKey& k) const noexcept {
    return std::hash<std::string_view>{}(k.base) ^ (std::size_t{k.maxLength} * 0x9e3779b97f4a7c15u);
}

void UsernameRegistry::add(std::string_view username) {
    names_.insert(core::lowerAscii(username));
}

bool UsernameRegistry::held(std::string_view username) const {
    // Candidates from the allocator are already lower case: look them up without a copy.
    if (!hasUpperAscii(username)) {
        return names_.find(username) != names_.end() || heldByPrefix(username);
    }
    const std::string lower = core::lowerAscii(username);
    return names_.find(lower) != names_.end() || heldByPrefix(lower);
}

bool UsernameRegistry::heldByPrefix(std::string_view lower) const {
    for (const std::size_t n : prefixLengths_) {
        if (n > lower.size()) {
            continue;
        }
        auto it = prefixes_.find(lower.substr(0, n));
        if (it != prefixes_.end() &&
            std::binary_search(it->second.begin(), it->second.end(), lower, std::less<>{})) {
            return true;
        }
    }
    return false;
}

bool UsernameRegistry::taken(std::string_view username) const {
    if (held(username)) {
        return true;
    }
    if (!lookup_.exists) {
        return false;
    }
    std::string lower = core::lowerAscii(username);
    if (!lookup_.exists(lower)) {
        return false;
    }
    names_.insert(std::move(lower));
    return true;
}

void UsernameRegistry::forgetNames() {
    if (!lookup_.exists) {
        return;  // without a lookup the names held are the only record
    }
    decltype(names_)().swap(names_);
    decltype(prefixes_)().swap(prefixes_);
    prefixLengths_.clear();
    prefixNames_ = 0;
}

void UsernameRegistry::loadPrefix(std::string_view prefix) {
    if (!lookup_.withPrefix || prefixes_.contains(prefix)) {
        return;
    }
    std::vector<std::string> found;
    lookup_.withPrefix(prefix, found);
    // The directory's range query returns its index order, which a server collation may make
    // other than bytewise: sort unless it already is.
    if (!std::is_sorted(found.begin(), found.end())) {
        std::sort(found.begin(), found.end());
    }
    prefixNames_ += found.size();
    prefixes_.emplace(std::string(prefix), std::move(found));
    if (std::find(prefixLengths_.begin(), prefixLengths_.end(), prefix.size()) ==
        prefixLengths_.end()) {
        prefixLengths_.push_back(prefix.size());
    }
}

std::uint32_t UsernameRegistry::suffixHint(const SuffixKey& key) const {
    auto it = hints_.find(key);
    return it == hints_.end() ? 0 : it->second;
}

void UsernameRegistry::raiseSuffixHint(const SuffixKey& key, std::uint32_t hint) {
    auto [it, inserted] = hints_.try_emplace(key, hint);
    if (!inserted) {
        it->second = std::max(it->second, hint);
    }
}

UsernameAllocator::UsernameAllocator(UsernameRegistry& registry, unsigned maxLength)
    : registry_(&registry), maxLength_(maxLength) {
    if (maxLength_ == 0) {
        throw core::Error("username maximum length must be at least 1");
    }
}

UsernameAllocator::UsernameAllocator(std::function<UsernameRegistry&()> registry,
                                     unsigned maxLength)
    : source_(std::move(registry)), maxLength_(maxLength) {
    if (maxLength_ == 0) {
        throw core::Error("username maximum length must be at least 1");
    }
}

UsernameRegistry& UsernameAllocator::registry() {
    if (registry_ == nullptr) {
        registry_ = &source_();
    }
    return *registry_;
}

std::string UsernameAllocator::allocate(std::string_view base) {
    std::string lowered = core::lowerAscii(base);
    if (lowered.empty()) {
        lowered = "user";
    }
    // Candidates depend only on the first maxLength characters, so bases that agree on those
    // share one hint.
    SuffixKey key{lowered.substr(0, maxLength_), maxLength_};

    const std::uint32_t registryHint = registry().suffixHint(key);
    if (registryHint == 0) {
        registry().loadPrefix(key.base);  // a registry with a lookup: one query for the base
    }
    std::uint32_t& runHint = runHints_[key];
    std::uint32_t suffix = std::max(registryHint, runHint);
    // While every probe from the registry's hint on is taken in the registry itself, the
    // registry's hint can move up too, which makes the next run start where this one did.
    bool extendsRegistryHint = suffix == registryHint;
    std::uint32_t newRegistryHint = registryHint;
    std::string candidate;
    for (;; ++suffix) {
        candidate = usernameCandidate(key.base, suffix, maxLength_);
        const bool inRegistry = registry().taken(candidate);
        if (inRegistry && extendsRegistryHint) {
            newRegistryHint = suffix + 1;
        } else if (!inRegistry) {
            extendsRegistryHint = false;
            if (!runNames_.contains(candidate)) {
                break;
            }
        }
        if (suffix == std::numeric_limits<std::uint32_t>::max()) {
            throw core::Error("username suffixes exhausted for base \"" + key.base + "\"");
        }
    }
    if (newRegistryHint > registryHint) {
        registry().raiseSuffixHint(key, newRegistryHint);
    }
    runHint = suffix + 1;
    runNames_.insert(candidate);
    allocated_.push_back(candidate);
    return candidate;
}

void UsernameAllocator::commit() {
    // Another allocator of this process (the directory already holds this run's own names).
    for (std::size_t i = committed_; i < allocated_.size(); ++i) {
        if (registry().held(allocated_[i])) {
            throw core::Error("username " + allocated_[i] +
                              " was given elsewhere after this run allocated it");
        }
    }
    for (std::size_t i = committed_; i < allocated_.size(); ++i) {
        registry().add(allocated_[i]);
    }
    committed_ = allocated_.size();
    // Every name of this run is now in the registry, so what the run knew to be taken is taken.
    for (const auto& [key, hint] : runHints_) {
        registry().raiseSuffixHint(key, hint);
    }
}

}  // namespace misync::reconcile
