// Field access for the JSON the SDK reads, in two flavours:
//  - strict (required_field, optional_field, require_object), for the control plane's
//    documents: extra fields are ignored, a missing or mistyped required field fails with a
//    protocol_error that names the document and the field;
//  - tolerant (read_field, read_text), for the MCP and telemetry payloads whose producers
//    disagree on spellings: the first present key among its spellings wins, and a value of
//    the wrong type leaves the default in place rather than failing the whole payload.
#pragma once

#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {

template <class T>
struct is_string_map : std::false_type {};
template <class Value>
struct is_string_map<std::map<std::string, Value>> : std::true_type {};

// nlohmann converts a float to an integer with a plain cast, which is undefined
// behaviour when the value is out of range (`"count": 1e300`; fuzz/fuzz_tool_payload
// reports it under UBSan).
// Such a value counts as a wrong type.
template <class T>
bool converts_safely(const nlohmann::json& value) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (!value.is_number_float()) return true;
    const double number = value.get<double>();
    const double limit = std::ldexp(1.0, std::numeric_limits<T>::digits);
    return number < limit && (std::is_signed_v<T> ? number >= -limit : number > -1.0);
  } else if constexpr (is_string_map<T>::value) {
    for (const auto& element : value) {
      if (!converts_safely<typename T::mapped_type>(element)) return false;
    }
    return true;
  } else {
    return true;
  }
}

template <class T>
void read_field(const nlohmann::json& object, T& out, std::initializer_list<const char*> keys) {
  if (!object.is_object()) return;
  for (const char* key : keys) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) continue;
    if (!converts_safely<T>(*it)) return;  // keep the default, as for a wrong type
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

template <class T>
T required_field(const nlohmann::json& object, const char* key, std::string_view document) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    throw Error(errc::protocol_error,
                std::string(document) + " lacks required field '" + key + "'");
  }
  const auto wrong_type = [&] {
    return Error(errc::protocol_error,
                 std::string(document) + " field '" + key + "' has the wrong type: " + it->dump());
  };
  if (!converts_safely<T>(*it)) throw wrong_type();
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    throw wrong_type();
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
