#!/usr/bin/env bash
# hivemind-cpp mock of the container's /app/scripts/hive-session-manager.sh.
#
# Written from /work/shared/container-contract.md section 1: same verbs, outputs, exit codes,
# file layout and the same flaws (raw here-document JSON, set -e aborts that leave a session
# `running`, single-quote injection in `start`). Differences from the deployed script:
#   * every file lives under ${HIVE_MOCK_ROOT} on disk, while every path it prints or stores
#     stays the container path (/workspace/..., /var/log/multi-agent/...);
#   * the task runs with `bash -c` instead of `su dev -c`, and `claude-flow` is the fake
#     agent in tests/mock/bin.
# Plain `set -e` on purpose (no -u, no pipefail): that is what the deployed script does.

set -e

if [ -z "${HIVE_MOCK_ROOT}" ]; then
    echo "hive-session-manager (mock): HIVE_MOCK_ROOT is not set" >&2
    exit 2
fi
ROOT="${HIVE_MOCK_ROOT%/}"
SELF_NAME="${HIVE_MOCK_SCRIPT_PATH:-$0}"

# Container paths (printed and stored in JSON).
C_SESSIONS="/workspace/.swarm/sessions"
C_OUTPUTS="/workspace/ext/hive-sessions"
C_LOGDIR="/var/log/multi-agent"

# Host paths (where the files really are).
SESSIONS_ROOT="${ROOT}${C_SESSIONS}"
SESSIONS_INDEX="${SESSIONS_ROOT}/index.json"
SESSIONS_LOCK="${SESSIONS_ROOT}/.lock"

now() { date -Iseconds; }

# host path of a container path
on_disk() { printf '%s%s' "${ROOT}" "$1"; }

init_sessions() {
    mkdir -p "${SESSIONS_ROOT}"
    if [ ! -f "${SESSIONS_INDEX}" ]; then
        echo '{"sessions": {}, "created": "'"$(now)"'"}' > "${SESSIONS_INDEX}"
    fi
}

new_uuid() {
    cat /proc/sys/kernel/random/uuid
}

# rewrite FILE with jq ARGS... (pretty-printed, mode 0600 from mktemp); jq's exit code on error
jq_rewrite() {
    local file="$1"; shift
    local tmp
    tmp=$(mktemp "$(dirname "$file")/.tmp.XXXXXX")
    jq "$@" "$file" > "$tmp" || { rc=$?; rm -f "$tmp"; return $rc; }
    mv -f "$tmp" "$file"
}

cmd_create() {
    local TASK="$1"
    local PRIORITY="${2:-medium}"
    local METADATA="$3"

    init_sessions

    local UUID
    UUID=$(new_uuid)
    local C_DIR="${C_SESSIONS}/${UUID}"
    local C_OUT="${C_OUTPUTS}/${UUID}"
    local DIR
    DIR=$(on_disk "$C_DIR")

    mkdir -p "${DIR}/.swarm"
    mkdir -p "$(on_disk "$C_OUT")"
    : > "${DIR}/.swarm/memory.db"

    # Raw here-document, task and metadata pasted verbatim: the deployed flaw.
    cat > "${DIR}/session.json" <<JSON
{
  "session_id": "${UUID}",
  "task": "${TASK}",
  "priority": "${PRIORITY}",
  "created": "$(now)",
  "status": "created",
  "working_dir": "${C_DIR}",
  "output_dir": "${C_OUT}",
  "database": "${C_DIR}/.swarm/memory.db",
  "log_file": "${C_LOGDIR}/hive-${UUID}.log",
  "metadata": ${METADATA:-null}
}
JSON

    # Relative link: resolves to the output dir both in the container view and on disk.
    ln -sfn "../../../ext/hive-sessions/${UUID}" "${DIR}/output"

    (
        flock -x 200
        jq_rewrite "${SESSIONS_INDEX}" \
            --arg uuid "$UUID" --arg task "$TASK" --arg created "$(now)" --arg dir "$C_DIR" \
            '.sessions[$uuid] = {task: $task, status: "created", created: $created, dir: $dir}'
    ) 200>"${SESSIONS_LOCK}"

    echo "${UUID}"
    cat "${DIR}/session.json" >&2
}

cmd_update_status() {
    local UUID="$1"
    local STATUS="$2"
    local DIR
    DIR=$(on_disk "${C_SESSIONS}/${UUID}")

    if [ ! -d "${DIR}" ]; then
        echo "ERROR: Session ${UUID} not found" >&2
        return 1
    fi

    (
        flock -x 200
        jq_rewrite "${DIR}/session.json" --arg status "$STATUS" --arg updated "$(now)" \
            '.status = $status | .updated = $updated'
        jq_rewrite "${SESSIONS_INDEX}" --arg uuid "$UUID" --arg status "$STATUS" --arg updated "$(now)" \
            '.sessions[$uuid].status = $status | .sessions[$uuid].updated = $updated'
    ) 200>"${SESSIONS_LOCK}"
}

cmd_start() {
    local UUID="$1"
    shift
    local DIR
    DIR=$(on_disk "${C_SESSIONS}/${UUID}")

    if [ ! -d "${DIR}" ]; then
        echo "ERROR: Session ${UUID} not found" >&2
        return 1
    fi

    cmd_update_status "${UUID}" "starting"

    local SESSION_JSON="${DIR}/session.json"
    local C_LOG C_OUT TASK
    C_LOG=$(jq -r '.log_file' "${SESSION_JSON}")
    C_OUT=$(jq -r '.output_dir' "${SESSION_JSON}")
    TASK=$(jq -r '.task' "${SESSION_JSON}")
    local LOG OUT
    LOG=$(on_disk "$C_LOG")
    OUT=$(on_disk "$C_OUT")

    mkdir -p "$(dirname "$LOG")" "$OUT"

    echo "[SESSION-MGR] Starting session: ${UUID}" | tee -a "$LOG"
    echo "[SESSION-MGR] Working directory: ${C_SESSIONS}/${UUID}" | tee -a "$LOG"
    echo "[SESSION-MGR] Output directory: ${C_OUT}" | tee -a "$LOG"
    echo "[SESSION-MGR] Task: ${TASK}" | tee -a "$LOG"
    echo "[SESSION-MGR] Command: claude-flow hive-mind spawn \"${TASK}\" --claude" | tee -a "$LOG"

    cmd_update_status "${UUID}" "running"

    cd "${DIR}"
    export HIVE_MIND_SESSION_ID="${UUID}"
    export HIVE_MIND_OUTPUT_DIR="${C_OUT}"

    # The task is pasted into a single-quoted string, like the deployed `su dev -c "..."`:
    # a `'` in the task breaks out of it (syntax error, or injected commands run).
    # set -e: a non-zero exit here aborts the script, the status stays `running`.
    bash -c "cd '${OUT}' && claude-flow hive-mind spawn '${TASK}' --claude \"\$@\" 2>&1 | tee -a '${LOG}'; exit \${PIPESTATUS[0]}" -- "$@" 2>>"$LOG"

    cmd_update_status "${UUID}" "completed"
}

cmd_get() {
    local DIR
    DIR=$(on_disk "${C_SESSIONS}/$1")
    if [ ! -d "${DIR}" ]; then
        echo '{"error": "Session not found"}'
        return 1
    fi
    cat "${DIR}/session.json"
}

cmd_list() {
    init_sessions
    cat "${SESSIONS_INDEX}"
}

cmd_status() {
    local DIR
    DIR=$(on_disk "${C_SESSIONS}/$1")
    if [ ! -d "${DIR}" ]; then
        echo "not_found"
        return 1
    fi
    jq -r '.status' "${DIR}/session.json"
}

cmd_field() { # cmd_field UUID FIELD
    local DIR
    DIR=$(on_disk "${C_SESSIONS}/$1")
    if [ ! -d "${DIR}" ]; then
        echo ""
        return 1
    fi
    jq -r ".$2" "${DIR}/session.json"
}

cmd_cleanup() {
    local MAX_AGE_HOURS="${1:-24}"
    local CLEANED=0

    init_sessions

    # Whole days, and the counter lives in the pipeline's subshell: the final line says 0.
    find "${SESSIONS_ROOT}" -maxdepth 1 -type d -name "*-*-*-*-*" -mtime "+$((MAX_AGE_HOURS / 24))" | while read -r SDIR; do
        local UUID STATUS
        UUID=$(basename "$SDIR")
        STATUS=$(jq -r '.status // "unknown"' "${SDIR}/session.json" 2>/dev/null || echo "unknown")
        if [ "$STATUS" = "completed" ] || [ "$STATUS" = "failed" ]; then
            echo "Cleaning up session: ${UUID} (status: ${STATUS})"
            (
                flock -x 200
                jq_rewrite "${SESSIONS_INDEX}" --arg uuid "$UUID" 'del(.sessions[$uuid])'
            ) 200>"${SESSIONS_LOCK}"
            rm -rf "${SDIR}"
            CLEANED=$((CLEANED + 1))
        fi
    done

    echo "Cleaned up ${CLEANED} old sessions"
}

usage() {
    cat <<USAGE
Hive-Mind Session Manager

Usage:
  ${SELF_NAME} create <task> [priority] [metadata_json]
      Create new session and return UUID

  ${SELF_NAME} start <uuid> [hive-mind args...]
      Start hive-mind spawn in session

  ${SELF_NAME} status <uuid>
      Get session status (created|starting|running|completed|failed)

  ${SELF_NAME} get <uuid>
      Get full session metadata JSON

  ${SELF_NAME} list
      List all sessions

  ${SELF_NAME} output-dir <uuid>
      Get session output directory path

  ${SELF_NAME} log <uuid>
      Get session log file path

  ${SELF_NAME} update-status <uuid> <status>
      Update session status

  ${SELF_NAME} cleanup [max_age_hours]
      Remove old completed/failed sessions (default: 24h)

  ${SELF_NAME} init
      Initialize sessions infrastructure

Session Structure:
  /workspace/.swarm/sessions/<UUID>/
    ├── session.json          # Session metadata
    ├── .swarm/memory.db      # Isolated database
    └── output/               # Symlink to /workspace/ext/hive-sessions/<UUID>

  /workspace/ext/hive-sessions/<UUID>/
    └── (all hive-mind output artifacts)
USAGE
}

case "$1" in
    create)        cmd_create "$2" "$3" "$4" ;;
    start)         shift; UUID_ARG="$1"; shift || true; cmd_start "${UUID_ARG}" "$@" ;;
    status)        cmd_status "$2" ;;
    get)           cmd_get "$2" ;;
    list)          cmd_list ;;
    output-dir)    cmd_field "$2" output_dir ;;
    log)           cmd_field "$2" log_file ;;
    update-status) cmd_update_status "$2" "$3" ;;
    cleanup)       cmd_cleanup "$2" ;;
    init)          init_sessions ;;
    *)             usage; exit 1 ;;
esac
