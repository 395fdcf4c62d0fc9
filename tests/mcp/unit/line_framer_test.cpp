#include "common/line_framer.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hivemind::mcp_detail {
namespace {

using ::testing::ElementsAre;

struct Collected {
  std::vector<std::string> lines;
  LineFramer::LineHandler handler() {
    return [this](std::string_view line) { lines.emplace_back(line); };
  }
};

TEST(LineFramer, SplitsManyLinesInOneChunk) {
  LineFramer framer(1024);
  Collected out;
  EXPECT_TRUE(framer.feed("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"));
  EXPECT_EQ(framer.buffered_size(), 0u);
}

TEST(LineFramer, JoinsALineSplitAcrossChunksOneByteAtATime) {
  LineFramer framer(1024);
  Collected out;
  const std::string text = "{\"id\":\"x-1\",\"result\":{}}\n{\"second\":true}\n";
  for (char byte : text) ASSERT_TRUE(framer.feed(std::string_view(&byte, 1), out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("{\"id\":\"x-1\",\"result\":{}}", "{\"second\":true}"));
}

TEST(LineFramer, StripsCarriageReturnsAndSkipsEmptyLines) {
  LineFramer framer(1024);
  Collected out;
  EXPECT_TRUE(framer.feed("one\r\n\r\n\ntwo\r", out.handler()));
  EXPECT_TRUE(framer.feed("\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("one", "two"));
}

TEST(LineFramer, KeepsAnUnterminatedTailForTheNextChunk) {
  LineFramer framer(1024);
  Collected out;
  EXPECT_TRUE(framer.feed("complete\npart", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("complete"));
  EXPECT_EQ(framer.buffered_size(), 4u);
  EXPECT_TRUE(framer.feed("ial\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("complete", "partial"));
}

TEST(LineFramer, ALineOfExactlyTheMaximumPasses) {
  LineFramer framer(8);
  Collected out;
  EXPECT_TRUE(framer.feed("12345678\r\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("12345678"));
}

TEST(LineFramer, ACompleteLineOverTheMaximumFailsTheStream) {
  LineFramer framer(8);
  Collected out;
  EXPECT_FALSE(framer.feed("ok\n123456789\nlater\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("ok"));
  EXPECT_TRUE(framer.overflowed());
  EXPECT_FALSE(framer.feed("more\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("ok"));
}

TEST(LineFramer, AnUnterminatedLineIsNotBufferedBeyondTheMaximum) {
  LineFramer framer(16);
  Collected out;
  EXPECT_TRUE(framer.feed("0123456789", out.handler()));
  EXPECT_FALSE(framer.feed("0123456789", out.handler()));  // 20 bytes, no newline yet
  EXPECT_EQ(framer.buffered_size(), 0u);
  EXPECT_TRUE(out.lines.empty());
}

}  // namespace
}  // namespace hivemind::mcp_detail
