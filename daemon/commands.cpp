#include "daemon/commands.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <deque>
#include <set>

#include "core/errors.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/output.h"
#include "daemon/runner.h"
#include "status/server.h"
#include "status/tokens.h"

#ifndef MISYNC_VERSION
#define MISYNC_VERSION "0.0.0"
#endif

namespace misync::daemon {

namespace json = boost::json;

namespace {
// How many schools' `running` rows a batching run commits at a time, ahead of their runs.
constexpr std::size_t kAnnounced = 250;
// Schools read ahead of the one being run (issue 8; each holds its snapshot until its run).
constexpr std::size_t kReadAhead = 4;
}  // namespace

int cmdRun(const GlobalOptions& g, const std::vector<std::string>& schools, bool dryRun, Io io,
           bool verbose) {
    return withContext(g, io, [&](Context& ctx) {
        std::vector<const SchoolConfig*> todo;
        std::set<std::string> seen;
        for (const auto& d : schools) {
            const SchoolConfig* s = ctx.config.findSchool(d);
            if (s == nullptr) {
                throw core::ConfigError("school " + d + " is not in " + ctx.config.file.string());
            }
            if (seen.insert(d).second) {
                todo.push_back(s);
            }
        }
        if (schools.empty()) {
            for (const auto& s : ctx.config.schools) {
                todo.push_back(&s);
            }
        }
        reconcile::SecurePasswordGenerator passwords;
        Runner runner(ctx.directory(), ctx.registry, ctx.box(), passwords);
        RunOptions opts{ctx.asOf, dryRun, "manual"};
        const bool progress = !g.json && isatty(STDOUT_FILENO) != 0 && todo.size() > 1;
        // --json is written as runs commit, so that memory does not grow with the number of
        // schools (issue 8) and stdout never shows a run whose batch has not committed. A batch
        // that fails to commit leaves the array unterminated, beside the error and exit status.
        JsonRunStream stream(io.out, g.json);
        int status = kExitOk;
        std::size_t done = 0;
        if (!dryRun) {
            markInterruptedRuns(
                ctx.directory());  // runs of processes that died (docs/reliability.md)
        }
        ctx.directory().setBatching(!dryRun);
        // Reads ahead of the school being run (issue 8): up to kReadAhead schools, one read at a
        // time in order on the second core, so that a large school's read overlaps the small
        // schools' runs before it rather than only the run just before it.
        std::deque<std::optional<PrefetchedRead>> ahead;
        std::size_t nextRead = 1;  // todo[0] is read by its own run
        std::shared_future<void> lastRead;
        RunReport report(todo.size(), verbose);
        for (std::size_t i = 0; i < todo.size(); ++i) {
            const SchoolConfig* s = todo[i];
            if (i % kAnnounced == 0) {  // a batch's markers commit before it (docs/reliability.md)
                runner.announce({todo.begin() + static_cast<std::ptrdiff_t>(i),
                                 todo.begin() + static_cast<std::ptrdiff_t>(
                                                    std::min(i + kAnnounced, todo.size()))},
                                opts);
            }
            std::optional<PrefetchedRead> current;
            if (i > 0) {
                current = std::move(ahead.front());
                ahead.pop_front();
            }
            for (; nextRead < todo.size() && nextRead <= i + kReadAhead; ++nextRead) {
                ahead.push_back(runner.prefetch(*todo[nextRead], lastRead));
                if (ahead.back()) {
                    lastRead = ahead.back()->finished;
                }
            }
            if (progress) {
                io.err << "\r[" << ++done << "/" << todo.size() << "] " << s->dfes << std::flush;
            }
            storage::RunRecord rec = runner.run(*s, opts, std::move(current));
            if (rec.outcome == "failed") {
                status = kExitRunFailed;
            } else if (rec.outcome == "held" && status == kExitOk) {
                status = kExitHeld;
            }
            if (g.json) {
                stream.add(rec, ctx.directory().batchPending());
            } else {
                if (progress) {
                    io.err << "\r" << std::string(40, ' ') << "\r" << std::flush;
                }
                report.add(io.out, rec, s->name);
            }
        }
        ctx.directory().setBatching(false);  // commits the last batch; throws if it cannot
        if (g.json) {
            stream.finish();
        } else if (todo.empty()) {
            io.out << "No schools configured in " << ctx.config.file.string() << "\n";
        } else {
            report.finish(io.out);
        }
        return status;
    });
}

int cmdHistory(const GlobalOptions& g, const std::string& school, int limit, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        auto runs = ctx.directory().listRuns(school, limit);
        if (g.json) {
            json::array a;
            for (const auto& r : runs) {
                a.push_back(storage::runToJson(r, false));
            }
            io.out << json::serialize(json::object{{"runs", std::move(a)}}) << "\n";
        } else {
            printHistory(io.out, school, runs);
        }
        return kExitOk;
    });
}

int cmdShowRun(const GlobalOptions& g, std::int64_t runId, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        auto run = ctx.directory().getRun(runId);
        if (!run) {
            io.err << "misync: no run " << runId << "\n";
            return kExitUsage;
        }
        if (g.json) {
            io.out << json::serialize(storage::runToJson(*run)) << "\n";
        } else {
            printRunSummary(io.out, *run, "", std::size_t(-1));
        }
        return kExitOk;
    });
}

int cmdChanges(const GlobalOptions& g, std::int64_t since, int limit, Io io) {
    return withContext(g, io, [&](Context& ctx) {
        auto rows = ctx.directory().changesSince(since, limit);
        const std::int64_t next = rows.empty() ? since : rows.back().seq;
        if (g.json) {
            json::array a;
            for (const auto& r : rows) {
                a.push_back(storage::changeToJson(r));
            }
            io.out << json::serialize(json::object{{"changes", std::move(a)}, {"next", next}})
                   << "\n";
            return kExitOk;
        }
        for (const auto& r : rows) {
            printChange(io.out, r);
        }
        io.out << rows.size() << " change" << (rows.size() == 1 ? "" : "s") << "; next: --since "
               << next << "\n";
        return kExitOk;
    });
}

int cmdDbMigrate(const GlobalOptions& g, Io io) {
    return withContext(
        g, io,
        [&](Context& ctx) {
            auto dir = storage::Directory::open(ctx.storeOptions(), storage::OpenMode::Migrate);
            int before = dir->schemaVersion();
            int ran = dir->migrate();
            int after = dir->schemaVersion();
            if (g.json) {
                io.out << json::serialize(json::object{{"schema_version", after},
                                                       {"previous_version", before},
                                                       {"applied", ran}})
                       << "\n";
            } else if (ran == 0) {
                io.out << "Directory schema is up to date (version " << after << ").\n";
            } else {
                io.out << "Directory schema migrated from version " << before << " to " << after
                       << " (" << ran << " script" << (ran == 1 ? "" : "s") << ").\n";
            }
            return kExitOk;
        },
        /*openDirectory=*/false);
}

int cmdCheckConfig(const GlobalOptions& g, Io io) {
    return withContext(
        g, io,
        [&](Context& ctx) {
            // What `misync daemon` would refuse at start-up beyond the file itself: a directory
            // backend this build lacks, the tokens file's entries and the TLS pair (SPEC §7, §9).
            if (std::string why =
                    storage::Directory::unavailableBackend(ctx.config.directory.backend);
                !why.empty()) {
                throw core::ConfigError(ctx.config.file.string() + ": directory.backend: " + why);
            }
            const auto& st = ctx.config.status;
            std::size_t tokens = 0;
            if (!st.tokensFile.empty()) {
                tokens = status::TokenSet::load(st.tokensFile).tokens().size();
            }
            if (!st.tlsCertificate.empty()) {
                status::ServerOptions tls;
                tls.tlsCertificate = st.tlsCertificate;
                tls.tlsPrivateKey = st.tlsPrivateKey;
                try {
                    status::StatusServer::checkTls(tls);
                } catch (const core::ConfigError&) {
                    throw;
                } catch (const core::Error& e) {
                    throw core::ConfigError(e.what());
                }
            }
            if (g.json) {
                json::array schools;
                for (const auto& s : ctx.config.schools) {
                    schools.push_back(json::object{
                        {"school", s.dfes}, {"name", s.name}, {"connector", s.connector}});
                }
                io.out << json::serialize(json::object{{"config", ctx.config.file.string()},
                                                       {"valid", true},
                                                       {"schools", std::move(schools)}})
                       << "\n";
            } else {
                io.out << "Configuration " << ctx.config.file.string()
                       << " is valid: " << ctx.config.schools.size() << " school"
                       << (ctx.config.schools.size() == 1 ? "" : "s") << ", directory "
                       << ctx.config.directory.backend << ".\n";
                if (ctx.config.schools.empty()) {
                    io.out << "Note: no [[school]] is configured, so `misync run` has nothing "
                              "to do.\n";
                }
                if (st.tokensFile.empty()) {
                    io.out << "Note: status.tokens_file is not set, so the status API answers "
                              "401 to everything but /healthz and the dashboard page.\n";
                } else {
                    io.out << "Status endpoint: " << st.listen << ", "
                           << (st.tlsCertificate.empty() ? "plain HTTP" : "TLS") << ", " << tokens
                           << " token" << (tokens == 1 ? "" : "s") << ".\n";
                }
            }
            return kExitOk;
        },
        /*openDirectory=*/false, /*allCredentials=*/true);
}

int cmdVersion(const GlobalOptions& g, Io io) {
    if (g.json) {
        io.out << json::serialize(json::object{{"version", MISYNC_VERSION}}) << "\n";
    } else {
        io.out << "misync " << MISYNC_VERSION << "\n";
    }
    return kExitOk;
}

}  // namespace misync::daemon
