#include "pg_server.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "e2e_fixture.h"

namespace misync::e2e {

namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";

unsigned short freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(fd);
    return ntohs(a.sin_port);
}

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
    { std::ofstream(dir_ / "pw") << password_ << "\n"; }
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
            {"-D", (dir_ / "data").string(), "-U", user_, "--pwfile=" + (dir_ / "pw").string(),
             "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale"});
    if (init.status != 0) {
        whyNot_ = "initdb failed: " + init.err;
        return;
    }
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
        const unsigned short port = freePort();
        Result start = run(kBin + "pg_ctl", {"-D", (dir_ / "data").string(), "-l",
                                             (dir_ / "log").string(), "-w", "-t", "60", "-o",
                                             "-p " + std::to_string(port) + " -k " + dir_.string() +
                                                 " -c listen_addresses=127.0.0.1 -c fsync=off",
                                             "start"});
        if (start.status == 0) {
            port_ = port;
        } else {
            whyNot_ = "pg_ctl start failed: " + start.out + start.err;
        }
    }
}

PgServer::~PgServer() {
    if (port_ != 0) {
        std::vector<std::string> args{"-D", (dir_ / "data").string(), "-m", "immediate", "stop"};
        if (asPostgres_) {
            args.insert(args.begin(), {"-u", "postgres", "--", kBin + "pg_ctl"});
            execute("/usr/sbin/runuser", args);
        } else {
            execute(kBin + "pg_ctl", args);
        }
    }
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

int PgServer::psql(const std::string& sql, std::string* output) const {
    Result r = execute("/usr/bin/psql",
                       {"-h", "127.0.0.1", "-p", std::to_string(port_), "-U", user_, "-d",
                        "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql},
                       {{"PGPASSWORD", password_}});
    if (output != nullptr) {
        *output = r.out + r.err;
    }
    return r.status;
}

}  // namespace misync::e2e
