#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "daemon/account_json.h"
#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/context.h"
#include "daemon/output.h"

namespace misync::daemon {

namespace json = boost::json;

namespace {

// U5: the e-mail domain of the account's school (a school may override [policy]).
std::string emailOf(const Context& ctx, const reconcile::Account& a) {
    const SchoolConfig* s = ctx.config.findSchool(a.school);
    const std::string& domain =
        s != nullptr ? s->policy.emailDomain : ctx.config.policy.emailDomain;
    return a.username + "@" + domain;
}

}  // namespace

json::object accountJson(Context& ctx, const storage::AccountRow& row) {
    const auto& a = row.account;
    json::array aliases;
    for (const auto& n : a.aliases) {
        aliases.emplace_back(n);
    }
    return json::object{
        {"username", a.username},
        {"email", emailOf(ctx, a)},
        {"role", core::toString(a.role)},
        {"source", reconcile::toString(a.source)},
        {"school", a.school},
        {"mis_id", a.attrs.misId},
        {"upn", a.attrs.upn},
        {"admission_number", a.attrs.admissionNumber},
        {"staff_code", a.attrs.staffCode},
        {"legal_forename", a.attrs.legalForename},
        {"legal_surname", a.attrs.legalSurname},
        {"preferred_forename", a.attrs.preferredForename},
        {"preferred_surname", a.attrs.preferredSurname},
        {"display_name", a.displayName},
        {"dob", a.attrs.dob},
        {"year_group", a.attrs.yearGroup},
        {"reg_group", a.attrs.regGroup},
        {"admission_date", a.attrs.admissionDate},
        {"leaving_date", a.attrs.leavingDate},
        {"enrolment_status", a.attrs.enrolmentStatus},
        {"staff_role", a.attrs.staffRole},
        {"status", reconcile::toString(a.status)},
        {"aliases", std::move(aliases)},
        {"consent", a.consent},
        {"digital_champion", a.digitalChampion},
        {"created_at", a.createdAt},
        {"updated_at", row.updatedAt},
        {"deactivated_at", a.deactivatedAt},
        {"purged_at", a.purgedAt},
        {"password_available", ctx.passwordAvailable(row)},  // P3: honest
        // R9: what an administrator set, which no sync overwrites.
        {"deactivated_by_administrator", a.adminDeactivated},
        {"name_set_by_administrator", a.nameLocked},
        {"password_set_by_administrator", a.passwordByAdmin},
    };
}

std::string visiblePassword(Context& ctx, const storage::AccountRow& row) {
    if (row.passwordSealed.empty()) {
        return "-";
    }
    return ctx.box().open(row.passwordSealed).value_or("-");
}

namespace {

std::string pad(const std::string& s, std::size_t w) {
    return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
}

// Writes `text` to `path` atomically with mode 0600 (credentials are secrets).
#ifdef _WIN32
// Windows (docs/windows.md): the folder's ACLs protect the file; written whole, then moved over.
void writePrivateFile(const std::string& path, const std::string& text) {
    const std::filesystem::path tmp = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!out.flush()) {
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throw core::Error("cannot write " + path);
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw core::Error("cannot write " + path + ": " + ec.message());
    }
}
#else
void writePrivateFile(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw core::Error("cannot write " + path + ": " + std::strerror(errno));
    }
    std::size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0) {
            int e = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw core::Error("cannot write " + path + ": " + std::strerror(e));
        }
        off += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw core::Error("cannot write " + path + ": " + std::strerror(e));
    }
}
#endif

}  // namespace

int cmdAccountsList(const GlobalOptions& g, const storage::AccountFilter& filter, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        auto rows = ctx.directory().listAccounts(filter);
        if (g.json) {
            json::array a;
            for (const auto& r : rows) {
                a.push_back(accountJson(ctx, r));
            }
            io.out << json::serialize(a) << "\n";
            return kExitOk;
        }
        io.out << pad("USERNAME", 22) << pad("ROLE", 9) << pad("SCHOOL", 9) << pad("STATUS", 12)
               << pad("YEAR", 5) << pad("REG", 7) << "NAME\n";
        for (const auto& r : rows) {
            const auto& a = r.account;
            io.out << pad(a.username, 22) << pad(core::toString(a.role), 9) << pad(a.school, 9)
                   << pad(reconcile::toString(a.status), 12) << pad(a.attrs.yearGroup, 5)
                   << pad(a.attrs.regGroup, 7) << a.displayName << "\n";
        }
        io.out << rows.size() << " account" << (rows.size() == 1 ? "" : "s") << "\n";
        return kExitOk;
    });
}

int cmdAccountsShow(const GlobalOptions& g, const std::string& username, bool showPassword, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        auto row = ctx.directory().findAccount(username);
        if (!row) {
            io.err << "misync: no account " << username << "\n";
            return kExitUsage;
        }
        json::object o = accountJson(ctx, *row);
        if (showPassword) {
            o["password"] = visiblePassword(ctx, *row);
        }
        if (g.json) {
            io.out << json::serialize(o) << "\n";
            return kExitOk;
        }
        for (const auto& kv : o) {
            std::string v;
            if (kv.value().is_string()) {
                v = std::string(kv.value().as_string());
            } else if (kv.value().is_array()) {
                for (const auto& x : kv.value().as_array()) {
                    v += (v.empty() ? "" : ", ") + std::string(x.as_string());
                }
            } else {
                v = json::serialize(kv.value());
            }
            io.out << pad(std::string(kv.key()) + ":", 20) << v << "\n";
        }
        return kExitOk;
    });
}

int cmdGroupsList(const GlobalOptions& g, const std::string& school, const std::string& type,
                  bool archived, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        auto groups = ctx.directory().listGroups(school, type, archived);
        if (g.json) {
            json::array a;
            for (const auto& gr : groups) {
                json::array members;
                for (const auto& m : gr.members) {
                    members.emplace_back(m);
                }
                a.push_back(json::object{{"school", gr.group.school},
                                         {"code", gr.group.code},
                                         {"type", core::toString(gr.group.type)},
                                         {"subject", gr.group.subject},
                                         {"year_group", gr.group.yearGroup},
                                         {"archived", gr.group.archived},
                                         {"members", std::move(members)}});
            }
            io.out << json::serialize(a) << "\n";
            return kExitOk;
        }
        for (const auto& gr : groups) {
            io.out << gr.group.school << " " << gr.group.code << " ("
                   << core::toString(gr.group.type);
            if (!gr.group.subject.empty()) {
                io.out << ", subject " << gr.group.subject;
            }
            if (!gr.group.yearGroup.empty()) {
                io.out << ", year " << gr.group.yearGroup;
            }
            io.out << (gr.group.archived ? ", archived" : "") << "): " << gr.members.size()
                   << " member" << (gr.members.size() == 1 ? "" : "s") << "\n";
            if (!gr.members.empty()) {
                std::string line;
                for (const auto& m : gr.members) {
                    line += (line.empty() ? "" : " ") + m;
                }
                io.out << "  " << line << "\n";
            }
        }
        return kExitOk;
    });
}

// SPEC §8 credential export: exactly these columns, in this order, as the portal writes them.
int cmdExportCredentials(const GlobalOptions& g, const std::string& school, const std::string& role,
                         const std::string& outFile, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        storage::AccountFilter f;
        f.school = school;
        f.role = role;
        f.status = "active";
        auto rows = ctx.directory().listAccounts(f);
        std::ostringstream csv;
        csv << "Forename,Surname,Username,Password,Date created,Year,Reg group,Consent\n";
        for (const auto& r : rows) {
            const auto& a = r.account.attrs;
            const std::string& fore =
                a.preferredForename.empty() ? a.legalForename : a.preferredForename;
            const std::string& sur =
                a.preferredSurname.empty() ? a.legalSurname : a.preferredSurname;
            csv << csvField(fore) << "," << csvField(sur) << "," << csvField(r.account.username)
                << "," << csvField(visiblePassword(ctx, r)) << ","
                << r.account.createdAt.substr(0, 10) << "," << csvField(a.yearGroup) << ","
                << csvField(a.regGroup) << "," << (r.account.consent ? "Yes" : "No") << "\n";
        }
        if (outFile.empty()) {
            io.out << csv.str();
        } else {
            writePrivateFile(outFile, csv.str());
            io.err << "Wrote " << rows.size() << " " << role << " credential"
                   << (rows.size() == 1 ? "" : "s") << " to " << outFile << "\n";
        }
        return kExitOk;
    });
}

}  // namespace misync::daemon
