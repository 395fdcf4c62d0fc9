// Field access for the tolerant model parsers: extra fields are ignored,
// missing required ones fail with a protocol_error that names the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {

template <class T>
T required_field(const nlohmann::json& object, const char* key, std::string_view document) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    throw Error(errc::protocol_error,
                std::string(document) + " lacks required field '" + key + "'");
  }
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(errc::protocol_error,
                std::string(document) + " field '" + key + "' has the wrong type: " + it->dump());
  } catch (const Error& nested) {  // a model's own parser rejected the value
    throw Error(nested.code(), std::string(document) + " field '" + key + "': " + nested.what());
  }
}

// Absent or null yields nullopt; a present value of the wrong type still fails.
template <class T>
std::optional<T> optional_field(const nlohmann::json& object, const char* key,
                                std::string_view document) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return required_field<T>(object, key, document);
}

inline void require_object(const nlohmann::json& value, std::string_view document) {
  if (!value.is_object()) {
    throw Error(errc::protocol_error,
                std::string(document) + " is not a JSON object: " + value.dump().substr(0, 200));
  }
}

}  // namespace hivemind::detail
