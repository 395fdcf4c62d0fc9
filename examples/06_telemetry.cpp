// Tutorial 6: live telemetry, and the reference for visualiser authors. Connects to port 3002,
// subscribes for one session (or polls the deployed relay, whichever the server
// is), and keeps an in-memory spring-system model (positions, velocities, edges)
// up to date from a render loop that pulls with drain(). Prints a compact summary
// each second.
//
//   06_telemetry [--host H] [--port P] [--session ID] [--token T] [--seconds N]
//   (defaults from HIVEMIND_WS_URL and HIVEMIND_MCP_TOKEN, else ws://localhost:3002/)
//
// Try it without the container: hivemind_mock_telemetry --port 3002 (or --relay).
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "hivemind/hivemind.hpp"

namespace {

using namespace std::chrono_literals;

struct Body {
  std::string type;
  std::string status;
  hivemind::Vec3 position;
  hivemind::Vec3 velocity;
  bool placed_by_server = false;  // the server sent a position: it wins over the simulation
};

// The visualiser's own model: what it draws, updated from the stream.
class SpringSystem {
 public:
  void apply(const hivemind::TelemetryUpdate& update) {
    for (const hivemind::AgentTelemetry& agent : update.agents) {
      if (agent.removed) {
        bodies_.erase(agent.agent_id);
        continue;
      }
      auto [it, added] = bodies_.try_emplace(agent.agent_id);
      Body& body = it->second;
      if (added) body.position = initial_position(bodies_.size());
      body.type = agent.type.empty() ? body.type : agent.type;
      body.status = agent.status;
      if (agent.position) {
        body.position = *agent.position;
        body.placed_by_server = true;
      }
      if (agent.velocity) body.velocity = *agent.velocity;
    }
    for (const hivemind::TopologyChange& change : update.topology_changes) {
      const auto edge = std::minmax(change.from, change.to);
      const bool removal = change.type.find("remove") != std::string::npos ||
                           change.type.find("disconnect") != std::string::npos;
      if (removal) {
        edges_.erase(edge);
      } else {
        edges_[edge] = change.strength;
      }
    }
  }

  // One step of a plain spring layout for the bodies the server does not place:
  // springs along edges, repulsion between every pair, damping.
  void step(double dt) {
    std::map<std::string, hivemind::Vec3> force;
    for (auto a = bodies_.begin(); a != bodies_.end(); ++a) {
      for (auto b = std::next(a); b != bodies_.end(); ++b) {
        const hivemind::Vec3 d = minus(a->second.position, b->second.position);
        const double distance2 = std::max(dot(d, d), 0.01);
        add(force[a->first], d, 1.0 / distance2);
        add(force[b->first], d, -1.0 / distance2);
      }
    }
    for (const auto& [edge, strength] : edges_) {
      const auto a = bodies_.find(edge.first);
      const auto b = bodies_.find(edge.second);
      if (a == bodies_.end() || b == bodies_.end()) continue;
      const hivemind::Vec3 d = minus(b->second.position, a->second.position);
      add(force[a->first], d, strength);
      add(force[b->first], d, -strength);
    }
    for (auto& [id, body] : bodies_) {
      if (body.placed_by_server) continue;
      add(body.velocity, force[id], dt);
      body.velocity = scaled(body.velocity, 0.9);
      add(body.position, body.velocity, dt);
    }
  }

  void print_summary(const hivemind::TelemetryStats& stats) const {
    std::map<std::string, int> by_status;
    double speed = 0;
    for (const auto& [id, body] : bodies_) {
      ++by_status[body.status];
      speed += std::sqrt(dot(body.velocity, body.velocity));
    }
    std::cout << "[" << hivemind::to_string(stats.active_mode) << "] agents=" << bodies_.size()
              << " edges=" << edges_.size();
    for (const auto& [status, count] : by_status) std::cout << ' ' << status << '=' << count;
    std::cout << " mean_speed=" << (bodies_.empty() ? 0.0 : speed / bodies_.size())
              << " | received=" << stats.updates_received
              << " coalesced=" << stats.queue.coalesced_agent_updates
              << " dropped=" << stats.queue.dropped_updates << " reconnects=" << stats.reconnects
              << std::endl;
  }

 private:
  static hivemind::Vec3 initial_position(std::size_t index) {
    const double angle = static_cast<double>(index) * 2.399963;  // golden angle: no overlaps
    return {std::cos(angle) * 5.0, std::sin(angle) * 5.0, 0};
  }
  static hivemind::Vec3 minus(const hivemind::Vec3& a, const hivemind::Vec3& b) {
    return {a.x - b.x, a.y - b.y, a.z - b.z};
  }
  static double dot(const hivemind::Vec3& a, const hivemind::Vec3& b) {
    return a.x * b.x + a.y * b.y + a.z * b.z;
  }
  static hivemind::Vec3 scaled(const hivemind::Vec3& v, double k) {
    return {v.x * k, v.y * k, v.z * k};
  }
  static void add(hivemind::Vec3& to, const hivemind::Vec3& v, double k) {
    to.x += v.x * k;
    to.y += v.y * k;
    to.z += v.z * k;
  }

  std::map<std::string, Body> bodies_;
  std::map<std::pair<std::string, std::string>, double> edges_;
};

}  // namespace

int main(int argc, char** argv) {
  int seconds = 0;  // 0: until interrupted
  hivemind::TelemetryOptions options;
  try {
    options = hivemind::TelemetryOptions::from_environment();  // auto mode
  } catch (const hivemind::Error& error) {
    std::cerr << "06_telemetry: " << error.what() << '\n';
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--host") {
      options.host = value;
    } else if (flag == "--port") {
      options.port = static_cast<std::uint16_t>(std::atoi(value));
    } else if (flag == "--session") {
      options.session_id = value;
    } else if (flag == "--token") {
      options.token = value;
    } else if (flag == "--seconds") {
      seconds = std::atoi(value);
    } else {
      std::cerr << "usage: 06_telemetry [--host H] [--port P] [--session ID] [--token T] "
                   "[--seconds N]\n";
      return 2;
    }
  }
  options.filters.include_performance = true;
  options.filters.include_topology = true;
  options.filters.update_frequency_hz = 10;

  try {
    hivemind::TelemetryStream stream(options);
    stream.start();
    SpringSystem model;
    const auto started = std::chrono::steady_clock::now();
    auto next_summary = started + 1s;
    for (;;) {
      // The render loop: take everything since the last frame, simulate, draw.
      for (const hivemind::TelemetryUpdate& update : stream.drain()) model.apply(update);
      model.step(1.0 / 30);
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_summary) {
        model.print_summary(stream.stats());
        next_summary += 1s;
      }
      if (seconds > 0 && now - started >= std::chrono::seconds(seconds)) break;
      std::this_thread::sleep_for(33ms);  // ~30 frames per second
    }
  } catch (const hivemind::Error& error) {
    std::cerr << "06_telemetry: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
