#include "telemetry/telemetry_decoder.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hivemind::telemetry_detail {
namespace {

using ::testing::ElementsAre;

std::string update_line(const std::string& session, const std::string& agent) {
  return R"({"type":"telemetry_update","session_id":")" + session + R"(","agents":[{"agent_id":")" +
         agent + R"(","status":"busy","position":{"x":1,"y":2,"z":3}}]})" + "\n";
}

struct Collected {
  std::vector<TelemetryUpdate> updates;
  std::vector<std::string> others;
  TelemetryDecoder decoder{1024, [this](TelemetryUpdate u) { updates.push_back(std::move(u)); },
                           [this](std::string_view line) { others.emplace_back(line); }};
};

TEST(TelemetryDecoder, DecodesSeveralLinesInOneFrame) {
  Collected out;
  EXPECT_TRUE(out.decoder.feed(update_line("s", "a1") + update_line("s", "a2")));
  ASSERT_EQ(out.updates.size(), 2u);
  EXPECT_EQ(out.updates[0].agents.at(0).agent_id, "a1");
  EXPECT_EQ(out.updates[1].agents.at(0).agent_id, "a2");
  EXPECT_EQ(out.decoder.counters().updates, 2u);
  EXPECT_EQ(out.decoder.counters().agent_updates, 2u);
}

TEST(TelemetryDecoder, JoinsLinesSplitAcrossFramesAndSkipsLogNoise) {
  Collected out;
  const std::string stream =
      "[MCP] backend started on pid 12\n" + update_line("s", "a1") + "warning: something\r\n" +
      update_line("s", "a2") +
      R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"}})" + "\n";
  // Frames of 7 bytes: no frame boundary matches a line boundary.
  for (std::size_t offset = 0; offset < stream.size(); offset += 7) {
    ASSERT_TRUE(out.decoder.feed(std::string_view(stream).substr(offset, 7)));
  }
  ASSERT_EQ(out.updates.size(), 2u);
  EXPECT_EQ(out.updates[1].agents.at(0).position, (Vec3{1, 2, 3}));
  EXPECT_THAT(
      out.others,
      ElementsAre(R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"}})"));
  EXPECT_EQ(out.decoder.counters().noise_lines, 2u);
  EXPECT_EQ(out.decoder.counters().lines, 5u);
  EXPECT_EQ(out.decoder.counters().bytes, stream.size());
}

TEST(TelemetryDecoder, HandsOtherJsonToTheRpcSideEvenWhenItMentionsTelemetry) {
  Collected out;
  EXPECT_TRUE(out.decoder.feed(R"({"type":"status","note":"telemetry_update soon"})"
                               "\n"
                               R"({"type":"telemetry_update", broken)"
                               "\n"));
  EXPECT_TRUE(out.updates.empty());
  EXPECT_EQ(out.others.size(), 2u);
}

TEST(TelemetryDecoder, ALineOverTheMaximumBreaksTheStream) {
  Collected out;
  EXPECT_FALSE(out.decoder.feed(std::string(2000, 'x')));
  EXPECT_FALSE(out.decoder.feed(update_line("s", "a1")));
  EXPECT_TRUE(out.updates.empty());
}

TEST(DecodeTelemetryUpdate, RejectsOtherMessageTypes) {
  EXPECT_FALSE(decode_telemetry_update(R"({"type":"heartbeat","x":"telemetry_update"})"));
  EXPECT_FALSE(decode_telemetry_update("telemetry_update"));
  EXPECT_TRUE(decode_telemetry_update(R"({"type":"telemetry_update"})"));
}

}  // namespace
}  // namespace hivemind::telemetry_detail
