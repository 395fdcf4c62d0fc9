// The umbrella header brings the whole SDK into one translation unit: names from the
// control plane and the MCP data plane must not collide (they once did: two different
// `hivemind::SessionStatus` types, whose from_json overloads shared one mangled name).
#include <gtest/gtest.h>

#include <hivemind/hivemind.hpp>

TEST(UmbrellaHeader, ControlAndDataPlaneModelsAreDistinct) {
  const auto status = nlohmann::json("running").get<hivemind::SessionStatus>();
  EXPECT_EQ(status, hivemind::SessionStatus::Kind::running);

  const auto report = nlohmann::json::parse(R"({"session_id": "s1", "status": "active",
      "swarm_id": "w1", "uptime_seconds": 12})")
                          .get<hivemind::SessionStatusReport>();
  EXPECT_EQ(report.session_id, "s1");
  EXPECT_EQ(report.status, "active");
  EXPECT_EQ(report.uptime_seconds, 12);
}
