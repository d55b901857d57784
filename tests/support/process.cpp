#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace misync::testsupport {

namespace fs = std::filesystem;

namespace {

// The argument and environment vectors of a child process: this process's environment without
// MISYNC_CONFIG (so that only --config counts), with `env` added or replacing.
struct ChildCommand {
    std::vector<std::string> envStrings;
    std::vector<std::string> argStrings;
    std::vector<char*> envp;
    std::vector<char*> argv;

    ChildCommand(const std::string& program, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
        for (char** e = environ; *e != nullptr; ++e) {
            std::string_view kv(*e);
            std::string key(kv.substr(0, kv.find('=')));
            if (key != "MISYNC_CONFIG" && env.count(key) == 0) {
                envStrings.emplace_back(kv);
            }
        }
        for (const auto& [k, v] : env) {
            envStrings.push_back(k + "=" + v);
        }
        for (auto& s : envStrings) {
            envp.push_back(s.data());
        }
        envp.push_back(nullptr);
        argStrings.push_back(program);
        argStrings.insert(argStrings.end(), args.begin(), args.end());
        for (auto& s : argStrings) {
            argv.push_back(s.data());
        }
        argv.push_back(nullptr);
    }
    ChildCommand(const ChildCommand&) = delete;
    ChildCommand& operator=(const ChildCommand&) = delete;
};

}  // namespace

Result execute(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env) {
    ChildCommand child(program, args, env);

    int outPipe[2];
    int errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
    pid_t pid = 0;
    const int rc =
        posix_spawn(&pid, program.c_str(), &actions, nullptr, child.argv.data(), child.envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    if (rc != 0) {
        ::close(outPipe[0]);
        ::close(errPipe[0]);
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
    Result result;
    std::array<pollfd, 2> fds{pollfd{outPipe[0], POLLIN, 0}, pollfd{errPipe[0], POLLIN, 0}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    int open = 2;
    std::array<char, 65536> buffer{};
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (n > 0) {
                sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(wstatus)) {
        result.status = WEXITSTATUS(wstatus);
    } else if (WIFSIGNALED(wstatus)) {
        result.status = 128 + WTERMSIG(wstatus);
    }
    return result;
}

Background startInBackground(const std::string& program, const std::vector<std::string>& args,
                             const fs::path& outputStem,
                             const std::map<std::string, std::string>& env) {
    ChildCommand child(program, args, env);

    Background b;
    b.out = outputStem.string() + ".out";
    b.err = outputStem.string() + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, b.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, b.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    const int rc = posix_spawn(&b.pid, program.c_str(), &actions, nullptr, child.argv.data(),
                               child.envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
    return b;
}

namespace {
int decodeStatus(int wstatus) {
    if (WIFEXITED(wstatus)) {
        return WEXITSTATUS(wstatus);
    }
    return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : -1;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

bool hasEnded(Background& b) {
    if (b.status) {
        return true;
    }
    int wstatus = 0;
    pid_t r = 0;
    while ((r = ::waitpid(b.pid, &wstatus, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (r == b.pid) {
        b.status = decodeStatus(wstatus);
    }
    return b.status.has_value();
}

Result finish(Background& b, std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!hasEnded(b)) {
        if (std::chrono::steady_clock::now() > until) {
            ADD_FAILURE() << "pid " << b.pid << " still running after " << timeout.count()
                          << " s: killed";
            ::kill(b.pid, SIGKILL);
            int wstatus = 0;
            while (::waitpid(b.pid, &wstatus, 0) < 0 && errno == EINTR) {
            }
            b.status = decodeStatus(wstatus);
            break;
        }
        ::usleep(10'000);
    }
    return Result{*b.status, slurp(b.out), slurp(b.err)};
}

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

}  // namespace misync::testsupport
