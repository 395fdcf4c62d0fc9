// A JSON reader for the hot paths: the same answer as nlohmann's parser with a fraction
// of its heap allocations. nlohmann's lexer grows a token buffer and copies every string
// out of it, and its DOM builder keeps two stacks; this one builds each value in place,
// so a parse allocates only what the resulting tree holds.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace hivemind::detail {

// `text` parsed as nlohmann::json::parse(text, nullptr, false) parses it: the same value,
// the same number types (unsigned, signed, float), the last of duplicate keys, and a
// discarded value for what that parser rejects. Input it does not read itself (\u
// escapes, nesting deeper than 64, a byte-order mark, anything malformed) goes to
// nlohmann's parser, so the two cannot disagree.
nlohmann::json read_json(std::string_view text);

}  // namespace hivemind::detail
