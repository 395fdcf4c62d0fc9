// Argument checks: a task that encode_task accepts reads back, inside the JSON string
// the container's here-document writes, as exactly the task (with ' replaced when the
// policy says so), and holds nothing that could end the shell's single quotes; a UUID
// accepted is canonical; validation refuses only with invalid_argument.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/input_validation.hpp"
#include "fuzz_check.hpp"
#include "hivemind/common/error.hpp"

namespace {

using namespace hivemind;
using namespace hivemind::detail;

// Refusals must be typed: hivemind::Error(invalid_argument), nothing else.
constexpr errc kRefusal = errc::invalid_argument;

std::string replace_single_quotes(std::string_view task) {
  std::string out;
  for (const char c : task) {
    if (c == '\'') {
      out += "\xE2\x80\x99";
    } else {
      out += c;
    }
  }
  return out;
}

void check_task(std::string_view task, SingleQuotePolicy policy) {
  std::string encoded;
  if (!succeeds_or_throws(kRefusal, [&] { encoded = encode_task(task, policy); })) return;
  FUZZ_CHECK(!task.empty() && task.size() <= kMaxTaskBytes);
  FUZZ_CHECK(encoded.find('\'') == std::string::npos);
  FUZZ_CHECK(encoded.find('\0') == std::string::npos);
  FUZZ_CHECK(encoded.find('\n') == std::string::npos);
  if (policy == SingleQuotePolicy::reject) FUZZ_CHECK(task.find('\'') == std::string_view::npos);
  const auto document = nlohmann::json::parse("\"" + encoded + "\"", nullptr, false);
  FUZZ_CHECK(document.is_string());
  FUZZ_CHECK(document.get<std::string>() == replace_single_quotes(task));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_task(input, SingleQuotePolicy::reject);
  check_task(input, SingleQuotePolicy::replace_with_typographic);

  if (succeeds_or_throws(kRefusal, [&] { validate_uuid(input); })) {
    FUZZ_CHECK(is_canonical_uuid(input));
    FUZZ_CHECK(input.size() == 36);
    FUZZ_CHECK(input.find_first_not_of("0123456789abcdefABCDEF-") == std::string_view::npos);
  }
  if (succeeds_or_throws(kRefusal, [&] { validate_status_text(input); })) {
    FUZZ_CHECK(input.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") ==
               std::string_view::npos);
  }
  // Start arguments: the input split at NUL bytes, as a caller's argv would be.
  std::vector<std::string> args;
  for (std::size_t start = 0; start <= input.size();) {
    const auto end = std::min(input.find('\0', start), input.size());
    args.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  if (succeeds_or_throws(kRefusal, [&] { validate_start_args(args); })) {
    for (const auto& arg : args) {
      FUZZ_CHECK(!arg.empty());
      FUZZ_CHECK(arg.find_first_of(" \t\n'\"`$;&|<>()\\*?![]{}~#") == std::string::npos);
    }
  }
  return 0;
}
