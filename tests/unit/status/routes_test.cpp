// SPEC §9 access rules through the routes table, without sockets: public routes, 401 without a
// valid token (WWW-Authenticate: Bearer), scopes (an admin sees everything; a school token sees
// only its school, and another school's things are 403 with one body whether or not they exist;
// an admin asking for something unknown gets 404), unknown routes (404), methods (405 with
// Allow), bad parameters (400 naming them), internal errors (500 without internals) and the
// security headers on every response.
#include <gmock/gmock.h>

#include "status/assets.h"
#include "status_fixture.h"

using namespace misync;
using namespace misync::statustest;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

class AccessTest : public RoutesTest {
  protected:
    void SetUp() override {
        RoutesTest::SetUp();
        DirectoryFiller fill(*store_);
        runA_ = fill.create(kA, {"jonesa", "evansb"}, 1);
        heldA_ = fill.run(kA, "held", 2, "digest-a");
        runB_ = fill.create(kB, {"owenw"}, 1);
        heldB_ = fill.run(kB, "held", 2, "digest-b");
    }

    // Every route that needs a token, with things that exist (of school B where a school is
    // named).
    std::vector<std::pair<std::string, std::string>> tokenRoutes() const {
        return {{"GET", "/metrics"},
                {"GET", "/api/v1/schools"},
                {"GET", std::string("/api/v1/schools/") + kB + "/runs"},
                {"GET", "/api/v1/runs/" + std::to_string(runB_)},
                {"POST", std::string("/api/v1/schools/") + kB + "/sync"},
                {"POST", "/api/v1/runs/" + std::to_string(heldB_) + "/approve"},
                {"GET", "/api/v1/changes"}};
    }

    std::int64_t runA_ = 0, heldA_ = 0, runB_ = 0, heldB_ = 0;
};

TEST_F(AccessTest, HealthzNeedsNoToken) {
    const auto r = call("GET", "/healthz");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"status":"ok"})");
    EXPECT_EQ(r.contentType, status::kJsonType);
    EXPECT_EQ(call("GET", "/healthz", "not-a-token").status, 200u) << "a bad token is ignored";
}

// The dashboard's page and files need no token (they hold no data); whatever is embedded is
// served with its type, and a name that is not embedded is 404.
TEST_F(AccessTest, TheDashboardFilesNeedNoToken) {
    const auto root = call("GET", "/");
    if (auto page = status::findAsset("/")) {
        EXPECT_EQ(root.status, 200u);
        EXPECT_EQ(root.body, page->contents);
        EXPECT_EQ(root.contentType, page->contentType);
    } else {
        EXPECT_EQ(root.status, 404u) << "no index.html embedded";
        EXPECT_EQ(root.contentType, status::kJsonType);
    }
    for (const auto& [name, contents] : status::embeddedFiles()) {
        const auto r = call("GET", std::string(name));
        EXPECT_EQ(r.status, 200u) << name;
        EXPECT_EQ(r.body, contents) << name;
        EXPECT_EQ(r.header("Cache-Control"), "no-cache") << name;
    }
    const auto missing = call("GET", "/no-such-file.js");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_TRUE(body(missing).as_object().contains("error"));
}

TEST_F(AccessTest, EveryOtherRouteAnswers401WithoutAValidToken) {
    for (const auto& [method, target] : tokenRoutes()) {
        SCOPED_TRACE(method + " " + target);
        for (const std::string& token :
             {std::string(), std::string("wrong-token"), std::string(kAdminToken) + "x"}) {
            const auto r = call(method, target, token);
            EXPECT_EQ(r.status, 401u) << token;
            EXPECT_THAT(std::string(r.header("WWW-Authenticate")), ::testing::StartsWith("Bearer"));
            EXPECT_TRUE(body(r).as_object().contains("error"));
        }
        // Not a bearer token at all.
        auto env = status::Env{*store_, daemon_, metrics_, "v", now_, false};
        const auto basic = router_.handle(
            status::Request::make(method, target, "Basic bGEtZGFzaGJvYXJkOnNlY3JldA=="), tokens_,
            env);
        EXPECT_EQ(basic.status, 401u);
    }
    EXPECT_TRUE(daemon_.syncs().empty());
    EXPECT_FALSE(store_->approvalOf(heldB_).has_value());
}

TEST_F(AccessTest, TheBearerSchemeIsCaseInsensitive) {
    auto env = status::Env{*store_, daemon_, metrics_, "v", now_, false};
    const auto r = router_.handle(
        status::Request::make("GET", "/api/v1/schools", std::string("bearer  ") + kAdminToken),
        tokens_, env);
    EXPECT_EQ(r.status, 200u);
}

TEST_F(AccessTest, AnAdminTokenReachesEveryRoute) {
    for (const auto& [method, target] : tokenRoutes()) {
        const auto r = call(method, target, kAdminToken);
        EXPECT_LT(r.status, 300u) << method << " " << target << ": " << r.body;
    }
}

TEST_F(AccessTest, ASchoolTokenReachesItsOwnSchool) {
    const std::string a = kA;
    EXPECT_EQ(call("GET", "/api/v1/schools/" + a + "/runs", kTokenA).status, 200u);
    EXPECT_EQ(call("GET", "/api/v1/runs/" + std::to_string(runA_), kTokenA).status, 200u);
    EXPECT_EQ(call("POST", "/api/v1/schools/" + a + "/sync", kTokenA).status, 202u);
    EXPECT_EQ(call("POST", "/api/v1/runs/" + std::to_string(heldA_) + "/approve", kTokenA).status,
              200u);
    EXPECT_EQ(call("GET", "/api/v1/changes", kTokenA).status, 200u);
    EXPECT_EQ(call("GET", "/metrics", kTokenA).status, 200u);
    EXPECT_EQ(call("GET", "/api/v1/schools", kTokenA).status, 200u);
}

// SPEC §9: another school's data is 403, and the answer is the same whether or not the school or
// run exists, so a school token cannot learn what else is there.
TEST_F(AccessTest, AnotherSchoolIsForbiddenWithNoHintThatItExists) {
    const std::string b = kB;
    const std::string nowhere = kNowhere;
    const std::string unknownRun = std::to_string(heldB_ + 1000);
    const std::vector<std::pair<std::string, std::string>> pairs[] = {
        {{"GET", "/api/v1/schools/" + b + "/runs"},
         {"GET", "/api/v1/schools/" + nowhere + "/runs"}},
        {{"GET", "/api/v1/schools/" + b + "/runs?limit=5&before=3"},
         {"GET", "/api/v1/schools/" + nowhere + "/runs?limit=5&before=3"}},
        {{"GET", "/api/v1/runs/" + std::to_string(runB_)}, {"GET", "/api/v1/runs/" + unknownRun}},
        {{"GET", "/api/v1/runs/" + std::to_string(runB_) + "?offset=0&limit=1"},
         {"GET", "/api/v1/runs/" + unknownRun + "?offset=0&limit=1"}},
        {{"POST", "/api/v1/schools/" + b + "/sync"},
         {"POST", "/api/v1/schools/" + nowhere + "/sync"}},
        {{"POST", "/api/v1/runs/" + std::to_string(heldB_) + "/approve"},
         {"POST", "/api/v1/runs/" + unknownRun + "/approve"}},
    };
    std::set<std::string> bodies;
    for (const auto& pair : pairs) {
        const auto existing = call(pair[0].first, pair[0].second, kTokenA);
        const auto missing = call(pair[1].first, pair[1].second, kTokenA);
        EXPECT_EQ(existing.status, 403u) << pair[0].second << ": " << existing.body;
        EXPECT_EQ(missing.status, 403u) << pair[1].second << ": " << missing.body;
        EXPECT_EQ(existing.body, missing.body) << pair[0].second;
        EXPECT_EQ(existing.headers.size(), missing.headers.size());
        bodies.insert(existing.body);
        bodies.insert(missing.body);
    }
    EXPECT_EQ(bodies.size(), 1u) << "one body for every refusal";
    EXPECT_THAT(*bodies.begin(), Not(HasSubstr(kB)));
    EXPECT_TRUE(daemon_.syncs().empty()) << "nothing was queued";
    EXPECT_FALSE(store_->approvalOf(heldB_).has_value()) << "nothing was approved";
    // The school token of B is refused A's things the same way.
    const auto reverse = call("GET", "/api/v1/runs/" + std::to_string(runA_), kTokenB);
    EXPECT_EQ(reverse.status, 403u);
    EXPECT_EQ(reverse.body, *bodies.begin());
}

TEST_F(AccessTest, AnAdminAskingForSomethingUnknownGets404) {
    const std::string nowhere = kNowhere;
    const std::string unknownRun = std::to_string(heldB_ + 1000);
    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/api/v1/schools/" + nowhere + "/runs"},
             {"GET", "/api/v1/runs/" + unknownRun},
             {"POST", "/api/v1/schools/" + nowhere + "/sync"},
             {"POST", "/api/v1/runs/" + unknownRun + "/approve"}}) {
        const auto r = call(method, target, kAdminToken);
        EXPECT_EQ(r.status, 404u) << target << ": " << r.body;
        EXPECT_TRUE(body(r).as_object().contains("error"));
    }
    EXPECT_TRUE(daemon_.syncs().empty());
}

TEST_F(AccessTest, UnknownRoutesAre404) {
    for (const std::string target :
         {"/api/v1/nothing", "/api/v2/schools", "/api/v1/schools/123/runs",
          "/api/v1/schools/66120011/runs", "/api/v1/runs/abc", "/api/v1/runs/0", "/api/v1/runs/-4",
          "/healthz/", "/api/v1/schools/6612001", "/a/b/c"}) {
        const auto r = call("GET", target, kAdminToken);
        EXPECT_EQ(r.status, 404u) << target << ": " << r.body;
        EXPECT_EQ(r.contentType, status::kJsonType) << target;
        EXPECT_TRUE(body(r).as_object().contains("error")) << target;
    }
    // Without a token too: nothing about data is said by a 404 of a path no route has.
    EXPECT_EQ(call("GET", "/api/v1/nothing").status, 404u);
}

TEST_F(AccessTest, AKnownPathWithAnotherMethodIs405WithAllow) {
    const std::string a = kA;
    struct Case {
        std::string method, target, allow;
    };
    for (const auto& c : std::vector<Case>{{"POST", "/healthz", "GET"},
                                           {"DELETE", "/api/v1/schools", "GET"},
                                           {"PUT", "/api/v1/schools/" + a + "/runs", "GET"},
                                           {"GET", "/api/v1/schools/" + a + "/sync", "POST"},
                                           {"GET", "/api/v1/runs/1/approve", "POST"},
                                           {"POST", "/api/v1/runs/1", "GET"},
                                           {"HEAD", "/metrics", "GET"},
                                           {"POST", "/api/v1/changes", "GET"}}) {
        const auto r = call(c.method, c.target, kAdminToken);
        EXPECT_EQ(r.status, 405u) << c.method << " " << c.target;
        EXPECT_EQ(r.header("Allow"), c.allow) << c.target;
        EXPECT_TRUE(body(r).as_object().contains("error"));
    }
}

TEST_F(AccessTest, BadParametersAre400NamingThem) {
    const std::string runs = std::string("/api/v1/schools/") + kA + "/runs";
    const std::string run = "/api/v1/runs/" + std::to_string(runA_);
    struct Case {
        std::string target, names;
    };
    for (const auto& c : std::vector<Case>{
             {runs + "?limit=0", "'limit'"},
             {runs + "?limit=501", "'limit'"},
             {runs + "?limit=ten", "'limit'"},
             {runs + "?limit=", "'limit'"},
             {runs + "?limit=5x", "'limit'"},
             {runs + "?limit=+5", "'limit'"},
             {runs + "?before=-3", "'before'"},
             {runs + "?before=0", "'before'"},
             {runs + "?limit=99999999999999999999", "'limit'"},
             {runs + "?limt=5", "'limt'"},
             {runs + "?limit=5&limit=6", "'limit'"},
             {run + "?offset=-1", "'offset'"},
             {run + "?limit=1001", "'limit'"},
             {run + "?page=2", "'page'"},
             {"/api/v1/changes?since=-1", "'since'"},
             {"/api/v1/changes?since=abc", "'since'"},
             {"/api/v1/changes?limit=10001", "'limit'"},
             {"/api/v1/changes?limit=0", "'limit'"},
             {"/api/v1/changes?school=6612001", "'school'"},
             {"/api/v1/schools?all=1", "'all'"},
             {"/metrics?x=1", "'x'"},
         }) {
        const auto r = call("GET", c.target, kAdminToken);
        EXPECT_EQ(r.status, 400u) << c.target << ": " << r.body;
        EXPECT_THAT(std::string(body(r).as_object().at("error").as_string()), HasSubstr(c.names))
            << c.target;
    }
    const auto escape = call("GET", runs + "?limit=%zz", kAdminToken);
    EXPECT_EQ(escape.status, 400u);
    EXPECT_THAT(escape.body, HasSubstr("%-escape"));
    // Decoded: %35 is "5".
    EXPECT_EQ(call("GET", runs + "?limit=%35", kAdminToken).status, 200u);
}

TEST_F(AccessTest, InternalErrorsAre500WithoutInternals) {
    status::Router router({{"GET", "/boom", status::Access::Public,
                            [](const status::Request&, const status::Context&) -> status::Response {
                                throw std::logic_error("/var/lib/misync/directory.db: SQL secret");
                            }}});
    status::Env env{*store_, daemon_, metrics_, "v", now_, false};
    const auto r = router.handle(status::Request::make("GET", "/boom"), tokens_, env);
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(r.body, R"({"error":"internal error"})");
}

// A directory that cannot be reached (a PostgreSQL restart) is 503, also without internals:
// the next request connects again (docs/reliability.md).
TEST_F(AccessTest, AnUnreachableDirectoryIs503WithoutInternals) {
    status::Router router({{"GET", "/boom", status::Access::Public,
                            [](const status::Request&, const status::Context&) -> status::Response {
                                throw core::StoreError("PostgreSQL directory host=db: secret");
                            }}});
    status::Env env{*store_, daemon_, metrics_, "v", now_, false};
    const auto r = router.handle(status::Request::make("GET", "/boom"), tokens_, env);
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.body, R"({"error":"the directory is unavailable; try again shortly"})");
}

// DESIGN.md pattern 7: one wrapper adds the security headers to every answer, errors included.
TEST_F(AccessTest, EveryResponseHasTheSecurityHeaders) {
    const std::string a = kA;
    for (const auto& [target, token] : std::vector<std::pair<std::string, std::string>>{
             {"/healthz", ""},
             {"/api/v1/schools", kAdminToken},
             {"/api/v1/schools/" + a + "/runs", kAdminToken},
             {"/api/v1/schools", ""},
             {"/api/v1/nothing", ""},
             {"/metrics", kAdminToken},
             {"/", ""}}) {
        for (bool tls : {false, true}) {
            const auto r = call("GET", target, token, tls);
            SCOPED_TRACE(target + (tls ? " (TLS)" : ""));
            EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
            EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
            EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
            EXPECT_THAT(std::string(r.header("Content-Security-Policy")),
                        HasSubstr("frame-ancestors 'none'"));
            EXPECT_FALSE(r.header("Cache-Control").empty());
            EXPECT_EQ(r.header("Strict-Transport-Security").empty(), !tls);
        }
    }
    EXPECT_EQ(call("GET", "/api/v1/schools", kAdminToken).header("Cache-Control"), "no-store");
    EXPECT_EQ(call("GET", "/api/v1/schools", kAdminToken).header("Content-Security-Policy"),
              "default-src 'none'; frame-ancestors 'none'");
    // The page may load its own files and nothing else.
    status::Response page;
    page.contentType = "text/html; charset=utf-8";
    status::finish(page, false);
    EXPECT_THAT(std::string(page.header("Content-Security-Policy")),
                HasSubstr("default-src 'self'"));
    EXPECT_THAT(std::string(page.header("Content-Security-Policy")), Not(HasSubstr("unsafe")));
}

}  // namespace
