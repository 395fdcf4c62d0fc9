#include "mock_backend.hpp"

namespace hivemind::testing {
namespace {

using nlohmann::json;

constexpr const char* kTimestamp = "2025-10-05T19:45:00.000Z";

json error_body(int code, const std::string& message) {
  return json{{"code", code}, {"message", message}};
}

// What the deployed backend wraps every tool payload in.
json mcp_text_result(const json& payload) {
  return json{{"content", json::array({json{{"type", "text"}, {"text", payload.dump(2)}}})}};
}

}  // namespace

void MockBackend::fail_next_call(const std::string& tool, const std::string& message) {
  failing_tools_[tool] = message;
}

json MockBackend::handle(const json& request) {
  const std::string method = request.value("method", "");
  const bool has_id = request.contains("id") && !request["id"].is_null();
  if (!has_id) {
    // Notifications get an id-less error, which the relay broadcasts to everyone.
    return json{{"jsonrpc", "2.0"}, {"error", error_body(-32601, "Method not found")}};
  }
  json response{{"jsonrpc", "2.0"}, {"id", request["id"]}};
  const json params = request.value("params", json::object());
  if (method == "tools/list") {
    response["result"] = tools_list();
  } else if (method == "tools/call") {
    const std::string name = params.value("name", "");
    if (!params.contains("arguments") || !params["arguments"].is_object()) {
      response["error"] = error_body(-32602, "Invalid params: arguments required");
    } else if (auto failing = failing_tools_.find(name); failing != failing_tools_.end()) {
      response["error"] = error_body(-32000, "Tool execution failed");
      response["error"]["data"] = failing->second;
      failing_tools_.erase(failing);
    } else if (documented_session_tools_ &&
               (name == "session_metrics" || name == "session_status" || name == "session_agents" ||
                name == "swarm_list")) {
      response["result"] = documented_session_tool(name, params["arguments"]);
    } else {
      response["result"] = mcp_text_result(call_tool(name, params["arguments"]));
    }
  } else if (method == "resources/list") {
    response["result"] = json{{"resources", json::array()}};
  } else {
    response["error"] = error_body(-32601, "Method not found");
  }
  return response;
}

json MockBackend::tools_list() const {
  json tools = json::array();
  for (const char* name :
       {"swarm_init", "agent_spawn", "agent_list", "swarm_status", "task_orchestrate",
        "task_status", "memory_usage", "agent_metrics", "swarm_monitor"}) {
    tools.push_back(json{{"name", name},
                         {"description", std::string("mock ") + name},
                         {"inputSchema", json{{"type", "object"}}}});
  }
  if (documented_session_tools_) {
    for (const char* name : {"session_metrics", "session_status", "session_agents", "swarm_list"}) {
      tools.push_back(json{{"name", name}, {"description", "documented"}, {"inputSchema", {}}});
    }
  }
  return json{{"tools", tools}};
}

json MockBackend::call_tool(const std::string& name, const json& arguments) {
  const std::string serial = std::to_string(next_serial_++);
  if (name == "swarm_init") {
    active_swarm_ = "swarm_" + serial;
    topology_ = arguments.value("topology", "hierarchical");
    agents_.clear();
    tasks_.clear();
    return json{{"success", true},
                {"swarmId", active_swarm_},
                {"topology", topology_},
                {"maxAgents", arguments.value("maxAgents", 8)},
                {"strategy", arguments.value("strategy", "auto")},
                {"status", "initialized"},
                {"timestamp", kTimestamp}};
  }
  if (name == "agent_spawn") {
    json agent{{"id", "agent_" + serial},
               {"name", arguments.value("name", "agent-" + serial)},
               {"type", arguments.value("type", "worker")},
               {"status", "active"},
               {"capabilities", arguments.value("capabilities", json::array())}};
    agents_.push_back(agent);
    return json{{"success", true},        {"agentId", agent["id"]},
                {"type", agent["type"]},  {"name", agent["name"]},
                {"status", "active"},     {"capabilities", agent["capabilities"]},
                {"timestamp", kTimestamp}};
  }
  if (name == "agent_list") {
    return json{{"success", true},
                {"swarmId", arguments.value("swarmId", active_swarm_)},
                {"agents", agents_},
                {"count", agents_.size()},
                {"timestamp", kTimestamp}};
  }
  if (name == "swarm_status") {
    if (active_swarm_.empty()) return json{{"success", false}, {"error", "No active swarm found"}};
    return json{{"success", true},
                {"swarmId", active_swarm_},
                {"topology", topology_},
                {"agentCount", agents_.size()},
                {"activeAgents", agents_.size()},
                {"taskCount", tasks_.size()},
                {"pendingTasks", tasks_.size()},
                {"completedTasks", 0},
                {"timestamp", kTimestamp}};
  }
  if (name == "task_orchestrate") {
    json task{{"success", true},
              {"taskId", "task_" + serial},
              {"task", arguments.value("task", "")},
              {"strategy", arguments.value("strategy", "parallel")},
              {"priority", arguments.value("priority", "medium")},
              {"status", "pending"},
              {"timestamp", kTimestamp}};
    tasks_.push_back(task);
    return task;
  }
  if (name == "task_status") {
    const std::string id = arguments.value("taskId", "");
    for (const auto& task : tasks_) {
      if (task["taskId"] == id) return task;
    }
    return json{{"success", true}, {"tasks", tasks_}, {"timestamp", kTimestamp}};
  }
  if (name == "memory_usage") {
    const std::string action = arguments.value("action", "retrieve");
    const std::string key =
        arguments.value("namespace", "default") + "/" + arguments.value("key", "");
    if (action == "store") {
      memory_[key] = arguments.value("value", json());
      return json{{"success", true}, {"action", "store"}, {"key", arguments.value("key", "")}};
    }
    const auto found = memory_.find(key);
    return json{{"success", true},
                {"action", action},
                {"key", arguments.value("key", "")},
                {"found", found != memory_.end()},
                {"value", found != memory_.end() ? found->second : json()}};
  }
  // The deployed backend's answer to any tool it does not implement.
  return json{{"success", true},
              {"tool", name},
              {"message", "Tool " + name + " executed successfully"},
              {"timestamp", kTimestamp}};
}

// The docs' shapes (snake_case), returned directly as `result`.
json MockBackend::documented_session_tool(const std::string& name, const json& arguments) {
  const std::string session = arguments.value("session_id", "");
  if (name == "session_metrics") {
    return json{
        {"session_id", session},
        {"swarm_id", "swarm-of-" + session},
        {"agents",
         json::array({json{
             {"agent_id", "a1"},
             {"type", "coder"},
             {"status", "busy"},
             {"performance", {{"cpu_usage", 12.5}, {"memory_mb", 256}, {"tasks_completed", 3}}}}})},
        {"tasks", {{"total", 5}, {"completed", 3}, {"active", 2}}},
        {"performance", {{"cpu_usage", 40.0}, {"memory_mb", 512}}},
        {"unmodelled_extra", true}};
  }
  if (name == "session_status") {
    return json{{"session_id", session},
                {"status", "running"},
                {"swarm_id", "swarm-of-" + session},
                {"uptime_seconds", 42},
                {"last_activity", kTimestamp}};
  }
  if (name == "session_agents") {
    return json{
        {"agents", json::array({json{{"agent_id", "a1"},
                                     {"type", "coder"},
                                     {"role", "worker"},
                                     {"status", "busy"},
                                     {"position", {{"x", 1.0}, {"y", 2.0}, {"z", 3.0}}},
                                     {"connections", {"a2"}},
                                     {"current_task", "t1"}}})},
        {"topology", {{"total_agents", 1}, {"agent_types", {{"coder", 1}}}, {"connections", 1}}}};
  }
  return json{
      {"swarms", json::array({json{{"swarm_id", "s1"},
                                   {"session_id", "sess-1"},
                                   {"status", "active"},
                                   {"agents", 4},
                                   {"tasks", {{"total", 2}, {"completed", 1}, {"active", 1}}}}})},
      {"total_swarms", 1},
      {"total_agents", 4}};
}

}  // namespace hivemind::testing
