// LineFramer, both policies: protocol (empty lines skipped, an overlong line breaks the
// stream) and text (empty lines are content, an overlong line is delivered in pieces).
#include "common/line_framer.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hivemind::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct Collected {
  std::vector<std::string> lines;
  LineFramer::LineHandler handler() {
    return [this](std::string_view line) { lines.emplace_back(line); };
  }
};

TEST(LineFramerProtocol, SplitsManyLinesInOneChunk) {
  LineFramer framer(LineFramer::protocol(1024));
  Collected out;
  EXPECT_TRUE(framer.feed("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"));
  EXPECT_EQ(framer.buffered_size(), 0u);
}

TEST(LineFramerProtocol, JoinsALineSplitAcrossChunksOneByteAtATime) {
  LineFramer framer(LineFramer::protocol(1024));
  Collected out;
  const std::string text = "{\"id\":\"x-1\",\"result\":{}}\n{\"second\":true}\n";
  for (char byte : text) ASSERT_TRUE(framer.feed(std::string_view(&byte, 1), out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("{\"id\":\"x-1\",\"result\":{}}", "{\"second\":true}"));
}

TEST(LineFramerProtocol, StripsCarriageReturnsAndSkipsEmptyLines) {
  LineFramer framer(LineFramer::protocol(1024));
  Collected out;
  EXPECT_TRUE(framer.feed("one\r\n\r\n\ntwo\r", out.handler()));
  EXPECT_TRUE(framer.feed("\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("one", "two"));
}

TEST(LineFramerProtocol, KeepsAnUnterminatedTailForTheNextChunk) {
  LineFramer framer(LineFramer::protocol(1024));
  Collected out;
  EXPECT_TRUE(framer.feed("complete\npart", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("complete"));
  EXPECT_EQ(framer.buffered_size(), 4u);
  EXPECT_TRUE(framer.feed("ial\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("complete", "partial"));
}

TEST(LineFramerProtocol, ALineOfExactlyTheMaximumPasses) {
  LineFramer framer(LineFramer::protocol(8));
  Collected out;
  EXPECT_TRUE(framer.feed("12345678\r\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("12345678"));
}

TEST(LineFramerProtocol, ACompleteLineOverTheMaximumFailsTheStream) {
  LineFramer framer(LineFramer::protocol(8));
  Collected out;
  EXPECT_FALSE(framer.feed("ok\n123456789\nlater\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("ok"));
  EXPECT_TRUE(framer.overflowed());
  EXPECT_FALSE(framer.feed("more\n", out.handler()));
  EXPECT_THAT(out.lines, ElementsAre("ok"));
}

TEST(LineFramerProtocol, AnUnterminatedLineIsNotBufferedBeyondTheMaximum) {
  LineFramer framer(LineFramer::protocol(16));
  Collected out;
  EXPECT_TRUE(framer.feed("0123456789", out.handler()));
  EXPECT_FALSE(framer.feed("0123456789", out.handler()));  // 20 bytes, no newline yet
  EXPECT_EQ(framer.buffered_size(), 0u);
  EXPECT_TRUE(out.lines.empty());
}

TEST(LineFramerProtocol, NothingComesOutAfterTheStreamBroke) {
  LineFramer framer(LineFramer::protocol(4));
  Collected out;
  EXPECT_FALSE(framer.feed("toolong\nok\n", out.handler()));
  EXPECT_FALSE(framer.feed("ok\n", out.handler()));
  framer.finish(out.handler());
  EXPECT_TRUE(framer.overflowed());
  EXPECT_TRUE(out.lines.empty());
}

// Feeds `chunks` in order (then finish() when `at_eof`) and returns every delivered line.
std::vector<std::string> split(std::size_t max_line_bytes, const std::vector<std::string>& chunks,
                               bool at_eof = true) {
  LineFramer framer(LineFramer::text(max_line_bytes));
  std::vector<std::string> lines;
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  for (const auto& chunk : chunks) framer.feed(chunk, keep);
  if (at_eof) framer.finish(keep);
  return lines;
}

TEST(LineFramerText, DeliversWholeLinesInOrderWithoutTerminators) {
  EXPECT_THAT(split(100, {"one\ntwo\nthree\n"}), ElementsAre("one", "two", "three"));
}

TEST(LineFramerText, EmptyLinesAreContent) {
  EXPECT_THAT(split(100, {"a\n\n\nb\n"}), ElementsAre("a", "", "", "b"));
}

TEST(LineFramerText, HoldsAPartialLineUntilItsNewlineArrives) {
  LineFramer framer(LineFramer::text(100));
  std::vector<std::string> lines;
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  framer.feed("first\nsec", keep);
  EXPECT_THAT(lines, ElementsAre("first"));
  EXPECT_EQ(framer.buffered_size(), 3u);
  framer.feed("o", keep);
  framer.feed("nd", keep);
  EXPECT_THAT(lines, ElementsAre("first"));
  framer.feed("\nthird\n", keep);
  EXPECT_THAT(lines, ElementsAre("first", "second", "third"));
  EXPECT_EQ(framer.buffered_size(), 0u);
}

TEST(LineFramerText, DeliversAPartialLastLineAtEndOfStreamOnly) {
  EXPECT_THAT(split(100, {"a\nunfinished"}, /*at_eof=*/false), ElementsAre("a"));
  EXPECT_THAT(split(100, {"a\nunfinished"}), ElementsAre("a", "unfinished"));
  EXPECT_THAT(split(100, {"a\n"}), ElementsAre("a"));  // nothing held: no extra empty line
  EXPECT_THAT(split(100, {}), IsEmpty());
}

TEST(LineFramerText, ToleratesCrLfAlsoSplitAcrossChunks) {
  EXPECT_THAT(split(100, {"dos\r\nunix\nmixed\r", "\nend\r\n"}),
              ElementsAre("dos", "unix", "mixed", "end"));
  // Only the "\r" right before "\n" is a terminator.
  EXPECT_THAT(split(100, {"a\rb\n"}), ElementsAre("a\rb"));
}

TEST(LineFramerText, EveryByteBoundaryGivesTheSameLines) {
  const std::string text = "alpha\r\nbeta\n\ngamma delta\nlast";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_THAT(split(100, {text.substr(0, cut), text.substr(cut)}),
                ElementsAre("alpha", "beta", "", "gamma delta", "last"))
        << "cut at " << cut;
  }
}

TEST(LineFramerText, AnOverlongLineIsDeliveredInPiecesOfTheMaximum) {
  EXPECT_THAT(split(4, {"abcdefghij\nok\n"}), ElementsAre("abcd", "efgh", "ij", "ok"));
  // The same when the line arrives in small chunks: the held part never passes the bound.
  LineFramer framer(LineFramer::text(4));
  std::vector<std::string> lines;
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  for (const char c : std::string("abcdefghij")) {
    framer.feed(std::string(1, c), keep);
    EXPECT_LE(framer.buffered_size(), 4u);
  }
  framer.feed("\n", keep);
  EXPECT_THAT(lines, ElementsAre("abcd", "efgh", "ij"));
}

TEST(LineFramerText, ALineOfExactlyTheMaximumIsOneLineEvenWithCrLfSplitAcrossChunks) {
  EXPECT_THAT(split(4, {"abcd\r", "\n"}), ElementsAre("abcd"));
  EXPECT_THAT(split(4, {"ab", "cd\r", "\nxy\n"}), ElementsAre("abcd", "xy"));
  EXPECT_THAT(split(4, {"abcd\r", "x\n"}), ElementsAre("abcd", "\rx"));
}

TEST(LineFramerText, PiecesDoNotCutAUtf8Sequence) {
  // "aé€" = a, C3 A9, E2 82 AC: a 4-byte cut would split the euro sign.
  EXPECT_THAT(split(4, {"a\xC3\xA9\xE2\x82\xAC\n"}), ElementsAre("a\xC3\xA9", "\xE2\x82\xAC"));
  // Without a sequence start in reach (invalid UTF-8) the cut is at the maximum.
  EXPECT_THAT(split(2, {"\x82\x82\x82\x82\n"}), ElementsAre("\x82\x82", "\x82\x82"));
}

}  // namespace
}  // namespace hivemind::detail
