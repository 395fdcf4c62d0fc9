// Tolerant field access for the MCP models: the first present key among its
// spellings wins, and a value of the wrong type leaves the default in place
// rather than failing the whole payload.
#pragma once

#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hivemind::mcp_detail {

template <class T>
void read_field(const nlohmann::json& object, T& out, std::initializer_list<const char*> keys) {
  if (!object.is_object()) return;
  for (const char* key : keys) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) continue;
    try {
      out = it->template get<T>();
    } catch (const nlohmann::json::exception&) {
      // Wrong type: keep the default (documented tolerance).
    }
    return;
  }
}

// Text of a field whatever its JSON type (ids are strings in one source, numbers in another).
inline void read_text(const nlohmann::json& object, std::string& out,
                      std::initializer_list<const char*> keys) {
  if (!object.is_object()) return;
  for (const char* key : keys) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) continue;
    out = it->is_string() ? it->template get<std::string>() : it->dump();
    return;
  }
}

}  // namespace hivemind::mcp_detail
