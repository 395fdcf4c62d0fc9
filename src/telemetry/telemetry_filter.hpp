// The subscription's filters applied on the client side, in both modes: a relay
// ignores them and a documented server may apply them loosely, yet the
// application must see the same thing whichever server it meets.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "hivemind/telemetry/telemetry_models.hpp"

namespace hivemind::telemetry_detail {

struct StreamSelection {
  std::string session_id;  // empty: any
  std::string swarm_id;    // empty: any
  TelemetryFilters filters;
};

// One per stream: it remembers which agents the agent_types filter let through,
// because a topology change may name agents that came in an earlier update (poll
// mode sends an agent only when it appeared or changed).
class TelemetryFilter {
 public:
  explicit TelemetryFilter(StreamSelection selection) : selection_(std::move(selection)) {}

  // Removes what the filters exclude: agents of other types and the topology
  // changes touching them (or agents never seen, whose type is unknown),
  // performance, topology, neural data. Returns false when nothing of the update
  // is left for the application: another session or swarm, or no agents and no
  // topology changes.
  bool apply(TelemetryUpdate& update);

 private:
  bool wanted_type(const std::string& type) const;
  void filter_by_type(TelemetryUpdate& update);

  StreamSelection selection_;
  // (session_id, agent_id) -> whether its type is wanted; an agent is forgotten
  // once an update reports it removed.
  std::map<std::pair<std::string, std::string>, bool> agents_;
};

}  // namespace hivemind::telemetry_detail
