// The dashboard's files as compiled into the binary (status/dashboard/, status/assets.h): every
// file is there byte for byte with a real content type, and the page keeps to what its
// Content-Security-Policy (default-src 'self') allows: no inline script or style, nothing from
// another origin, only links to files that are embedded. The browser test (tests/browser/) checks
// what the page shows; this checks what the binary serves.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "status/assets.h"

namespace {

namespace fs = std::filesystem;
using misync::status::embeddedFiles;
using misync::status::findAsset;

const fs::path kDashboardDir = fs::path(MISYNC_SOURCE_DIR) / "status" / "dashboard";

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string served(const std::string& path) {
    auto asset = findAsset(path);
    return asset ? std::string(asset->contents) : std::string();
}

TEST(DashboardAssets, EveryFileOfTheFolderIsEmbeddedAsItIs) {
    std::set<std::string> onDisk;
    for (const auto& entry : fs::directory_iterator(kDashboardDir)) {
        ASSERT_TRUE(entry.is_regular_file())
            << entry.path() << ": status/dashboard/ holds files only";
        const std::string name = "/" + entry.path().filename().string();
        onDisk.insert(name);
        auto asset = findAsset(name);
        ASSERT_TRUE(asset.has_value()) << name << " is not embedded";
        EXPECT_EQ(std::string(asset->contents), readFile(entry.path())) << name;
        EXPECT_NE(asset->contentType, "application/octet-stream") << name << " has no content type";
    }
    std::set<std::string> embedded;
    for (const auto& [name, contents] : embeddedFiles()) {
        embedded.insert(std::string(name));
    }
    EXPECT_EQ(embedded, onDisk);
    for (const char* required : {"/index.html", "/dashboard.js", "/dashboard.css",
                                 "/uPlot.iife.min.js", "/uPlot.min.css", "/uPlot.LICENSE.txt"}) {
        EXPECT_TRUE(onDisk.count(required)) << required;
    }
}

TEST(DashboardAssets, RootIsThePageAndUnknownPathsAreNotFound) {
    auto root = findAsset("/");
    ASSERT_TRUE(root.has_value());
    EXPECT_EQ(root->contentType, "text/html; charset=utf-8");
    EXPECT_EQ(std::string(root->contents), served("/index.html"));
    EXPECT_EQ(findAsset("/dashboard.js")->contentType, "text/javascript; charset=utf-8");
    EXPECT_EQ(findAsset("/dashboard.css")->contentType, "text/css; charset=utf-8");
    EXPECT_EQ(findAsset("/uPlot.LICENSE.txt")->contentType, "text/plain; charset=utf-8");
    EXPECT_FALSE(findAsset("/missing.js").has_value());
    EXPECT_FALSE(findAsset("/../index.html").has_value());
    EXPECT_FALSE(findAsset("index.html").has_value());
}

TEST(DashboardAssets, ThePageHasNoInlineScriptOrStyleAndLinksOnlyEmbeddedFiles) {
    const std::string html = served("/index.html");
    ASSERT_FALSE(html.empty());

    // Every <script> has a src and an empty body.
    const std::regex script(R"(<script\b([^>]*)>([\s\S]*?)</script>)", std::regex::icase);
    int scripts = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), script), end; it != end; ++it) {
        ++scripts;
        EXPECT_NE((*it)[1].str().find("src="), std::string::npos) << "inline script: " << it->str();
        EXPECT_TRUE((*it)[2].str().empty()) << "inline script: " << it->str();
    }
    EXPECT_GE(scripts, 2);
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(<style\b)", std::regex::icase)));
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(\sstyle\s*=)", std::regex::icase)));
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase)))
        << "inline event handler";
    EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*"(https?:|//|data:))")))
        << "something from another origin";

    // Every same-origin link names an embedded file.
    const std::regex link(R"re((src|href)\s*=\s*"(/[^"#]*)")re");
    int links = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), link), end; it != end; ++it) {
        ++links;
        EXPECT_TRUE(findAsset((*it)[2].str()).has_value()) << (*it)[2].str() << " is not embedded";
    }
    EXPECT_GE(links, 5);
}

TEST(DashboardAssets, TheScriptKeepsTheTokenInTheTabAndApiTextOutOfHtml) {
    const std::string js = served("/dashboard.js");
    ASSERT_FALSE(js.empty());
    EXPECT_NE(js.find("sessionStorage"), std::string::npos);
    EXPECT_EQ(js.find("localStorage"), std::string::npos);
    EXPECT_EQ(js.find("document.cookie"), std::string::npos);
    EXPECT_EQ(js.find("innerHTML"), std::string::npos);
    EXPECT_EQ(js.find("insertAdjacentHTML"), std::string::npos);
    EXPECT_EQ(js.find("eval("), std::string::npos);
    for (const char* file : {"/dashboard.js", "/dashboard.css"}) {
        const std::string text = served(file);
        EXPECT_FALSE(std::regex_search(text, std::regex(R"(https?://)")))
            << file << " names another origin";
    }
}

}  // namespace
