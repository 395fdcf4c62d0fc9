// One container of a fleet: a name unique in the fleet and the ClientOptions that reach it
// (transport, container or pod, engine host, host side of its /workspace/ext mount, ...).
#pragma once

#include <string>

#include "hivemind/control/client_options.hpp"

namespace hivemind {

struct FleetTarget {
  std::string name;  // unique among the targets of one discovery
  ClientOptions options;
};

}  // namespace hivemind
