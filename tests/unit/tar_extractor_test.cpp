// TarExtractor: archives built here byte by byte (ustar, GNU long names, pax records), fed in
// chunks of every size, hostile entries refused, corrupt and truncated streams reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "control/tar_extractor.hpp"
#include "hivemind/common/error.hpp"

using hivemind::errc;
using hivemind::Error;
using hivemind::detail::TarExtractor;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

std::string octal(std::uintmax_t value, std::size_t width) {
  char text[32];
  std::snprintf(text, sizeof text, "%0*jo", static_cast<int>(width - 1), value);
  return std::string(text, width - 1) + '\0';
}

// One header block and its padded data, as GNU tar writes them.
std::string entry(const std::string& name, char type, const std::string& data = {},
                  bool posix = false) {
  std::string header(512, '\0');
  header.replace(0, std::min<std::size_t>(name.size(), 100), name.substr(0, 100));
  header.replace(100, 8, octal(0644, 8));
  header.replace(124, 12, octal(data.size(), 12));
  header.replace(136, 12, octal(0, 12));
  header[156] = type;
  header.replace(257, 8,
                 posix ? std::string("ustar\0"
                                     "00",
                                     8)
                       : std::string("ustar  \0", 8));
  header.replace(148, 8, std::string(8, ' '));
  unsigned sum = 0;
  for (const unsigned char c : header) sum += c;
  header.replace(148, 7, octal(sum, 7));
  std::string padded = data;
  padded.resize((data.size() + 511) / 512 * 512, '\0');
  return header + padded;
}

std::string end_of_archive() {
  return std::string(1024, '\0');
}

std::string pax(const std::string& key, const std::string& value) {
  // "LEN key=value\n", LEN counting itself.
  const auto body = " " + key + "=" + value + "\n";
  auto length = body.size() + 1;
  while (std::to_string(length).size() + body.size() != length) ++length;
  return std::to_string(length) + body;
}

class TarExtractorTest : public ::testing::Test {
 protected:
  TarExtractorTest() { fs::create_directories(root / "staging"); }
  ~TarExtractorTest() override { fs::remove_all(root); }

  // Feeds the archive in chunks of `chunk` bytes.
  TarExtractor& extract(const std::string& archive, std::size_t chunk = 4096) {
    for (std::size_t at = 0; at < archive.size(); at += chunk) {
      extractor.feed(std::string_view(archive).substr(at, chunk));
    }
    extractor.finish();
    return extractor;
  }
  std::string content(const fs::path& relative) const {
    std::ifstream in(root / "staging" / relative, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path root =
      fs::temp_directory_path() / ("tar-extractor-" + std::to_string(std::random_device{}()));
  TarExtractor extractor{root / "staging"};
};

TEST_F(TarExtractorTest, RegularFilesAndDirectoriesArriveWhateverTheChunkSize) {
  const std::string big(70'000, 'x');
  const auto archive = entry("./", '5') + entry("./result.md", '0', "# done\n") +
                       entry("./data/", '5') + entry("./data/output-0.json", '0', big) +
                       entry("./empty", '0') + end_of_archive() + std::string(8192, '\0');
  for (const std::size_t chunk : {1U, 7U, 511U, 512U, 513U, 65536U}) {
    fs::remove_all(root / "staging");
    fs::create_directories(root / "staging");
    TarExtractor fresh(root / "staging");
    for (std::size_t at = 0; at < archive.size(); at += chunk) {
      fresh.feed(std::string_view(archive).substr(at, chunk));
    }
    fresh.finish();
    EXPECT_EQ(content("result.md"), "# done\n") << chunk;
    EXPECT_EQ(content("data/output-0.json"), big) << chunk;
    EXPECT_TRUE(fs::is_regular_file(root / "staging" / "empty")) << chunk;
    EXPECT_TRUE(fresh.skipped().empty()) << chunk;
  }
}

TEST_F(TarExtractorTest, LongNamesFromGnuAndPaxHeadersAndUstarPrefixes) {
  const std::string deep = "./" + std::string(120, 'd') + "/file.txt";
  const std::string pax_name = "./" + std::string(150, 'p') + ".json";
  auto posix_split = entry("name.txt", '0', "split", true);
  posix_split.replace(345, 6, "prefix");  // ustar: prefix "/" name
  posix_split.replace(148, 8, std::string(8, ' '));
  unsigned sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(posix_split[i]);
  posix_split.replace(148, 7, octal(sum, 7));

  extract(entry("././@LongLink", 'L', deep + '\0') + entry(deep.substr(0, 100), '0', "gnu") +
          entry("PaxHeader", 'x', pax("path", pax_name)) + entry("truncated", '0', "pax") +
          posix_split + end_of_archive());
  EXPECT_EQ(content(deep), "gnu");
  EXPECT_EQ(content(pax_name), "pax");
  EXPECT_EQ(content("prefix/name.txt"), "split");
  EXPECT_FALSE(fs::exists(root / "staging" / "truncated"));
}

TEST_F(TarExtractorTest, LinksDevicesAndNamesLeavingTheRootAreSkippedAndNothingIsWrittenOutside) {
  extract(entry("../escaped", '0', "no") + entry("/etc/absolute", '0', "no") +
          entry("./sub/../../up", '0', "no") + entry("./link", '2') + entry("./hard", '1') +
          entry("./fifo", '6') + entry("./kept", '0', "yes") + end_of_archive());
  EXPECT_EQ(content("kept"), "yes");
  EXPECT_FALSE(fs::exists(root / "escaped"));
  EXPECT_FALSE(fs::exists(root / "up"));
  std::vector<std::string> reasons;
  for (const auto& skipped : extractor.skipped()) {
    reasons.push_back(skipped.relative_path.string() + ": " + skipped.reason);
  }
  EXPECT_THAT(reasons, ::testing::ElementsAre(HasSubstr("../escaped: refused: a name with '..'"),
                                              HasSubstr("/etc/absolute: refused: an absolute name"),
                                              HasSubstr("refused: a name with '..'"),
                                              "link: not a regular file: a symbolic link",
                                              "hard: not a regular file: a hard link",
                                              "fifo: not a regular file: a FIFO"));
  // Only the one regular file was created under the root.
  std::size_t created = 0;
  for (const auto& item : fs::recursive_directory_iterator(root)) created += item.is_regular_file();
  EXPECT_EQ(created, 1U);
}

TEST_F(TarExtractorTest, AWrongChecksumIsAProtocolError) {
  auto archive = entry("./file", '0', "data") + end_of_archive();
  archive[0] = 'X';  // the name changed, the checksum did not
  try {
    extract(archive);
    FAIL() << "expected protocol_error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::protocol_error);
    EXPECT_THAT(e.what(), HasSubstr("checksum"));
  }
}

TEST_F(TarExtractorTest, AStreamCutShortIsAProtocolErrorNamingTheEntry) {
  const auto archive = entry("./result.md", '0', std::string(2000, 'r')) + end_of_archive();
  for (const std::size_t cut : {std::size_t{100}, std::size_t{1000}, std::size_t{2560}}) {
    TarExtractor fresh(root / "staging");
    fresh.feed(std::string_view(archive).substr(0, cut));
    try {
      fresh.finish();
      FAIL() << "expected protocol_error at " << cut;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), errc::protocol_error) << cut;
      EXPECT_THAT(e.what(), HasSubstr(cut == 1000 ? "inside result.md" : "end-of-archive")) << cut;
    }
  }
}

}  // namespace
