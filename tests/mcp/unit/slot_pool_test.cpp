#include "mcp/slot_pool.hpp"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "mcp/request_writer.hpp"

namespace hivemind::mcp_detail {
namespace {

TEST(SlotPool, ReusesFreedSlotsUnderANewGeneration) {
  SlotPool<std::string> pool;
  const SlotName a = pool.acquire("a");
  const SlotName b = pool.acquire("b");
  EXPECT_NE(a.index, b.index);
  EXPECT_EQ(pool.in_use(), 2u);
  EXPECT_EQ(pool.release(a.index), "a");
  EXPECT_EQ(pool.find(a), nullptr);  // a late answer finds nothing
  const SlotName c = pool.acquire("c");
  EXPECT_EQ(c.index, a.index);
  EXPECT_NE(c.generation, a.generation);
  EXPECT_EQ(pool.find(a), nullptr);
  ASSERT_NE(pool.find(c), nullptr);
  EXPECT_EQ(*pool.find(c), "c");
  EXPECT_EQ(pool.capacity(), 2u);
  EXPECT_EQ(pool.find(SlotName{57, 0}), nullptr);
}

TEST(SlotPool, HoldsMoveOnlyPayloadsAcrossGrowth) {
  SlotPool<std::unique_ptr<int>> pool;
  std::vector<SlotName> names;
  for (int i = 0; i < 100; ++i) names.push_back(pool.acquire(std::make_unique<int>(i)));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(**pool.find(names[i]), i);
  EXPECT_EQ(*pool.release(names[42].index), 42);
  EXPECT_EQ(pool.at(names[42].index), nullptr);
  EXPECT_EQ(pool.in_use(), 99u);
}

TEST(RequestWriter, WritesOneLineWithEscapesAndParamsAsGiven) {
  std::string out;
  append_request(out, "p.1.0", "we\"ird\n", "{\"a\":\n1}");
  EXPECT_EQ(out, R"({"jsonrpc":"2.0","id":"p.1.0","method":"we\"ird\n","params":{"a": 1}})"
                 "\n");
  out.clear();
  append_request(out, "i", "m", "");
  EXPECT_EQ(out, R"({"jsonrpc":"2.0","id":"i","method":"m"})"
                 "\n");
  out.clear();
  append_json_string(out, std::string_view("\x01\\", 2));
  EXPECT_EQ(out, R"("\u0001\\")");
  out.clear();
  append_json(out, nlohmann::json{{"k", "v"}});
  EXPECT_EQ(out, R"({"k":"v"})");
}

}  // namespace
}  // namespace hivemind::mcp_detail
