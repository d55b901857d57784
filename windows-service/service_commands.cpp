// `misync service install|uninstall|start|stop|reload` (SPEC §10, docs/windows.md): the
// Windows service through the service control manager. install registers misync.exe as the
// service `misync` (automatic start, `daemon --config <absolute path>`, accepting
// PARAMCHANGE) and the event log source `misync`; uninstall stops it and removes both. Every
// failure of the service control manager is reported with Windows' own text for it.
#include <windows.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "daemon/cli.h"
#include "daemon/cli_parts.h"
#include "windows-service/win_text.h"
#include "windows-service/windows_host.h"

namespace misync::daemon {

namespace {

using winservice::errorText;
using winservice::kServiceName;
using winservice::narrow;
using winservice::widen;

constexpr const wchar_t* kDisplayName = L"misync (school identity provisioning)";
constexpr const wchar_t* kDescription =
    L"Creates and maintains school accounts from MIS extracts (misync daemon). "
    L"Stop, start and reload (paramchange) with `misync service`.";
constexpr const wchar_t* kEventLogKey =
    L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\misync";

struct Handle {
    SC_HANDLE h = nullptr;
    explicit Handle(SC_HANDLE x) : h(x) {}
    ~Handle() {
        if (h != nullptr) {
            ::CloseServiceHandle(h);
        }
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    explicit operator bool() const { return h != nullptr; }
};

// What went wrong, with a hint for the usual cause.
std::string failure(const std::string& what, DWORD err) {
    std::string text = "misync: " + what + ": " + errorText(err);
    if (err == ERROR_ACCESS_DENIED) {
        text += "; run this from a command prompt started as Administrator";
    } else if (err == ERROR_SERVICE_DOES_NOT_EXIST) {
        text += "; install it first with `misync service install`";
    } else if (err == ERROR_SERVICE_EXISTS) {
        text += "; `misync service uninstall` first to install it again";
    }
    return text + "\n";
}

bool openManager(Io io, DWORD access, Handle& out) {
    out.h = ::OpenSCManagerW(nullptr, nullptr, access);
    if (!out) {
        io.err << failure("cannot open the service control manager", ::GetLastError());
        return false;
    }
    return true;
}

bool openService(Io io, const Handle& scm, DWORD access, Handle& out) {
    out.h = ::OpenServiceW(scm.h, kServiceName, access);
    if (!out) {
        io.err << failure("cannot open the service misync", ::GetLastError());
        return false;
    }
    return true;
}

std::optional<SERVICE_STATUS_PROCESS> query(const Handle& service) {
    SERVICE_STATUS_PROCESS s{};
    DWORD needed = 0;
    if (::QueryServiceStatusEx(service.h, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&s),
                               sizeof s, &needed) == 0) {
        return std::nullopt;
    }
    return s;
}

// Waits while the service is in `pending`, up to `limit`; returns its state then.
DWORD waitWhile(const Handle& service, DWORD pending, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
        auto s = query(service);
        if (!s) {
            return 0;
        }
        if (s->dwCurrentState != pending || std::chrono::steady_clock::now() > until) {
            return s->dwCurrentState;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
}

std::wstring exePath() {
    std::wstring path(MAX_PATH, L'\0');
    for (;;) {
        const DWORD n = ::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
        if (n < path.size()) {
            path.resize(n);
            return path;
        }
        path.resize(path.size() * 2);
    }
}

bool registerEventSource(Io io) {
    HKEY key = nullptr;
    LSTATUS r = ::RegCreateKeyExW(HKEY_LOCAL_MACHINE, kEventLogKey, 0, nullptr, 0, KEY_SET_VALUE,
                                  nullptr, &key, nullptr);
    if (r != ERROR_SUCCESS) {
        io.err << failure("cannot register the event log source misync", static_cast<DWORD>(r));
        return false;
    }
    // mscoree.dll holds the one message (id 1000, "%1") that spdlog's event log sink uses.
    const std::wstring messages = L"%SystemRoot%\\System32\\mscoree.dll";
    const DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    r = ::RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ,
                         reinterpret_cast<const BYTE*>(messages.c_str()),
                         static_cast<DWORD>((messages.size() + 1) * sizeof(wchar_t)));
    if (r == ERROR_SUCCESS) {
        r = ::RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD,
                             reinterpret_cast<const BYTE*>(&types), sizeof types);
    }
    ::RegCloseKey(key);
    if (r != ERROR_SUCCESS) {
        io.err << failure("cannot register the event log source misync", static_cast<DWORD>(r));
        return false;
    }
    return true;
}

int install(const GlobalOptions& g, Io io, const std::string& account) {
    std::error_code ec;
    const std::filesystem::path config = std::filesystem::absolute(g.configFile, ec);
    if (ec || !std::filesystem::is_regular_file(config, ec)) {
        io.err << "misync: service install: no configuration file " << g.configFile
               << " (give it with --config; `misync check-config` checks it)\n";
        return kExitUsage;
    }
    Handle scm(nullptr);
    if (!openManager(io, SC_MANAGER_CREATE_SERVICE, scm)) {
        return kExitRunFailed;
    }
    const std::wstring command =
        L"\"" + exePath() + L"\" daemon --config \"" + config.wstring() + L"\"";
    const std::wstring who = widen(account);
    Handle service(::CreateServiceW(
        scm.h, kServiceName, kDisplayName, SERVICE_CHANGE_CONFIG | SERVICE_QUERY_STATUS,
        SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, command.c_str(),
        nullptr, nullptr, nullptr, account.empty() ? nullptr : who.c_str(), nullptr));
    if (!service) {
        io.err << failure("cannot create the service misync", ::GetLastError());
        return kExitRunFailed;
    }
    SERVICE_DESCRIPTIONW description{const_cast<wchar_t*>(kDescription)};
    ::ChangeServiceConfig2W(service.h, SERVICE_CONFIG_DESCRIPTION, &description);
    // As systemd's Restart=on-failure: a crash is followed by a start 10 s later.
    SC_ACTION restart{SC_ACTION_RESTART, 10'000};
    SERVICE_FAILURE_ACTIONSW actions{};
    actions.dwResetPeriod = 24 * 3600;
    actions.cActions = 1;
    actions.lpsaActions = &restart;
    ::ChangeServiceConfig2W(service.h, SERVICE_CONFIG_FAILURE_ACTIONS, &actions);
    if (!registerEventSource(io)) {
        return kExitRunFailed;
    }
    io.out << "installed the service misync: " << narrow(command) << "\n"
           << "start it with `misync service start`\n";
    return kExitOk;
}

int uninstall(Io io) {
    Handle scm(nullptr);
    Handle service(nullptr);
    if (!openManager(io, SC_MANAGER_CONNECT, scm) ||
        !openService(io, scm, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE, service)) {
        return kExitRunFailed;
    }
    if (auto s = query(service); s && s->dwCurrentState != SERVICE_STOPPED) {
        SERVICE_STATUS st{};
        ::ControlService(service.h, SERVICE_CONTROL_STOP, &st);
        waitWhile(service, SERVICE_STOP_PENDING, std::chrono::seconds(120));
    }
    if (::DeleteService(service.h) == 0) {
        io.err << failure("cannot remove the service misync", ::GetLastError());
        return kExitRunFailed;
    }
    ::RegDeleteKeyW(HKEY_LOCAL_MACHINE, kEventLogKey);
    io.out << "removed the service misync (its configuration and directory are kept)\n";
    return kExitOk;
}

int start(Io io) {
    Handle scm(nullptr);
    Handle service(nullptr);
    if (!openManager(io, SC_MANAGER_CONNECT, scm) ||
        !openService(io, scm, SERVICE_START | SERVICE_QUERY_STATUS, service)) {
        return kExitRunFailed;
    }
    if (::StartServiceW(service.h, 0, nullptr) == 0) {
        const DWORD err = ::GetLastError();
        if (err == ERROR_SERVICE_ALREADY_RUNNING) {  // as `systemctl start` of a running unit
            io.out << "the service misync is already running\n";
            return kExitOk;
        }
        io.err << failure("cannot start the service misync", err);
        return kExitRunFailed;
    }
    const DWORD state = waitWhile(service, SERVICE_START_PENDING, std::chrono::seconds(130));
    if (state == SERVICE_RUNNING) {
        io.out << "the service misync is running\n";
        return kExitOk;
    }
    auto s = query(service);
    io.err << "misync: the service misync did not start";
    if (s && s->dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR) {
        io.err << " (exit status " << s->dwServiceSpecificExitCode
               << (s->dwServiceSpecificExitCode == 2 ? ": a configuration error" : "") << ")";
    }
    io.err << "; the Windows event log (source misync) says why\n";
    return kExitRunFailed;
}

int control(Io io, DWORD code, const char* what) {
    Handle scm(nullptr);
    Handle service(nullptr);
    const DWORD access = code == SERVICE_CONTROL_STOP ? SERVICE_STOP : SERVICE_PAUSE_CONTINUE;
    if (!openManager(io, SC_MANAGER_CONNECT, scm) ||
        !openService(io, scm, access | SERVICE_QUERY_STATUS, service)) {
        return kExitRunFailed;
    }
    SERVICE_STATUS st{};
    if (::ControlService(service.h, code, &st) == 0) {
        io.err << failure(std::string("cannot ") + what + " the service misync", ::GetLastError());
        return kExitRunFailed;
    }
    if (code == SERVICE_CONTROL_STOP) {
        // The daemon's own bound (stop_timeout_seconds) ends it; this only waits to say so.
        const DWORD state = waitWhile(service, SERVICE_STOP_PENDING, std::chrono::seconds(300));
        if (state != SERVICE_STOPPED) {
            io.err << "misync: the service misync is still stopping\n";
            return kExitRunFailed;
        }
        io.out << "the service misync has stopped\n";
    } else {
        io.out << "asked the service misync to reload its configuration; the event log says "
                  "whether it did\n";
    }
    return kExitOk;
}

}  // namespace

void addServiceCommands(CliScope& c) {
    GlobalOptions& g = c.g;
    Io io = c.io;
    int& status = c.status;
    auto* service =
        c.app.add_subcommand("service", "install, start, stop, reload or uninstall the service");
    service->require_subcommand(1);
    auto account = std::make_shared<std::string>();
    auto* inst = service->add_subcommand(
        "install", "register misync as the Windows service `misync` with this --config");
    inst->add_option(
        "--account", *account,
        "the account it runs as (default LocalSystem), e.g. \"NT AUTHORITY\\LocalService\"");
    inst->callback([&g, io, &status, account] { status = install(g, io, *account); });
    service->add_subcommand("uninstall", "stop and remove the service")->callback([io, &status] {
        status = uninstall(io);
    });
    service->add_subcommand("start", "start the service")->callback([io, &status] {
        status = start(io);
    });
    service->add_subcommand("stop", "stop the service (runs finish or roll back)")
        ->callback([io, &status] { status = control(io, SERVICE_CONTROL_STOP, "stop"); });
    service->add_subcommand("reload", "re-read the configuration (paramchange)")
        ->callback([io, &status] { status = control(io, SERVICE_CONTROL_PARAMCHANGE, "reload"); });
}

}  // namespace misync::daemon
