#include "mock_relay.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "mock_backend.hpp"

namespace hivemind::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using nlohmann::json;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxRequestSize = 10 * 1024 * 1024;

// The relay treats 0, "", false and null ids as "no id" and broadcasts the answer.
bool is_falsy_id(const json& id) {
  return id.is_null() || (id.is_string() && id.get_ref<const std::string&>().empty()) ||
         (id.is_number() && id.get<double>() == 0) || (id.is_boolean() && !id.get<bool>());
}

std::string idless_error(int code, const std::string& message) {
  return json{{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", message}}}}.dump();
}

std::string error_response(const json& id, int code, const std::string& message) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}}
      .dump();
}

std::string result_response(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}.dump();
}

struct Session {
  Session(tcp::socket s, asio::io_context& context) : socket(std::move(s)), age_timer(context) {}
  tcp::socket socket;
  asio::steady_timer age_timer;
  std::string ip;
  bool authenticated = false;
  std::set<std::string> pending;  // ids (as JSON text) forwarded and not answered yet
  std::deque<std::string> outbox;
  bool writing = false;
  bool close_after_flush = false;
  bool open = true;
};

}  // namespace

class MockRelay::Impl {
 public:
  explicit Impl(MockRelayOptions options)
      : options_(std::move(options)),
        backend_(options_.documented_session_tools),
        acceptor_(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), options_.port)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(context_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }

  ~Impl() {
    run_on_relay([this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      while (!sessions_.empty()) close_session(sessions_.front());
      context_.stop();
    });
    thread_.join();
  }

  std::uint16_t port() const noexcept { return port_; }

  // Runs `action` on the relay's thread and waits for it, so a test's fault
  // injection is in effect before the test's next step.
  template <class Action>
  void run_on_relay(Action action) {
    std::promise<void> done;
    asio::post(context_, [&] {
      action();
      done.set_value();
    });
    done.get_future().wait();
  }

  // Settings read on the relay's thread, written from tests.
  struct Faults {
    std::chrono::milliseconds response_delay{0};
    bool never_answer = false;
    bool silent = false;
    bool split_writes = false;
    bool mcp_ready = true;
    bool garbage_before_next = false;
    bool drop_next_midway = false;
    std::optional<json> broadcast_before_next;
  };
  template <class Change>
  void change_faults(Change change) {
    std::lock_guard lock(mutex_);
    change(faults_);
  }

  void fail_next_tool_call(const std::string& tool, const std::string& message) {
    run_on_relay([&] { backend_.fail_next_call(tool, message); });
  }

  void broadcast_line(const std::string& line) {
    for (const auto& session : std::list(sessions_)) send(session, line);
  }

  void restart_backend() {
    ++backend_generation_;  // answers computed before the restart are never delivered
    for (const auto& session : sessions_) session->pending.clear();
    broadcast_line(
        json{{"jsonrpc", "2.0"}, {"method", "server.initialized"}, {"params", {}}}.dump());
  }

  void close_all() {
    while (!sessions_.empty()) close_session(sessions_.front());
  }

  void set_random_faults(const RandomFaults& faults) {
    random_faults_ = faults;
    random_ = std::mt19937_64(faults.seed);
  }
  std::size_t random_drops() const {
    std::lock_guard lock(mutex_);
    return random_drops_;
  }
  std::size_t random_unanswered() const {
    std::lock_guard lock(mutex_);
    return random_unanswered_;
  }

  std::size_t accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  std::size_t active() const { return active_.load(); }
  std::vector<json> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::size_t max_pending() const {
    std::lock_guard lock(mutex_);
    return max_pending_;
  }
  std::size_t rejections() const {
    std::lock_guard lock(mutex_);
    return rate_rejections_;
  }

 private:
  Faults faults() const {
    std::lock_guard lock(mutex_);
    return faults_;
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto accepted = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (std::get<0>(accepted)) {
        if (!acceptor_.is_open()) co_return;
        continue;
      }
      on_accept(std::move(std::get<1>(accepted)));
    }
  }

  void count_rejection() {
    std::lock_guard lock(mutex_);
    ++rate_rejections_;
  }

  // One rate-limit event for `ip`; false when over the limit.
  bool take_event(const std::string& ip) {
    if (!options_.rate_limit) return true;
    const auto now = clock_type::now();
    auto& events = events_by_ip_[ip];
    while (!events.empty() && now - events.front() >= options_.rate_limit_window) {
      events.pop_front();
    }
    if (events.size() >= static_cast<std::size_t>(options_.rate_limit_events)) return false;
    events.push_back(now);
    return true;
  }

  void refuse(const std::shared_ptr<Session>& session, const std::string& reason) {
    send(session, json{{"error", reason}}.dump());
    session->close_after_flush = true;
  }

  void on_accept(tcp::socket socket) {
    auto session = std::make_shared<Session>(std::move(socket), context_);
    boost::system::error_code ignored;
    session->ip = session->socket.remote_endpoint(ignored).address().to_string();
    {
      std::lock_guard lock(mutex_);
      ++accepted_;
    }
    const auto now = clock_type::now();
    if (const auto blocked = blocked_until_.find(session->ip);
        blocked != blocked_until_.end() && now < blocked->second) {
      return refuse(session, "Forbidden");
    }
    if (!take_event(session->ip)) {
      blocked_until_[session->ip] = now + options_.rate_limit_block;
      count_rejection();
      return refuse(session, "Rate limit exceeded");
    }
    if (sessions_.size() >= options_.max_connections) {
      return refuse(session, "Service unavailable - connection limit reached");
    }
    if (!faults().mcp_ready) return refuse(session, "MCP not ready");
    sessions_.push_back(session);
    active_ = sessions_.size();
    if (options_.max_age.count() > 0) {
      session->age_timer.expires_after(options_.max_age);
      session->age_timer.async_wait([this, session](boost::system::error_code error) {
        if (!error) close_session(session);
      });
    }
    asio::co_spawn(context_, read_loop(session), asio::detached);
  }

  asio::awaitable<void> read_loop(std::shared_ptr<Session> session) {
    std::string buffer;
    while (session->open) {
      const std::tuple<boost::system::error_code, std::size_t> read =
          co_await asio::async_read_until(session->socket,
                                          asio::dynamic_buffer(buffer, kMaxRequestSize), '\n',
                                          asio::as_tuple(asio::use_awaitable));
      if (std::get<0>(read)) break;
      const std::size_t size = std::get<1>(read);
      std::string line = buffer.substr(0, size - 1);
      buffer.erase(0, size);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) on_line(session, line);
    }
    close_session(session);
  }

  void on_line(const std::shared_ptr<Session>& session, const std::string& line) {
    if (!take_event(session->ip)) {
      count_rejection();
      return send(session, idless_error(-32000, "Rate limit exceeded"));
    }
    json message = json::parse(line, nullptr, false);
    if (message.is_discarded()) return;  // not JSON: no answer at all
    if (options_.record_received) {
      std::lock_guard lock(mutex_);
      received_.push_back(message);
    }
    if (!message.is_object() || message.value("jsonrpc", "") != "2.0" ||
        !message.contains("method") || !message["method"].is_string()) {
      return send(session, idless_error(-32600, "Invalid request: missing jsonrpc or method"));
    }
    const std::string method = message["method"];
    const json id = message.value("id", json());
    if (method == "initialize") {
      // Answered by the relay itself, without `capabilities`.
      return send(
          session,
          result_response(id, {{"protocolVersion", "2024-11-05"},
                               {"serverInfo", {{"name", "mock-relay"}, {"version", "1.0.0"}}}}));
    }
    if (!options_.token.empty() && (method == "authenticate" || !session->authenticated)) {
      if (method != "authenticate") {
        return send(session, error_response(id, -32000, "Authentication required"));
      }
      const json params = message.value("params", json::object());
      if (params.value("token", "") != options_.token) {
        send(session, error_response(id, -32000, "Authentication failed"));
        session->close_after_flush = true;
        return;
      }
      session->authenticated = true;
      return send(session, result_response(id, {{"authenticated", true}}));
    }
    forward_to_backend(session, message);
  }

  void forward_to_backend(const std::shared_ptr<Session>& session, const json& request) {
    const json id = request.value("id", json());
    if (!is_falsy_id(id)) session->pending.insert(id.dump());
    note_pending();
    const Faults current = faults();
    if (current.never_answer) return;
    if (draw(random_faults_.never_answer_ppm)) {
      std::lock_guard lock(mutex_);
      ++random_unanswered_;
      return;
    }
    json response = backend_.handle(request);
    const std::uint64_t generation = backend_generation_;
    if (current.response_delay.count() == 0) return deliver(response, generation);
    auto timer = std::make_shared<asio::steady_timer>(context_, current.response_delay);
    timer->async_wait([this, timer, response = std::move(response), generation](auto) {
      deliver(response, generation);
    });
  }

  // The relay's routing: the first connected client with the id pending gets the
  // answer; an id-less (or falsy-id) answer goes to everyone.
  void deliver(const json& response, std::uint64_t generation) {
    if (generation != backend_generation_) return;
    const json id = response.value("id", json());
    if (is_falsy_id(id)) return broadcast_line(response.dump());
    const std::string key = id.dump();
    for (const auto& session : sessions_) {
      if (session->pending.erase(key) > 0) return send_response(session, response.dump());
    }
  }

  void note_pending() {
    std::size_t total = 0;
    for (const auto& each : sessions_) total += each->pending.size();
    std::lock_guard lock(mutex_);
    max_pending_ = std::max(max_pending_, total);
  }

  // Relay thread: true with probability ppm / 1,000,000.
  bool draw(std::uint32_t ppm) { return ppm > 0 && random_() % 1'000'000 < ppm; }

  void send_response(const std::shared_ptr<Session>& session, const std::string& line) {
    if (draw(random_faults_.drop_connection_ppm)) {
      {
        std::lock_guard lock(mutex_);
        ++random_drops_;
      }
      return close_session(session);
    }
    Faults before;
    change_faults([&](Faults& faults) {
      before = faults;
      faults.garbage_before_next = false;
      faults.drop_next_midway = false;
      faults.broadcast_before_next.reset();
    });
    if (before.broadcast_before_next) broadcast_line(before.broadcast_before_next->dump());
    if (before.garbage_before_next) send(session, "this is {not json");
    if (before.drop_next_midway) {
      send(session, line.substr(0, line.size() / 2), /*terminate=*/false);
      session->close_after_flush = true;
      return;
    }
    send(session, line);
  }

  void send(const std::shared_ptr<Session>& session, std::string line, bool terminate = true) {
    if (!session->open || faults().silent) return;
    if (terminate) line.push_back('\n');
    if (faults().split_writes) {
      for (char byte : line) session->outbox.emplace_back(1, byte);
    } else {
      session->outbox.push_back(std::move(line));
    }
    if (!session->writing) write_next(session);
  }

  void write_next(const std::shared_ptr<Session>& session) {
    if (session->outbox.empty()) {
      session->writing = false;
      if (session->close_after_flush) close_session(session);
      return;
    }
    session->writing = true;
    // Everything queued goes out in one write, except in split mode, where each
    // queued byte is its own write.
    auto batch = std::make_shared<std::vector<std::string>>();
    do {
      batch->push_back(std::move(session->outbox.front()));
      session->outbox.pop_front();
    } while (!session->outbox.empty() && !faults().split_writes);
    std::vector<asio::const_buffer> buffers;
    for (const auto& piece : *batch) buffers.push_back(asio::buffer(piece));
    asio::async_write(session->socket, buffers,
                      [this, session, batch](boost::system::error_code error, std::size_t) {
                        if (error) return close_session(session);
                        write_next(session);
                      });
  }

  // By value: callers pass elements of sessions_, which this removes.
  void close_session(std::shared_ptr<Session> session) {
    if (!session->open) return;
    session->open = false;
    session->age_timer.cancel();
    boost::system::error_code ignored;
    session->socket.shutdown(tcp::socket::shutdown_both, ignored);
    session->socket.close(ignored);
    sessions_.remove(session);
    active_ = sessions_.size();
  }

  asio::io_context context_;
  MockRelayOptions options_;
  MockBackend backend_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;

  // Relay thread only.
  std::list<std::shared_ptr<Session>> sessions_;  // in connection order, for routing
  std::map<std::string, std::deque<clock_type::time_point>> events_by_ip_;
  std::map<std::string, clock_type::time_point> blocked_until_;
  std::uint64_t backend_generation_ = 0;
  RandomFaults random_faults_;
  std::mt19937_64 random_;
  std::atomic<std::size_t> active_{0};

  mutable std::mutex mutex_;  // guards the members below
  Faults faults_;
  std::size_t accepted_ = 0;
  std::vector<json> received_;
  std::size_t rate_rejections_ = 0;
  std::size_t random_drops_ = 0;
  std::size_t random_unanswered_ = 0;
  std::size_t max_pending_ = 0;
};

MockRelay::MockRelay(MockRelayOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}

MockRelay::~MockRelay() = default;

std::uint16_t MockRelay::port() const noexcept {
  return impl_->port();
}

void MockRelay::set_response_delay(std::chrono::milliseconds delay) {
  impl_->change_faults([&](auto& faults) { faults.response_delay = delay; });
}
void MockRelay::set_never_answer(bool never) {
  impl_->change_faults([&](auto& faults) { faults.never_answer = never; });
}
void MockRelay::set_silent(bool silent) {
  impl_->change_faults([&](auto& faults) { faults.silent = silent; });
}
void MockRelay::set_split_writes(bool split) {
  impl_->change_faults([&](auto& faults) { faults.split_writes = split; });
}
void MockRelay::set_mcp_ready(bool ready) {
  impl_->change_faults([&](auto& faults) { faults.mcp_ready = ready; });
}
void MockRelay::fail_next_tool_call(const std::string& tool, const std::string& message) {
  impl_->fail_next_tool_call(tool, message);
}
void MockRelay::inject_garbage_before_next_response() {
  impl_->change_faults([](auto& faults) { faults.garbage_before_next = true; });
}
void MockRelay::broadcast_before_next_response(json message) {
  impl_->change_faults([&](auto& faults) { faults.broadcast_before_next = std::move(message); });
}
void MockRelay::drop_next_response_midway() {
  impl_->change_faults([](auto& faults) { faults.drop_next_midway = true; });
}
void MockRelay::send_huge_line(std::size_t bytes) {
  impl_->run_on_relay([&] {
    std::string line = "{\"jsonrpc\":\"2.0\",\"method\":\"huge\",\"params\":\"";
    line.append(bytes > line.size() + 2 ? bytes - line.size() - 2 : 0, 'x');
    line += "\"}";
    impl_->broadcast_line(line);
  });
}
void MockRelay::restart_backend() {
  impl_->run_on_relay([&] { impl_->restart_backend(); });
}
void MockRelay::broadcast(const json& message) {
  impl_->run_on_relay([&] { impl_->broadcast_line(message.dump()); });
}
void MockRelay::close_all_connections() {
  impl_->run_on_relay([&] { impl_->close_all(); });
}

void MockRelay::set_random_faults(const RandomFaults& faults) {
  impl_->run_on_relay([&] { impl_->set_random_faults(faults); });
}

std::size_t MockRelay::connections_accepted() const {
  return impl_->accepted();
}
std::size_t MockRelay::active_connections() const {
  return impl_->active();
}
std::vector<json> MockRelay::received() const {
  return impl_->received();
}
std::size_t MockRelay::rate_limit_rejections() const {
  return impl_->rejections();
}

std::size_t MockRelay::max_pending_requests() const {
  return impl_->max_pending();
}

std::size_t MockRelay::random_drops() const {
  return impl_->random_drops();
}
std::size_t MockRelay::random_unanswered() const {
  return impl_->random_unanswered();
}

}  // namespace hivemind::testing
