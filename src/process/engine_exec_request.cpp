#include "process/engine_exec_request.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "process/exec_token.hpp"

namespace hivemind::detail {
namespace {

// The value of a flag given as "-u dev", "-udev", "--user dev" or "--user=dev", consuming
// the next argument when needed; false when `args[i]` is not that flag.
bool take_flag_value(const std::vector<std::string>& args, std::size_t& i,
                     std::string_view short_flag, std::string_view long_flag, std::string& value) {
  const std::string_view arg = args[i];
  if (arg == short_flag || arg == long_flag) {
    if (i + 1 >= args.size()) {
      throw Error(errc::invalid_argument, "exec argument '" + std::string(arg) + "' needs a value");
    }
    value = args[++i];
    return true;
  }
  if (arg.size() > short_flag.size() && arg.starts_with(short_flag) && !arg.starts_with("--")) {
    value = std::string(arg.substr(short_flag.size()));
    return true;
  }
  if (arg.size() > long_flag.size() + 1 && arg.starts_with(long_flag) &&
      arg[long_flag.size()] == '=') {
    value = std::string(arg.substr(long_flag.size() + 1));
    return true;
  }
  return false;
}

std::string environment_entry(const std::string& given) {
  if (given.find('=') != std::string::npos) return given;
  const char* value = std::getenv(given.c_str());
  return value ? given + "=" + value : std::string();
}

}  // namespace

EngineExecRequest engine_exec_request(const ClientOptions& options, bool detach,
                                      std::vector<std::string> command, std::string_view token) {
  EngineExecRequest request;
  request.container = options.container;
  request.command = std::move(command);
  request.detach = detach;
  request.max_output_bytes = options.max_output_bytes;
  const auto& args = options.exec_args;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string value;
    if (take_flag_value(args, i, "-u", "--user", request.user) ||
        take_flag_value(args, i, "-w", "--workdir", request.working_dir)) {
      continue;
    }
    if (take_flag_value(args, i, "-e", "--env", value)) {
      if (auto entry = environment_entry(value); !entry.empty()) {
        request.environment.push_back(std::move(entry));
      }
      continue;
    }
    if (args[i] == "--privileged") {
      request.privileged = true;
      continue;
    }
    throw Error(errc::invalid_argument,
                "exec argument '" + args[i] +
                    "' is not supported by the Engine API transport (it takes -u, -w, -e and "
                    "--privileged); use ContainerTransport::cli to pass CLI flags through");
  }
  if (!token.empty()) {
    request.environment.push_back(exec_token_assignment(token));
  }
  return request;
}

std::string exec_create_body(const EngineExecRequest& request) {
  nlohmann::json body{
      {"AttachStdin", false}, {"AttachStdout", !request.detach},  {"AttachStderr", !request.detach},
      {"Tty", false},         {"Privileged", request.privileged}, {"Cmd", request.command}};
  if (!request.environment.empty()) body["Env"] = request.environment;
  if (!request.user.empty()) body["User"] = request.user;
  if (!request.working_dir.empty()) body["WorkingDir"] = request.working_dir;
  return body.dump();
}

Error engine_refusal(int http_status, std::string_view body, const std::string& what,
                     ErrorContext context) {
  std::string message;
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    message = parsed["message"].get<std::string>();
  } else {
    message = std::string(body.substr(0, 500));
  }
  context.stderr_text = message;
  const bool unavailable = http_status == 404 || http_status == 409;
  return Error(
      unavailable ? errc::container_unavailable : errc::docker_exec_failed,
      what + ": Error response from daemon (HTTP " + std::to_string(http_status) + "): " + message,
      std::move(context));
}

}  // namespace hivemind::detail
