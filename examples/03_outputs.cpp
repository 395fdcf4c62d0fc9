// Tutorial 3: outputs. A finished session's files, read on the host through the
// directory bind-mounted at the container's /workspace/ext (HIVEMIND_HOST_EXT_DIR):
// listed, one of them read, all of them copied. Paths from the container are treated as
// hostile: nothing outside the session's output directory is ever opened (docs/outputs.md).
//
//   03_outputs [DESTINATION]   (default: ./outputs-UUID)
#include <filesystem>
#include <iostream>

#include <hivemind/hivemind.hpp>

int main(int argc, char** argv) {
  try {
    const hivemind::HiveMindClient client(hivemind::ClientOptions::from_environment());
    const auto session = client.spawn_task("Write a README and a parser for log files");
    const auto result = session.wait_for_completion();
    if (result.outcome != hivemind::WaitOutcome::completed) {
      std::cerr << "session " << session.uuid() << " ended " << hivemind::to_string(result.outcome)
                << ": " << result.evidence << "\n";
      return 1;
    }

    const auto outputs = session.outputs();
    const auto files = outputs.list();
    std::cout << files.size() << " output files in " << outputs.directory().string() << "\n";
    for (const auto& file : files) {
      std::cout << "  " << file.relative_path.string() << " (" << file.size << " bytes)\n";
    }
    if (!files.empty()) {
      const std::string first = outputs.read(files.front().relative_path);
      std::cout << files.front().relative_path.string()
                << " begins: " << first.substr(0, first.find('\n')) << "\n";
    }

    const std::filesystem::path destination =
        argc > 1 ? std::filesystem::path(argv[1])
                 : std::filesystem::current_path() / ("outputs-" + session.uuid());
    const auto copy = outputs.copy_to(destination);
    std::cout << "copied " << copy.copied.size() << " files (" << copy.bytes << " bytes) to "
              << destination.string() << "\n";
    for (const auto& skipped : copy.skipped) {
      std::cout << "  skipped " << skipped.relative_path.string() << ": " << skipped.reason << "\n";
    }
    return copy.skipped.empty() ? 0 : 1;
  } catch (const hivemind::Error& e) {
    std::cerr << "error [" << hivemind::to_string(e.kind().value_or(hivemind::errc::protocol_error))
              << "]: " << e.what() << "\n";
    return 2;
  }
}
