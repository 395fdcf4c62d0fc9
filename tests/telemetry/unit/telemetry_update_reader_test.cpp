// The single-pass scanner against the reference (nlohmann DOM + the models'
// from_json): the same typed result, or the same "not an update", on every input.
#include "telemetry/telemetry_update_reader.hpp"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hivemind::telemetry_detail {
namespace {

std::string text_of(const std::optional<TelemetryUpdate>& update) {
  return update ? nlohmann::json(*update).dump() : "(not an update)";
}

// decode_telemetry_update (scanner, then DOM when undecided) equals the DOM path,
// and so does the scanner alone whenever it decides.
void expect_same_as_dom(const std::string& line) {
  const std::optional<TelemetryUpdate> reference = decode_telemetry_update_dom(line);
  EXPECT_EQ(text_of(decode_telemetry_update(line)), text_of(reference)) << line;
  TelemetryUpdate scanned;
  switch (scan_telemetry_update(line, scanned)) {
    case ScanOutcome::update:
      EXPECT_EQ(text_of(scanned), text_of(reference)) << line;
      break;
    case ScanOutcome::not_update:
      EXPECT_FALSE(reference.has_value()) << line;
      break;
    case ScanOutcome::undecided:
      break;
  }
}

ScanOutcome scan(const std::string& line) {
  TelemetryUpdate ignored;
  return scan_telemetry_update(line, ignored);
}

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> lines = {
      // the documented shape
      R"({"type":"telemetry_update","timestamp":"t","session_id":"s","swarm_id":"w","agents":[{"agent_id":"a","type":"coder","status":"busy","position":{"x":1.5,"y":-2,"z":3},"velocity":{"x":0.1,"y":0,"z":0},"performance":{"cpu_usage":4,"memory_mb":5.5,"tasks_completed":6}}],"topology_changes":[{"type":"connect","from":"a","to":"b","strength":0.5}]})",
      // camelCase, ids as numbers and booleans, the type last
      R"({"agents":[{"agentId":42,"agentType":"x","status":true,"removed":true}],"timestamp":1.25,"sessionId":7,"type":"telemetry_update"})",
      R"({"type":"telemetry_update","timestamp":1767225600000,"swarmId":-0,"session_id":null,"sessionId":"camel"})",
      // wrong types keep the defaults
      R"({"type":"telemetry_update","agents":[{"id":"a","position":"nowhere","velocity":null,"performance":{"cpuUsage":"high"}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","performance":{"memoryMB":true,"tasksCompleted":2.9}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","performance":{"cpu_usage":"x","cpuUsage":3}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","removed":1,"status":{"b":[1,{"a":null}],"a":2}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","position":{"x":{"nested":1},"y":2}}],"topology_changes":[{"source":"a","target":"b","weight":2,"type":null}]})",
      // spelling priorities, whatever the order in the line
      R"({"type":"telemetry_update","agents":[{"id":"b","agent_id":"a","agentType":"t2","type":"t1"}]})",
      R"({"type":"telemetry_update","topology_changes":[{"target":"t","to":null,"weight":3,"strength":null}]})",
      // neural data, non-object elements, unknown nested members
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","neural":{"weights":[1,2],"b":{"z":1,"a":2}}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","neural":null},{"agent_id":"b","neural":[1.5e3,"x"]}]})",
      R"({"type":"telemetry_update","agents":[7,[1],{"agent_id":null,"id":"c","extra":{"deep":[{"x":1}]}}],"topology_changes":{"a":1}})",
      R"({"type":"telemetry_update","agents":"none","topology_changes":[null,1,{"from":"a"}],"other":[[[[]]]]})",
      // numbers: exponents, integer limits, beyond them
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","position":{"x":1e3,"y":-2.5E-2,"z":6.02e+23}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","performance":{"tasks_completed":9007199254740993,"cpu_usage":18446744073709551615,"memory_mb":18446744073709551616}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","performance":{"tasks_completed":-9223372036854775808}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","performance":{"tasks_completed":9223372036854775808}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","performance":{"tasks_completed":1e300,"cpu_usage":-0.0}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","performance":{"tasks_completed":-9.3e18,"memory_mb":1e400}}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","position":{"x":4.9e-324,"y":1e-400,"z":0.1e1}}]})",
      R"({"type":"telemetry_update","timestamp":12345678901234567890123,"session_id":1.0,"swarm_id":1E2})",
      // beyond double's range even where nobody reads it: nlohmann refuses the line
      R"({"type":"telemetry_update","unknown":[1E400],"agents":[{"agent_id":"a"}]})",
      R"({"type":"telemetry_update","unknown":{"u":-1e-400},"agents":[{"agent_id":"a"}]})",
      R"({"type":"telemetry_update","unknown":)" + std::string(400, '9') + "}",
      R"({"type":"telemetry_update","timestamp":[1,{"b":2,"a":1}],"session_id":{"id":"x"},"swarm_id":false})",
      // strings: escapes, unicode, raw UTF-8
      R"({"type":"telemetry_update","agents":[{"agent_id":"a\"b\\c\n\u00e9\ud83d\ude00","status":"\/"}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"agent-é-😀-中","type":"ψ"}]})",
      R"({"type":"telem\u0065try_update","agents":[{"agent_id":"a"}]})",
      R"({"type":"telemetry_update","agents":[{"agent_\u0069d":"a"}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"\ud800"}]})",
      "{\"type\":\"telemetry_update\",\"agents\":[{\"agent_id\":\"bad \xff utf8\"}]}",
      "{\"type\":\"telemetry_update\",\"agents\":[{\"agent_id\":\"overlong \xc0\xaf\"}]}",
      "{\"type\":\"telemetry_update\",\"agents\":[{\"agent_id\":\"surrogate \xed\xa0\x80\"}]}",
      "{\"type\":\"telemetry_update\",\"agents\":[{\"agent_id\":\"max \xf4\x8f\xbf\xbf\"}]}",
      "{\"type\":\"telemetry_update\",\"agents\":[{\"agent_id\":\"beyond \xf4\x90\x80\x80\"}]}",
      "{\"type\":\"telemetry_update\",\"agents\":[{\"agent_id\":\"tab\there\"}]}",
      // duplicate keys: the DOM decides
      R"({"type":"telemetry_update","agents":[{"agent_id":"a","agent_id":"b"}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a"}],"agents":[{"agent_id":"b"}]})",
      R"({"type":"other","type":"telemetry_update"})",
      // whitespace, other types, broken JSON
      " \t{ \"type\" : \"telemetry_update\" , \"agents\" : [ { \"agent_id\" : \"a\" } ] }\r ",
      R"({"type":"telemetry_updates","agents":[]})",
      R"({"type":"heartbeat","note":"telemetry_update"})",
      R"({"note":"telemetry_update"})",
      R"({"type":"telemetry_update","agents":[})",
      R"({"type":"telemetry_update"} trailing)",
      R"({"type":"telemetry_update","agents":[{"agent_id":"a",}]})",
      R"({"type":"telemetry_update","agents":[{"agent_id":01}]})",
      R"({"type":"telemetry_update","x":1.})",
      R"({"type":"telemetry_update","x":.5})",
      R"({"type":"telemetry_update","x":+1})",
      R"({"type":"telemetry_update","x":1e})",
      R"({"type":"telemetry_update","x":-})",
      R"({"type":"telemetry_update","x":tru})",
      R"({"type":"telemetry_update","x":nul})",
      R"(["telemetry_update"])",
      R"("telemetry_update")",
      "telemetry_update",
      std::string(R"({"type":"telemetry_update","x":)") + std::string(100, '[') +
          std::string(100, ']') + "}",
  };
  return lines;
}

TEST(TelemetryUpdateReader, AgreesWithTheDomOnTheCorpus) {
  for (const std::string& line : corpus()) expect_same_as_dom(line);
}

TEST(TelemetryUpdateReader, DecidesTheDocumentedShapesItself) {
  // Otherwise the agreement above would hold trivially.
  EXPECT_EQ(scan(corpus()[0]), ScanOutcome::update);
  EXPECT_EQ(scan(R"({"type":"telemetry_update","agents":[{"agent_id":"agent-é-😀-中"}]})"),
            ScanOutcome::update);
  EXPECT_EQ(scan(R"({"type":"telemetry_update","x":[1e3,-2.5E-2,{"a":[true,false,null]}]})"),
            ScanOutcome::update);
  EXPECT_EQ(scan(R"({"type":"heartbeat","x":"telemetry_update"})"), ScanOutcome::not_update);
  EXPECT_EQ(scan(R"({"type":"telemetry_update","agents":[{"agent_id":"a\nb"}]})"),
            ScanOutcome::undecided);
  EXPECT_EQ(scan(R"({"type":"telemetry_update","type":"telemetry_update"})"),
            ScanOutcome::undecided);
  EXPECT_EQ(scan(R"({"type":"telemetry_update","agents":[})"), ScanOutcome::undecided);
}

TEST(TelemetryUpdateReader, ReadsTheDocumentedShapeIntoTypedFields) {
  const auto update = decode_telemetry_update(corpus()[0]);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->session_id, "s");
  ASSERT_EQ(update->agents.size(), 1u);
  const AgentTelemetry& agent = update->agents[0];
  EXPECT_EQ(agent.agent_id, "a");
  EXPECT_EQ(agent.position, (Vec3{1.5, -2, 3}));
  EXPECT_EQ(agent.performance, (AgentPerformance{4, 5.5, 6}));
  EXPECT_EQ(update->topology_changes, (std::vector<TopologyChange>{{"connect", "a", "b", 0.5}}));
}

// Random telemetry_update-like messages: every member in its spellings and with
// values of every type, strings with escapes and UTF-8, numbers in every form.
class MessageGenerator {
 public:
  explicit MessageGenerator(unsigned seed) : random_(seed) {}

  // `tricky`: also escapes, invalid UTF-8, control characters, duplicate keys and
  // numbers beyond double's range, which the scanner leaves to the DOM.
  std::string update(bool tricky) {
    tricky_ = tricky;
    std::vector<std::string> members = {member(
        "type", one_of({R"("telemetry_update")", R"("telemetry_update")", R"("other")", "1"}))};
    for (const char* key : {"timestamp", "session_id", "sessionId", "swarm_id", "swarmId"}) {
      if (chance(2)) members.push_back(member(key, text_value()));
    }
    members.push_back(member("agents", list([this] { return agent(); })));
    if (chance(2)) members.push_back(member("topology_changes", list([this] { return change(); })));
    return object(std::move(members));
  }

  // A valid line with one byte deleted, replaced or inserted, or cut short.
  std::string mutated(std::string line) {
    static const std::string bytes = "{}[],:\"\\ -+.0123eEtfnul\xff\xc3\xa9x";
    const std::size_t at = pick(line.size());
    switch (pick(4)) {
      case 0:
        line.erase(at, 1);
        break;
      case 1:
        line[at] = bytes[pick(bytes.size())];
        break;
      case 2:
        line.insert(at, 1, bytes[pick(bytes.size())]);
        break;
      default:
        line.resize(at);
        break;
    }
    return line;
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }
  bool chance(std::size_t one_in) { return pick(one_in) == 0; }
  std::string one_of(std::initializer_list<const char*> choices) {
    return *(choices.begin() + pick(choices.size()));
  }
  std::string space() { return one_of({"", "", "", " ", "\t", "\r\n "}); }

  std::string member(const std::string& key, const std::string& value) {
    return space() + '"' + key + '"' + space() + ':' + space() + value + space();
  }
  std::string object(std::vector<std::string> members) {
    if (chance(4)) members.push_back(member("unknown", any_value(3)));
    if (tricky_ && chance(10) && !members.empty()) {
      members.push_back(members[pick(members.size())]);
    }
    std::shuffle(members.begin(), members.end(), random_);
    std::string text = "{";
    for (std::size_t i = 0; i < members.size(); ++i) text += (i ? "," : "") + members[i];
    return text + space() + "}";
  }
  template <class Element>
  std::string list(Element element) {
    std::string text = "[";
    const std::size_t count = pick(4);
    for (std::size_t i = 0; i < count; ++i) {
      text += (i ? "," : "") + space() + (chance(8) ? any_value(2) : element()) + space();
    }
    return text + "]";
  }
  // Some spellings of a field, each with a likely or any value.
  void spellings(std::vector<std::string>& members, std::initializer_list<const char*> keys,
                 std::string (MessageGenerator::*likely)()) {
    // The first spelling usually, the others now and then (so priorities get tested).
    bool first = true;
    for (const char* key : keys) {
      const bool present = first ? !chance(4) : chance(4);
      first = false;
      if (present) members.push_back(member(key, chance(5) ? any_value(2) : (this->*likely)()));
    }
  }

  std::string agent() {
    std::vector<std::string> members;
    spellings(members, {"agent_id", "agentId", "id"}, &MessageGenerator::text_value);
    spellings(members, {"type", "agent_type", "agentType"}, &MessageGenerator::text_value);
    spellings(members, {"status"}, &MessageGenerator::text_value);
    spellings(members, {"position"}, &MessageGenerator::vec);
    spellings(members, {"velocity"}, &MessageGenerator::vec);
    spellings(members, {"performance"}, &MessageGenerator::performance);
    spellings(members, {"neural", "removed"}, &MessageGenerator::any_scalar);
    return object(std::move(members));
  }
  std::string vec() {
    std::vector<std::string> members;
    spellings(members, {"x", "y", "z"}, &MessageGenerator::number);
    return object(std::move(members));
  }
  std::string performance() {
    std::vector<std::string> members;
    spellings(members, {"cpu_usage", "cpuUsage"}, &MessageGenerator::number);
    spellings(members, {"memory_mb", "memoryMb", "memoryMB"}, &MessageGenerator::number);
    spellings(members, {"tasks_completed", "tasksCompleted"}, &MessageGenerator::number);
    return object(std::move(members));
  }
  std::string change() {
    std::vector<std::string> members;
    spellings(members, {"type"}, &MessageGenerator::text_value);
    spellings(members, {"from", "source"}, &MessageGenerator::text_value);
    spellings(members, {"to", "target"}, &MessageGenerator::text_value);
    spellings(members, {"strength", "weight"}, &MessageGenerator::number);
    return object(std::move(members));
  }

  std::string text_value() { return chance(4) ? any_scalar() : string(); }
  std::string string() {
    // Plain ASCII and UTF-8 first (the scanner reads them), then what it leaves alone.
    static const std::vector<std::string> pieces = {"agent-",
                                                    "7",
                                                    "coder",
                                                    "é",
                                                    "😀",
                                                    "中",
                                                    " ",
                                                    R"(\")",
                                                    R"(\\)",
                                                    R"(\n)",
                                                    R"(\/)",
                                                    R"(\u00e9)",
                                                    R"(\ud83d\ude00)",
                                                    R"(\u0000)",
                                                    "\xe2\x82",
                                                    "\xf0\x9f\x98",
                                                    "\xed\xa0\x80",
                                                    "\xc0\xaf",
                                                    "\t"};
    const std::size_t readable = 7;
    std::string text = "\"";
    const std::size_t count = pick(4);
    for (std::size_t i = 0; i < count; ++i) {
      text += pieces[pick(tricky_ && chance(3) ? pieces.size() : readable)];
    }
    return text + "\"";
  }
  std::string number() {
    switch (pick(4)) {
      case 0:
        if (tricky_ && chance(4)) return one_of({"1E400", "-1e-400", "4.9e-324"});
        return one_of({"0", "-0", "-0.0", "1e3", "2.5E-2", "6.02e+23", "9007199254740993",
                       "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                       "-9223372036854775809", "18446744073709551615", "18446744073709551616",
                       "1e300", "-9.3e18", "0.1e1", "123456789012345678901234567890"});
      case 1:
        return std::to_string(static_cast<long>(pick(2'000'000)) - 1'000'000);
      default: {
        const double value = std::uniform_real_distribution<double>(-1e6, 1e6)(random_);
        char text[40];
        std::snprintf(text, sizeof text, chance(2) ? "%.17g" : "%.3e", value);
        return text;
      }
    }
  }
  std::string any_scalar() {
    switch (pick(5)) {
      case 0:
        return one_of({"true", "false", "null"});
      case 1:
      case 2:
        return number();
      default:
        return string();
    }
  }
  std::string any_value(int depth) {
    if (depth == 0 || chance(2)) return any_scalar();
    if (chance(2)) return list([this, depth] { return any_value(depth - 1); });
    std::vector<std::string> keys = {"a", "b", "x", "agent_id"};  // where known, also "x"
    std::shuffle(keys.begin(), keys.end(), random_);
    std::vector<std::string> members;
    for (std::size_t i = pick(3); i > 0; --i) {
      members.push_back(member(keys[i], any_value(depth - 1)));
    }
    return object(std::move(members));
  }

  std::mt19937 random_;
  bool tricky_ = true;
};

TEST(TelemetryUpdateReader, AgreesWithTheDomOnGeneratedMessages) {
  MessageGenerator generate(20260101);
  std::size_t decided = 0;
  constexpr int messages = 3000;
  for (int i = 0; i < messages; ++i) {
    const bool tricky = i % 2 == 0;
    const std::string line = generate.update(tricky);
    expect_same_as_dom(line);
    expect_same_as_dom(generate.mutated(line));
    if (!tricky) decided += scan(line) != ScanOutcome::undecided;
  }
  // Without the tricky parts the scanner decides every message itself.
  EXPECT_EQ(decided, messages / 2);
}

}  // namespace
}  // namespace hivemind::telemetry_detail
