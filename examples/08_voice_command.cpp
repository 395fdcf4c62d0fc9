// The integration guide's speech-service handler: a voice command becomes a task, the
// reply comes at once with the session id, and a later status check answers in words.
//
//   voice_command ["Hey hive, urgently build a Rust CLI tool for parsing log files"]
#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>

#include <hivemind/hivemind.hpp>

namespace {

struct VoiceCommand {
  std::string user_id;
  std::string transcript;
};

struct VoiceResponse {
  std::string message;
  std::string session_id;
};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The transcript without its wake words. An empty task is refused by the SDK
// (invalid_argument), as is one with a `'` (the container's command-injection hole):
// a voice service should rephrase, so "it's" becomes "it is" here.
std::string extract_task_description(const VoiceCommand& command) {
  std::string task = command.transcript;
  for (const std::string wake : {"hey hive, ", "hey hive "}) {
    if (lowercase(task.substr(0, wake.size())) == wake) task.erase(0, wake.size());
  }
  for (std::size_t at; (at = task.find("'s ")) != std::string::npos;) task.replace(at, 3, " is ");
  return task;
}

hivemind::Priority determine_priority(const VoiceCommand& command) {
  const std::string text = lowercase(command.transcript);
  if (text.find("urgent") != std::string::npos || text.find("asap") != std::string::npos)
    return hivemind::Priority::high;
  if (text.find("no rush") != std::string::npos || text.find("when you can") != std::string::npos)
    return hivemind::Priority::low;
  return hivemind::Priority::medium;
}

std::string now_iso8601() {
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return hivemind::Timestamp{now, std::chrono::minutes(0)}.to_string();
}

VoiceResponse handle_voice_command(const hivemind::HiveMindClient& client,
                                   const VoiceCommand& command) {
  const auto session = client.spawn_task(
      extract_task_description(command), determine_priority(command),
      {{"source", "voice"}, {"user_id", command.user_id}, {"timestamp", now_iso8601()}});
  // Return immediately with the session id; the work goes on in the container.
  return {"I've started working on that. Session ID: " + session.uuid(), session.uuid()};
}

VoiceResponse check_task_status(const hivemind::HiveMindClient& client,
                                const std::string& session_id) {
  using Kind = hivemind::SessionStatus::Kind;
  try {
    const auto session = hivemind::SessionHandle::from_uuid(client, session_id);
    const auto status = session.status();
    std::string message = "Task status unknown";
    if (status == Kind::created || status == Kind::starting) message = "Getting started on it...";
    if (status == Kind::running) {
      // The deployed container leaves a crashed task `running` forever: ask the process.
      message = session.is_process_alive() == false ? "The task stopped unexpectedly. Check logs."
                                                    : "Still working on it...";
    }
    if (status == Kind::completed) message = "Task completed successfully!";
    if (status == Kind::failed) message = "Task encountered an error. Check logs.";
    return {message, session_id};
  } catch (const hivemind::Error& error) {
    if (error.kind() == hivemind::errc::session_not_found)
      return {"I can't find that task.", session_id};
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const VoiceCommand command{
      "user-42", argc > 1 ? argv[1] : "Hey hive, urgently build a Rust CLI tool for parsing logs"};
  try {
    const hivemind::HiveMindClient client(hivemind::ClientOptions::from_environment());

    const auto reply = handle_voice_command(client, command);
    std::cout << "voice: " << reply.message << "\n";
    std::cout << "voice: " << check_task_status(client, reply.session_id).message << "\n";

    // Later, once the task is done, the user asks again.
    hivemind::WaitOptions wait;
    wait.initial_interval = std::chrono::milliseconds(250);
    wait.max_interval = std::chrono::seconds(2);
    wait.timeout = std::chrono::minutes(30);
    hivemind::SessionHandle::from_uuid(client, reply.session_id).wait_for_completion(wait);
    std::cout << "voice: " << check_task_status(client, reply.session_id).message << "\n";

    // And about a task nobody started.
    std::cout << "voice: "
              << check_task_status(client, "00000000-0000-4000-8000-000000000000").message << "\n";
    return 0;
  } catch (const hivemind::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
