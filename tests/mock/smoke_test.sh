#!/usr/bin/env bash
# Smoke test of the mock container (fake docker + session manager + fake agent).
# Usage: tests/mock/smoke_test.sh        (needs bash, jq, flock, coreutils, procps)
# Last line: "N passed, M failed"; exit status non-zero on any failure.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/hive-mock-smoke.XXXXXX")"
export MOCK_ROOT="$TMP/root"
export MOCK_CONTAINER="multi-agent-container"
export PATH="$HERE/bin:$PATH"
export MOCK_AGENT_SECONDS=0.3
unset MOCK_AGENT_EXIT MOCK_AGENT_FILES MOCK_AGENT_LOGLINES
export MOCK_DOCKER_LOG="$TMP/docker.log"
MC="$HERE/mock-container"
C="multi-agent-container"
S="/app/scripts/hive-session-manager.sh"
UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

PASS=0
FAIL=0
BG_PIDS=()

cleanup() {
    "$MC" kill-all >/dev/null 2>&1 || true
    local p
    for p in "${BG_PIDS[@]+"${BG_PIDS[@]}"}"; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

ok()   { PASS=$((PASS + 1)); }
bad()  { FAIL=$((FAIL + 1)); printf 'FAIL: %s\n' "$*" >&2; }
check() { # check DESCRIPTION COMMAND...
    local d="$1"; shift
    if "$@"; then ok; else bad "$d"; fi
}
eq() { # eq DESCRIPTION EXPECTED ACTUAL
    if [[ "$2" == "$3" ]]; then ok; else bad "$1: expected [$2], got [$3]"; fi
}
contains() { # contains DESCRIPTION NEEDLE HAYSTACK
    if [[ "$3" == *"$2"* ]]; then ok; else bad "$1: [$2] not found in [$3]"; fi
}

# run CMD... -> OUT, ERR, RC
run() {
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
    OUT="$(tr -d '\0' <"$TMP/out")"
    ERR="$(cat "$TMP/err")"
}
hsm() { run docker exec "$C" "$S" "$@"; }

status_of() { docker exec "$C" "$S" status "$1" 2>/dev/null; }
start_alive() { docker exec "$C" pgrep -f "hive-session-manager.sh start $1" >/dev/null 2>&1; }

# poll until status == $2 (bounded, default 20 s)
wait_status() {
    local u="$1" want="$2" limit="${3:-20}" end=$((SECONDS + ${3:-20})) s=""
    while ((SECONDS <= end)); do
        s="$(status_of "$u")"
        [[ "$s" == "$want" ]] && return 0
        sleep 0.1
    done
    echo "  (waited ${limit}s for $u to be '$want', last status '$s')" >&2
    return 1
}
# poll until the session has left `created/starting` and its start process is gone
wait_dead() {
    local u="$1" end=$((SECONDS + 20)) s
    while ((SECONDS <= end)); do
        s="$(status_of "$u")"
        if [[ "$s" != created && "$s" != starting ]] && ! start_alive "$u"; then return 0; fi
        sleep 0.1
    done
    echo "  (waited 20s for the start process of $u to end)" >&2
    return 1
}
wait_gone() { # wait_gone PATTERN: no process matches pgrep -f PATTERN
    local end=$((SECONDS + 20))
    while ((SECONDS <= end)); do
        pgrep -f "$1" >/dev/null || return 0
        sleep 0.1
    done
    return 1
}
is_json() { jq -e . >/dev/null 2>&1 <<<"$1"; }
not() { ! "$@"; }
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

"$MC" init
check "mock-container init creates the skeleton" test -d "$MOCK_ROOT/workspace/ext/hive-sessions" -a -d "$MOCK_ROOT/var/log/multi-agent"

# ---------------------------------------------------------------- usage, init, list
hsm
eq "no verb: exit" 1 "$RC"
contains "no verb: usage on stdout" "Usage:" "$OUT"
contains "usage names the container script path" "/app/scripts/hive-session-manager.sh create <task>" "$OUT"
hsm frobnicate
eq "unknown verb: exit" 1 "$RC"
contains "unknown verb: usage" "Hive-Mind Session Manager" "$OUT"

hsm init
eq "init: exit" 0 "$RC"
eq "init: stdout" "" "$OUT"
eq "init: stderr" "" "$ERR"
check "init: index.json exists" test -f "$MOCK_ROOT/workspace/.swarm/sessions/index.json"

hsm list
eq "list (empty): exit" 0 "$RC"
eq "list (empty): stderr" "" "$ERR"
eq "list (empty): sessions" "{}" "$(jq -c .sessions <<<"$OUT")"
check "list: created is ISO-8601 with offset" bash -c '[[ "$(jq -r .created <<<"$1")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}$ ]]' _ "$OUT"

# ---------------------------------------------------------------- create / get / status
hsm create "hello world"
eq "create: exit" 0 "$RC"
U1="$OUT"
check "create: stdout is only a UUID ($U1)" bash -c '[[ "$1" =~ $2 ]]' _ "$U1" "$UUID_RE"
check "create: stderr is the session JSON" is_json "$ERR"
eq "create: stderr session_id" "$U1" "$(jq -r .session_id <<<"$ERR")"
eq "create: default priority" "medium" "$(jq -r .priority <<<"$ERR")"
eq "create: metadata null when absent" "null" "$(jq -c .metadata <<<"$ERR")"

hsm get "$U1"
eq "get: exit" 0 "$RC"
eq "get: stderr" "" "$ERR"
eq "get: keys" '["created","database","log_file","metadata","output_dir","priority","session_id","status","task","working_dir"]' "$(jq -c 'keys' <<<"$OUT")"
eq "get: task" "hello world" "$(jq -r .task <<<"$OUT")"
eq "get: status" "created" "$(jq -r .status <<<"$OUT")"
eq "get: working_dir" "/workspace/.swarm/sessions/$U1" "$(jq -r .working_dir <<<"$OUT")"
eq "get: output_dir" "/workspace/ext/hive-sessions/$U1" "$(jq -r .output_dir <<<"$OUT")"
eq "get: database" "/workspace/.swarm/sessions/$U1/.swarm/memory.db" "$(jq -r .database <<<"$OUT")"
eq "get: log_file" "/var/log/multi-agent/hive-$U1.log" "$(jq -r .log_file <<<"$OUT")"

hsm create "with meta" high '{"project":"x","n":[1,2]}'
U2="$OUT"
eq "create with priority" "high" "$(jq -r .priority <<<"$ERR")"
eq "create with metadata verbatim" '{"project":"x","n":[1,2]}' "$(jq -c .metadata <<<"$ERR")"

hsm create "/workspace/ext is where results go"
eq "create: a task starting with /workspace/ is not path-mapped" "/workspace/ext is where results go" "$(docker exec "$C" "$S" get "$OUT" | jq -r .task)"

hsm status "$U1"
eq "status: exit" 0 "$RC"
eq "status: value" "created" "$OUT"
eq "status: stderr" "" "$ERR"
hsm output-dir "$U1"
eq "output-dir: exit" 0 "$RC"
eq "output-dir: container path" "/workspace/ext/hive-sessions/$U1" "$OUT"
eq "output-dir: stderr" "" "$ERR"
hsm log "$U1"
eq "log: exit" 0 "$RC"
eq "log: container path" "/var/log/multi-agent/hive-$U1.log" "$OUT"
eq "log: stderr" "" "$ERR"

SD="$MOCK_ROOT/workspace/.swarm/sessions/$U1"
check "layout: session.json" test -f "$SD/session.json"
check "layout: .swarm/memory.db" test -f "$SD/.swarm/memory.db"
check "layout: output symlink" test -L "$SD/output"
check "layout: output symlink resolves to the output dir" test "$(cd "$SD/output" && pwd -P)" = "$(cd "$MOCK_ROOT/workspace/ext/hive-sessions/$U1" && pwd -P)"
eq "list: registry entry" "hello world|created|/workspace/.swarm/sessions/$U1" \
   "$(docker exec "$C" "$S" list | jq -r --arg u "$U1" '.sessions[$u] | "\(.task)|\(.status)|\(.dir)"')"

# ---------------------------------------------------------------- unknown UUID
NOPE="00000000-0000-4000-8000-000000000000"
hsm status "$NOPE";        eq "status unknown: stdout" "not_found" "$OUT"; eq "status unknown: exit" 1 "$RC"
hsm get "$NOPE";           eq "get unknown: stdout" '{"error": "Session not found"}' "$OUT"; eq "get unknown: exit" 1 "$RC"
hsm output-dir "$NOPE";    eq "output-dir unknown: stdout" "" "$OUT"; eq "output-dir unknown: exit" 1 "$RC"
check "output-dir unknown: prints an empty line" test "$(wc -c <"$TMP/out")" -eq 1
hsm log "$NOPE";           eq "log unknown: stdout" "" "$OUT"; eq "log unknown: exit" 1 "$RC"
hsm update-status "$NOPE" running; eq "update-status unknown: exit" 1 "$RC"; eq "update-status unknown: stdout" "" "$OUT"
eq "update-status unknown: stderr" "ERROR: Session $NOPE not found" "$ERR"
hsm start "$NOPE"
eq "start unknown: exit" 1 "$RC"
eq "start unknown: stderr" "ERROR: Session $NOPE not found" "$ERR"

# ---------------------------------------------------------------- update-status
hsm update-status "$U2" paused
eq "update-status: exit" 0 "$RC"
eq "update-status: stdout" "" "$OUT"
eq "update-status: stderr" "" "$ERR"
eq "update-status: unknown string kept" "paused" "$(status_of "$U2")"
check "update-status: session has updated" bash -c 'docker exec "$1" "$2" get "$3" | jq -e ".updated | test(\"T\")" >/dev/null' _ "$C" "$S" "$U2"
eq "update-status: session.json mode 0600" "600" "$(stat -c %a "$MOCK_ROOT/workspace/.swarm/sessions/$U2/session.json")"
check "update-status: session.json pretty-printed" test "$(wc -l <"$MOCK_ROOT/workspace/.swarm/sessions/$U2/session.json")" -gt 5
eq "update-status: index.json mode 0600" "600" "$(stat -c %a "$MOCK_ROOT/workspace/.swarm/sessions/index.json")"
eq "update-status: registry" "paused" "$(docker exec "$C" "$S" list | jq -r --arg u "$U2" '.sessions[$u].status')"

# ---------------------------------------------------------------- full run to completed
TASK="build a thing #sleep=0.6 #files=4 #loglines=4"
U3="$(docker exec "$C" "$S" create "$TASK" 2>/dev/null)"
run docker exec -d "$C" "$S" start "$U3" --foo "bar baz"
eq "start -d: exit" 0 "$RC"
eq "start -d: stdout" "" "$OUT"
check "session reaches running" wait_status "$U3" running
LIVE=0; end=$((SECONDS + 5))
while ((SECONDS <= end)); do
    if start_alive "$U3"; then LIVE=1; break; fi
    [[ "$(status_of "$U3")" == completed ]] && break
    sleep 0.02
done
eq "pgrep finds the start process while running" 1 "$LIVE"
run docker exec "$C" pgrep -f "/app/scripts/hive-session-manager.sh start $U3"
check "pgrep with the full container script path works too (or the run already ended)" \
    bash -c '[[ "$1" == 0 || "$2" == completed ]]' _ "$RC" "$(status_of "$U3")"
check "session reaches completed" wait_status "$U3" completed
check "no start process after completion" wait_dead "$U3"
OD="$MOCK_ROOT/workspace/ext/hive-sessions/$U3"
check "output: result.md" test -f "$OD/result.md"
contains "output: result.md holds the task" "$TASK" "$(cat "$OD/result.md" 2>/dev/null)"
for i in 1 2 3; do check "output: data/output-$i.json" test -f "$OD/data/output-$i.json"; done
check "output: reachable through the session's output symlink" test -f "$MOCK_ROOT/workspace/.swarm/sessions/$U3/output/result.md"
LOGF="$MOCK_ROOT/var/log/multi-agent/hive-$U3.log"
LOGTXT="$(cat "$LOGF" 2>/dev/null)"
contains "log: first agent line echoes the task" "[agent] hive-mind spawn task: $TASK" "$LOGTXT"
contains "log: steps" "[agent] step 4/4" "$LOGTXT"
contains "log: extra args reach the agent" "extra=--claude --foo bar baz" "$LOGTXT"
contains "log: session manager header" "[SESSION-MGR] Starting session: $U3" "$LOGTXT"
run docker exec "$C" tail -n 1 "/var/log/multi-agent/hive-$U3.log"
eq "tail -n 1 through docker exec (path mapping)" "[agent] done, exit 0" "$OUT"
eq "registry says completed" "completed" "$(docker exec "$C" "$S" list | jq -r --arg u "$U3" '.sessions[$u].status')"

# detached start must not hold the caller's pipes: $(...) returns while the session runs
U4="$(docker exec "$C" "$S" create "long one #sleep=30" 2>/dev/null)"
run timeout 5 bash -c 'x="$(docker exec -d "$1" "$2" start "$3")"; echo "[$x]"' _ "$C" "$S" "$U4"
eq "start -d releases the caller's stdout pipe at once" "0|[]" "$RC|$OUT"
check "start -d returns once the start process exists (pgrep finds it at once)" start_alive "$U4"
check "long session running" wait_status "$U4" running

# ---------------------------------------------------------------- failure: stuck at running
U5="$(docker exec "$C" "$S" create "fail please #exit=3" 2>/dev/null)"
docker exec -d "$C" "$S" start "$U5"
check "failing task: start process ends" wait_dead "$U5"
eq "failing task: status stays running" "running" "$(status_of "$U5")"
contains "failing task: agent ran" "[agent] done, exit 3" "$(cat "$MOCK_ROOT/var/log/multi-agent/hive-$U5.log" 2>/dev/null)"

# synchronous start passes the task's exit code through docker exec
U6="$(docker exec "$C" "$S" create "sync fail #exit=5 #sleep=0.1" 2>/dev/null)"
hsm start "$U6"
eq "sync start: task exit code" 5 "$RC"
contains "sync start: log lines on stdout" "[agent] step 5/5" "$OUT"
eq "sync start: still running" "running" "$(status_of "$U6")"
U7="$(docker exec "$C" "$S" create "sync ok #sleep=0.1" 2>/dev/null)"
hsm start "$U7"
eq "sync start ok: exit" 0 "$RC"
eq "sync start ok: completed" "completed" "$(status_of "$U7")"

# ---------------------------------------------------------------- quoting hazards
for bad_task in 'say "hi"' 'back\slash' $'new\nline' $'tab\there'; do
    hsm create "$bad_task"
    BU="$OUT"
    eq "hazard $(printf %q "$bad_task"): create exit 0" 0 "$RC"
    check "hazard $(printf %q "$bad_task"): create prints a UUID" bash -c '[[ "$1" =~ $2 ]]' _ "$BU" "$UUID_RE"
    hsm get "$BU"
    check "hazard $(printf %q "$bad_task"): get returns invalid JSON" not is_json "$OUT"
    hsm status "$BU"
    eq "hazard $(printf %q "$bad_task"): status stdout" "" "$OUT"
    eq "hazard $(printf %q "$bad_task"): status exit" 4 "$RC"
done
hsm start "$BU"
check "hazard: start of a broken session fails" test "$RC" -ne 0
check "hazard: broken session never ran (no log)" test ! -e "$MOCK_ROOT/var/log/multi-agent/hive-$BU.log"

hsm create "it's broken"
UQ="$OUT"
eq "single quote: get is valid JSON" "it's broken" "$(docker exec "$C" "$S" get "$UQ" | jq -r .task)"
docker exec -d "$C" "$S" start "$UQ"
check "single quote: start process ends" wait_dead "$UQ"
eq "single quote: status stuck at running" "running" "$(status_of "$UQ")"
check "single quote: agent never ran" not test -e "$MOCK_ROOT/workspace/ext/hive-sessions/$UQ/result.md"

hsm create "x' ; touch M ; echo 'y"
UI="$OUT"
hsm start "$UI"
check "injection: touch M ran inside the container" test -e "$MOCK_ROOT/workspace/ext/hive-sessions/$UI/M"

SAFE='cost $HOME $(id -u) `whoami` ${PATH}'
hsm create "$SAFE"
US="$OUT"
hsm start "$US"
eq "dollar/backticks: run completes" "0|completed" "$RC|$(status_of "$US")"
eq "dollar/backticks: task reads back literally" "$SAFE" "$(docker exec "$C" "$S" get "$US" | jq -r .task)"
contains "dollar/backticks: agent got the literal task" "Task: $SAFE" "$(cat "$MOCK_ROOT/workspace/ext/hive-sessions/$US/result.md" 2>/dev/null)"

# ---------------------------------------------------------------- cleanup
UC1="$(docker exec "$C" "$S" create "old completed" 2>/dev/null)"
UC2="$(docker exec "$C" "$S" create "old failed" 2>/dev/null)"
UC3="$(docker exec "$C" "$S" create "old running" 2>/dev/null)"
UC4="$(docker exec "$C" "$S" create "young completed" 2>/dev/null)"
docker exec "$C" "$S" update-status "$UC1" completed
docker exec "$C" "$S" update-status "$UC2" failed
docker exec "$C" "$S" update-status "$UC3" running
docker exec "$C" "$S" update-status "$UC4" completed
for u in "$UC1" "$UC2" "$UC3"; do touch -d '3 days ago' "$MOCK_ROOT/workspace/.swarm/sessions/$u"; done
touch -d '2 hours ago' "$MOCK_ROOT/workspace/.swarm/sessions/$UC4"
hsm cleanup 1
eq "cleanup: exit" 0 "$RC"
eq "cleanup: stderr" "" "$ERR"
contains "cleanup: completed session line" "Cleaning up session: $UC1" "$OUT"
contains "cleanup: failed session line" "Cleaning up session: $UC2" "$OUT"
eq "cleanup: final line (always 0)" "Cleaned up 0 old sessions" "$(tail -n 1 <<<"$OUT")"
eq "cleanup: exactly 2 sessions cleaned" 2 "$(grep -c '^Cleaning up session: ' <<<"$OUT")"
check "cleanup: completed session dir removed" test ! -e "$MOCK_ROOT/workspace/.swarm/sessions/$UC1"
check "cleanup: output dir kept" test -d "$MOCK_ROOT/workspace/ext/hive-sessions/$UC1"
eq "cleanup: removed from registry" "null" "$(docker exec "$C" "$S" list | jq -c --arg u "$UC1" '.sessions[$u]')"
eq "cleanup: old running session kept" "running" "$(status_of "$UC3")"
eq "cleanup: 2 hours old kept with MAX_AGE_HOURS=1 (whole days)" "completed" "$(status_of "$UC4")"
hsm cleanup
eq "cleanup (default 24h): nothing left to clean" "Cleaned up 0 old sessions" "$OUT"

# ---------------------------------------------------------------- concurrency on the registry
for i in $(seq 1 8); do
    docker exec "$C" "$S" create "parallel $i" >"$TMP/par.$i" 2>/dev/null &
done
wait
NPAR=0
for i in $(seq 1 8); do
    u="$(cat "$TMP/par.$i")"
    [[ "$(docker exec "$C" "$S" list | jq -r --arg u "$u" '.sessions[$u].task')" == "parallel $i" ]] && NPAR=$((NPAR + 1))
done
eq "8 concurrent creates all registered (flock)" 8 "$NPAR"

# ---------------------------------------------------------------- docker CLI surface
run docker exec nope-container "$S" list
eq "unknown container: exit" 1 "$RC"
eq "unknown container: stderr" "Error response from daemon: No such container: nope-container" "$ERR"
run docker ps
eq "unsupported subcommand: exit" 1 "$RC"
check "unsupported subcommand: stderr" test -n "$ERR"
run docker --context ctx -H tcp://1.2.3.4:2375 --log-level debug --config "$TMP" \
    exec -i -t -u dev -e FOO=bar --env "BAR=b z" -w /workspace/ext "$C" \
    sh -c 'printf "%s|%s|%s|%s\n" "$FOO" "$BAR" "$(pwd)" "$HIVE_MOCK_ROOT"; command -v claude-flow'
eq "global options, -e/--env/-w/-u: exit" 0 "$RC"
eq "global options, -e/--env/-w/-u: env and workdir" "bar|b z|$MOCK_ROOT/workspace/ext|$MOCK_ROOT" "$(head -n 1 <<<"$OUT")"
eq "fake claude-flow on PATH inside" "$HERE/bin/claude-flow" "$(tail -n 1 <<<"$OUT")"
run docker exec "$C" cat "/workspace/.swarm/sessions/$U1/session.json"
eq "cat of a /workspace path is mapped" "$U1" "$(jq -r .session_id <<<"$OUT")"
run docker exec "$C" sh -c 'exit 7'
eq "exit code passes through" 7 "$RC"
run docker exec "$C" pwd
eq "default workdir is /workspace" "$MOCK_ROOT/workspace" "$OUT"
eq "stdin is empty without -i" "" "$(echo hello | docker exec "$C" cat)"
eq "stdin passes with -i" "hello" "$(echo hello | docker exec -i "$C" cat)"
run docker exec "$C" no-such-binary
eq "missing command: exit" 127 "$RC"
contains "missing command: stderr" "executable file not found" "$ERR"

# ---------------------------------------------------------------- switches
"$MC" stop
run docker exec "$C" "$S" list
eq "stopped: exit" 1 "$RC"
eq "stopped: stderr" "Error response from daemon: container 0123abcd is not running" "$ERR"
"$MC" start
hsm list; eq "started again: exit" 0 "$RC"

"$MC" daemon-down
run docker exec "$C" "$S" list
eq "daemon down: exit" 1 "$RC"
eq "daemon down: stderr" "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" "$ERR"
"$MC" daemon-up
hsm list; eq "daemon up: exit" 0 "$RC"

"$MC" garbage
run docker exec "$C" "$S" create "should not be created"
eq "garbage: exit 0" 0 "$RC"
check "garbage: stdout non-empty" test -s "$TMP/out"
check "garbage: stdout not a UUID" not bash -c '[[ "$1" =~ $2 ]]' _ "$OUT" "$UUID_RE"
check "garbage: stdout not JSON" not is_json "$OUT"
"$MC" ungarbage
hsm list; eq "ungarbage: exit" 0 "$RC"

"$MC" hang
docker exec "$C" "$S" list >/dev/null 2>&1 &
HP=$!
BG_PIDS+=("$HP")
HUNG=0; end=$((SECONDS + 10))
while ((SECONDS <= end)); do
    if [[ "$(tr '\0' ' ' <"/proc/$HP/cmdline" 2>/dev/null)" == "sleep 100000 " ]]; then HUNG=1; break; fi
    sleep 0.02
done
eq "hang: the exec process became 'sleep 100000' (no orphan child)" 1 "$HUNG"
check "hang: still running" kill -0 "$HP"
kill -KILL "$HP" 2>/dev/null; wait "$HP" 2>/dev/null
check "hang: killed, nothing left" pid_gone "$HP"
"$MC" unhang
hsm list; eq "unhang: exit" 0 "$RC"

# ---------------------------------------------------------------- pgrep/pkill inside the container
UP="$(docker exec "$C" "$S" create "pkill me #sleep=30" 2>/dev/null)"
docker exec -d "$C" "$S" start "$UP"
check "pkill: session running" wait_status "$UP" running
# a host process (not in the container) whose command line holds the same pattern
bash -c "exec -a 'decoy hive-session-manager.sh start $UP' sleep 60" &
DECOY=$!
BG_PIDS+=("$DECOY")
run docker exec "$C" pgrep -af "hive-session-manager.sh start $UP"
eq "container pgrep: exit" 0 "$RC"
check "container pgrep: finds the session" grep -q "hive-session-manager.sh start $UP" "$TMP/out"
check "container pgrep: host processes are not in the container" not grep -q decoy "$TMP/out"
run docker exec "$C" pgrep -f "no-such-process-$$"
eq "container pgrep: no match exit" 1 "$RC"
run docker exec "$C" pkill -f "hive-session-manager.sh start $UP"
eq "container pkill: exit" 0 "$RC"
check "container pkill: start process gone" wait_dead "$UP"
check "container pkill: host decoy untouched" kill -0 "$DECOY"
eq "container pkill: status stays running" "running" "$(status_of "$UP")"
kill -KILL "$DECOY" 2>/dev/null; wait "$DECOY" 2>/dev/null

# ---------------------------------------------------------------- restart
MARK="restart-marker-$$-$RANDOM"
UR="$(docker exec "$C" "$S" create "$MARK #sleep=30" 2>/dev/null)"
docker exec -d "$C" "$S" start "$UR"
check "restart: session running" wait_status "$UR" running
ALIVE=0; end=$((SECONDS + 5))
while ((SECONDS <= end)); do pgrep -f "$MARK" >/dev/null && { ALIVE=1; break; }; sleep 0.02; done
eq "restart: agent process running" 1 "$ALIVE"
run "$MC" restart
eq "restart: exit" 0 "$RC"
check "restart: no start process left" wait_dead "$UR"
check "restart: no agent process left" wait_gone "$MARK"
eq "restart: status stays running" "running" "$(status_of "$UR")"
check "restart: long session U4 killed too" wait_dead "$U4"
check "restart: the agent orphaned by pkill is gone too" wait_gone "pkill me #sleep=30"

# kill-all also ends exec'd followers such as `tail -F`
UF="$(docker exec "$C" "$S" create "followed #sleep=30" 2>/dev/null)"
docker exec -d "$C" "$S" start "$UF"
check "kill-all: session running" wait_status "$UF" running
( docker exec "$C" tail -F "/var/log/multi-agent/hive-$UF.log" >"$TMP/follow"; true ) 2>/dev/null &
FP=$!
BG_PIDS+=("$FP")
SEEN=0; end=$((SECONDS + 10))
while ((SECONDS <= end)); do grep -qs 'SESSION-MGR' "$TMP/follow" && { SEEN=1; break; }; sleep 0.02; done
eq "tail -F follower sees the log" 1 "$SEEN"
run "$MC" kill-all
eq "kill-all: exit" 0 "$RC"
check "kill-all: no start process left" wait_dead "$UF"
FOLLOW_ENDED=0; end=$((SECONDS + 10))
while ((SECONDS <= end)); do pid_gone "$FP" && { FOLLOW_ENDED=1; break; }; sleep 0.02; done
eq "kill-all: the tail -F follower ended" 1 "$FOLLOW_ENDED"
wait "$FP" 2>/dev/null

# ---------------------------------------------------------------- invocation log
check "invocation log: every line is a JSON array" bash -c 'jq -se "all(type == \"array\")" "$1" >/dev/null' _ "$MOCK_DOCKER_LOG"
export MOCK_DOCKER_LOG="$TMP/docker2.log"
for i in $(seq 1 20); do
    docker exec "$C" echo "a b" '"q\' -n "$i" >/dev/null 2>&1 &
done
wait
eq "invocation log: 20 concurrent calls, 20 lines" 20 "$(wc -l <"$MOCK_DOCKER_LOG")"
check "invocation log: all lines valid" bash -c 'jq -se "length == 20" "$1" >/dev/null' _ "$MOCK_DOCKER_LOG"
check "invocation log: argv recorded exactly" grep -qxF '["exec","multi-agent-container","echo","a b","\"q\\","-n","7"]' "$MOCK_DOCKER_LOG"
run docker --context x exec -d "$C" true
eq "invocation log: global options recorded" '["--context","x","exec","-d","multi-agent-container","true"]' "$(tail -n 1 "$MOCK_DOCKER_LOG")"

echo "$PASS passed, $FAIL failed"
((FAIL == 0))
