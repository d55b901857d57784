#include "status/tokens.h"

#include <sodium.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "core/errors.h"
#include "core/school.h"
#include "core/toml_type_name.h"

namespace misync::status {

namespace {

struct Problem {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string text;
};

class Problems {
  public:
    explicit Problems(std::string file) : file_(std::move(file)) {}
    void add(const toml::source_region& at, const std::string& key, const std::string& what) {
        list_.push_back({at.begin.line, at.begin.column,
                         file_ + ":" + std::to_string(at.begin.line) + ":" +
                             std::to_string(at.begin.column) + ": key '" + key + "': " + what});
    }
    void throwIfAny() const {
        if (list_.empty()) {
            return;
        }
        std::vector<Problem> sorted = list_;
        std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
            return std::pair(a.line, a.column) < std::pair(b.line, b.column);
        });
        std::string message;
        for (const auto& p : sorted) {
            message += (message.empty() ? "" : "\n") + p.text;
        }
        throw core::ConfigError(message);
    }

  private:
    std::string file_;
    std::vector<Problem> list_;
};

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool parseDigest(std::string_view hex, Digest& out) {
    if (hex.size() != 64) {
        return false;
    }
    for (std::size_t i = 0; i < 32; ++i) {
        const int hi = hexValue(hex[2 * i]);
        const int lo = hexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
}

}  // namespace

std::string Scope::text() const {
    switch (kind) {
        case Kind::Admin:
            return "admin";
        case Kind::School:
            return "school:" + school;
        case Kind::None:
            break;
    }
    return {};
}

Scope Scope::parse(std::string_view text) {
    Scope s;
    if (text == "admin") {
        s.kind = Kind::Admin;
    } else if (text.substr(0, 7) == "school:" && core::isValidDfes(text.substr(7))) {
        s.kind = Kind::School;
        s.school = std::string(text.substr(7));
    }
    return s;
}

Digest sha256(std::string_view bearer) {
    Digest d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(bearer.data()),
                       bearer.size());
    return d;
}

TokenSet::Compare TokenSet::defaultCompare() {
    return &sodium_memcmp;
}

TokenSet::TokenSet(std::vector<Token> tokens, Compare cmp)
    : tokens_(std::move(tokens)), compare_(cmp) {
    std::map<std::string, std::size_t> names;
    std::map<Digest, std::size_t> digests;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
        if (!names.emplace(tokens_[i].name, i).second) {
            throw core::ConfigError("tokens: duplicate token name '" + tokens_[i].name + "'");
        }
        if (!digests.emplace(tokens_[i].sha256, i).second) {
            throw core::ConfigError("tokens: tokens '" + tokens_[digests[tokens_[i].sha256]].name +
                                    "' and '" + tokens_[i].name + "' have the same sha256");
        }
    }
}

const Token* TokenSet::check(std::string_view bearer) const {
    if (bearer.empty()) {
        return nullptr;
    }
    const Digest presented = sha256(bearer);
    const Token* found = nullptr;
    // Every digest is compared, a match or not: no early exit (digests are unique, so at most
    // one matches).
    for (const auto& t : tokens_) {
        const bool same = compare_(t.sha256.data(), presented.data(), presented.size()) == 0;
        found = same ? &t : found;
    }
    return found;
}

TokenSet TokenSet::parse(std::string_view text, const std::string& sourceName) {
    toml::table doc;
    try {
        doc = toml::parse(text, std::string_view(sourceName));
    } catch (const toml::parse_error& e) {
        throw core::ConfigError(sourceName + ":" + std::to_string(e.source().begin.line) + ":" +
                                std::to_string(e.source().begin.column) + ": " +
                                std::string(e.description()));
    }
    Problems problems(sourceName);
    std::vector<Token> tokens;
    std::map<std::string, std::string> nameKey;  // name → key of its first token
    std::map<Digest, std::string> digestKey;     // digest → key of its first token
    for (const auto& [key, node] : doc) {
        if (key.str() != "token") {
            problems.add(key.source(), std::string(key.str()),
                         "unknown key (the tokens file has only [[token]] tables)");
        }
    }
    if (const toml::node* list = doc.get("token")) {
        const toml::array* array = list->as_array();
        if (array == nullptr || !array->is_array_of_tables()) {
            problems.add(list->source(), "token",
                         "must be an array of tables ([[token]]), not " +
                             std::string(core::tomlTypeName(*list)));
        } else {
            for (std::size_t i = 0; i < array->size(); ++i) {
                const toml::table& t = *array->get(i)->as_table();
                const std::string at = "token[" + std::to_string(i + 1) + "]";
                Token token;
                bool ok = true;
                for (const auto& [key, node] : t) {
                    if (key.str() != "name" && key.str() != "scope" && key.str() != "sha256") {
                        problems.add(key.source(), at + "." + std::string(key.str()),
                                     "unknown key (known: name, scope, sha256)");
                        ok = false;
                    }
                }
                auto stringKey = [&](const char* name) -> const toml::node* {
                    const toml::node* n = t.get(name);
                    if (n == nullptr) {
                        problems.add(t.source(), at + "." + name, "missing");
                    } else if (!n->is_string()) {
                        problems.add(
                            n->source(), at + "." + name,
                            "must be a string, not " + std::string(core::tomlTypeName(*n)));
                    } else {
                        return n;
                    }
                    ok = false;
                    return nullptr;
                };
                if (const toml::node* n = stringKey("name")) {
                    token.name = n->as_string()->get();
                    if (token.name.empty()) {
                        problems.add(n->source(), at + ".name", "must not be empty");
                        ok = false;
                    } else if (auto [it, added] = nameKey.emplace(token.name, at); !added) {
                        problems.add(n->source(), at + ".name",
                                     "'" + token.name + "' is already the name of " + it->second);
                        ok = false;
                    }
                }
                if (const toml::node* n = stringKey("scope")) {
                    token.scope = Scope::parse(n->as_string()->get());
                    if (token.scope.kind == Scope::Kind::None) {
                        problems.add(n->source(), at + ".scope",
                                     "must be \"admin\" or \"school:\" and a 7-digit DfES number, "
                                     "not \"" +
                                         n->as_string()->get() + "\"");
                        ok = false;
                    }
                }
                if (const toml::node* n = stringKey("sha256")) {
                    if (!parseDigest(n->as_string()->get(), token.sha256)) {
                        problems.add(n->source(), at + ".sha256",
                                     "must be 64 hex digits (the SHA-256 of the token, e.g. "
                                     "`printf %s \"$TOKEN\" | sha256sum`)");
                        ok = false;
                    } else if (auto [it, added] = digestKey.emplace(token.sha256, at); !added) {
                        problems.add(n->source(), at + ".sha256",
                                     "the same digest as " + it->second +
                                         " (every token must be different)");
                        ok = false;
                    }
                }
                if (ok) {
                    tokens.push_back(std::move(token));
                }
            }
        }
    }
    problems.throwIfAny();
    return TokenSet(std::move(tokens));
}

TokenSet TokenSet::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw core::ConfigError(file.string() +
                                ": cannot read the tokens file: " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw core::ConfigError(file.string() + ": cannot read the tokens file");
    }
    return parse(text.str(), file.string());
}

}  // namespace misync::status
