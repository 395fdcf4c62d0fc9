#!/usr/bin/env bash
# Lean stand-in for the mock's hive-session-manager.sh, installed by the session load
# test at $MOCK_ROOT/app/scripts/hive-session-manager.sh (so the fake docker, its
# process scoping and `pgrep` liveness work as for the full mock). It serves the verbs a
# spawn-and-watch run uses (create, start, status, get, list) with the same outputs,
# but without jq and with almost no child processes: the full mock runs jq about eleven
# times per session, ~50 ms of CPU each on the test machine, which would make 1,000
# sessions cost ~10 minutes of CPU. Tasks must be plain text (no JSON escaping here).
#
# Each status is an empty marker file (status.created, status.running, ...): creating a
# file is atomic, so a concurrent `list` never reads a half-written status.
set -e
shopt -s nullglob

SESSIONS="${HIVE_MOCK_ROOT%/}/workspace/.swarm/sessions"
C_SESSIONS=/workspace/.swarm/sessions
CREATED=2026-01-01T00:00:00+00:00

# Sets STATUS to the latest marker's status in DIR, or empty (no subshell: `list` calls
# it once per session).
current_status() { # DIR
    STATUS=""
    for candidate in created starting running completed failed; do
        if [[ -e "$1/status.${candidate}" ]]; then STATUS="$candidate"; fi
    done
}

session_json() { # UUID STATUS
    local task
    read -r task < "${SESSIONS}/$1/task"
    printf '{"session_id": "%s", "task": "%s", "priority": "medium", "created": "%s", "status": "%s", "working_dir": "%s/%s", "output_dir": "/workspace/ext/hive-sessions/%s", "database": "%s/%s/.swarm/memory.db", "log_file": "/var/log/multi-agent/hive-%s.log", "metadata": null}\n' \
        "$1" "$task" "$CREATED" "$2" "$C_SESSIONS" "$1" "$1" "$C_SESSIONS" "$1" "$1"
}

case "$1" in
    create)
        read -r uuid < /proc/sys/kernel/random/uuid
        mkdir -p "${SESSIONS}/${uuid}"
        printf '%s\n' "$2" > "${SESSIONS}/${uuid}/task"
        : > "${SESSIONS}/${uuid}/status.created"
        echo "$uuid"
        ;;
    start)
        dir="${SESSIONS}/$2"
        [[ -d "$dir" ]] || { echo "ERROR: Session $2 not found" >&2; exit 1; }
        : > "$dir/status.running"
        read -r task < "$dir/task"
        seconds=0
        [[ "$task" =~ \#sleep=([0-9.]+) ]] && seconds="${BASH_REMATCH[1]}"
        sleep "$seconds"
        : > "$dir/status.completed"
        ;;
    status)
        dir="${SESSIONS}/$2"
        [[ -d "$dir" ]] || { echo "not_found"; exit 1; }
        current_status "$dir"
        echo "$STATUS"
        ;;
    get)
        dir="${SESSIONS}/$2"
        [[ -d "$dir" ]] || { echo '{"error": "Session not found"}'; exit 1; }
        current_status "$dir"
        session_json "$2" "$STATUS"
        ;;
    list)
        printf '{"sessions": {'
        separator=""
        for dir in "${SESSIONS}"/*/; do
            dir="${dir%/}"
            current_status "$dir"
            [[ -n "$STATUS" ]] || continue  # still being created
            uuid="${dir##*/}"
            printf '%s"%s": {"task": "", "status": "%s", "created": "%s", "dir": "%s/%s"}' \
                "$separator" "$uuid" "$STATUS" "$CREATED" "$C_SESSIONS" "$uuid"
            separator=", "
        done
        printf '}, "created": "%s"}\n' "$CREATED"
        ;;
    *)
        echo "lean session manager: '$1' is not served here" >&2
        exit 1
        ;;
esac
