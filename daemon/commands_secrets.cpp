// `misync secrets rotate` (SPEC §8, P3): a new key for the visible passwords. The rules (what is
// written when, how an interrupted rotation is finished, a lost key) are in
// storage/directory_key.h; docs/configuration.md ([secrets]) tells the operator.
#ifndef _WIN32
#include <pwd.h>
#endif
#ifndef _WIN32
#include <unistd.h>
#endif

#include <boost/json.hpp>
#include <cstdlib>

#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/context.h"
#include "storage/directory_key.h"

namespace misync::daemon {

namespace json = boost::json;

namespace {

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

json::array namesJson(const std::vector<std::string>& names) {
    json::array a;
    for (const auto& n : names) {
        a.emplace_back(n);
    }
    return a;
}

int rotate(const GlobalOptions& g, Context& ctx, Io io) {
    const std::string keyFile = ctx.config.secrets.keyFile;
    const storage::SecretBox& current = ctx.box();  // the current key, checked (P3)
    const std::string before = current.fingerprint();
    const storage::RotationReport r =
        storage::rotateDirectoryKey(keyFile, ctx.directory(), current);
    const auto& unreadable = r.reseal.unreadable;
    if (g.json) {
        io.out << json::serialize(
                      json::object{{"key_file", keyFile},
                                   {"resealed", r.reseal.resealed},
                                   {"unreadable", namesJson(unreadable)},
                                   {"fingerprint", storage::shortFingerprint(r.fingerprint)},
                                   {"previous_fingerprint", storage::shortFingerprint(before)}})
               << "\n";
        return kExitOk;
    }
    io.out << "Re-sealed "
           << plural(static_cast<std::size_t>(r.reseal.resealed), "visible password",
                     "visible passwords")
           << " under a new key (fingerprint " << storage::shortFingerprint(r.fingerprint)
           << ", was " << storage::shortFingerprint(before) << ").\n"
           << keyFile
           << " now holds the new key; the old key opens none of the directory's passwords. "
              "Back up the new key file: backups of the directory from now on need it, older "
              "backups need the old key.\n";
    if (!unreadable.empty()) {
        io.out << plural(unreadable.size(), "sealed password", "sealed passwords")
               << " did not open under the old key and "
               << (unreadable.size() == 1 ? "was" : "were")
               << " left as before (shown as '-'; reset with `accounts reset-password`):";
        for (const auto& u : unreadable) {
            io.out << " " << u;
        }
        io.out << "\n";
    }
    return kExitOk;
}

int replaceLost(const GlobalOptions& g, Context& ctx, const std::string& actor, Io io) {
    const std::string keyFile = ctx.config.secrets.keyFile;
    const storage::LostKeyReport r =
        storage::replaceLostKey(keyFile, ctx.directory(), actorName(actor));
    if (g.json) {
        io.out << json::serialize(
                      json::object{{"key_file", keyFile},
                                   {"forgotten", namesJson(r.forgotten)},
                                   {"fingerprint", storage::shortFingerprint(r.fingerprint)}})
               << "\n";
        return kExitOk;
    }
    io.out << "Gave up " << plural(r.forgotten.size(), "visible password", "visible passwords")
           << " sealed under the lost key (shown as '-' until reset with `accounts "
              "reset-password`)"
           << (r.forgotten.empty() ? "." : ":");
    for (const auto& u : r.forgotten) {
        io.out << " " << u;
    }
    io.out << "\nA new key is in " << keyFile << " (fingerprint "
           << storage::shortFingerprint(r.fingerprint) << "): back it up.\n";
    return kExitOk;
}

}  // namespace

int cmdSecretsRotate(const GlobalOptions& g, bool keyLost, const std::string& actor, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        return keyLost ? replaceLost(g, ctx, actor, io) : rotate(g, ctx, io);
    });
}

}  // namespace misync::daemon
