// The dashboard's files (status/dashboard/), compiled into the binary by status/CMakeLists.txt.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace misync::status {

// Every embedded file as ("/name.ext", contents), sorted by name.
const std::vector<std::pair<std::string_view, std::string_view>>& embeddedFiles();

struct Asset {
    std::string_view contents;
    std::string_view contentType;  // from the file name's extension
};
// The file served at `path` ("/" is "/index.html"), or nullopt.
std::optional<Asset> findAsset(std::string_view path);

}  // namespace misync::status
