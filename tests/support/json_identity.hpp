// Whether two JSON values are the same document, number types included: json's ==
// holds for unsigned 1 and signed 1 (and for 1 and 1.0), which a parser must not mix up.
#pragma once

#include <nlohmann/json.hpp>

namespace hivemind::testing {

inline bool identical(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type() || a.is_discarded() != b.is_discarded()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto left = a.begin(), right = b.begin(); left != a.end(); ++left, ++right) {
      if (left.key() != right.key() || !identical(*left, *right)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!identical(a[i], b[i])) return false;
    }
    return true;
  }
  return a.is_discarded() || a == b;
}

}  // namespace hivemind::testing
