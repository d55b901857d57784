#include "core/upn.h"

namespace misync::core {

namespace {

constexpr std::string_view kLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";

char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::optional<char> upnCheckLetter(std::string_view body) {
    if (body.size() != 12) {
        return std::nullopt;
    }
    unsigned sum = 0;
    for (size_t k = 0; k < 12; ++k) {
        char c = upper(body[k]);
        unsigned value = 0;
        if (isDigit(c)) {
            value = static_cast<unsigned>(c - '0');
        } else if (k == 11 && kLetters.find(c) != std::string_view::npos) {
            value = static_cast<unsigned>(kLetters.find(c));
        } else {
            return std::nullopt;
        }
        sum += static_cast<unsigned>(k + 2) * value;  // position i = 2..13
    }
    return kLetters[sum % 23];
}

bool hasUpnShape(std::string_view upn) {
    if (upn.size() != 13) {
        return false;
    }
    char first = upper(upn[0]);
    if (first < 'A' || first > 'Z') {
        return false;
    }
    for (size_t i = 1; i < 12; ++i) {
        if (!isDigit(upn[i])) {
            return false;
        }
    }
    char last = upper(upn[12]);
    return isDigit(last) || (last >= 'A' && last <= 'Z');
}

bool isValidUpn(std::string_view upn) {
    if (!hasUpnShape(upn)) {
        return false;
    }
    auto check = upnCheckLetter(upn.substr(1));
    return check && *check == upper(upn[0]);
}

std::string canonicalUpn(std::string_view upn) {
    std::string out(upn);
    for (char& c : out) {
        c = upper(c);
    }
    return out;
}

}  // namespace misync::core
