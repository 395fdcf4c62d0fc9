// metrics and tools: the MCP data plane.
#include <sstream>

#include "commands.hpp"

namespace hivectl {
namespace {

std::string number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void add_metrics(CLI::App& app, Context& context) {
  auto session_id = std::make_shared<std::string>();
  auto* metrics = app.add_subcommand(
      "metrics", "A session's metrics from the MCP relay (the documented session_metrics tool)");
  metrics->add_option("session_id", *session_id, "Session UUID")->required();
  metrics->callback([&context, session_id] {
    auto& mcp = context.mcp();
    const auto result = context.run(mcp.get_executor(), [&](auto token) {
      return mcp.async_query_session_metrics(*session_id, token);
    });
    context.output().document(result.raw);
    const auto& tasks = result.tasks;
    const auto& performance = result.performance;
    context.output().table(
        {"METRIC", "VALUE"},
        {{"session", result.session_id.empty() ? *session_id : result.session_id},
         {"swarm", result.swarm_id.empty() ? "-" : result.swarm_id},
         {"agents", std::to_string(result.agents.size())},
         {"tasks total/completed/active/pending/failed",
          std::to_string(tasks.total) + "/" + std::to_string(tasks.completed) + "/" +
              std::to_string(tasks.active) + "/" + std::to_string(tasks.pending) + "/" +
              std::to_string(tasks.failed)},
         {"cpu usage", number(performance.cpu_usage)},
         {"memory MB", number(performance.memory_mb)},
         {"avg response ms", number(performance.avg_response_time_ms)},
         {"throughput", number(performance.throughput)}});
    if (result.agents.empty()) return;
    std::vector<std::vector<std::string>> rows;
    for (const auto& agent : result.agents) {
      rows.push_back({agent.agent_id, agent.type, agent.status, number(agent.cpu_usage),
                      number(agent.memory_mb), std::to_string(agent.tasks_completed)});
    }
    context.output().line("");
    context.output().table({"AGENT", "TYPE", "STATUS", "CPU", "MEMORY_MB", "TASKS_DONE"}, rows);
  });
}

void add_tools(CLI::App& app, Context& context) {
  auto* tools = app.add_subcommand("tools", "The tools the MCP server lists (tools/list)");
  tools->callback([&context] {
    auto& mcp = context.mcp();
    const auto listed = context.run(mcp.get_executor(),
                                    [&](auto token) { return mcp.async_list_tools(true, token); });
    nlohmann::json entries = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& tool : listed) {
      entries.push_back(tool.raw);
      rows.push_back({tool.name, tool.description});
    }
    context.output().document({{"tools", entries}});
    context.output().table({"TOOL", "DESCRIPTION"}, rows);
  });
}

}  // namespace

void add_mcp_commands(CLI::App& app, Context& context) {
  add_metrics(app, context);
  add_tools(app, context);
}

}  // namespace hivectl
