// Constant tables for P1 (the block list of weak passwords) and P2 (the words of generated
// passwords). Data only; the static_asserts keep the rules the rest of the code relies on.
#include <algorithm>
#include <array>
#include <functional>
#include <span>
#include <string_view>

#include "reconcile/passwords.h"

namespace misync::reconcile {
namespace {

// P2: short, common words a young learner can read and type, British spelling, nothing rude
// or frightening. Look-alike rule (passwords.h): no 'l', no word starting with 'i' or 'o'; also
// no "rn", which reads as 'm' in many fonts.
constexpr std::array<std::string_view, 717> kWords{
    "ace",    "aim",    "air",    "amber",  "anchor", "ant",    "ape",    "apron",  "arm",
    "arrow",  "art",    "artist", "ash",    "autumn", "axe",    "baby",   "back",   "badge",
    "badger", "bag",    "bake",   "baker",  "bamboo", "banana", "banjo",  "basket", "bat",
    "bay",    "beach",  "beacon", "bead",   "beam",   "bean",   "bear",   "beaver", "bed",
    "bee",    "bend",   "berry",  "best",   "big",    "bike",   "bird",   "bison",  "bit",
    "boat",   "bone",   "bongo",  "bonnet", "book",   "boot",   "bounce", "bow",    "box",
    "boy",    "brave",  "bread",  "breeze", "bridge", "bright", "brown",  "brush",  "bucket",
    "bud",    "bug",    "bun",    "bunny",  "bus",    "bush",   "busy",   "butter", "button",
    "cab",    "cabin",  "cactus", "cake",   "camp",   "can",    "candy",  "cane",   "canoe",
    "canyon", "cap",    "car",    "card",   "care",   "carpet", "carrot", "cart",   "case",
    "cat",    "catch",  "cave",   "cedar",  "chair",  "cheery", "cheese", "chef",   "cherry",
    "chess",  "chick",  "chip",   "chirpy", "circus", "city",   "coat",   "cobra",  "cobweb",
    "cod",    "code",   "coin",   "comet",  "cone",   "cook",   "cookie", "copper", "copy",
    "cord",   "core",   "cost",   "cosy",   "cotton", "cousin", "cow",    "cozy",   "crab",
    "crane",  "crayon", "cream",  "crew",   "crop",   "crow",   "crown",  "crumb",  "crust",
    "cub",    "cube",   "cup",    "cure",   "curry",  "dad",    "dairy",  "daisy",  "dance",
    "dart",   "dash",   "date",   "dawn",   "day",    "deck",   "deep",   "deer",   "den",
    "denim",  "desert", "desk",   "dew",    "dice",   "dig",    "dime",   "dingo",  "dinner",
    "dish",   "dock",   "doctor", "dog",    "domino", "donkey", "donut",  "door",   "dot",
    "dough",  "dove",   "dragon", "draw",   "drawer", "dream",  "dress",  "drop",   "drum",
    "dryer",  "duck",   "dune",   "dust",   "duvet",  "ear",    "earth",  "east",   "echo",
    "edge",   "egg",    "eight",  "ember",  "emu",    "end",    "engine", "epic",   "even",
    "fabric", "fair",   "fairy",  "fame",   "fan",    "fancy",  "farm",   "farmer", "fast",
    "feast",  "fence",  "ferret", "ferry",  "fig",    "finch",  "find",   "fire",   "firm",
    "fish",   "fit",    "five",   "fizz",   "foam",   "fog",    "food",   "foot",   "forest",
    "fork",   "fort",   "four",   "fox",    "free",   "fresh",  "friday", "fringe", "frog",
    "frost",  "fudge",  "fun",    "funny",  "fur",    "fuzzy",  "gadget", "game",   "gannet",
    "gap",    "garage", "garden", "gate",   "gear",   "gecko",  "gem",    "giant",  "gibbon",
    "gift",   "ginger", "gnat",   "gnome",  "gnu",    "goat",   "good",   "goose",  "gopher",
    "gown",   "grab",   "grape",  "grass",  "gravy",  "gray",   "green",  "grey",   "grin",
    "grip",   "guitar", "gum",    "gust",   "hammer", "hand",   "handy",  "happy",  "hardy",
    "hare",   "harp",   "hat",    "hawk",   "hay",    "heap",   "heart",  "hearty", "heat",
    "hen",    "herb",   "hero",   "heron",  "high",   "hike",   "hiker",  "hint",   "hippo",
    "hive",   "hockey", "home",   "honey",  "hook",   "hoop",   "hop",    "hope",   "horse",
    "host",   "hound",  "house",  "hug",    "huge",   "hum",    "hut",    "hyena",  "jacket",
    "jade",   "jaguar", "jam",    "jar",    "jaw",    "jazz",   "jazzy",  "jet",    "jigsaw",
    "jockey", "joey",   "jog",    "joke",   "joy",    "jug",    "juice",  "jump",   "jumper",
    "kayak",  "keen",   "key",    "kick",   "kid",    "kind",   "king",   "kit",    "kite",
    "kitten", "kiwi",   "knee",   "knight", "knot",   "magic",  "magpie", "mane",   "mango",
    "map",    "march",  "market", "mask",   "mast",   "mat",    "maze",   "meadow", "mega",
    "merry",  "mind",   "mint",   "mist",   "mitten", "mix",    "monday", "monkey", "moon",
    "moose",  "mop",    "mosaic", "moss",   "moth",   "mouse",  "mud",    "muffin", "mug",
    "museum", "nacho",  "nap",    "navy",   "neat",   "neck",   "nectar", "nest",   "net",
    "news",   "newt",   "nifty",  "nine",   "ninja",  "nod",    "north",  "nose",   "note",
    "nugget", "nurse",  "nut",    "pack",   "pad",    "page",   "paint",  "pan",    "panda",
    "pantry", "parade", "park",   "parrot", "part",   "pass",   "pasta",  "path",   "paw",
    "pea",    "peach",  "peak",   "peanut", "pear",   "pen",    "pepper", "perky",  "pet",
    "piano",  "pick",   "pie",    "pier",   "pig",    "pigeon", "pin",    "pink",   "pipe",
    "pirate", "pizza",  "pocket", "poem",   "pond",   "pony",   "pop",    "port",   "post",
    "pot",    "potato", "pour",   "prawn",  "prince", "prize",  "proud",  "puffin", "pug",
    "puma",   "pump",   "pup",    "puppy",  "queen",  "quest",  "quick",  "quiet",  "quiz",
    "rabbit", "race",   "radar",  "radio",  "radish", "raft",   "rain",   "raisin", "ram",
    "ramp",   "ranger", "rat",    "raven",  "ray",    "read",   "red",    "reed",   "reef",
    "rest",   "rhino",  "rib",    "ribbon", "rice",   "ride",   "ring",   "ripe",   "river",
    "road",   "roar",   "robe",   "robin",  "robot",  "rock",   "rocket", "roof",   "room",
    "root",   "rope",   "rose",   "round",  "row",    "ruby",   "rug",    "run",    "rush",
    "rust",   "safe",   "sage",   "sand",   "satin",  "sauce",  "saucer", "scan",   "scarf",
    "scone",  "sea",    "seed",   "seven",  "shadow", "shark",  "sharp",  "shed",   "sheep",
    "shiny",  "ship",   "shirt",  "shoe",   "shop",   "shore",  "short",  "show",   "shrew",
    "shrimp", "side",   "sign",   "sing",   "singer", "sip",    "site",   "six",    "size",
    "skate",  "sketch", "ski",    "skip",   "skirt",  "sky",    "smart",  "smooth", "snack",
    "snake",  "snap",   "snappy", "snow",   "soap",   "sock",   "sofa",   "soft",   "song",
    "soup",   "south",  "spa",    "space",  "spade",  "spark",  "sparky", "spider", "spin",
    "sponge", "spoon",  "spot",   "spring", "spruce", "square", "squid",  "star",   "statue",
    "stem",   "step",   "stew",   "stoat",  "stone",  "stop",   "stork",  "storm",  "sugar",
    "summer", "summit", "sun",    "sunday", "sunny",  "sunset", "super",  "surf",   "swan",
    "sweet",  "swift",  "swim",   "swing",  "syrup",  "taco",   "tag",    "take",   "tan",
    "tank",   "tap",    "tape",   "tapir",  "taxi",   "tea",    "team",   "teapot", "ten",
    "tennis", "tent",   "test",   "think",  "three",  "throw",  "thrush", "tick",   "ticket",
    "tide",   "tidy",   "tiger",  "timber", "time",   "tin",    "tiny",   "tip",    "toad",
    "toast",  "toe",    "toffee", "tomato", "tone",   "top",    "torch",  "tower",  "town",
    "toy",    "train",  "tram",   "tray",   "tree",   "trip",   "trophy", "trout",  "truck",
    "tub",    "tug",    "tuna",   "tune",   "turkey", "tuxedo", "twig",   "two",    "type",
    "unit",   "vacuum", "van",    "vase",   "vest",   "view",   "vine",   "visit",  "vote",
    "voyage", "wag",    "wagon",  "wand",   "wander", "warm",   "wasp",   "water",  "wave",
    "wax",    "way",    "web",    "west",   "wheat",  "white",  "wick",   "wide",   "wig",
    "wind",   "window", "wing",   "wink",   "winner", "winter", "wise",   "wish",   "witty",
    "wizard", "wood",   "word",   "work",   "worm",   "wren",   "write",  "yacht",  "yak",
    "yard",   "year",   "yoga",   "yogurt", "yoyo",   "zebra",  "zero",   "zest",   "zesty",
    "zigzag", "zip",    "zipper", "zippy",  "zone",   "zoo"};

// P1: weak passwords compared ignoring case: the portal's own examples (Password1,
// Welcome123), keyboard walks, and common words, names, teams and places in Wales with the
// suffixes people add to meet a composition rule. Only entries that would otherwise pass the
// composition rules (8+ characters with a letter and a digit) are worth listing.
constexpr std::array<std::string_view, 794> kWeakPasswords{
    "12qwaszx",        "1a2b3c4d",        "1q2w3e4r",       "1q2w3e4r5t",      "1qaz2wsx",
    "a1234567",        "a12345678",       "aa123456",       "abc12345",        "abcd1234",
    "abcd12345",       "abcd2024",        "abcd2025",       "abcdef01",        "abcdef12",
    "abcdef123",       "abcdef1234",      "abcdef12345",    "abcdef2024",      "abcdef2025",
    "access01",        "access12",        "access123",      "access1234",      "access12345",
    "access2024",      "access2025",      "admin123",       "admin1234",       "admin12345",
    "admin2024",       "admin2025",       "amelia01",       "amelia12",        "amelia123",
    "amelia1234",      "amelia12345",     "amelia2024",     "amelia2025",      "apple123",
    "apple1234",       "apple12345",      "apple2024",      "apple2025",       "arsenal01",
    "arsenal1",        "arsenal12",       "arsenal123",     "arsenal1234",     "arsenal12345",
    "arsenal2024",     "arsenal2025",     "asdf1234",       "asdf12345",       "asdf2024",
    "asdf2025",        "asdfgh01",        "asdfgh12",       "asdfgh123",       "asdfgh1234",
    "asdfgh12345",     "asdfgh2024",      "asdfgh2025",     "ashley01",        "ashley12",
    "ashley123",       "ashley1234",      "ashley12345",    "ashley2024",      "ashley2025",
    "athro123",        "athro1234",       "athro12345",     "athro2024",       "athro2025",
    "autumn01",        "autumn12",        "autumn123",      "autumn1234",      "autumn12345",
    "autumn2024",      "autumn2025",      "baseball01",     "baseball1",       "baseball12",
    "baseball123",     "baseball1234",    "baseball12345",  "baseball2024",    "baseball2025",
    "batman01",        "batman12",        "batman123",      "batman1234",      "batman12345",
    "batman2024",      "batman2025",      "cardiff01",      "cardiff1",        "cardiff12",
    "cardiff123",      "cardiff1234",     "cardiff12345",   "cardiff2024",     "cardiff2025",
    "changeme01",      "changeme1",       "changeme12",     "changeme123",     "changeme1234",
    "changeme12345",   "changeme2024",    "changeme2025",   "charlie01",       "charlie1",
    "charlie12",       "charlie123",      "charlie1234",    "charlie12345",    "charlie2024",
    "charlie2025",     "cheese01",        "cheese12",       "cheese123",       "cheese1234",
    "cheese12345",     "cheese2024",      "cheese2025",     "chelsea01",       "chelsea1",
    "chelsea12",       "chelsea123",      "chelsea1234",    "chelsea12345",    "chelsea2024",
    "chelsea2025",     "chocolate01",     "chocolate1",     "chocolate12",     "chocolate123",
    "chocolate1234",   "chocolate12345",  "chocolate2024",  "chocolate2025",   "computer01",
    "computer1",       "computer12",      "computer123",    "computer1234",    "computer12345",
    "computer2024",    "computer2025",    "cookie01",       "cookie12",        "cookie123",
    "cookie1234",      "cookie12345",     "cookie2024",     "cookie2025",      "cymraeg01",
    "cymraeg1",        "cymraeg12",       "cymraeg123",     "cymraeg1234",     "cymraeg12345",
    "cymraeg2024",     "cymraeg2025",     "cymru123",       "cymru1234",       "cymru12345",
    "cymru2024",       "cymru2025",       "daniel01",       "daniel12",        "daniel123",
    "daniel1234",      "daniel12345",     "daniel2024",     "daniel2025",      "default01",
    "default1",        "default12",       "default123",     "default1234",     "default12345",
    "default2024",     "default2025",     "dolphin01",      "dolphin1",        "dolphin12",
    "dolphin123",      "dolphin1234",     "dolphin12345",   "dolphin2024",     "dolphin2025",
    "dragon01",        "dragon12",        "dragon123",      "dragon1234",      "dragon12345",
    "dragon2024",      "dragon2025",      "dysgwr01",       "dysgwr12",        "dysgwr123",
    "dysgwr1234",      "dysgwr12345",     "dysgwr2024",     "dysgwr2025",      "emily123",
    "emily1234",       "emily12345",      "emily2024",      "emily2025",       "flower01",
    "flower12",        "flower123",       "flower1234",     "flower12345",     "flower2024",
    "flower2025",      "football01",      "football1",      "football12",      "football123",
    "football1234",    "football12345",   "football2024",   "football2025",    "fortnite01",
    "fortnite1",       "fortnite12",      "fortnite123",    "fortnite1234",    "fortnite12345",
    "fortnite2024",    "fortnite2025",    "freedom01",      "freedom1",        "freedom12",
    "freedom123",      "freedom1234",     "freedom12345",   "freedom2024",     "freedom2025",
    "friday01",        "friday12",        "friday123",      "friday1234",      "friday12345",
    "friday2024",      "friday2025",      "george01",       "george12",        "george123",
    "george1234",      "george12345",     "george2024",     "george2025",      "google01",
    "google12",        "google123",       "google1234",     "google12345",     "google2024",
    "google2025",      "guest123",        "guest1234",      "guest12345",      "guest2024",
    "guest2025",       "harry123",        "harry1234",      "harry12345",      "harry2024",
    "harry2025",       "hello123",        "hello1234",      "hello12345",      "hello2024",
    "hello2025",       "hunter01",        "hunter12",       "hunter123",       "hunter1234",
    "hunter12345",     "hunter2024",      "hunter2025",     "hwb12345",        "hwbcymru01",
    "hwbcymru1",       "hwbcymru12",      "hwbcymru123",    "hwbcymru1234",    "hwbcymru12345",
    "hwbcymru2023",    "hwbcymru2024",    "hwbcymru2025",   "hwbcymru2026",    "hwbwales01",
    "hwbwales1",       "hwbwales12",      "hwbwales123",    "hwbwales1234",    "hwbwales12345",
    "hwbwales2024",    "hwbwales2025",    "iloveyou01",     "iloveyou1",       "iloveyou12",
    "iloveyou123",     "iloveyou1234",    "iloveyou12345",  "iloveyou2024",    "iloveyou2025",
    "internet01",      "internet1",       "internet12",     "internet123",     "internet1234",
    "internet12345",   "internet2024",    "internet2025",   "iphone01",        "iphone12",
    "iphone123",       "iphone1234",      "iphone12345",    "iphone2024",      "iphone2025",
    "january01",       "january1",        "january12",      "january123",      "january1234",
    "january12345",    "january2024",     "january2025",    "jessica01",       "jessica1",
    "jessica12",       "jessica123",      "jessica1234",    "jessica12345",    "jessica2024",
    "jessica2025",     "jordan01",        "jordan12",       "jordan123",       "jordan1234",
    "jordan12345",     "jordan2024",      "jordan2025",     "joshua01",        "joshua12",
    "joshua123",       "joshua1234",      "joshua12345",    "joshua2024",      "joshua2025",
    "letmein01",       "letmein1",        "letmein12",      "letmein123",      "letmein1234",
    "letmein12345",    "letmein2024",     "letmein2025",    "liverpool01",     "liverpool1",
    "liverpool12",     "liverpool123",    "liverpool1234",  "liverpool12345",  "liverpool2024",
    "liverpool2025",   "login123",        "login1234",      "login12345",      "login2024",
    "login2025",       "master01",        "master12",       "master123",       "master1234",
    "master12345",     "master2024",      "master2025",     "matthew01",       "matthew1",
    "matthew12",       "matthew123",      "matthew1234",    "matthew12345",    "matthew2024",
    "matthew2025",     "michael01",       "michael1",       "michael12",       "michael123",
    "michael1234",     "michael12345",    "michael2024",    "michael2025",     "minecraft01",
    "minecraft1",      "minecraft12",     "minecraft123",   "minecraft1234",   "minecraft12345",
    "minecraft2024",   "minecraft2025",   "monday01",       "monday12",        "monday123",
    "monday1234",      "monday12345",     "monday2024",     "monday2025",      "monkey01",
    "monkey12",        "monkey123",       "monkey1234",     "monkey12345",     "monkey2024",
    "monkey2025",      "mypassword01",    "mypassword1",    "mypassword12",    "mypassword123",
    "mypassword1234",  "mypassword12345", "mypassword2024", "mypassword2025",  "newpassword01",
    "newpassword1",    "newpassword12",   "newpassword123", "newpassword1234", "newpassword12345",
    "newpassword2024", "newpassword2025", "newport01",      "newport1",        "newport12",
    "newport123",      "newport1234",     "newport12345",   "newport2024",     "newport2025",
    "oliver01",        "oliver12",        "oliver123",      "oliver1234",      "oliver12345",
    "oliver2024",      "oliver2025",      "olivia01",       "olivia12",        "olivia123",
    "olivia1234",      "olivia12345",     "olivia2024",     "olivia2025",      "p4ssword01",
    "p4ssword1",       "p4ssword12",      "p4ssword123",    "p4ssword1234",    "p4ssword12345",
    "p4ssword2024",    "p4ssword2025",    "p@ssw0rd1",      "p@ssword1",       "pa$$word1",
    "pa55word01",      "pa55word1",       "pa55word12",     "pa55word123",     "pa55word1234",
    "pa55word12345",   "pa55word2024",    "pa55word2025",   "pass1234",        "pass12345",
    "passw0rd01",      "passw0rd1",       "passw0rd12",     "passw0rd123",     "passw0rd1234",
    "passw0rd12345",   "passw0rd2024",    "passw0rd2025",   "password01",      "password1",
    "password1!",      "password12",      "password123",    "password123!",    "password1234",
    "password12345",   "password2",       "password2023",   "password2024",    "password2025",
    "password2026",    "password3",       "password99",     "pokemon01",       "pokemon1",
    "pokemon12",       "pokemon123",      "pokemon1234",    "pokemon12345",    "pokemon2024",
    "pokemon2025",     "princess01",      "princess1",      "princess12",      "princess123",
    "princess1234",    "princess12345",   "princess2024",   "princess2025",    "pupil123",
    "pupil1234",       "pupil12345",      "pupil2024",      "pupil2025",       "purple01",
    "purple12",        "purple123",       "purple1234",     "purple12345",     "purple2024",
    "purple2025",      "q1w2e3r4",        "q1w2e3r4t5",     "qazwsx01",        "qazwsx12",
    "qazwsx123",       "qazwsx1234",      "qazwsx12345",    "qazwsx2024",      "qazwsx2025",
    "qwe12345",        "qwer1234",        "qwerty01",       "qwerty1!",        "qwerty12",
    "qwerty123",       "qwerty1234",      "qwerty12345",    "qwerty2024",      "qwerty2025",
    "qwerty@123",      "qwertyui01",      "qwertyui1",      "qwertyui12",      "qwertyui123",
    "qwertyui1234",    "qwertyui12345",   "qwertyui2024",   "qwertyui2025",    "qwertyuiop01",
    "qwertyuiop1",     "qwertyuiop12",    "qwertyuiop123",  "qwertyuiop1234",  "qwertyuiop12345",
    "qwertyuiop2024",  "qwertyuiop2025",  "roblox01",       "roblox12",        "roblox123",
    "roblox1234",      "roblox12345",     "roblox2024",     "roblox2025",      "rugby123",
    "rugby1234",       "rugby12345",      "rugby2024",      "rugby2025",       "samsung01",
    "samsung1",        "samsung12",       "samsung123",     "samsung1234",     "samsung12345",
    "samsung2024",     "samsung2025",     "school01",       "school12",        "school123",
    "school1234",      "school12345",     "school2024",     "school2025",      "secret01",
    "secret12",        "secret123",       "secret1234",     "secret12345",     "secret2024",
    "secret2025",      "september01",     "september1",     "september12",     "september123",
    "september1234",   "september12345",  "september2024",  "september2025",   "shadow01",
    "shadow12",        "shadow123",       "shadow1234",     "shadow12345",     "shadow2024",
    "shadow2025",      "soccer01",        "soccer12",       "soccer123",       "soccer1234",
    "soccer12345",     "soccer2024",      "soccer2025",     "sophie01",        "sophie12",
    "sophie123",       "sophie1234",      "sophie12345",    "sophie2024",      "sophie2025",
    "spring01",        "spring12",        "spring123",      "spring1234",      "spring12345",
    "spring2024",      "spring2025",      "starwars01",     "starwars1",       "starwars12",
    "starwars123",     "starwars1234",    "starwars12345",  "starwars2024",    "starwars2025",
    "student01",       "student1",        "student12",      "student123",      "student1234",
    "student12345",    "student2024",     "student2025",    "summer01",        "summer12",
    "summer123",       "summer1234",      "summer12345",    "summer2023",      "summer2024",
    "summer2025",      "sunshine01",      "sunshine1",      "sunshine12",      "sunshine123",
    "sunshine1234",    "sunshine12345",   "sunshine2024",   "sunshine2025",    "superman01",
    "superman1",       "superman12",      "superman123",    "superman1234",    "superman12345",
    "superman2024",    "superman2025",    "swansea01",      "swansea1",        "swansea12",
    "swansea123",      "swansea1234",     "swansea12345",   "swansea2024",     "swansea2025",
    "teacher01",       "teacher1",        "teacher12",      "teacher123",      "teacher1234",
    "teacher12345",    "teacher2024",     "teacher2025",    "test1234",        "test12345",
    "test2024",        "test2025",        "thomas01",       "thomas12",        "thomas123",
    "thomas1234",      "thomas12345",     "thomas2024",     "thomas2025",      "tigger01",
    "tigger12",        "tigger123",       "tigger1234",     "tigger12345",     "tigger2024",
    "tigger2025",      "trustno01",       "trustno1",       "trustno12",       "trustno123",
    "trustno1234",     "trustno12345",    "trustno2024",    "trustno2025",     "user1234",
    "user12345",       "user2024",        "user2025",       "wales123",        "wales1234",
    "wales12345",      "wales2024",       "wales2025",      "welcome01",       "welcome1",
    "welcome1!",       "welcome12",       "welcome123",     "welcome1234",     "welcome12345",
    "welcome2023",     "welcome2024",     "welcome2025",    "welcome2026",     "welcome2hwb",
    "welcome@1",       "whatever01",      "whatever1",      "whatever12",      "whatever123",
    "whatever1234",    "whatever12345",   "whatever2024",   "whatever2025",    "william01",
    "william1",        "william12",       "william123",     "william1234",     "william12345",
    "william2024",     "william2025",     "winter01",       "winter12",        "winter123",
    "winter1234",      "winter12345",     "winter2023",     "winter2024",      "winter2025",
    "wrexham01",       "wrexham1",        "wrexham12",      "wrexham123",      "wrexham1234",
    "wrexham12345",    "wrexham2024",     "wrexham2025",    "xsw21qaz",        "ysgol123",
    "ysgol1234",       "ysgol12345",      "ysgol2024",      "ysgol2025",       "zaq12wsx",
    "zxcv1234",        "zxcvbnm01",       "zxcvbnm1",       "zxcvbnm12",       "zxcvbnm123",
    "zxcvbnm1234",     "zxcvbnm12345",    "zxcvbnm2024",    "zxcvbnm2025"};

constexpr bool isLowerAlpha(std::string_view w) {
    return std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

constexpr bool isWordAllowed(std::string_view w) {
    return w.size() >= 3 && w.size() <= 6 && isLowerAlpha(w) && w.find('l') == w.npos &&
           w.front() != 'i' && w.front() != 'o' && w.find("rn") == w.npos;
}

constexpr bool isWeakEntryUseful(std::string_view w) {
    const bool hasLetter =
        std::any_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    const bool hasDigit =
        std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool noUpper =
        std::none_of(w.begin(), w.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    return w.size() >= 8 && hasLetter && hasDigit && noUpper;
}

// Sorted and unique: checkPassword and the generator use binary search / plain indexing.
static_assert(std::adjacent_find(kWords.begin(), kWords.end(), std::greater_equal<>()) ==
              kWords.end());
static_assert(std::adjacent_find(kWeakPasswords.begin(), kWeakPasswords.end(),
                                 std::greater_equal<>()) == kWeakPasswords.end());
static_assert(std::all_of(kWords.begin(), kWords.end(), isWordAllowed));
static_assert(std::all_of(kWeakPasswords.begin(), kWeakPasswords.end(), isWeakEntryUseful));

}  // namespace

std::span<const std::string_view> passwordWords() {
    return kWords;
}
std::span<const std::string_view> weakPasswords() {
    return kWeakPasswords;
}

}  // namespace misync::reconcile
