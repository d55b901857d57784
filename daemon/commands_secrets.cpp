// `misync secrets rotate` (SPEC §8, P3): a new key for the visible passwords. The rules (what is
// written when, how an interrupted rotation is finished) are in storage/directory_key.h.
#include <boost/json.hpp>

#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/context.h"
#include "storage/directory_key.h"

namespace misync::daemon {

namespace json = boost::json;

int cmdSecretsRotate(const GlobalOptions& g, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        const std::string keyFile = ctx.config.secrets.keyFile;
        const storage::SecretBox& current = ctx.box();  // the current key, checked (P3)
        const std::string before = current.fingerprint();
        const storage::RotationReport r =
            storage::rotateDirectoryKey(keyFile, ctx.directory(), current);
        const auto& unreadable = r.reseal.unreadable;
        if (g.json) {
            json::array names;
            for (const auto& u : unreadable) {
                names.emplace_back(u);
            }
            io.out << json::serialize(
                          json::object{{"key_file", keyFile},
                                       {"resealed", r.reseal.resealed},
                                       {"unreadable", std::move(names)},
                                       {"fingerprint", storage::shortFingerprint(r.fingerprint)},
                                       {"previous_fingerprint", storage::shortFingerprint(before)}})
                   << "\n";
            return kExitOk;
        }
        io.out << "Re-sealed " << r.reseal.resealed << " visible password"
               << (r.reseal.resealed == 1 ? "" : "s") << " under a new key (fingerprint "
               << storage::shortFingerprint(r.fingerprint) << ", was "
               << storage::shortFingerprint(before) << ").\n"
               << keyFile
               << " now holds the new key; the old key opens none of the directory's passwords. "
                  "Back up the new key file: a backup of the directory taken from now on needs "
                  "it, older backups need the old key.\n";
        if (!unreadable.empty()) {
            io.out << unreadable.size() << " sealed password" << (unreadable.size() == 1 ? "" : "s")
                   << " did not open under the old key and "
                   << (unreadable.size() == 1 ? "was" : "were")
                   << " left as before (shown as '-'; reset with `accounts reset-password`):";
            for (const auto& u : unreadable) {
                io.out << " " << u;
            }
            io.out << "\n";
        }
        return kExitOk;
    });
}

}  // namespace misync::daemon
