// read_json against nlohmann's parser: for every input the same document, number types
// included, or both reject it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_reader.hpp"
#include "fuzz_check.hpp"
#include "support/json_identity.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json expected = nlohmann::json::parse(text, nullptr, false);
  FUZZ_CHECK(hivemind::testing::identical(hivemind::detail::read_json(text), expected));
  return 0;
}
