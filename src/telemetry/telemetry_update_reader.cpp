#include "telemetry/telemetry_update_reader.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <system_error>
#include <type_traits>

#include "common/utf8.hpp"

namespace hivemind::telemetry_detail {
namespace {

constexpr std::string_view update_type = "telemetry_update";

// One member value as scanned: its JSON text and what kind of value it is. The
// conversion into the typed field happens after the whole object was read, so the
// spelling priorities and wrong-type rules of the models' from_json apply exactly.
struct Token {
  enum class Kind : std::uint8_t { absent, null, boolean, number, string, compound };
  Kind kind = Kind::absent;
  bool truth = false;    // boolean
  bool integer = false;  // number without fraction or exponent
  std::string_view json;
  std::string_view content() const { return json.substr(1, json.size() - 2); }  // string
  bool present() const { return kind != Kind::absent && kind != Kind::null; }
};

template <std::size_t N>
using Keys = std::array<std::string_view, N>;

// The keys each object's from_json looks up (tests/telemetry's differential test
// and fuzz/fuzz_telemetry_decode keep these in step with telemetry_models.cpp).
enum Root {
  r_type,
  r_timestamp,
  r_session_id,
  r_sessionId,
  r_swarm_id,
  r_swarmId,
  r_agents,
  r_topology_changes,
  root_count
};
constexpr Keys<root_count> root_keys{"type",     "timestamp", "session_id", "sessionId",
                                     "swarm_id", "swarmId",   "agents",     "topology_changes"};
enum Agent {
  a_agent_id,
  a_agentId,
  a_id,
  a_type,
  a_agent_type,
  a_agentType,
  a_status,
  a_position,
  a_velocity,
  a_performance,
  a_neural,
  a_removed,
  agent_count
};
constexpr Keys<agent_count> agent_keys{"agent_id",   "agentId",     "id",     "type",
                                       "agent_type", "agentType",   "status", "position",
                                       "velocity",   "performance", "neural", "removed"};
enum Vec { v_x, v_y, v_z, vec_count };
constexpr Keys<vec_count> vec_keys{"x", "y", "z"};
enum Performance {
  p_cpu_usage,
  p_cpuUsage,
  p_memory_mb,
  p_memoryMb,
  p_memoryMB,
  p_tasks_completed,
  p_tasksCompleted,
  performance_count
};
constexpr Keys<performance_count> performance_keys{"cpu_usage",     "cpuUsage", "memory_mb",
                                                   "memoryMb",      "memoryMB", "tasks_completed",
                                                   "tasksCompleted"};
enum Change { c_type, c_from, c_source, c_to, c_target, c_strength, c_weight, change_count };
constexpr Keys<change_count> change_keys{"type",   "from",     "source", "to",
                                         "target", "strength", "weight"};

template <std::size_t N>
using Slots = std::array<Token, N>;

// --- conversions, as detail::read_text / read_field do them on the DOM ---

// read_text: the first spelling present and not null; a string as is, any other
// value as its JSON text. Every scanned span is valid JSON, so parsing it again
// (rare: ids are strings) gives exactly the DOM's value and dump.
template <std::size_t N>
bool read_text(std::string& out, const Slots<N>& slots, std::initializer_list<int> spellings) {
  for (const int index : spellings) {
    const Token& token = slots[index];
    if (!token.present()) continue;
    if (token.kind == Token::Kind::string) {
      out.assign(token.content());
      return true;
    }
    const nlohmann::json value = nlohmann::json::parse(token.json, nullptr, false);
    if (value.is_discarded()) return false;
    out = value.dump();
    return true;
  }
  return true;
}

// A number token as nlohmann holds it: an integer that fits int64 (negative) or
// uint64 (otherwise) stays an integer, everything else is a double.
struct Number {
  enum class Kind { signed_integer, unsigned_integer, floating };
  Kind kind = Kind::floating;
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  double floating_value = 0;
};

template <class T>
bool parse_whole(std::string_view text, T& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc{} && end == text.data() + text.size();
}

// False when the value is one std::from_chars refuses (beyond the range of double):
// strtod, which the DOM uses, would make it infinite or zero; the DOM path decides.
bool to_number(const Token& token, Number& out) {
  if (token.integer) {
    if (token.json.front() == '-') {
      if (parse_whole(token.json, out.signed_value)) {
        out.kind = Number::Kind::signed_integer;
        return true;
      }
    } else if (parse_whole(token.json, out.unsigned_value)) {
      out.kind = Number::Kind::unsigned_integer;
      return true;
    }
  }
  out.kind = Number::Kind::floating;
  return parse_whole(token.json, out.floating_value);
}

// As nlohmann's get<T>: integers cast; a double out of an integer type's range
// counts as a wrong type and leaves the default (detail::converts_safely).
template <class T>
void convert(const Number& number, T& out) {
  switch (number.kind) {
    case Number::Kind::signed_integer:
      out = static_cast<T>(number.signed_value);
      return;
    case Number::Kind::unsigned_integer:
      out = static_cast<T>(number.unsigned_value);
      return;
    case Number::Kind::floating:
      if constexpr (std::is_integral_v<T>) {
        const double limit = std::ldexp(1.0, std::numeric_limits<T>::digits);
        if (!(number.floating_value < limit && number.floating_value >= -limit)) return;
      }
      out = static_cast<T>(number.floating_value);
      return;
  }
}

// read_field for numbers: the first spelling present and not null; a value of
// another type leaves the default (and no later spelling is tried).
template <class T, std::size_t N>
bool read_number(T& out, const Slots<N>& slots, std::initializer_list<int> spellings) {
  for (const int index : spellings) {
    const Token& token = slots[index];
    if (!token.present()) continue;
    if (token.kind != Token::Kind::number) return true;
    Number number;
    if (!to_number(token, number)) return false;
    convert(number, out);
    return true;
  }
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A single pass over one line: validates the JSON as strictly as nlohmann does for
// everything it accepts, and reads the known members straight into the update.
// Every member function returns false for "undecided".
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  ScanOutcome update(TelemetryUpdate& out) {
    Slots<root_count> slots{};
    const bool read = members(root_keys, slots, [&](int index, Token& slot) {
      if (index == r_agents) {
        return peek('[') ? claim(slot) && array([&] {
                             return peek('{') ? agent(out.agents.emplace_back()) : skip_value();
                           })
                         : value(slot);
      }
      if (index == r_topology_changes) {
        return peek('[') ? claim(slot) && array([&] {
                             return peek('{') ? change(out.topology_changes.emplace_back())
                                              : skip_value();
                           })
                         : value(slot);
      }
      return value(slot);
    });
    skip_whitespace();
    if (!read || p_ != end_) return ScanOutcome::undecided;
    const Token& type = slots[r_type];
    if (type.kind != Token::Kind::string || type.content() != update_type) {
      return ScanOutcome::not_update;
    }
    const bool converted = read_text(out.timestamp, slots, {r_timestamp}) &&
                           read_text(out.session_id, slots, {r_session_id, r_sessionId}) &&
                           read_text(out.swarm_id, slots, {r_swarm_id, r_swarmId});
    return converted ? ScanOutcome::update : ScanOutcome::undecided;
  }

 private:
  static constexpr int max_depth = 64;

  bool agent(AgentTelemetry& out) {
    Slots<agent_count> slots{};
    const bool read = members(agent_keys, slots, [&](int index, Token& slot) {
      switch (index) {
        case a_position:
          return peek('{') ? claim(slot) && vec(out.position.emplace()) : value(slot);
        case a_velocity:
          return peek('{') ? claim(slot) && vec(out.velocity.emplace()) : value(slot);
        case a_performance:
          return peek('{') ? claim(slot) && performance(out.performance.emplace()) : value(slot);
        default:
          return value(slot);
      }
    });
    if (!read) return false;
    if (slots[a_neural].kind != Token::Kind::absent) {
      out.neural = nlohmann::json::parse(slots[a_neural].json, nullptr, false);
      if (out.neural.is_discarded()) return false;
    }
    const Token& removed = slots[a_removed];
    if (removed.present() && removed.kind == Token::Kind::boolean) out.removed = removed.truth;
    return read_text(out.agent_id, slots, {a_agent_id, a_agentId, a_id}) &&
           read_text(out.type, slots, {a_type, a_agent_type, a_agentType}) &&
           read_text(out.status, slots, {a_status});
  }

  bool vec(Vec3& out) {
    Slots<vec_count> slots{};
    return members(vec_keys, slots, [&](int, Token& slot) { return value(slot); }) &&
           read_number(out.x, slots, {v_x}) && read_number(out.y, slots, {v_y}) &&
           read_number(out.z, slots, {v_z});
  }

  bool performance(AgentPerformance& out) {
    Slots<performance_count> slots{};
    return members(performance_keys, slots, [&](int, Token& slot) { return value(slot); }) &&
           read_number(out.cpu_usage, slots, {p_cpu_usage, p_cpuUsage}) &&
           read_number(out.memory_mb, slots, {p_memory_mb, p_memoryMb, p_memoryMB}) &&
           read_number(out.tasks_completed, slots, {p_tasks_completed, p_tasksCompleted});
  }

  bool change(TopologyChange& out) {
    Slots<change_count> slots{};
    return members(change_keys, slots, [&](int, Token& slot) { return value(slot); }) &&
           read_text(out.type, slots, {c_type}) && read_text(out.from, slots, {c_from, c_source}) &&
           read_text(out.to, slots, {c_to, c_target}) &&
           read_number(out.strength, slots, {c_strength, c_weight});
  }

  // An object's members: known keys go to `read(index, slot)`, others are skipped.
  // A key seen twice is undecided: which one wins is the DOM's business.
  template <std::size_t N, class Read>
  bool members(const Keys<N>& keys, Slots<N>& slots, Read&& read) {
    if (++depth_ > max_depth || !consume('{')) return false;
    if (!consume('}')) {
      do {
        std::string_view key;
        skip_whitespace();
        if (!string(key) || !consume(':')) return false;
        skip_whitespace();
        std::size_t index = 0;
        while (index < N && keys[index] != key.substr(1, key.size() - 2)) ++index;
        if (index == N) {
          if (!skip_value()) return false;
        } else if (slots[index].kind != Token::Kind::absent ||
                   !read(static_cast<int>(index), slots[index])) {
          return false;
        }
      } while (consume(','));
      if (!consume('}')) return false;
    }
    --depth_;
    return true;
  }

  template <class Element>
  bool array(Element&& element) {
    if (++depth_ > max_depth || !consume('[')) return false;
    if (!consume(']')) {
      do {
        skip_whitespace();
        if (!element()) return false;
      } while (consume(','));
      if (!consume(']')) return false;
    }
    --depth_;
    return true;
  }

  // Marks a member read by a typed reader (its value is an object or array).
  static bool claim(Token& slot) {
    slot.kind = Token::Kind::compound;
    return true;
  }

  bool skip_value() {
    Token ignored;
    return value(ignored);
  }

  // Any JSON value at the current position (whitespace skipped).
  bool value(Token& token) {
    skip_whitespace();
    if (p_ == end_) return false;
    const char* start = p_;
    bool read = false;
    switch (*p_) {
      case '"':
        token.kind = Token::Kind::string;
        read = string(token.json);
        break;
      case '{':
        token.kind = Token::Kind::compound;
        read = object_skipped();
        break;
      case '[':
        token.kind = Token::Kind::compound;
        read = array([this] { return skip_value(); });
        break;
      case 't':
        token.kind = Token::Kind::boolean;
        token.truth = true;
        read = literal("true");
        break;
      case 'f':
        token.kind = Token::Kind::boolean;
        read = literal("false");
        break;
      case 'n':
        token.kind = Token::Kind::null;
        read = literal("null");
        break;
      default:
        token.kind = Token::Kind::number;
        read = number(token.integer);
        break;
    }
    token.json = std::string_view(start, static_cast<std::size_t>(p_ - start));
    return read;
  }

  bool object_skipped() {
    Slots<0> none{};
    return members(Keys<0>{}, none, [](int, Token&) { return false; });
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(bool& integer) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      digits();
    }
    integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (!digits()) return false;
    }
    const bool exponent = p_ != end_ && (*p_ == 'e' || *p_ == 'E');
    if (exponent) {
      integer = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    // nlohmann refuses a number beyond double's range anywhere in the document
    // ("number overflow"), even in a member nobody reads: only an exponent or
    // hundreds of digits get there, and those are checked here.
    if (!exponent && p_ - start < 300) return true;
    double ignored = 0;
    return parse_whole(std::string_view(start, static_cast<std::size_t>(p_ - start)), ignored);
  }

  bool digits() {
    const char* start = p_;
    while (p_ != end_ && is_digit(*p_)) ++p_;
    return p_ != start;
  }

  // A string without escapes (those are the DOM path's), quotes included in `out`.
  // Control characters are invalid JSON; UTF-8 is checked as nlohmann checks it
  // (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
  bool string(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* start = p_++;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        return true;
      }
      if (c == '\\' || c < 0x20) return false;
      if (c < 0x80) {
        ++p_;
      } else if (!utf8_sequence()) {
        return false;
      }
    }
    return false;
  }

  bool utf8_sequence() {
    const std::size_t length = detail::utf8_sequence_length(p_, end_);
    p_ += length;
    return length != 0;
  }

  void skip_whitespace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool peek(char c) {
    skip_whitespace();
    return p_ != end_ && *p_ == c;
  }
  bool consume(char c) {
    if (!peek(c)) return false;
    ++p_;
    return true;
  }

  const char* p_;
  const char* end_;
  int depth_ = 0;
};

// Cheap pre-check: most other lines (JSON-RPC answers) never reach a parser.
bool mentions_update_type(std::string_view line) {
  return line.find(update_type) != std::string_view::npos;
}

}  // namespace

ScanOutcome scan_telemetry_update(std::string_view line, TelemetryUpdate& out) {
  return Scanner(line).update(out);
}

std::optional<TelemetryUpdate> decode_telemetry_update_dom(std::string_view line) {
  if (!mentions_update_type(line)) return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  const auto type = parsed.find("type");
  if (type == parsed.end() || !type->is_string() ||
      type->get_ref<const std::string&>() != update_type) {
    return std::nullopt;
  }
  return parsed.get<TelemetryUpdate>();
}

std::optional<TelemetryUpdate> decode_telemetry_update(std::string_view line) {
  if (!mentions_update_type(line)) return std::nullopt;
  TelemetryUpdate update;
  switch (scan_telemetry_update(line, update)) {
    case ScanOutcome::update:
      return update;
    case ScanOutcome::not_update:
      return std::nullopt;
    case ScanOutcome::undecided:
      break;
  }
  return decode_telemetry_update_dom(line);
}

}  // namespace hivemind::telemetry_detail
