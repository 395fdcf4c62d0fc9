#include "telemetry/detail/telemetry_decoder.hpp"

#include <cstdint>
#include <vector>

#include "hivemind/logging.hpp"

namespace hivemind::telemetry_detail {
namespace {

constexpr std::string_view update_type = "telemetry_update";

bool looks_like_json_object(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == '{';
}

// Reads a telemetry_update line straight into TelemetryUpdate, without building a
// JSON DOM first (the DOM parse dominated the decode cost). It handles the shapes
// the documented stream sends; anything it would have to guess about (neural
// data, a field spelled twice, a value of an unexpected type) makes it give up,
// and the line is decoded through the DOM and the models' from_json instead, so
// both paths give the same result.
class UpdateReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  using json = nlohmann::json;
  enum class Outcome { update, not_update, use_dom };

  explicit UpdateReader(TelemetryUpdate& out) : out_(out) {}

  Outcome outcome() const {
    if (give_up_) return Outcome::use_dom;
    return is_update_ ? Outcome::update : Outcome::not_update;
  }

  bool null() override { return scalar(Scalar{}); }
  bool boolean(bool value) override {
    return scalar(Scalar{Scalar::Kind::boolean, value ? 1.0 : 0.0, json(value)});
  }
  bool number_integer(number_integer_t value) override {
    return scalar(Scalar{Scalar::Kind::number, static_cast<double>(value), json(value)});
  }
  bool number_unsigned(number_unsigned_t value) override {
    return scalar(Scalar{Scalar::Kind::number, static_cast<double>(value), json(value)});
  }
  bool number_float(number_float_t value, const string_t&) override {
    return scalar(Scalar{Scalar::Kind::number, value, json(value)});
  }
  bool string(string_t& value) override {
    string_ = &value;
    return scalar(Scalar{Scalar::Kind::string, 0, json()});
  }
  bool binary(binary_t&) override { return give_up(); }

  bool start_object(std::size_t) override {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    if (stack_.empty()) return push(Where::root);
    switch (stack_.back()) {
      case Where::agents:
        out_.agents.emplace_back();
        return push(Where::agent);
      case Where::changes:
        out_.topology_changes.emplace_back();
        return push(Where::change);
      default:
        break;
    }
    const Field field = take_field();
    if (field == Field::position || field == Field::velocity) {
      if (!claim(field)) return false;
      std::optional<Vec3>& target = field == Field::position ? agent().position : agent().velocity;
      vec_ = &target.emplace();
      return push(Where::vec);
    }
    if (field == Field::performance) {
      if (!claim(field)) return false;
      agent().performance.emplace();
      return push(Where::performance);
    }
    return compound_value(field);
  }
  bool start_array(std::size_t) override {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    if (stack_.empty()) return skip();
    const Field field = take_field();
    if (field == Field::agents) return claim(field) && push(Where::agents);
    if (field == Field::topology_changes) return claim(field) && push(Where::changes);
    return compound_value(field);
  }
  bool end_object() override { return end(); }
  bool end_array() override { return end(); }

  bool key(string_t& name) override {
    if (skip_depth_ > 0) return true;
    field_ = field_of(stack_.back(), name);
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    is_update_ = false;
    return false;
  }

 private:
  enum class Where { root, agents, agent, vec, performance, changes, change };
  enum class Field {
    other,
    type,
    timestamp,
    session_id,
    swarm_id,
    agents,
    topology_changes,  // root
    agent_id,
    agent_type,
    status,
    position,
    velocity,
    performance,
    neural,
    removed,  // agent
    x,
    y,
    z,  // vec
    cpu_usage,
    memory_mb,
    tasks_completed,  // performance
    change_type,
    from,
    to,
    strength,  // change
    count
  };
  // A scalar value; its text (for ids and names) is only made when a text field
  // takes it, as the DOM path would write it.
  struct Scalar {
    enum class Kind { null, boolean, number, string };
    Kind kind = Kind::null;
    double number = 0;
    json primitive;  // booleans and numbers (no allocation for these)
  };

  static Field field_of(Where where, std::string_view name) {
    switch (where) {
      case Where::root:
        if (name == "type") return Field::type;
        if (name == "timestamp") return Field::timestamp;
        if (name == "session_id" || name == "sessionId") return Field::session_id;
        if (name == "swarm_id" || name == "swarmId") return Field::swarm_id;
        if (name == "agents") return Field::agents;
        if (name == "topology_changes") return Field::topology_changes;
        return Field::other;
      case Where::agent:
        if (name == "agent_id" || name == "agentId" || name == "id") return Field::agent_id;
        if (name == "type" || name == "agent_type" || name == "agentType") return Field::agent_type;
        if (name == "status") return Field::status;
        if (name == "position") return Field::position;
        if (name == "velocity") return Field::velocity;
        if (name == "performance") return Field::performance;
        if (name == "neural") return Field::neural;
        if (name == "removed") return Field::removed;
        return Field::other;
      case Where::vec:
        if (name == "x") return Field::x;
        if (name == "y") return Field::y;
        if (name == "z") return Field::z;
        return Field::other;
      case Where::performance:
        if (name == "cpu_usage" || name == "cpuUsage") return Field::cpu_usage;
        if (name == "memory_mb" || name == "memoryMb" || name == "memoryMB")
          return Field::memory_mb;
        if (name == "tasks_completed" || name == "tasksCompleted") return Field::tasks_completed;
        return Field::other;
      case Where::change:
        if (name == "type") return Field::change_type;
        if (name == "from" || name == "source") return Field::from;
        if (name == "to" || name == "target") return Field::to;
        if (name == "strength" || name == "weight") return Field::strength;
        return Field::other;
      default:
        return Field::other;
    }
  }

  AgentTelemetry& agent() { return out_.agents.back(); }
  Field take_field() {
    const Field field = field_;
    field_ = Field::other;
    return field;
  }
  bool push(Where where) {
    stack_.push_back(where);
    seen_.emplace_back();
    return true;
  }
  bool skip() {
    skip_depth_ = 1;
    return true;
  }
  bool give_up() {
    give_up_ = true;
    return false;
  }
  // Each field once per object: with two spellings present, which one wins is the
  // DOM path's business.
  bool claim(Field field) {
    auto& seen = seen_.back();
    const auto bit = std::size_t{1} << static_cast<std::size_t>(field);
    if (seen & bit) return give_up();
    seen |= bit;
    return true;
  }
  bool compound_value(Field field) {
    // Objects and arrays where text or numbers belong, and neural data: the DOM decides.
    if (field == Field::other || field == Field::position || field == Field::velocity ||
        field == Field::performance || field == Field::agents || field == Field::topology_changes) {
      return skip();
    }
    return give_up();
  }
  bool end() {
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    if (stack_.back() == Where::root) {
      is_update_ = type_ok_;
    }
    stack_.pop_back();
    seen_.pop_back();
    return true;
  }

  bool text(std::string& target, Field field, const Scalar& value) {
    if (value.kind == Scalar::Kind::null) return true;  // absent, as the DOM path reads it
    if (!claim(field)) return false;
    target = value.kind == Scalar::Kind::string ? std::move(*string_) : value.primitive.dump();
    return true;
  }
  template <class Number>
  bool number(Number& target, Field field, const Scalar& value) {
    if (value.kind == Scalar::Kind::null) return true;
    if (value.kind != Scalar::Kind::number) return give_up();
    if (!claim(field)) return false;
    target = static_cast<Number>(value.number);
    return true;
  }

  bool scalar(Scalar value) {
    if (skip_depth_ > 0) return true;
    if (stack_.empty()) return true;  // a bare scalar line: not an update
    const Field field = take_field();
    switch (field) {
      case Field::other:
        return true;
      case Field::type:
        if (!claim(field)) return false;
        type_ok_ = value.kind == Scalar::Kind::string && *string_ == update_type;
        return true;
      case Field::timestamp:
        return text(out_.timestamp, field, value);
      case Field::session_id:
        return text(out_.session_id, field, value);
      case Field::swarm_id:
        return text(out_.swarm_id, field, value);
      case Field::agent_id:
        return text(agent().agent_id, field, value);
      case Field::agent_type:
        return text(agent().type, field, value);
      case Field::status:
        return text(agent().status, field, value);
      case Field::removed:
        if (value.kind == Scalar::Kind::null) return true;
        if (value.kind != Scalar::Kind::boolean || !claim(field)) return give_up();
        agent().removed = value.number != 0;
        return true;
      case Field::x:
        return number(vec_->x, field, value);
      case Field::y:
        return number(vec_->y, field, value);
      case Field::z:
        return number(vec_->z, field, value);
      case Field::cpu_usage:
        return number(agent().performance->cpu_usage, field, value);
      case Field::memory_mb:
        return number(agent().performance->memory_mb, field, value);
      case Field::tasks_completed:
        return number(agent().performance->tasks_completed, field, value);
      case Field::change_type:
        return text(out_.topology_changes.back().type, field, value);
      case Field::from:
        return text(out_.topology_changes.back().from, field, value);
      case Field::to:
        return text(out_.topology_changes.back().to, field, value);
      case Field::strength:
        return number(out_.topology_changes.back().strength, field, value);
      case Field::position:
      case Field::velocity:
      case Field::performance:
      case Field::agents:
      case Field::topology_changes:
        return value.kind == Scalar::Kind::null || claim(field);  // not an object/array: ignored
      default:
        return give_up();  // neural, or anything unforeseen
    }
  }

  TelemetryUpdate& out_;
  std::vector<Where> stack_;
  std::vector<std::uint64_t> seen_;
  Field field_ = Field::other;
  Vec3* vec_ = nullptr;
  string_t* string_ = nullptr;  // the string value being handled
  int skip_depth_ = 0;
  bool type_ok_ = false;
  bool is_update_ = false;
  bool give_up_ = false;
};

}  // namespace

std::optional<TelemetryUpdate> decode_telemetry_update(std::string_view line) {
  // Cheap pre-check: most non-telemetry lines never reach the JSON parser twice.
  if (line.find(update_type) == std::string_view::npos) return std::nullopt;
  TelemetryUpdate update;
  UpdateReader reader(update);
  nlohmann::json::sax_parse(line, &reader);
  switch (reader.outcome()) {
    case UpdateReader::Outcome::update:
      return update;
    case UpdateReader::Outcome::not_update:
      return std::nullopt;
    case UpdateReader::Outcome::use_dom:
      break;
  }
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  const auto type = parsed.find("type");
  if (type == parsed.end() || !type->is_string() ||
      type->get_ref<const std::string&>() != update_type) {
    return std::nullopt;
  }
  return parsed.get<TelemetryUpdate>();
}

TelemetryDecoder::TelemetryDecoder(std::size_t max_line_size, UpdateHandler on_update,
                                   OtherLineHandler on_other_line)
    : framer_(max_line_size),
      on_update_(std::move(on_update)),
      on_other_line_(std::move(on_other_line)) {}

bool TelemetryDecoder::feed(std::string_view bytes) {
  counters_.bytes += bytes.size();
  return framer_.feed(bytes, [this](std::string_view line) { decode_line(line); });
}

void TelemetryDecoder::decode_line(std::string_view line) {
  ++counters_.lines;
  if (!looks_like_json_object(line)) {
    ++counters_.noise_lines;
    logger()->trace("telemetry: skipping non-JSON line ({} bytes)", line.size());
    return;
  }
  if (auto update = decode_telemetry_update(line)) {
    ++counters_.updates;
    counters_.agent_updates += update->agents.size();
    if (on_update_) on_update_(std::move(*update));
    return;
  }
  if (on_other_line_) on_other_line_(line);
}

}  // namespace hivemind::telemetry_detail
