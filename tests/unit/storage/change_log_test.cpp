// The change log on every backend (SPEC §9.2; SQLite schema 4): a run's consecutive membership
// changes of one group share a stored row, and the feed expands them again: one CHANGE per member,
// seq consecutive, every change exactly once whatever the page size or the `since` a consumer
// resumes from, and a school's filter sees its own changes only.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "storage/change_log.h"
#include "storage/directory.h"
#include "storage/secret_box.h"
#include "tests/support/test_directory.h"

using namespace misync;

namespace {

constexpr const char* kSchool = "6612345";
constexpr const char* kOther = "6610001";

class ChangeLogTest : public testsupport::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        d_ = open();
    }
    void TearDown() override {
        d_.reset();
        StoreTest::TearDown();
    }

    // A plan creating `learners` learners and `staff` staff in group 7A (staff after the first
    // ten learners, so that one row mixes roles) and the first three learners also in 7B.
    void load(const std::string& school, int learners, int staff, const std::string& prefix) {
        reconcile::Plan p;
        p.school = school;
        for (int i = 0; i < learners + staff; ++i) {
            reconcile::Account a;
            a.username = prefix + std::to_string(i);
            a.school = school;
            a.role = i >= 10 && i < 10 + staff ? core::Role::Staff : core::Role::Learner;
            a.attrs.misId = std::to_string(1000 + i);
            a.attrs.legalForename = "A";
            a.attrs.legalSurname = prefix;
            a.displayName = "A " + prefix;
            a.createdAt = "2026-09-01T06:30:00Z";
            p.accounts.push_back({a, std::nullopt, {a.username}});
        }
        for (const char* code : {"7A", "7B"}) {
            reconcile::GroupState g;
            g.school = school;
            g.code = code;
            g.type = core::GroupType::Registration;
            p.groups.push_back({g});
        }
        for (int i = 0; i < learners + staff; ++i) {
            const auto& a = p.accounts[static_cast<std::size_t>(i)].account;
            p.memberships.push_back({school, "7A", 0, i, true, a.username, a.role});
        }
        for (int i = 0; i < 3; ++i) {
            p.memberships.push_back(
                {school, "7B", 0, i, true, prefix + std::to_string(i), core::Role::Learner});
        }
        if (withActions) {
            for (const auto& w : p.accounts) {
                reconcile::Action a;
                a.kind = reconcile::ActionKind::Create;
                a.role = w.account.role;
                a.school = school;
                a.misId = w.account.attrs.misId;
                a.username = w.account.username;
                a.reason = "new in the extract";
                p.actions.push_back(a);
            }
        }
        storage::RunRecord r;
        r.school = school;
        r.connector = "sims-xml";
        r.asOf = "2026-11-28";
        r.startedAt = r.finishedAt = "2026-11-28T06:30:00Z";
        r.outcome = "applied";
        r.actions = p.actions;
        d_->apply(p, r, box_);
    }
    bool withActions = false;

    std::int64_t storedRows() {
        return std::stoll(database().scalar("SELECT count(*) FROM changes"));
    }

    std::unique_ptr<storage::Directory> d_;
    storage::SecretBox box_{std::array<unsigned char, 32>{7, 7, 7}};
};

TEST_P(ChangeLogTest, MembershipsOfOneGroupShareRowsAndAreExpandedOnePerMember) {
    load(kSchool, 1200, 3, "jones");
    const auto all = d_->changesSince(0, 10000);
    ASSERT_EQ(all.size(), 1206u);  // 1,203 in 7A and 3 in 7B
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(all[i].event.kind, "membership.added");
        EXPECT_EQ(all[i].event.school, kSchool);
    }
    EXPECT_EQ(all[0].event.group, "7A");
    EXPECT_EQ(all[0].event.username, "jones0");
    EXPECT_EQ(all[10].event.username, "jones10");
    EXPECT_EQ(all[10].event.role, core::Role::Staff);
    EXPECT_EQ(all[13].event.role, core::Role::Learner);
    EXPECT_EQ(all[1202].event.username, "jones1202");
    EXPECT_EQ(all[1203].event.group, "7B");
    EXPECT_EQ(all[1205].event.username, "jones2");
    // SQLite schema 4: 7A in rows of at most 500 (3 rows), 7B in one. How another backend lays
    // its rows out is its own (what the feed gives, above, is the contract).
    if (isSqlite()) {
        EXPECT_EQ(storedRows(), 4);
    }
}

TEST_P(ChangeLogTest, EveryPageSizeAndResumePointSeesEachChangeOnce) {
    load(kSchool, 700, 2, "jones");
    load(kOther, 40, 0, "evans");
    const auto all = d_->changesSince(0, 10000);
    ASSERT_EQ(all.size(), 702u + 3 + 40 + 3);
    for (int limit : {1, 7, 499, 500, 501, 1000}) {
        std::vector<std::int64_t> seen;
        std::int64_t next = 0;
        for (;;) {
            auto page = d_->changesSince(next, limit);
            ASSERT_LE(page.size(), static_cast<std::size_t>(limit));
            if (page.empty()) {
                break;
            }
            for (const auto& c : page) {
                seen.push_back(c.seq);
            }
            next = page.back().seq;
        }
        ASSERT_EQ(seen.size(), all.size()) << "limit " << limit;
        for (std::size_t i = 0; i < seen.size(); ++i) {
            EXPECT_EQ(seen[i], all[i].seq);
        }
    }
    // Resuming inside a stored row starts right after `since`.
    auto mid = d_->changesSince(250, 3);
    ASSERT_EQ(mid.size(), 3u);
    EXPECT_EQ(mid[0].seq, 251);
    EXPECT_EQ(mid[0].event.username, all[250].event.username);
}

TEST_P(ChangeLogTest, ASchoolSeesOnlyItsOwnMembershipChanges) {
    load(kSchool, 30, 1, "jones");
    load(kOther, 20, 0, "evans");
    const auto other = d_->changesSince(0, 10000, kOther);
    ASSERT_EQ(other.size(), 23u);
    EXPECT_EQ(other.front().seq, 31 + 3 + 1);
    for (const auto& c : other) {
        EXPECT_EQ(c.event.school, kOther);
        EXPECT_EQ(c.event.username.rfind("evans", 0), 0u);
    }
    EXPECT_EQ(d_->changesSince(0, 10000, kSchool).size(), 34u);
}

// A large plan's change log and run actions are encoded on a second thread while its accounts
// are written, a small one's on the writing thread (issue 8): both give the same changes and the
// same run actions, in plan order.
TEST_P(ChangeLogTest, LargeAndSmallPlansLogTheSameChangesAndActions) {
    withActions = true;
    load(kSchool, 400, 2, "jones");  // 402 actions, 405 memberships: encoded aside
    load(kOther, 4, 1, "evans");     // 5 actions, 8 memberships: encoded in line
    const auto all = d_->changesSince(0, 10000);
    ASSERT_EQ(all.size(), 402u + 405 + 5 + 8);
    auto created = [&](std::size_t at, const std::string& username, core::Role role,
                       const std::string& surname) {
        SCOPED_TRACE(username);
        const auto& e = all.at(at).event;
        EXPECT_EQ(e.kind, "account.created");
        EXPECT_EQ(e.username, username);
        EXPECT_EQ(e.role, role);
        bool sawSurname = false;
        for (const auto& f : e.fields) {
            sawSurname = sawSurname || (f.name == "legal_surname" && f.value == surname);
        }
        EXPECT_TRUE(sawSurname);
    };
    created(0, "jones0", core::Role::Learner, "jones");
    created(10, "jones10", core::Role::Staff, "jones");
    created(401, "jones401", core::Role::Learner, "jones");
    EXPECT_EQ(all[402].event.kind, "membership.added");
    EXPECT_EQ(all[402].event.username, "jones0");
    created(402 + 405, "evans0", core::Role::Learner, "evans");
    created(402 + 405 + 4, "evans4", core::Role::Learner, "evans");
    EXPECT_EQ(all[402 + 405 + 5].event.kind, "membership.added");
    EXPECT_EQ(database().scalar("SELECT count(*) FROM run_actions WHERE run_id = (SELECT "
                                "min(run_id) FROM run_actions)"),
              "402");
    EXPECT_EQ(database().scalar("SELECT count(*) FROM run_actions WHERE run_id = (SELECT "
                                "max(run_id) FROM run_actions)"),
              "5");
    // Each run's actions in plan order, each body the action as JSON.
    const auto first =
        database().scalar("SELECT body FROM run_actions WHERE seq = 402 ORDER BY run_id LIMIT 1");
    const auto body = boost::json::parse(first).as_object();
    EXPECT_EQ(body.at("username").as_string(), "jones401");
    EXPECT_EQ(body.at("action").as_string(), "create");
    const auto small = database().scalar(
        "SELECT body FROM run_actions WHERE seq = 5 ORDER BY run_id DESC LIMIT 1");
    EXPECT_EQ(boost::json::parse(small).as_object().at("username").as_string(), "evans4");
}

MISYNC_ON_EVERY_BACKEND(ChangeLogTest);

// The `fields` column is written without building a JSON object; it must say what serializing
// the object said: escapes, UTF-8, booleans, and a name given twice (first place, last value).
TEST(ChangeFields, EncodeAsAJsonObjectWouldAndDecodeBack) {
    const std::vector<std::vector<reconcile::ChangeField>> cases = {
        {},
        {{"legal_surname", "O'Brien \"Bob\" \\ back", false}},
        {{"display_name", "Siân Jôns\n\t\x01", false}, {"consent", "true", true}},
        {{"digital_champion", "false", true}, {"username", "a", false}, {"username", "b", false}},
        {{"x", "1", false}, {"y", "2", false}, {"x", "3", false}},
    };
    for (const auto& fields : cases) {
        boost::json::object o;
        for (const auto& f : fields) {
            if (f.isBool) {
                o[f.name] = f.value == "true";
            } else {
                o[f.name] = f.value;
            }
        }
        const std::string text = storage::encodeChangeFields(fields);
        EXPECT_EQ(text, fields.empty() ? "" : boost::json::serialize(o));
        if (!fields.empty()) {
            EXPECT_EQ(boost::json::parse(text), boost::json::value(o));
            EXPECT_EQ(storage::decodeChangeFields(text).size(), o.size());
        }
    }
}

}  // namespace
