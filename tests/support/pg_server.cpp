#include "tests/support/pg_server.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/process.h"

namespace misync::testsupport {

namespace fs = std::filesystem;

namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";

// An identifier as PostgreSQL quotes it.
std::string quoteIdent(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        out += c;
        if (c == '"') {
            out += c;
        }
    }
    return out + "\"";
}

PgEnvironment* current = nullptr;  // the registered environment (owned by gtest)

}  // namespace

PgServer::PgServer(std::string user, std::string password)
    : user_(std::move(user)), password_(std::move(password)) {
    if (::access((kBin + "initdb").c_str(), X_OK) != 0) {
        whyNot_ = kBin + "initdb is not installed (scripts/deps.sh installs postgresql)";
        return;
    }
    std::string tmpl = (fs::temp_directory_path() / "misync-pg-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        whyNot_ = "mkdtemp failed";
        return;
    }
    dir_ = tmpl;
    asPostgres_ = ::geteuid() == 0;
    { std::ofstream(passwordFile()) << password_ << "\n"; }
    fs::permissions(passwordFile(), fs::perms::owner_read | fs::perms::owner_write);
    if (asPostgres_) {
        execute("/bin/chown", {"-R", "postgres:postgres", dir_.string()});
    }
    auto run = [&](const std::string& program, std::vector<std::string> args) {
        if (asPostgres_) {
            args.insert(args.begin(), {"-u", "postgres", "--", program});
            return execute("/usr/sbin/runuser", args);
        }
        return execute(program, args);
    };
    Result init =
        run(kBin + "initdb",
            {"-D", (dir_ / "data").string(), "-U", user_, "--pwfile=" + passwordFile().string(),
             "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale"});
    if (init.status != 0) {
        whyNot_ = "initdb failed: " + init.err;
        return;
    }
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
        const unsigned short port = freePort();
        Result start = pgCtl(startArgs(port));
        if (start.status == 0) {
            port_ = port;
        } else {
            whyNot_ = "pg_ctl start failed: " + start.out + start.err;
        }
    }
}

Result PgServer::pgCtl(std::vector<std::string> args) const {
    if (asPostgres_) {
        args.insert(args.begin(), {"-u", "postgres", "--", kBin + "pg_ctl"});
        return execute("/usr/sbin/runuser", args);
    }
    return execute(kBin + "pg_ctl", args);
}

std::vector<std::string> PgServer::startArgs(unsigned short port) const {
    // fsync off: a test server never survives a crash of the machine, and the suite's
    // CREATE DATABASE per test would otherwise wait for the disk each time.
    return {"-D",
            (dir_ / "data").string(),
            "-l",
            (dir_ / "log").string(),
            "-w",
            "-t",
            "60",
            "-o",
            "-p " + std::to_string(port) + " -k " + dir_.string() +
                " -c listen_addresses=127.0.0.1 -c fsync=off",
            "start"};
}

std::string PgServer::stop() {
    Result r = pgCtl({"-D", (dir_ / "data").string(), "-m", "fast", "-w", "stop"});
    return r.status == 0 ? "" : "pg_ctl stop failed: " + r.out + r.err;
}

std::string PgServer::start() {
    Result r = pgCtl(startArgs(port_));
    return r.status == 0 ? "" : "pg_ctl start failed: " + r.out + r.err;
}

PgServer::~PgServer() {
    if (port_ != 0) {
        pgCtl({"-D", (dir_ / "data").string(), "-m", "immediate", "stop"});
    }
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

int PgServer::psql(const std::string& sql, std::string* output, const std::string& database) const {
    Result r = execute("/usr/bin/psql",
                       {"-h", "127.0.0.1", "-p", std::to_string(port_), "-U", user_, "-d", database,
                        "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql},
                       {{"PGPASSWORD", password_}});
    if (output != nullptr) {
        *output = r.out + r.err;
    }
    return r.status;
}

int PgServer::pgDump(const std::string& database, std::string* output) const {
    Result r = execute(kBin + "pg_dump",
                       {"-h", "127.0.0.1", "-p", std::to_string(port_), "-U", user_, "--data-only",
                        "--no-owner", database},
                       {{"PGPASSWORD", password_}});
    *output = r.status == 0 ? r.out : r.out + r.err;
    return r.status;
}

std::string PgServer::conninfo(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + database +
           " user=" + user_ + " password_file=" + passwordFile().string();
}

std::string PgServer::createDatabase(const std::string& name) const {
    std::string out;
    return psql("CREATE DATABASE " + quoteIdent(name), &out) == 0 ? "" : out;
}

std::string PgServer::dropDatabase(const std::string& name) const {
    std::string out;
    return psql("DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)", &out) == 0 ? ""
                                                                                            : out;
}

PgEnvironment::PgEnvironment() {
    current = this;
}

PgEnvironment::~PgEnvironment() {
    if (current == this) {
        current = nullptr;
    }
}

void PgEnvironment::TearDown() {
    server_.reset();
}

PgServer* PgEnvironment::server() {
    if (current == nullptr) {
        return nullptr;
    }
    if (!current->server_) {
        current->server_ = std::make_unique<PgServer>("misync", "misync-test-Pg_pw");
    }
    return current->server_.get();
}

std::string PgEnvironment::freshDatabaseName() {
    const int n = current != nullptr ? ++current->databases_ : 0;
    return "misync_t" + std::to_string(::getpid()) + "_" + std::to_string(n);
}

}  // namespace misync::testsupport
