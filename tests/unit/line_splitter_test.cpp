// LineSplitter: whole lines only, partial lines held, "\r\n", bounded line length.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/line_splitter.hpp"

using hivemind::detail::LineSplitter;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

// Feeds `chunks` in order (then finish() when `at_eof`) and returns every delivered line.
std::vector<std::string> split(std::size_t max_line_bytes, const std::vector<std::string>& chunks,
                               bool at_eof = true) {
  LineSplitter splitter(max_line_bytes);
  std::vector<std::string> lines;
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  for (const auto& chunk : chunks) splitter.feed(chunk, keep);
  if (at_eof) splitter.finish(keep);
  return lines;
}

}  // namespace

TEST(LineSplitter, DeliversWholeLinesInOrderWithoutTerminators) {
  EXPECT_THAT(split(100, {"one\ntwo\nthree\n"}), ElementsAre("one", "two", "three"));
}

TEST(LineSplitter, EmptyLinesAreContent) {
  EXPECT_THAT(split(100, {"a\n\n\nb\n"}), ElementsAre("a", "", "", "b"));
}

TEST(LineSplitter, HoldsAPartialLineUntilItsNewlineArrives) {
  LineSplitter splitter(100);
  std::vector<std::string> lines;
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  splitter.feed("first\nsec", keep);
  EXPECT_THAT(lines, ElementsAre("first"));
  EXPECT_EQ(splitter.held_bytes(), 3u);
  splitter.feed("o", keep);
  splitter.feed("nd", keep);
  EXPECT_THAT(lines, ElementsAre("first"));
  splitter.feed("\nthird\n", keep);
  EXPECT_THAT(lines, ElementsAre("first", "second", "third"));
  EXPECT_EQ(splitter.held_bytes(), 0u);
}

TEST(LineSplitter, DeliversAPartialLastLineAtEndOfStreamOnly) {
  EXPECT_THAT(split(100, {"a\nunfinished"}, /*at_eof=*/false), ElementsAre("a"));
  EXPECT_THAT(split(100, {"a\nunfinished"}), ElementsAre("a", "unfinished"));
  EXPECT_THAT(split(100, {"a\n"}), ElementsAre("a"));  // nothing held: no extra empty line
  EXPECT_THAT(split(100, {}), IsEmpty());
}

TEST(LineSplitter, ToleratesCrLfAlsoSplitAcrossChunks) {
  EXPECT_THAT(split(100, {"dos\r\nunix\nmixed\r", "\nend\r\n"}),
              ElementsAre("dos", "unix", "mixed", "end"));
  // Only the "\r" right before "\n" is a terminator.
  EXPECT_THAT(split(100, {"a\rb\n"}), ElementsAre("a\rb"));
}

TEST(LineSplitter, EveryByteBoundaryGivesTheSameLines) {
  const std::string text = "alpha\r\nbeta\n\ngamma delta\nlast";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_THAT(split(100, {text.substr(0, cut), text.substr(cut)}),
                ElementsAre("alpha", "beta", "", "gamma delta", "last"))
        << "cut at " << cut;
  }
}

TEST(LineSplitter, AnOverlongLineIsDeliveredInPiecesOfTheMaximum) {
  EXPECT_THAT(split(4, {"abcdefghij\nok\n"}), ElementsAre("abcd", "efgh", "ij", "ok"));
  // The same when the line arrives in small chunks: the held part never passes the bound.
  LineSplitter splitter(4);
  std::vector<std::string> lines;
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  for (const char c : std::string("abcdefghij")) {
    splitter.feed(std::string(1, c), keep);
    EXPECT_LE(splitter.held_bytes(), 4u);
  }
  splitter.feed("\n", keep);
  EXPECT_THAT(lines, ElementsAre("abcd", "efgh", "ij"));
}

TEST(LineSplitter, ALineOfExactlyTheMaximumIsOneLineEvenWithCrLfSplitAcrossChunks) {
  EXPECT_THAT(split(4, {"abcd\r", "\n"}), ElementsAre("abcd"));
  EXPECT_THAT(split(4, {"ab", "cd\r", "\nxy\n"}), ElementsAre("abcd", "xy"));
  EXPECT_THAT(split(4, {"abcd\r", "x\n"}), ElementsAre("abcd", "\rx"));
}

TEST(LineSplitter, PiecesDoNotCutAUtf8Sequence) {
  // "aé€" = a, C3 A9, E2 82 AC: a 4-byte cut would split the euro sign.
  EXPECT_THAT(split(4, {"a\xC3\xA9\xE2\x82\xAC\n"}), ElementsAre("a\xC3\xA9", "\xE2\x82\xAC"));
  // Without a sequence start in reach (invalid UTF-8) the cut is at the maximum.
  EXPECT_THAT(split(2, {"\x82\x82\x82\x82\n"}), ElementsAre("\x82\x82", "\x82\x82"));
}
