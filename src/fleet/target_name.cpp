#include "fleet/target_name.hpp"

#include <string>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace {

bool is_allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._:/@-").find(c) != std::string_view::npos;
}

[[noreturn]] void refuse(std::string_view name, std::string_view why) {
  throw Error(errc::invalid_argument,
              "fleet target name \"" + std::string(name) + "\" " + std::string(why));
}

}  // namespace

void validate_target_name(std::string_view name) {
  if (name.empty()) refuse(name, "is empty");
  if (name.size() > 200) refuse(name.substr(0, 40), "is longer than 200 characters");
  for (const char c : name) {
    if (!is_allowed(c)) refuse(name, "holds a character outside [A-Za-z0-9._:/@-]");
  }
  if (name.front() == '/' || name.back() == '/') refuse(name, "starts or ends with '/'");
  // Each '/'-separated part becomes a directory: none may climb out or be empty.
  std::string_view rest = name;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") refuse(name, "has an empty, . or .. part");
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
}

}  // namespace hivemind::detail
