// Usernames (SPEC §3): the base a name yields (U1, U2), and allocation of unique usernames
// (U3) that fit the length limit (U4). U5 (the e-mail address) and U6 (the order in which a
// run allocates) belong to the planner, which calls UsernameAllocator::allocate in that order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace misync::reconcile {

// U2: turns a name in any script into lower-case ASCII letters and digits. Latin diacritics
// lose their marks (â → a, ŵ → w, ŷ → y), ligatures and special letters are spelled out
// (ß → ss, æ → ae, ø → o, ł → l, đ → d, þ → th), other scripts are romanised by ICU
// ("NFKC; Any-Latin; Latin-ASCII; Lower"), and everything that is then not [a-z0-9]
// (apostrophes, hyphens, spaces, dots, emoji, invalid UTF-8) is dropped.
// Building the ICU transform is costly (milliseconds): build one and reuse it. Not thread-safe;
// use one per thread.
class NameTransliterator {
  public:
    NameTransliterator();  // cheap: the ICU transform is built on first use
    // toAscii throws core::Error if ICU cannot build the transform.
    ~NameTransliterator();
    NameTransliterator(const NameTransliterator&) = delete;
    NameTransliterator& operator=(const NameTransliterator&) = delete;

    std::string toAscii(std::string_view utf8) const;  // lower case, only [a-z0-9]

  private:
    class Impl;  // holds the icu::Transliterator, keeping ICU headers out of this one
    std::unique_ptr<Impl> impl_;
};

// U1: transliterated legal surname + first letter of the transliterated legal forename, only
// [a-z0-9]; "user" when the surname yields nothing (U2). The base may be longer than U4 allows: the
// allocator truncates it.
std::string usernameBase(const NameTransliterator& t, std::string_view legalSurname,
                         std::string_view legalForename);

// U3/U4: the candidate for suffix n (0 = no suffix): base truncated so that base + n has at
// most maxLength characters. Throws core::Error when the suffix alone leaves no room for the base.
std::string usernameCandidate(std::string_view base, std::uint32_t suffix, unsigned maxLength);

// The allocation hint key: a base and the length limit it was allocated under.
struct SuffixKey {
    std::string base;
    unsigned maxLength = 0;
    bool operator==(const SuffixKey&) const = default;
};
struct SuffixKeyHash {
    std::size_t operator()(const SuffixKey& k) const noexcept;
};

// Where a registry asks for the names it does not hold (issue 8): the directory, inside the
// transaction of the run that allocates. Names are ASCII lower case.
struct UsernameLookup {
    std::function<bool(std::string_view name)> exists;
    std::function<void(std::string_view prefix, std::vector<std::string>& out)> withPrefix;
};

// U3: every username and alias ever given (including deactivated and purged accounts), stored
// in ASCII lower case and compared case-insensitively. Names are never removed, so the
// per-base suffix hints it keeps stay valid for ever. Not thread-safe.
//
// Without a lookup it holds every name (loaded whole, then kept current). With one it holds
// only some: what it was given, and what it found, and it asks the lookup about any other
// name, so that a process need not hold a country's names (docs/performance.md).
class UsernameRegistry {
  public:
    void add(std::string_view username);
    bool taken(std::string_view username) const;  // case-insensitive (ASCII)
    // Only the names held, never the lookup: what this process's allocators have committed.
    bool held(std::string_view username) const;
    std::size_t size() const { return names_.size() + prefixNames_; }
    void reserve(std::size_t n) { names_.reserve(n); }

    void setLookup(UsernameLookup lookup) { lookup_ = std::move(lookup); }
    bool hasLookup() const { return static_cast<bool>(lookup_.exists); }
    // With a lookup: lets go of the names held (the hints stay, being true for ever).
    void forgetNames();
    // With a lookup: holds every name that starts with `prefix`, asked for once, so that probing
    // a crowded base (jonese, jonese1 … jonese6000) asks one range query, not one per name.
    void loadPrefix(std::string_view prefix);

    // Every candidate of `key` with a suffix below the hint is taken (0 when nothing is known).
    // The hint is a cache: it never changes what taken() answers.
    std::uint32_t suffixHint(const SuffixKey& key) const;
    void raiseSuffixHint(const SuffixKey& key, std::uint32_t hint);

  private:
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    // mutable: taken() keeps what the lookup said is taken (it stays taken).
    mutable std::unordered_set<std::string, NameHash, std::equal_to<>> names_;
    // loadPrefix: each prefix asked for, with the names it found, sorted (bytewise), kept as
    // one vector per prefix rather than one hash node per name (issue 8: a crowded base holds
    // thousands). heldByPrefix() searches them for the prefix lengths in prefixLengths_.
    std::unordered_map<std::string, std::vector<std::string>, NameHash, std::equal_to<>> prefixes_;
    std::vector<std::size_t> prefixLengths_;
    std::size_t prefixNames_ = 0;
    bool heldByPrefix(std::string_view lower) const;
    std::unordered_map<SuffixKey, std::uint32_t, SuffixKeyHash> hints_;
    UsernameLookup lookup_;
};

// One run's allocations on top of a registry (U3, U4). allocate() returns base, base1, base2 …
// whichever is the smallest suffix free in both the registry and this run, with the base
// truncated to fit maxLength. Nothing is added to the registry until commit(), so a dry run
// or a failed run leaves it unchanged (only its suffix hints may rise, which changes no
// answer). Allocation is amortised O(1) per name even when thousands share a base, within a
// run and across runs. Allocators on one registry do not see each other's uncommitted names:
// commit() throws core::Error, adding nothing, if one of its names was committed meanwhile.
class UsernameAllocator {
  public:
    UsernameAllocator(UsernameRegistry& registry, unsigned maxLength);  // maxLength >= 1
    // The registry is asked for on the first allocation only: a run that creates no account and
    // renames no username never loads the directory's usernames (docs/performance.md, the
    // one-school run). `registry` is called at most once, inside the run's transaction.
    UsernameAllocator(std::function<UsernameRegistry&()> registry, unsigned maxLength);

    // An empty base allocates from "user"; the base is lower-cased (ASCII).
    std::string allocate(std::string_view base);
    const std::vector<std::string>& allocated() const { return allocated_; }  // in order
    // Adds the names allocated since the last commit to the registry (all or none).
    void commit();

  private:
    UsernameRegistry& registry();

    std::function<UsernameRegistry&()> source_;
    UsernameRegistry* registry_ = nullptr;  // once asked for
    unsigned maxLength_;
    std::unordered_set<std::string> runNames_;
    std::vector<std::string> allocated_;
    std::unordered_map<SuffixKey, std::uint32_t, SuffixKeyHash> runHints_;
    std::size_t committed_ = 0;  // allocated_[0, committed_) are in the registry
};

}  // namespace misync::reconcile
