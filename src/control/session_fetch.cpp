// SessionHandle::fetch_outputs_to: the session's output directory copied out of the
// container through the engine, for a container that shares no directory with this host
// (another Docker host, a pod). `tar -cf -` runs in the container through the same exec
// transport as every verb (docker, podman, kubectl); its stream is extracted as it arrives
// (TarExtractor) into a private staging directory, and from there SessionOutputs::copy_to
// puts the files into place with its own rules (temporary name, then rename).
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/use_awaitable.hpp>

#include "common/run_sync.hpp"
#include "control/client_operations.hpp"
#include "control/input_validation.hpp"
#include "control/tar_extractor.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "process/container_exec.hpp"
#include "process/output_stream.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

// A private directory, removed with everything in it once the copy is over.
class StagingDirectory {
 public:
  StagingDirectory() {
    auto pattern = (fs::temp_directory_path() / "hivemind-fetch-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error(std::error_code(errno, std::system_category()),
                  "cannot create a staging directory in " + fs::temp_directory_path().string());
    }
    path_ = pattern;
  }
  ~StagingDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;

  const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

// GNU tar's exit status 1: the archive is whole, but files changed while they were read
// ("file changed as we read it", "File shrank by N bytes; padding with zeros"). Those files
// may hold a mix of old and new bytes, so they are removed from the staging directory and
// reported, not copied. Each such line reads "tar: ./NAME: what happened".
std::vector<SkippedOutput> drop_changed_files(const fs::path& session_root, std::string_view err) {
  std::vector<SkippedOutput> dropped;
  std::istringstream lines{std::string(err)};
  for (std::string line; std::getline(lines, line);) {
    constexpr std::string_view kPrefix = "tar: ./";
    const auto separator = line.rfind(": ");
    if (!line.starts_with(kPrefix) || separator == std::string::npos ||
        separator < kPrefix.size()) {
      continue;
    }
    const fs::path relative = line.substr(kPrefix.size(), separator - kPrefix.size());
    if (relative.empty() || relative.is_absolute()) continue;
    std::error_code ignored;
    if (fs::is_regular_file(fs::symlink_status(session_root / relative, ignored))) {
      fs::remove(session_root / relative, ignored);
      dropped.push_back({relative, "changed while it was copied: " + line.substr(separator + 2)});
    }
  }
  return dropped;
}

// Throws the error a finished `tar` run means; returns normally for a usable archive.
void check_tar_run(const ClientOptions& options, const std::string& session_id,
                   const detail::ContainerResult& result) {
  if (result.exit_code == 0) return;
  if (detail::is_container_unavailable(result)) {
    throw Error(errc::container_unavailable,
                "copying the outputs of session " + session_id + " failed: container '" +
                    options.container + "' is unavailable: " + detail::output_excerpt(result.err),
                detail::context_of(result));
  }
  // GNU tar's "some files changed": the archive is whole (which finish() verifies).
  if (result.exit_code == 1) return;
  if (result.exit_code == 2 && result.err.find("No such file or directory") != std::string::npos) {
    throw Error(errc::session_not_found,
                "session " + session_id + " has no output directory in the container",
                detail::context_of(result));
  }
  throw Error(errc::docker_exec_failed,
              "copying the outputs of session " + session_id + ": tar exited with status " +
                  std::to_string(result.exit_code) + ": " + detail::output_excerpt(result.err),
              detail::context_of(result));
}

asio::awaitable<CopyReport> fetch_outputs_op(detail::ClientConfig config, std::string session_id,
                                             fs::path destination) {
  const StagingDirectory staging;
  // The layout SessionOutputs reads: HOST_EXT_DIR/hive-sessions/UUID.
  const auto session_root = staging.path() / "hive-sessions" / session_id;
  fs::create_directories(session_root);
  detail::TarExtractor extractor(session_root);

  const std::vector<std::string> command{"tar", "-C", "/workspace/ext/hive-sessions/" + session_id,
                                         "-cf", "-",  "."};
  auto argv = detail::container_argv(*config, detail::ExecMode::attached, command);
  detail::ChildCommand child{argv.front(), {argv.begin() + 1, argv.end()}, config->cli_environment};
  // Named, not a temporary in the co_await: g++ 12 destroys such temporaries twice.
  detail::OutputStreamRequest request{std::move(child)};
  std::function<void(std::string_view)> on_output = [&](std::string_view chunk) {
    extractor.feed(chunk);
  };
  const auto ended = co_await detail::run_output_stream(std::move(request), std::move(on_output));
  if (ended.launch_error) {
    ErrorContext context;
    context.argv = std::move(argv);
    throw Error(errc::docker_exec_failed,
                "cannot run container CLI '" + config->cli + "': " + ended.launch_error.message(),
                std::move(context));
  }
  const detail::ContainerResult result{std::move(argv), ended.exit_code, {}, ended.err};
  check_tar_run(*config, session_id, result);
  extractor.finish();

  std::vector<SkippedOutput> changed;
  if (result.exit_code == 1) changed = drop_changed_files(session_root, result.err);
  auto report = SessionOutputs(staging.path(), session_id).copy_to(destination);
  report.skipped.insert(report.skipped.begin(), extractor.skipped().begin(),
                        extractor.skipped().end());
  report.skipped.insert(report.skipped.end(), changed.begin(), changed.end());
  co_return report;
}

}  // namespace

CopyReport SessionHandle::fetch_outputs_to(const fs::path& destination,
                                           std::stop_token stop) const {
  detail::validate_uuid(uuid_);
  return detail::run_sync(
      fetch_outputs_op(detail::ClientAccess::config(client_), uuid_, destination), std::move(stop));
}

}  // namespace hivemind
