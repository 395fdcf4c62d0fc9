#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/models/priority.hpp"
#include "hivemind/models/session_index.hpp"
#include "hivemind/models/session_metadata.hpp"
#include "hivemind/models/session_status.hpp"
#include "hivemind/models/timestamp.hpp"

using namespace hivemind;
using namespace std::chrono;
using ::testing::HasSubstr;
using json = nlohmann::json;

TEST(Timestamp, ParsesTheContainersFormatWithItsOffset) {
  const auto ts = Timestamp::parse("2025-10-05T21:45:00+02:00");
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->utc, sys_days{2025y / October / 5} + 19h + 45min);
  EXPECT_EQ(ts->utc_offset, 120min);
  EXPECT_EQ(ts->to_string(), "2025-10-05T21:45:00+02:00");
}

TEST(Timestamp, AcceptsZuluCompactOffsetsAndFractions) {
  EXPECT_EQ(Timestamp::parse("2025-10-05T19:45:00Z")->to_string(), "2025-10-05T19:45:00+00:00");
  EXPECT_EQ(Timestamp::parse("2025-10-05T19:45:00-0330")->utc_offset, -210min);
  EXPECT_EQ(Timestamp::parse("2025-10-05T19:45:00.123+00:00")->utc,
            sys_days{2025y / October / 5} + 19h + 45min);
}

TEST(Timestamp, NegativeOffsetsCrossingMidnightPrintBack) {
  const auto ts = Timestamp::parse("2025-01-01T00:30:00-05:00");
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->utc, sys_days{2025y / January / 1} + 5h + 30min);
  EXPECT_EQ(ts->to_string(), "2025-01-01T00:30:00-05:00");
}

TEST(Timestamp, RefusesMalformedText) {
  for (const char* bad : {"", "2025-10-05", "2025-13-05T19:45:00Z", "2025-02-30T10:00:00Z",
                          "2025-10-05T24:00:00Z", "2025-10-05T19:45:00", "2025-10-05T19:45:00+2:00",
                          "2025-10-05T19:45:00Zjunk", "yesterday"}) {
    EXPECT_FALSE(Timestamp::parse(bad)) << bad;
  }
  EXPECT_THROW(json("nope").get<Timestamp>(), Error);
}

TEST(SessionStatus, KnownWordsHaveKindsAndUnknownOnesAreKept) {
  EXPECT_EQ(SessionStatus::parse("running"), SessionStatus::Kind::running);
  EXPECT_TRUE(SessionStatus::parse("completed").is_terminal());
  EXPECT_TRUE(SessionStatus::parse("starting").is_running());
  const auto paused = SessionStatus::parse("paused");
  EXPECT_EQ(paused.kind(), SessionStatus::Kind::other);
  EXPECT_EQ(paused.text(), "paused");
  EXPECT_FALSE(paused.is_terminal());
  EXPECT_EQ(json(paused), json("paused"));
  EXPECT_EQ(SessionStatus(SessionStatus::Kind::failed).text(), "failed");
}

TEST(Priority, RoundTripsAndRefusesUnknownWords) {
  EXPECT_EQ(parse_priority("high"), Priority::high);
  EXPECT_EQ(parse_priority("urgent"), std::nullopt);
  EXPECT_EQ(json(Priority::low), json("low"));
  EXPECT_EQ(json("medium").get<Priority>(), Priority::medium);
  EXPECT_THROW(json("urgent").get<Priority>(), Error);
}

namespace {

json sample_session() {
  return json::parse(R"({
    "session_id": "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8",
    "task": "Build a \"CLI\"\nnow",
    "priority": "high",
    "created": "2025-10-05T19:45:00+00:00",
    "status": "running",
    "working_dir": "/workspace/.swarm/sessions/3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8",
    "output_dir": "/workspace/ext/hive-sessions/3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8",
    "database": "/workspace/.swarm/sessions/3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8/.swarm/memory.db",
    "log_file": "/var/log/multi-agent/hive-3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8.log",
    "metadata": {"project": "log-parser"},
    "updated": "2025-10-05T19:46:10+00:00",
    "future_field": [1, 2]
  })");
}

}  // namespace

TEST(SessionMetadata, ParsesEveryContractField) {
  const auto session = sample_session().get<SessionMetadata>();
  EXPECT_EQ(session.session_id, "3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8");
  EXPECT_EQ(session.task, "Build a \"CLI\"\nnow");
  EXPECT_EQ(session.priority, Priority::high);
  EXPECT_EQ(session.status, SessionStatus::Kind::running);
  ASSERT_TRUE(session.updated);
  EXPECT_EQ(session.updated->utc - session.created.utc, 70s);
  EXPECT_EQ(session.metadata["project"], "log-parser");
  EXPECT_THAT(session.log_file, HasSubstr("/var/log/multi-agent/hive-"));
  EXPECT_EQ(session.raw["future_field"], json({1, 2}));
}

TEST(SessionMetadata, OptionalFieldsMayBeAbsent) {
  auto document = sample_session();
  document.erase("updated");
  document.erase("metadata");
  document["priority"] = "urgent";
  const auto session = document.get<SessionMetadata>();
  EXPECT_FALSE(session.updated);
  EXPECT_TRUE(session.metadata.is_null());
  EXPECT_FALSE(session.priority);
  EXPECT_EQ(session.raw["priority"], "urgent");
}

TEST(SessionMetadata, MissingOrMistypedRequiredFieldsAreNamed) {
  for (const char* field : {"session_id", "task", "created", "status"}) {
    auto document = sample_session();
    document.erase(field);
    try {
      (void)document.get<SessionMetadata>();
      FAIL() << field;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), errc::protocol_error);
      EXPECT_THAT(e.what(), HasSubstr(std::string("'") + field + "'"));
    }
  }
  auto document = sample_session();
  document["created"] = "last tuesday";
  try {
    (void)document.get<SessionMetadata>();
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("field 'created'"));
    EXPECT_THAT(e.what(), HasSubstr("last tuesday"));
  }
}

TEST(SessionMetadata, SerializesBackToTheSameDocument) {
  const auto document = sample_session();
  EXPECT_EQ(json(document.get<SessionMetadata>()), document);
}

TEST(SessionIndex, ParsesTheRegistryKeyedByUuid) {
  const auto index = json::parse(R"({
    "sessions": {
      "11111111-1111-1111-1111-111111111111": {"task": "a", "status": "completed",
        "created": "2025-10-05T19:45:00+00:00", "updated": "2025-10-05T19:50:00+00:00",
        "dir": "/workspace/.swarm/sessions/11111111-1111-1111-1111-111111111111"},
      "22222222-2222-2222-2222-222222222222": {"task": "b", "status": "paused",
        "created": "2025-10-05T19:46:00+00:00", "dir": "/x", "extra": true}
    },
    "created": "2025-10-05T19:00:00+00:00"
  })")
                         .get<SessionIndex>();
  ASSERT_EQ(index.sessions.size(), 2u);
  const auto* first = index.find("11111111-1111-1111-1111-111111111111");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->session_id, "11111111-1111-1111-1111-111111111111");
  EXPECT_EQ(first->status, SessionStatus::Kind::completed);
  EXPECT_TRUE(first->updated);
  EXPECT_EQ(index.find("22222222-2222-2222-2222-222222222222")->status.text(), "paused");
  EXPECT_EQ(index.find("33333333-3333-3333-3333-333333333333"), nullptr);
  ASSERT_TRUE(index.created);
}

TEST(SessionIndex, EmptyRegistryAndBrokenOnes) {
  EXPECT_TRUE(json::parse(R"({"sessions": {}})").get<SessionIndex>().sessions.empty());
  EXPECT_THROW(json::parse(R"({"created": "x"})").get<SessionIndex>(), Error);
  EXPECT_THROW(json::parse(R"({"sessions": {"u": {"task": "a"}}})").get<SessionIndex>(), Error);
}
