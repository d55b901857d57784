#include "core/year_group.h"

#include "core/text.h"

namespace misync::core {

std::optional<std::string> normalizeYearGroup(std::string_view text) {
    // Normalised in place: every valid form is short ("reception" is the longest), and this
    // runs for every membership record (issue 8).
    char buf[16];
    std::size_t size = 0;
    for (char c : trim(text)) {
        if (c == ' ' || c == '\t' || c == '_' || c == '-') {
            continue;
        }
        if (size == sizeof buf) {
            return std::nullopt;
        }
        buf[size++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    const std::string_view s(buf, size);
    if (s.empty()) {
        return std::string();
    }
    if (s == "reception" || s == "r" || s == "rec" || s == "yr" || s == "yearr") {
        return std::string("R");
    }
    for (std::string_view prefix : {"nursery", "nur", "n"}) {
        if (s.size() == prefix.size() + 1 && s.starts_with(prefix) &&
            (s.back() == '1' || s.back() == '2')) {
            return std::string{'N', s.back()};
        }
    }
    std::string_view rest = s;
    for (std::string_view prefix : {"year", "nc", "yr", "y"}) {
        if (rest.starts_with(prefix)) {
            rest.remove_prefix(prefix.size());
            break;
        }
    }
    if (rest.empty() || rest.size() > 2) {
        return std::nullopt;
    }
    int n = 0;
    for (char c : rest) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        n = n * 10 + (c - '0');
    }
    if (n < 1 || n > 14) {
        return std::nullopt;
    }
    return n < 10 ? std::string(1, static_cast<char>('0' + n))
                  : std::string{'1', static_cast<char>('0' + n - 10)};
}

int yearNumber(std::string_view normalized) {
    if (normalized.empty() || normalized[0] < '0' || normalized[0] > '9') {
        return 0;
    }
    int n = 0;
    for (char c : normalized) {
        n = n * 10 + (c - '0');
    }
    return n;
}

}  // namespace misync::core
