#include "bench/gen_sims/names.h"

#include <array>

namespace misync::bench {
namespace {

struct WeightedName {
    std::string_view text;
    std::uint32_t weight;  // roughly per 10,000 people
};

// The Welsh top ten carry about a quarter of the population, which is what makes bases such as
// jonese or daviesc shared by thousands (SPEC U3).
constexpr std::array kSurnames = std::to_array<WeightedName>({
    {"Jones", 575},   {"Davies", 370},     {"Williams", 350},  {"Evans", 200},
    {"Thomas", 200},  {"Roberts", 160},    {"Hughes", 130},    {"Lewis", 130},
    {"Morgan", 110},  {"Griffiths", 100},  {"James", 90},      {"Edwards", 80},
    {"Smith", 80},    {"Price", 70},       {"Rees", 70},       {"Jenkins", 70},
    {"Owen", 70},     {"Phillips", 60},    {"Harris", 50},     {"Lloyd", 50},
    {"Powell", 50},   {"Richards", 50},    {"Morris", 40},     {"Parry", 40},
    {"Taylor", 40},   {"Brown", 40},       {"Pritchard", 30},  {"Bevan", 30},
    {"Howells", 30},  {"Llewellyn", 30},   {"Pugh", 30},       {"Bowen", 30},
    {"Ellis", 30},    {"Watkins", 30},     {"Vaughan", 25},    {"Matthews", 25},
    {"Rowlands", 20}, {"Hopkins", 20},     {"Humphreys", 20},  {"Walters", 20},
    {"Johnson", 20},  {"Walker", 20},      {"Wilson", 20},     {"Thompson", 20},
    {"Meredith", 15}, {"Wynne", 15},       {"Wright", 15},     {"White", 15},
    {"Green", 15},    {"Hall", 15},        {"Wood", 15},       {"Clarke", 15},
    {"Jackson", 15},  {"Hill", 15},        {"Khan", 12},       {"Mathias", 10},
    {"Gwilym", 10},   {"Pryce", 10},       {"Prosser", 10},    {"King", 10},
    {"Baker", 10},    {"Turner", 10},      {"Moore", 10},      {"Cooper", 10},
    {"Mason", 10},    {"Young", 10},       {"Allen", 10},      {"Scott", 10},
    {"Martin", 10},   {"Ahmed", 10},       {"Ali", 10},        {"Hopkin", 8},
    {"O'Brien", 8},   {"Begum", 8},        {"Hussain", 8},     {"Patel", 8},
    {"McCarthy", 5},  {"MacDonald", 5},    {"O'Connor", 5},    {"Kowalski", 5},
    {"Nowak", 5},     {"Pryce-Jones", 4},  {"Wynne-Jones", 4}, {"Lloyd-Williams", 4},
    {"Nguyen", 4},    {"Cadwaladr", 3},    {"D'Souza", 3},     {"ap Gwilym", 3},
    {"ap Rhys", 3},   {"Davies-Evans", 3}, {"Wiśniewski", 3},  {"Zieliński", 3},
    {"Da Silva", 3},  {"Dos Santos", 3},   {"Llŷr-Hughes", 2}, {"Łukasik", 2},
    {"Müller", 2},    {"Gonçalves", 2},    {"Şahin", 2},       {"Fernández", 2},
    {"Ó Briain", 1},  {"Øvergård", 1},     {"Strauß", 1},
});

// A long tail of rarer surnames, built from syllables, so that most bases are shared by few.
constexpr std::array<std::string_view, 30> kTailHeads = {
    "Ash", "Brad", "Bryn", "Cal", "Carn", "Dun",  "Fen",  "Gar",  "Glyn", "Hal",
    "Hol", "Kel",  "Lan",  "Mar", "Mor",  "Nor",  "Pen",  "Ros",  "Shel", "Stan",
    "Tre", "Wen",  "Whit", "Wyn", "Bel",  "Craw", "Fair", "Hart", "Lang", "Rad"};
constexpr std::array<std::string_view, 20> kTailEnds = {
    "ford", "ley",   "ton", "wood",  "field", "by",   "croft", "well", "more",  "win",
    "sley", "worth", "ham", "combe", "stone", "bury", "ridge", "dale", "hurst", "low"};
constexpr std::uint32_t kTailShare = 2000;  // per 10,000, spread over the whole tail

struct ForenameSpec {
    std::string_view text;
    Gender gender;
    std::uint32_t weight;  // 0: only ever a preferred (short) form
    std::string_view shortForm;
};

constexpr Gender F = Gender::Female;
constexpr Gender M = Gender::Male;

constexpr std::array kForenames = std::to_array<ForenameSpec>({
    {"Siân", F, 20, ""},          {"Gwenllïan", F, 8, "Gwen"}, {"Ffion", F, 30, ""},
    {"Cerys", F, 30, ""},         {"Megan", F, 30, "Meg"},     {"Seren", F, 35, ""},
    {"Catrin", F, 25, "Cati"},    {"Eleri", F, 15, ""},        {"Nia", F, 25, ""},
    {"Mali", F, 35, ""},          {"Alys", F, 25, ""},         {"Efa", F, 30, ""},
    {"Lowri", F, 25, ""},         {"Non", F, 8, ""},           {"Mared", F, 12, ""},
    {"Elin", F, 30, ""},          {"Heledd", F, 10, ""},       {"Tirion", F, 12, ""},
    {"Rhian", F, 8, ""},          {"Carys", F, 15, ""},        {"Bethan", F, 12, "Beth"},
    {"Sioned", F, 10, ""},        {"Ela", F, 20, ""},          {"Begw", F, 8, ""},
    {"Lleucu", F, 8, ""},         {"Nanw", F, 6, ""},          {"Mabli", F, 15, ""},
    {"Gwen", F, 12, ""},          {"Betsan", F, 6, ""},        {"Anwen", F, 6, ""},
    {"Eirlys", F, 3, ""},         {"Angharad", F, 10, ""},     {"Awen", F, 12, ""},
    {"Enfys", F, 8, ""},          {"Haf", F, 10, ""},          {"Glesni", F, 6, ""},
    {"Manon", F, 10, ""},         {"Olwen", F, 5, ""},         {"Lili", F, 15, ""},
    {"Eira", F, 8, ""},           {"Elan", F, 10, ""},         {"Esyllt", F, 4, ""},
    {"Olivia", F, 30, "Liv"},     {"Amelia", F, 25, "Millie"}, {"Isla", F, 30, ""},
    {"Freya", F, 25, ""},         {"Lily", F, 25, ""},         {"Ava", F, 25, ""},
    {"Mia", F, 20, ""},           {"Sophie", F, 20, ""},       {"Evie", F, 25, ""},
    {"Grace", F, 20, ""},         {"Poppy", F, 20, ""},        {"Ruby", F, 20, ""},
    {"Zoë", F, 10, ""},           {"Chloé", F, 6, ""},         {"Amélie", F, 6, ""},
    {"Renée", F, 3, ""},          {"Ella", F, 25, ""},         {"Isabella", F, 15, "Bella"},
    {"Willow", F, 15, ""},        {"Ivy", F, 15, ""},          {"Florence", F, 12, "Flo"},
    {"Emily", F, 20, ""},         {"Jessica", F, 12, "Jess"},  {"Hannah", F, 12, ""},
    {"Erin", F, 20, ""},          {"Eva", F, 15, ""},          {"Aisha", F, 6, ""},
    {"Zofia", F, 5, ""},          {"Maja", F, 5, ""},          {"Saoirse", F, 4, ""},
    {"Dóra", F, 2, ""},           {"Inés", F, 3, ""},          {"Meg", F, 0, ""},
    {"Cati", F, 0, ""},           {"Beth", F, 0, ""},          {"Liv", F, 0, ""},
    {"Millie", F, 0, ""},         {"Bella", F, 0, ""},         {"Flo", F, 0, ""},
    {"Jess", F, 0, ""},           {"Dafydd", M, 25, "Dai"},    {"Rhys", M, 30, ""},
    {"Llŷr", M, 8, ""},           {"Osian", M, 30, ""},        {"Iestyn", M, 10, ""},
    {"Gruffydd", M, 15, "Gruff"}, {"Ioan", M, 25, ""},         {"Tomos", M, 30, "Twm"},
    {"Harri", M, 30, ""},         {"Guto", M, 12, ""},         {"Macsen", M, 15, ""},
    {"Cai", M, 20, ""},           {"Gethin", M, 15, ""},       {"Aled", M, 8, ""},
    {"Owain", M, 20, ""},         {"Dylan", M, 25, ""},        {"Elis", M, 25, ""},
    {"Gwion", M, 12, ""},         {"Aneurin", M, 4, "Nye"},    {"Deio", M, 10, ""},
    {"Ianto", M, 12, ""},         {"Mabon", M, 8, ""},         {"Steffan", M, 12, ""},
    {"Siôn", M, 12, ""},          {"Emyr", M, 5, ""},          {"Huw", M, 12, ""},
    {"Gareth", M, 5, ""},         {"Rhodri", M, 8, "Rhod"},    {"Iwan", M, 10, ""},
    {"Cynan", M, 4, ""},          {"Tudur", M, 4, ""},         {"Hywel", M, 6, ""},
    {"Berwyn", M, 3, ""},         {"Llywelyn", M, 10, "Llew"}, {"Cadfan", M, 3, ""},
    {"Morgan", M, 12, ""},        {"Evan", M, 15, ""},         {"Efan", M, 10, ""},
    {"Ifan", M, 12, ""},          {"Oliver", M, 30, "Olly"},   {"Noah", M, 30, ""},
    {"Leo", M, 30, ""},           {"Jack", M, 25, ""},         {"Harry", M, 25, ""},
    {"George", M, 20, ""},        {"Charlie", M, 20, ""},      {"Jacob", M, 15, "Jake"},
    {"Alfie", M, 20, ""},         {"Oscar", M, 20, ""},        {"Arthur", M, 20, "Art"},
    {"Theo", M, 25, ""},          {"Freddie", M, 20, ""},      {"Archie", M, 20, ""},
    {"Finley", M, 12, "Finn"},    {"Mason", M, 12, ""},        {"Logan", M, 10, ""},
    {"Riley", M, 12, ""},         {"Ethan", M, 15, ""},        {"Max", M, 15, ""},
    {"Mohammed", M, 10, ""},      {"Muhammad", M, 6, ""},      {"Jakub", M, 5, "Kuba"},
    {"Zoltán", M, 2, ""},         {"José", M, 3, ""},          {"Łukasz", M, 3, ""},
    {"Björn", M, 1, ""},          {"François", M, 2, ""},      {"Dai", M, 0, ""},
    {"Gruff", M, 0, ""},          {"Twm", M, 0, ""},           {"Nye", M, 0, ""},
    {"Rhod", M, 0, ""},           {"Llew", M, 0, ""},          {"Olly", M, 0, ""},
    {"Jake", M, 0, ""},           {"Art", M, 0, ""},           {"Finn", M, 0, ""},
    {"Kuba", M, 0, ""},
});

constexpr std::array<std::string_view, 5> kTitles = {"Mr", "Mrs", "Ms", "Miss", "Dr"};

constexpr std::array<std::string_view, 70> kPlaces = {"Aberaeron",
                                                      "Abergele",
                                                      "Aberdâr",
                                                      "Aberystwyth",
                                                      "Amlwch",
                                                      "Bangor",
                                                      "Bala",
                                                      "Bethesda",
                                                      "Blaenau Ffestiniog",
                                                      "Brynaman",
                                                      "Caerffili",
                                                      "Caergybi",
                                                      "Caernarfon",
                                                      "Cas-gwent",
                                                      "Castell-nedd",
                                                      "Cwmbrân",
                                                      "Dinbych",
                                                      "Dolgellau",
                                                      "Glynebwy",
                                                      "Gorseinon",
                                                      "Harlech",
                                                      "Hwlffordd",
                                                      "Llanbedr Pont Steffan",
                                                      "Llandeilo",
                                                      "Llandudno",
                                                      "Llandysul",
                                                      "Llanelli",
                                                      "Llanfair Pwllgwyngyll",
                                                      "Llangefni",
                                                      "Llangollen",
                                                      "Llanidloes",
                                                      "Llanrwst",
                                                      "Machynlleth",
                                                      "Maesteg",
                                                      "Merthyr Tudful",
                                                      "Treforys",
                                                      "Penarth",
                                                      "Pen-y-bont ar Ogwr",
                                                      "Pontypridd",
                                                      "Porthcawl",
                                                      "Porthmadog",
                                                      "Prestatyn",
                                                      "Pwllheli",
                                                      "Rhuthun",
                                                      "Rhydaman",
                                                      "Y Rhyl",
                                                      "Tonypandy",
                                                      "Treorci",
                                                      "Tregaron",
                                                      "Tyddewi",
                                                      "Tywyn",
                                                      "Wrecsam",
                                                      "Y Barri",
                                                      "Y Bont-faen",
                                                      "Y Drenewydd",
                                                      "Y Fenni",
                                                      "Y Trallwng",
                                                      "Yr Wyddgrug",
                                                      "Ystalyfera",
                                                      "Ystradgynlais",
                                                      "Caerfyrddin",
                                                      "Aberteifi",
                                                      "Trefynwy",
                                                      "Casnewydd",
                                                      "Caerdydd",
                                                      "Abertawe",
                                                      "Beddgelert",
                                                      "Cricieth",
                                                      "Nefyn",
                                                      "Rhosllannerchrugog"};

constexpr std::array<std::string_view, 8> kPrimaryPatterns = {"Ysgol Gynradd {}",
                                                              "Ysgol {}",
                                                              "{} Primary School",
                                                              "Ysgol Gymraeg {}",
                                                              "{} Community Primary School",
                                                              "Ysgol Bro {}",
                                                              "{} Church in Wales Primary School",
                                                              "St Mary's R.C. Primary School, {}"};
constexpr std::array<std::string_view, 6> kSecondaryPatterns = {
    "Ysgol Uwchradd {}",      "{} High School",          "Ysgol Gyfun {}",
    "Ysgol Gyfun Gymraeg {}", "{} Comprehensive School", "St David's Catholic High School, {}"};

// SPEC U2 folding for the letters these tables use.
const char* foldCodePoint(char32_t c) {
    switch (c) {
        case U'â':
        case U'ä':
        case U'á':
        case U'à':
        case U'Á':
        case U'Ä':
            return "a";
        case U'ê':
        case U'ë':
        case U'é':
        case U'è':
        case U'É':
            return "e";
        case U'î':
        case U'ï':
        case U'í':
        case U'ì':
        case U'Í':
            return "i";
        case U'ô':
        case U'ö':
        case U'ó':
        case U'ò':
        case U'ø':
        case U'Ó':
        case U'Ö':
        case U'Ø':
            return "o";
        case U'û':
        case U'ü':
        case U'ú':
        case U'ù':
        case U'Ü':
            return "u";
        case U'ŵ':
            return "w";
        case U'ŷ':
        case U'ÿ':
            return "y";
        case U'ç':
            return "c";
        case U'ñ':
        case U'ń':
            return "n";
        case U'ł':
        case U'Ł':
            return "l";
        case U'ś':
        case U'ş':
        case U'Ś':
        case U'Ş':
            return "s";
        case U'ß':
            return "ss";
        case U'æ':
            return "ae";
        default:
            return nullptr;
    }
}

std::vector<std::uint32_t> cumulate(const std::vector<std::uint32_t>& weights) {
    std::vector<std::uint32_t> out;
    out.reserve(weights.size());
    std::uint32_t sum = 0;
    for (const auto w : weights) {
        sum += w;
        out.push_back(sum);
    }
    return out;
}

}  // namespace

std::string asciiFold(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto b = static_cast<unsigned char>(utf8[i]);
        if (b < 0x80) {
            if (b >= 'A' && b <= 'Z') {
                out.push_back(static_cast<char>(b - 'A' + 'a'));
            } else if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) {
                out.push_back(static_cast<char>(b));
            }
            continue;
        }
        if ((b & 0xe0) == 0xc0 && i + 1 < utf8.size()) {
            const auto cont = static_cast<unsigned char>(utf8[i + 1]);
            const char32_t c = (static_cast<char32_t>(b & 0x1f) << 6) | (cont & 0x3f);
            if (const char* folded = foldCodePoint(c)) {
                out += folded;
            }
            ++i;
        }
    }
    return out;
}

Names::Names() {
    std::vector<std::uint32_t> weights;
    for (const auto& s : kSurnames) {
        surnames_.push_back({std::string(s.text), asciiFold(s.text)});
        weights.push_back(s.weight * 100);
    }
    const std::uint32_t tailWeight =
        kTailShare * 100 / static_cast<std::uint32_t>(kTailHeads.size() * kTailEnds.size());
    for (const auto head : kTailHeads) {
        for (const auto end : kTailEnds) {
            std::string text = std::string(head) + std::string(end);
            std::string base = asciiFold(text);
            surnames_.push_back({std::move(text), std::move(base)});
            weights.push_back(tailWeight);
        }
    }
    surnameCumulative_ = cumulate(weights);

    std::vector<std::uint32_t> female;
    std::vector<std::uint32_t> male;
    for (const auto& f : kForenames) {
        const auto folded = asciiFold(f.text);
        forenames_.push_back({f.text, f.gender, folded.empty() ? 'x' : folded[0], kNoName});
    }
    for (std::size_t i = 0; i < kForenames.size(); ++i) {
        const auto& f = kForenames[i];
        if (!f.shortForm.empty()) {
            for (std::size_t j = 0; j < kForenames.size(); ++j) {
                if (kForenames[j].text == f.shortForm) {
                    forenames_[i].shortForm = static_cast<std::uint16_t>(j);
                }
            }
        }
        if (f.weight == 0) {
            continue;
        }
        if (f.gender == Gender::Female) {
            femaleIndex_.push_back(static_cast<std::uint16_t>(i));
            female.push_back(f.weight);
        } else {
            maleIndex_.push_back(static_cast<std::uint16_t>(i));
            male.push_back(f.weight);
        }
    }
    femaleCumulative_ = cumulate(female);
    maleCumulative_ = cumulate(male);
}

std::uint16_t Names::pickSurname(Rng& rng) const {
    return static_cast<std::uint16_t>(rng.weighted(surnameCumulative_));
}

std::uint16_t Names::pickForename(Rng& rng, Gender gender) const {
    if (gender == Gender::Female) {
        return femaleIndex_[rng.weighted(femaleCumulative_)];
    }
    return maleIndex_[rng.weighted(maleCumulative_)];
}

std::uint16_t Names::pickPreferredForename(Rng& rng, std::uint16_t legal, Gender gender) const {
    if (forenames_[legal].shortForm != kNoName && rng.chance(0.7)) {
        return forenames_[legal].shortForm;
    }
    std::uint16_t other = pickForename(rng, gender);
    while (other == legal) {
        other = pickForename(rng, gender);
    }
    return other;
}

std::uint16_t Names::pickTitle(Rng& rng, Gender gender) const {
    if (rng.chance(0.04)) {
        return 4;  // Dr
    }
    if (gender == Gender::Male) {
        return 0;
    }
    return static_cast<std::uint16_t>(1 + rng.below(3));
}

std::string_view Names::title(std::uint16_t i) const {
    return kTitles[i];
}

std::string Names::schoolName(Rng& rng, bool secondary) const {
    const std::string_view pattern = secondary
                                         ? kSecondaryPatterns[rng.below(kSecondaryPatterns.size())]
                                         : kPrimaryPatterns[rng.below(kPrimaryPatterns.size())];
    const std::string_view place = kPlaces[rng.below(kPlaces.size())];
    std::string out;
    const auto at = pattern.find("{}");
    out.append(pattern.substr(0, at));
    out.append(place);
    out.append(pattern.substr(at + 2));
    return out;
}

}  // namespace misync::bench
