#include "reconcile/usernames.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "core/errors.h"

using namespace misync::reconcile;

namespace {

// One transliterator for the whole suite, as production code builds one and reuses it.
const NameTransliterator& translit() {
    static const NameTransliterator t;
    return t;
}

bool isAsciiAlnumLower(const std::string& s) {
    static const std::regex re("[a-z0-9]+");
    return std::regex_match(s, re);
}

}  // namespace

TEST(UsernameBase, SpecExampleWelsh) {
    EXPECT_EQ(usernameBase(translit(), "Llŷr-Hughes", "Siân"), "llyrhughess");
    EXPECT_EQ(usernameBase(translit(), "Ŵyn", "Ëlis"), "wyne");
    EXPECT_EQ(translit().toAscii("âêîôûŵŷ ÂÊÎÔÛŴŶ äëïöüẅÿ"), "aeiouwyaeiouwyaeiouwy");
}

TEST(UsernameBase, OtherLatinLetters) {
    EXPECT_EQ(usernameBase(translit(), "Müller", "Jürgen"), "mullerj");
    EXPECT_EQ(usernameBase(translit(), "Straße", "Ömer"), "strasseo");
    EXPECT_EQ(usernameBase(translit(), "Bjørnsen", "Åsa"), "bjornsena");
    EXPECT_EQ(usernameBase(translit(), "Ærø", "Ægir"), "aeroa");
    EXPECT_EQ(usernameBase(translit(), "Wałęsa", "Łukasz"), "walesal");
    EXPECT_EQ(usernameBase(translit(), "Đorđević", "Žana"), "dordevicz");
    EXPECT_EQ(usernameBase(translit(), "Þórsdóttir", "Þóra"), "thorsdottirt");
    EXPECT_EQ(usernameBase(translit(), "Nguyễn", "Thị"), "nguyent");
    EXPECT_EQ(translit().toAscii("ß æ ø ł đ þ Œ"), "ssaeoldthoe");
}

TEST(UsernameBase, DropsApostrophesHyphensSpacesAndDots) {
    EXPECT_EQ(usernameBase(translit(), "O'Brien", "Seán"), "obriens");
    EXPECT_EQ(usernameBase(translit(), "O’Brien", "Seán"), "obriens");  // right single quote
    EXPECT_EQ(usernameBase(translit(), "OʼBrien", "Seán"), "obriens");  // modifier apostrophe
    EXPECT_EQ(usernameBase(translit(), "St. John-Smith", "Mary Ann"), "stjohnsmithm");
    EXPECT_EQ(usernameBase(translit(), "  van der Berg ", " anna"), "vanderberga");
}

TEST(UsernameBase, KeepsDigitsAndLowersCase) {
    EXPECT_EQ(usernameBase(translit(), "SMITH2", "John"), "smith2j");
    EXPECT_EQ(usernameBase(translit(), "Jones", "4th"), "jones4");
    EXPECT_EQ(translit().toAscii("ＪＯＮＥＳ①"), "jones1");  // full-width and circled forms
}

TEST(UsernameBase, OtherScriptsBecomeLatin) {
#ifdef MISYNC_NO_ICU
    GTEST_SKIP() << "a build without ICU romanises Latin only (docs/windows.md)";
#endif
    EXPECT_EQ(translit().toAscii("Иванов"), "ivanov");
    const char* names[] = {"Дмитрий", "Ελένη",  "محمد",  "王小明",
                           "さくら",  "김민준", "हिन्दी", "דוד"};
    for (const char* name : names) {
        const std::string ascii = translit().toAscii(name);
        EXPECT_TRUE(isAsciiAlnumLower(ascii)) << name << " -> '" << ascii << "'";
    }
    const std::string base = usernameBase(translit(), "Иванов", "Дмитрий");
    EXPECT_EQ(base, "ivanovd");
}

TEST(UsernameBase, NothingLeftGivesUser) {
    EXPECT_EQ(usernameBase(translit(), "", ""), "user");
    EXPECT_EQ(usernameBase(translit(), "😀🎉", "🙂"), "user");
    EXPECT_EQ(usernameBase(translit(), "'-. ’", "--"), "user");
    EXPECT_EQ(usernameBase(translit(), "\xff\xfe", "\xc3"), "user");  // invalid UTF-8 dropped
    // A surname that yields nothing gives `user`, not the forename's initial alone (U2).
    EXPECT_EQ(usernameBase(translit(), "😀", "Ann"), "user");
    EXPECT_EQ(usernameBase(translit(), "Jones", "😀"), "jones");
}

TEST(UsernameCandidate, TruncatesBaseToFitSuffix) {
    EXPECT_EQ(usernameCandidate("jonesa", 0, 20), "jonesa");
    EXPECT_EQ(usernameCandidate("jonesa", 12, 20), "jonesa12");
    EXPECT_EQ(usernameCandidate("abcdefghijklmnopqrstuvwxyz", 0, 20), "abcdefghijklmnopqrst");
    EXPECT_EQ(usernameCandidate("abcdefghijklmnopqrstuvwxyz", 1, 20), "abcdefghijklmnopqrs1");
    EXPECT_EQ(usernameCandidate("abcdefghijklmnopqrstuvwxyz", 10, 20), "abcdefghijklmnopqr10");
    EXPECT_EQ(usernameCandidate("abc", 7, 2), "a7");
    EXPECT_THROW(usernameCandidate("abc", 10, 2), misync::core::Error);
}

TEST(UsernameRegistry, CaseInsensitive) {
    UsernameRegistry registry;
    registry.add("JonesA");
    EXPECT_TRUE(registry.taken("jonesa"));
    EXPECT_TRUE(registry.taken("JONESA"));
    EXPECT_FALSE(registry.taken("jones"));
    registry.add("jonesa");  // the same name again is not a second entry
    EXPECT_EQ(registry.size(), 1u);
}

TEST(UsernameAllocator, FirstFreeSuffixFillsGaps) {
    UsernameRegistry registry;
    for (const char* name : {"jonesa", "jonesa1", "jonesa3"}) {
        registry.add(name);
    }
    UsernameAllocator allocator(registry, 20);
    EXPECT_EQ(allocator.allocate("jonesa"), "jonesa2");
    EXPECT_EQ(allocator.allocate("jonesa"), "jonesa4");
    EXPECT_EQ(allocator.allocate("jonesa"), "jonesa5");
    EXPECT_EQ(allocator.allocate("evansb"), "evansb");
    EXPECT_EQ(allocator.allocated(),
              (std::vector<std::string>{"jonesa2", "jonesa4", "jonesa5", "evansb"}));
}

TEST(UsernameAllocator, CaseInsensitiveAndAliasesAreTaken) {
    UsernameRegistry registry;
    registry.add("SmithJ");       // an account's username, stored in another case
    registry.add("smithj1");      // an alias of some other account
    registry.add("Davies.Owen");  // an alias that is not a base at all
    UsernameAllocator allocator(registry, 20);
    EXPECT_EQ(allocator.allocate("SMITHJ"), "smithj2");
    EXPECT_TRUE(registry.taken("davies.owen"));
}

TEST(UsernameAllocator, BaseThatLooksSuffixedIsCheckedInFull) {
    UsernameRegistry registry;
    UsernameAllocator allocator(registry, 20);
    EXPECT_EQ(allocator.allocate("jones"), "jones");
    EXPECT_EQ(allocator.allocate("jones"), "jones1");
    EXPECT_EQ(allocator.allocate("jones1"), "jones11");
    EXPECT_EQ(allocator.allocate("jones"), "jones2");
    EXPECT_EQ(allocator.allocate("jones1"), "jones12");
}

TEST(UsernameAllocator, EmptyBaseIsUser) {
    UsernameRegistry registry;
    UsernameAllocator allocator(registry, 20);
    EXPECT_EQ(allocator.allocate(""), "user");
    EXPECT_EQ(allocator.allocate(""), "user1");
}

TEST(UsernameAllocator, TwentyThousandShareOneBase) {
    UsernameRegistry registry;
    UsernameAllocator first(registry, 20);
    for (int i = 0; i < 20000; ++i) {
        const std::string expected = i == 0 ? "jonesa" : "jonesa" + std::to_string(i);
        ASSERT_EQ(first.allocate("jonesa"), expected);
    }
    first.commit();
    EXPECT_EQ(registry.size(), 20000u);

    UsernameAllocator second(registry, 20);
    for (int i = 20000; i < 40000; ++i) {
        ASSERT_EQ(second.allocate("jonesa"), "jonesa" + std::to_string(i));
    }
}

TEST(UsernameAllocator, RegistryLoadedFromStoreWithGaps) {
    // A registry filled by add() (as from the database) has no hints yet; the first allocation
    // scans, later ones and later runs start from where it stopped.
    UsernameRegistry registry;
    registry.reserve(20000);
    for (int i = 0; i < 20000; ++i) {
        if (i != 7000 && i != 15000) {
            registry.add(i == 0 ? "JONESA" : "JonesA" + std::to_string(i));
        }
    }
    for (int run = 0; run < 3; ++run) {
        UsernameAllocator dryRun(registry, 20);
        EXPECT_EQ(dryRun.allocate("jonesa"), "jonesa7000");
        EXPECT_EQ(dryRun.allocate("jonesa"), "jonesa15000");
        EXPECT_EQ(dryRun.allocate("jonesa"), "jonesa20000");
    }
    UsernameAllocator run(registry, 20);
    EXPECT_EQ(run.allocate("jonesa"), "jonesa7000");
    run.commit();
    registry.add("jonesa15000");  // given elsewhere, e.g. an alias
    UsernameAllocator next(registry, 20);
    EXPECT_EQ(next.allocate("jonesa"), "jonesa20000");
}

TEST(UsernameAllocator, TruncatesForMaxLengthAndSuffixGrowth) {
    UsernameRegistry registry;
    UsernameAllocator allocator(registry, 20);
    const std::string base = "abcdefghijklmnopqrstuvwxyz";
    EXPECT_EQ(allocator.allocate(base), "abcdefghijklmnopqrst");
    EXPECT_EQ(allocator.allocate(base), "abcdefghijklmnopqrs1");
    for (int i = 2; i <= 9; ++i) {
        EXPECT_EQ(allocator.allocate(base), "abcdefghijklmnopqrs" + std::to_string(i));
    }
    const std::string tenth = allocator.allocate(base);
    EXPECT_EQ(tenth, "abcdefghijklmnopqr10");
    EXPECT_EQ(tenth.size(), 20u);
    // Another long base with the same first 20 letters continues the same sequence.
    EXPECT_EQ(allocator.allocate("abcdefghijklmnopqrstzzz"), "abcdefghijklmnopqr11");
}

TEST(UsernameAllocator, TruncatedCandidateCollidesWithExistingName) {
    UsernameRegistry registry;
    registry.add("abcdefghijklmnopqrs1");  // someone whose own base happens to be this
    registry.add("abcdefghijklmnopqr10");
    UsernameAllocator allocator(registry, 20);
    const std::string base = "abcdefghijklmnopqrstuvwxyz";
    EXPECT_EQ(allocator.allocate(base), "abcdefghijklmnopqrst");
    EXPECT_EQ(allocator.allocate(base), "abcdefghijklmnopqrs2");
    for (int i = 3; i <= 9; ++i) {
        allocator.allocate(base);
    }
    EXPECT_EQ(allocator.allocate(base), "abcdefghijklmnopqr11");
}

TEST(UsernameAllocator, ShortMaxLength) {
    UsernameRegistry registry;
    UsernameAllocator allocator(registry, 1);
    EXPECT_EQ(allocator.allocate("jonesa"), "j");
    EXPECT_THROW(allocator.allocate("jonesa"), misync::core::Error);  // no room for a suffix
    EXPECT_THROW(UsernameAllocator(registry, 0), misync::core::Error);
}

TEST(UsernameAllocator, RegistryUnchangedUntilCommit) {
    UsernameRegistry registry;
    registry.add("jonesa");
    {
        UsernameAllocator dryRun(registry, 20);
        EXPECT_EQ(dryRun.allocate("jonesa"), "jonesa1");
        EXPECT_EQ(dryRun.allocate("evansb"), "evansb");
        EXPECT_EQ(registry.size(), 1u);
        EXPECT_FALSE(registry.taken("jonesa1"));
        EXPECT_FALSE(registry.taken("evansb"));
    }
    UsernameAllocator run(registry, 20);
    EXPECT_EQ(run.allocate("jonesa"), "jonesa1");  // the dry run left nothing behind
    EXPECT_EQ(run.allocate("evansb"), "evansb");
    run.commit();
    EXPECT_EQ(registry.size(), 3u);
    EXPECT_TRUE(registry.taken("jonesa1"));
    EXPECT_TRUE(registry.taken("EvansB"));
    // Allocating after a commit continues the run; a second commit adds only the new names.
    EXPECT_EQ(run.allocate("jonesa"), "jonesa2");
    run.commit();
    EXPECT_EQ(registry.size(), 4u);
    EXPECT_EQ(run.allocated().size(), 3u);
}

TEST(UsernameAllocator, TwoAllocatorsOnOneRegistry) {
    UsernameRegistry registry;
    UsernameAllocator a(registry, 20);
    UsernameAllocator b(registry, 20);
    EXPECT_EQ(a.allocate("jonesa"), "jonesa");
    EXPECT_EQ(b.allocate("evansb"), "evansb");
    a.commit();
    // b sees what a committed, even though b was created before.
    EXPECT_EQ(b.allocate("jonesa"), "jonesa1");
    b.commit();
    EXPECT_EQ(registry.size(), 3u);

    // Both allocate the same name before either commits: the second commit must refuse.
    UsernameAllocator c(registry, 20);
    UsernameAllocator d(registry, 20);
    EXPECT_EQ(c.allocate("daviesc"), "daviesc");
    EXPECT_EQ(d.allocate("thomasd"), "thomasd");
    EXPECT_EQ(d.allocate("daviesc"), "daviesc");
    c.commit();
    EXPECT_THROW(d.commit(), misync::core::Error);
    EXPECT_FALSE(registry.taken("thomasd"));  // all or nothing
    EXPECT_EQ(registry.size(), 4u);
}

namespace misync::reconcile {
namespace {

// A run that allocates no username never asks for the registry (the one-school run of
// docs/performance.md does not load the directory's 540,000 names); one that does asks once.
TEST(UsernameAllocatorLazy, AsksForTheRegistryOnTheFirstAllocationOnly) {
    UsernameRegistry registry;
    registry.add("jonesa");
    int asked = 0;
    auto source = [&]() -> UsernameRegistry& {
        ++asked;
        return registry;
    };
    UsernameAllocator idle(source, 20);
    idle.commit();
    EXPECT_EQ(asked, 0);
    UsernameAllocator busy(source, 20);
    EXPECT_EQ(busy.allocate("jonesa"), "jonesa1");  // U3: the registry's names count
    EXPECT_EQ(busy.allocate("jonesa"), "jonesa2");
    busy.commit();
    EXPECT_EQ(asked, 1);
    EXPECT_TRUE(registry.taken("jonesa2"));
}

}  // namespace
}  // namespace misync::reconcile

// U3 with a registry that holds only some names (issue 8): what it does not hold it asks the
// directory about, and it allocates exactly what a registry holding every name would.
namespace {

struct FakeDirectoryNames {
    std::set<std::string> names;
    int pointQueries = 0;
    int prefixQueries = 0;
    UsernameLookup lookup() {
        UsernameLookup l;
        l.exists = [this](std::string_view n) {
            ++pointQueries;
            return names.count(std::string(n)) != 0;
        };
        l.withPrefix = [this](std::string_view p, std::vector<std::string>& out) {
            ++prefixQueries;
            for (auto it = names.lower_bound(std::string(p));
                 it != names.end() && it->compare(0, p.size(), p) == 0; ++it) {
                out.push_back(*it);
            }
        };
        return l;
    }
};

}  // namespace

TEST(UsernameRegistryLookup, NamesNotHeldAreAskedForAndWhatIsTakenIsKept) {
    FakeDirectoryNames dir;
    dir.names = {"jonesa", "evansb"};
    UsernameRegistry r;
    EXPECT_FALSE(r.taken("jonesa"));  // no lookup: only what it holds
    r.setLookup(dir.lookup());
    EXPECT_TRUE(r.taken("JonesA"));
    EXPECT_TRUE(r.taken("jonesa"));
    EXPECT_EQ(dir.pointQueries, 1) << "a taken name is kept: it stays taken for ever";
    EXPECT_FALSE(r.taken("pricec"));
    EXPECT_FALSE(r.taken("pricec"));
    EXPECT_EQ(dir.pointQueries, 3) << "a free name is asked for again: another writer may take it";
    EXPECT_TRUE(r.held("jonesa"));
    EXPECT_FALSE(r.held("evansb")) << "held() never asks";
    r.raiseSuffixHint({"jonesa", 20}, 7);
    r.forgetNames();
    EXPECT_FALSE(r.held("jonesa"));
    EXPECT_TRUE(r.taken("jonesa"));
    EXPECT_EQ(r.suffixHint({"jonesa", 20}), 7u) << "hints stay true when names are let go";
}

TEST(UsernameRegistryLookup, ForgetNamesWithoutALookupKeepsThem) {
    UsernameRegistry r;
    r.add("jonesa");
    r.forgetNames();
    EXPECT_TRUE(r.taken("jonesa"));
}

TEST(UsernameAllocatorLookup, ACrowdedBaseCostsOneRangeQueryAndGivesWhatAFullRegistryGives) {
    FakeDirectoryNames dir;
    UsernameRegistry full;
    for (int i = 0; i < 3000; ++i) {
        if (i == 1234 || i == 2500) {
            continue;  // gaps: the first free suffixes
        }
        const std::string n = i == 0 ? "jonese" : "jonese" + std::to_string(i);
        dir.names.insert(n);
        full.add(n);
    }
    dir.names.insert("jonesemma");  // shares the prefix, is no candidate
    full.add("jonesemma");
    UsernameRegistry lazy;
    lazy.setLookup(dir.lookup());
    UsernameAllocator a(lazy, 20);
    UsernameAllocator b(full, 20);
    for (int k = 0; k < 4; ++k) {
        EXPECT_EQ(a.allocate("jonese"), b.allocate("jonese"));
    }
    EXPECT_EQ(a.allocated(),
              (std::vector<std::string>{"jonese1234", "jonese2500", "jonese3000", "jonese3001"}));
    EXPECT_EQ(dir.prefixQueries, 1);
    EXPECT_LE(dir.pointQueries, 4) << "only the free candidates are asked for";
    a.commit();  // the run's names are in the directory too by now: not a conflict
    dir.names.insert(a.allocated().begin(), a.allocated().end());
    UsernameAllocator again(lazy, 20);
    EXPECT_EQ(again.allocate("jonese"), "jonese3002");
    EXPECT_EQ(dir.prefixQueries, 1) << "the hint says where to start";
}

TEST(UsernameAllocatorLookup, ANameAnotherWriterGaveIsFoundWithoutHoldingIt) {
    FakeDirectoryNames dir;
    dir.names = {"pricec"};
    UsernameRegistry lazy;
    lazy.setLookup(dir.lookup());
    UsernameAllocator a(lazy, 20);
    EXPECT_EQ(a.allocate("pricec"), "pricec1");
    a.commit();
    lazy.forgetNames();
    dir.names.insert("pricec1");
    dir.names.insert("pricec2");  // another process, after this one let its names go
    UsernameAllocator b(lazy, 20);
    EXPECT_EQ(b.allocate("pricec"), "pricec3");
}

// loadPrefix keeps each prefix's names as one sorted list (issue 8). A server collation may
// return them in another order; held() must find every one, under any loaded prefix.
TEST(UsernameRegistryLookup, PrefixNamesAreHeldWhateverOrderTheDirectoryGivesThem) {
    FakeDirectoryNames dir;
    dir.names = {"jonesa", "jonesa1", "jonesa10", "jonesa2", "jonesb", "jones_x"};
    auto lookup = dir.lookup();
    auto sorted = lookup.withPrefix;
    lookup.withPrefix = [sorted](std::string_view p, std::vector<std::string>& out) {
        sorted(p, out);
        std::reverse(out.begin(), out.end());  // as a non-bytewise collation might
    };
    UsernameRegistry r;
    r.setLookup(lookup);
    r.loadPrefix("jones");
    r.loadPrefix("jonesa1");
    EXPECT_EQ(dir.prefixQueries, 2);
    for (const auto* n : {"jonesa", "jonesa1", "jonesa10", "jonesa2", "jonesb", "jones_x"}) {
        EXPECT_TRUE(r.held(n)) << n;
    }
    EXPECT_TRUE(r.held("JonesA10")) << "case-insensitive";
    EXPECT_FALSE(r.held("jonesa3"));
    EXPECT_FALSE(r.held("jone"));
    EXPECT_EQ(r.size(), 8u) << "names found under each prefix count, as loaded";
    r.loadPrefix("jones");
    EXPECT_EQ(dir.prefixQueries, 2) << "a prefix is asked for once";
    r.forgetNames();
    EXPECT_EQ(r.size(), 0u);
    EXPECT_FALSE(r.held("jonesa2"));
    EXPECT_TRUE(r.taken("jonesa2"));  // asked again
}
