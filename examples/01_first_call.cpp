// Tutorial 1: the first call. A client configured from the environment asks the
// container for its sessions: one `docker exec` of hive-session-manager.sh, answered as
// a typed SessionIndex, or a hivemind::Error that says what went wrong.
//
//   01_first_call        (HIVEMIND_CONTAINER, HIVEMIND_DOCKER, ...: docs/configuration.md)
#include <iostream>

#include <hivemind/hivemind.hpp>

int main() {
  try {
    const hivemind::HiveMindClient client(hivemind::ClientOptions::from_environment());
    const hivemind::SessionIndex index = client.list();
    std::cout << "container " << client.options().container
              << " answered: " << index.sessions.size() << " sessions\n";
    for (const auto& [uuid, session] : index.sessions) {
      std::cout << "  " << uuid << "  " << session.status.text() << "  " << session.task << "\n";
    }
    return 0;
  } catch (const hivemind::Error& e) {
    // Every failure is typed: errc says whether the container is down, the input bad, ...
    std::cerr << "error [" << hivemind::to_string(e.kind().value_or(hivemind::errc::protocol_error))
              << "]: " << e.what() << "\n";
    return 2;
  }
}
