#include "status/assets.h"

namespace misync::status {

namespace {

std::string_view contentTypeOf(std::string_view name) {
    auto ends = [&](std::string_view ext) {
        return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
    };
    if (ends(".html")) {
        return "text/html; charset=utf-8";
    }
    if (ends(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (ends(".css")) {
        return "text/css; charset=utf-8";
    }
    if (ends(".svg")) {
        return "image/svg+xml";
    }
    if (ends(".png")) {
        return "image/png";
    }
    if (ends(".ico")) {
        return "image/x-icon";
    }
    if (ends(".txt")) {
        return "text/plain; charset=utf-8";
    }
    return "application/octet-stream";
}

}  // namespace

std::optional<Asset> findAsset(std::string_view path) {
    if (path == "/") {
        path = "/index.html";
    }
    for (const auto& [name, contents] : embeddedFiles()) {
        if (name == path) {
            return Asset{contents, contentTypeOf(name)};
        }
    }
    return std::nullopt;
}

}  // namespace misync::status
