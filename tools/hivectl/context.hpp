// What every hivectl subcommand shares: the global options (on top of the HIVEMIND_*
// environment), the SDK clients built from them, the output mode and the stop token
// that Ctrl-C triggers.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <hivemind/fleet/hivemind_fleet.hpp>
#include <hivemind/hivemind.hpp>

#include "exit_codes.hpp"
#include "output.hpp"

namespace hivectl {

// Values given on the command line; unset ones fall back to the environment, then to
// the SDK's defaults.
struct GlobalOptions {
  std::optional<std::string> container;
  std::optional<std::string> docker;
  std::optional<std::string> transport;
  std::optional<std::string> engine_host;
  std::optional<std::string> kube_context;
  std::optional<std::string> kube_namespace;
  std::optional<std::string> kube_container;
  std::optional<std::string> script;
  std::optional<std::string> host_ext_dir;
  std::optional<std::string> mcp_host;
  std::optional<std::uint16_t> mcp_port;
  std::optional<std::string> mcp_token;
  std::optional<std::string> call_timeout;  // a duration, see parse_duration
  std::optional<std::string> fleet_file;    // see fleet_file.hpp
  std::optional<std::string> target;        // one target of the fleet, used alone
  bool json = false;
  bool verbose = false;
};

class Context {
 public:
  explicit Context(std::stop_token stop) : stop_(std::move(stop)) {}

  void add_global_options(CLI::App& app);

  const Output& output() const noexcept { return output_; }
  std::stop_token stop_token() const noexcept { return stop_; }

  // Receives the client's exec and session events (e.g. `top`'s own call counters);
  // takes effect when client() builds the client, so call it before.
  void set_metrics(std::shared_ptr<hivemind::MetricsSink> metrics) {
    metrics_ = std::move(metrics);
  }

  // Built on first use, so `--help` and usage errors never need a valid environment.
  // With --target, the client of that fleet target.
  const hivemind::HiveMindClient& client();
  hivemind::McpTelemetryClient& mcp();

  // --fleet without --target: commands act on every target of the fleet.
  bool fleet_mode() const noexcept { return options_.fleet_file && !options_.target; }
  // Built on first use from the fleet file (--fleet or HIVEMIND_FLEET).
  hivemind::HiveMindFleet& fleet();
  // The handle of an existing session: in fleet mode from whichever target knows it
  // (session_not_found otherwise), else through client().
  hivemind::SessionHandle session(const std::string& session_id);
  // Builds the fleet or the client now, before threads share them.
  void connect();

  // Runs an asynchronous SDK operation (`start(token)`), blocking until it completes;
  // a stop request (Ctrl-C) cancels it through its cancellation slot.
  template <class Executor, class Start>
  auto run(const Executor& executor, Start&& start) {
    auto signal = std::make_shared<boost::asio::cancellation_signal>();
    auto future = std::forward<Start>(start)(
        boost::asio::bind_cancellation_slot(signal->slot(), boost::asio::use_future));
    // The signal is emitted on the operation's executor: cancellation_signal is not
    // thread-safe, and the operation may have completed already (then it is a no-op).
    const std::stop_callback on_stop(stop_, [executor, signal] {
      boost::asio::post(executor,
                        [signal] { signal->emit(boost::asio::cancellation_type::terminal); });
    });
    return future.get();
  }

  // Sets the command's exit code (the first non-zero one wins).
  void fail_with(ExitCode code) noexcept {
    if (exit_code_ == ExitCode::ok) exit_code_ = code;
  }
  ExitCode exit_code() const noexcept { return exit_code_; }

 private:
  GlobalOptions options_;
  Output output_{false};
  std::stop_token stop_;
  std::shared_ptr<hivemind::MetricsSink> metrics_;
  // What hivectl uses without a fleet: the environment, then the global options.
  hivemind::ClientOptions base_client_options() const;

  std::optional<hivemind::HiveMindClient> client_;
  std::unique_ptr<hivemind::HiveMindFleet> fleet_;
  std::unique_ptr<hivemind::McpTelemetryClient> mcp_;
  ExitCode exit_code_ = ExitCode::ok;
};

// "90", "90s", "1.5m", "2h", "500ms" (a plain number means seconds).
std::chrono::milliseconds parse_duration(const std::string& text);
// A CLI11 validator for parse_duration's format.
CLI::Validator duration_validator();

// Polling settings for interactive waits: quick first polls, at most every 2 s.
hivemind::WaitOptions interactive_wait_options();

// One line on stderr: `hivectl: error [KIND]: message` (newlines flattened).
void report_error(std::string_view kind, std::string_view message);

}  // namespace hivectl
