#include "reconcile/plan.h"

#include <sodium.h>

#include <stdexcept>

namespace misync::reconcile {

const char* toString(ActionKind k) {
    switch (k) {
        case ActionKind::Create:
            return "create";
        case ActionKind::Update:
            return "update";
        case ActionKind::Rename:
            return "rename";
        case ActionKind::Transfer:
            return "transfer";
        case ActionKind::Deactivate:
            return "deactivate";
        case ActionKind::Reactivate:
            return "reactivate";
        case ActionKind::Purge:
            return "purge";
        case ActionKind::AwaitingTransfer:
            return "awaiting_transfer";
        case ActionKind::Rejected:
            return "rejected";
        case ActionKind::GroupCreate:
            return "group_create";
        case ActionKind::GroupUpdate:
            return "group_update";
        case ActionKind::GroupArchive:
            return "group_archive";
    }
    return "create";
}

namespace {
std::size_t countIndex(std::string_view key) {
    for (std::size_t i = 0; i < kCountKeys.size(); ++i) {
        if (kCountKeys[i] == key) {
            return i;
        }
    }
    throw std::out_of_range("unknown count key: " + std::string(key));
}
}  // namespace

std::uint64_t& Counts::operator[](std::string_view key) {
    return values[countIndex(key)];
}
std::uint64_t Counts::operator[](std::string_view key) const {
    return values[countIndex(key)];
}

bool Plan::changesDirectory() const {
    return !accounts.empty() || !groups.empty() || !memberships.empty() || !claims.empty();
}

std::string Plan::digest() const {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    auto feed = [&st](std::string_view s) {
        crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
        const unsigned char sep = 0x1f;
        crypto_hash_sha256_update(&st, &sep, 1);
    };
    feed(school);
    for (const auto& a : actions) {
        feed(toString(a.kind));
        feed(a.school);
        feed(a.misId);
        feed(a.upn);
        feed(a.username);
        feed(a.fromSchool);
        feed(a.group);
        for (const auto& c : a.changes) {
            feed(c.field);
            feed(c.before);
            feed(c.after);
        }
    }
    for (const auto& m : memberships) {
        feed(m.school);
        feed(m.groupCode);
        feed(std::to_string(m.accountId));
        feed(std::to_string(m.accountWrite));
        feed(m.add ? "+" : "-");
    }
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, out);
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, out, sizeof out);
    return hex;
}

}  // namespace misync::reconcile
