#!/usr/bin/env bash
# `npm run dev`: a real n8n 2.41.1 (or DEDALUS_N8N_VERSION) with this repo's package installed in its user
# folder as a community package is (npm pack of dist/, then npm install into .n8n/nodes:
# scripts/install-package.sh), so the node types are n8n-nodes-dedalus.dedalus and
# n8n-nodes-dedalus.dedalusChatModel and every file in examples/ imports as it is. Next to the
# Dedalus emulator, with an owner account and the credential the examples name ("Dedalus account",
# n8n-runner/n8n-config.json).
# Runs until Ctrl-C, which stops everything it started.
#
# Settings (environment):
#   N8N_PORT=5678                 editor/API port (must be free)
#   DEDALUS_EMULATOR_PORT=4010    emulator port (a free one is picked if busy)
#   DEDALUS_DEV_FOLDER=.n8n       persistent n8n user folder (git-ignored); delete it to start over
#   DEDALUS_DEV_SKIP_BUILD=1      start with the current dist instead of running `npm run build`
#   DEDALUS_DEV_NO_EMULATOR=1     do not start the emulator
N8N_LIB_TAG=dev
. "$(dirname "$0")/preamble.sh"

export N8N_PORT="${N8N_PORT:-5678}"
DEV_FOLDER="${DEDALUS_DEV_FOLDER:-$ROOT/.n8n}"
LOG_DIR="$DEV_FOLDER/logs"
CREDENTIAL_ID="$(node -p 'require(process.argv[1]).dedalusCredential.id' "$N8N_LIB_CONFIG")"
CREDENTIAL_NAME="$(node -p 'require(process.argv[1]).dedalusCredential.name' "$N8N_LIB_CONFIG")"
DEV_API_KEY=dsk-test-dev-0001

N8N_PID=""
EMULATOR_PID=""
CLEANED=""
cleanup() {
  [ -n "$CLEANED" ] && return 0
  CLEANED=1
  # A second Ctrl-C while stopping must not abort the cleanup half-way.
  trap '' INT TERM HUP
  # n8n first: it may still be talking to the emulator while it shuts down.
  n8n_kill_group "$N8N_PID" n8n
  n8n_kill_group "$EMULATOR_PID" emulator
  if [ -n "$N8N_PID$EMULATOR_PID" ]; then say "stopped."; fi
  return 0
}
trap cleanup EXIT
# Ctrl-C / kill: run cleanup (through the EXIT trap) and exit with the usual signal status.
trap 'exit 130' INT
trap 'exit 143' TERM HUP

mkdir -p "$LOG_DIR"
N8N_LOG="$LOG_DIR/n8n.log"
EMULATOR_LOG="$LOG_DIR/emulator.log"

if n8n_port_busy "$N8N_PORT"; then
  say "port $N8N_PORT is already in use (another n8n, or an earlier dev run?). Stop it or set N8N_PORT."
  exit 1
fi

n8n_resolve_install

build_package DEDALUS_DEV_SKIP_BUILD

# --- emulator (optional) ---
EMULATOR_URL=""
if [ "${DEDALUS_DEV_NO_EMULATOR:-}" = 1 ]; then
  say "not starting the emulator (DEDALUS_DEV_NO_EMULATOR=1)"
elif [ ! -d "$ROOT/emulator" ] || ! grep -q '"emulator"' package.json; then
  say "no emulator in this checkout yet: skipping it"
else
  EMULATOR_PORT="${DEDALUS_EMULATOR_PORT:-4010}"
  if n8n_port_busy "$EMULATOR_PORT"; then
    EMULATOR_PORT="$(n8n_free_port)"
  fi
  say "starting the emulator on port $EMULATOR_PORT (npm run emulator; it compiles first)..."
  : >"$EMULATOR_LOG"
  # setsid: its own process group (npm, sh, node), so cleanup can stop all three at once.
  setsid npm run --silent emulator -- --port "$EMULATOR_PORT" >>"$EMULATOR_LOG" 2>&1 < /dev/null &
  EMULATOR_PID=$!
  for _ in $(seq 1 120); do
    EMULATOR_URL="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$EMULATOR_LOG" | head -n 1)"
    [ -n "$EMULATOR_URL" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$EMULATOR_URL" ]; then
    say "the emulator did not start (see $EMULATOR_LOG); continuing without it:"
    tail -n 10 "$EMULATOR_LOG" >&2 || true
    n8n_kill_group "$EMULATOR_PID" emulator
    EMULATOR_PID=""
  else
    say "emulator listening on $EMULATOR_URL"
  fi
fi

# --- n8n ---
n8n_export_defaults
export N8N_USER_FOLDER="$DEV_FOLDER"
say "installing the package into ${DEV_FOLDER#"$ROOT/"}/.n8n/nodes (npm pack + npm install, offline)..."
bash "$ROOT/scripts/install-package.sh" "$DEV_FOLDER" >/dev/null
BROKER_PORT="$(n8n_free_port)"
while [ "$BROKER_PORT" = "$N8N_PORT" ]; do BROKER_PORT="$(n8n_free_port)"; done
# The task broker defaults to 5679, which collides with a second instance (or with N8N_PORT=5679).
export N8N_RUNNERS_BROKER_PORT="$BROKER_PORT"
HOST_FOR_URLS="127.0.0.1"
case "${N8N_LISTEN_ADDRESS:-}" in 127.0.0.1|"") ;; *) HOST_FOR_URLS="localhost" ;; esac
BASE_URL="http://$HOST_FOR_URLS:$N8N_PORT"
# $execution.resumeUrl is built from this (2.41 name; WEBHOOK_URL still works but is deprecated).
export N8N_WEBHOOK_URL="${N8N_WEBHOOK_URL:-$BASE_URL/}"
# n8n 1.x (DEDALUS_N8N_VERSION=1.123.81 npm run dev) reads only the older name.
export WEBHOOK_URL="${WEBHOOK_URL:-$N8N_WEBHOOK_URL}"
export N8N_EDITOR_BASE_URL="${N8N_EDITOR_BASE_URL:-$BASE_URL/}"

if [ -n "$EMULATOR_URL" ]; then
  # Imported before start (n8n is not running yet, so the SQLite file is ours): an upsert by the
  # fixed id, so each run points the credential at this run's emulator URL. On the very first run
  # it lands with the not-yet-claimed owner, who becomes the account set up below.
  say "saving the credential \"$CREDENTIAL_NAME\" -> $EMULATOR_URL"
  CRED_FILE="$DEV_FOLDER/dev-credential.json"
  node -e '
    const [id, name, apiKey, baseUrl, file] = process.argv.slice(1);
    require("fs").writeFileSync(file, JSON.stringify([{ id, name, type: "dedalusApi", data: { apiKey, baseUrl } }]));
  ' "$CREDENTIAL_ID" "$CREDENTIAL_NAME" "$DEV_API_KEY" "$EMULATOR_URL" "$CRED_FILE"
  if ! n8n_cli import:credentials --input="$CRED_FILE" >>"$LOG_DIR/n8n-cli.log" 2>&1 \
    || grep -q "An error occurred" <(tail -n 5 "$LOG_DIR/n8n-cli.log"); then
    say "could not import the credential (see $LOG_DIR/n8n-cli.log); continuing without it"
  fi
  rm -f "$CRED_FILE"
fi

say "starting n8n on $BASE_URL (log: ${N8N_LOG#"$ROOT/"})..."
echo "----- $(date -u +%FT%TZ) npm run dev -----" >>"$N8N_LOG"
started=$SECONDS
n8n_start "$N8N_LOG"
n8n_wait_ready "http://127.0.0.1:$N8N_PORT" "$N8N_LOG" "$N8N_PID" 240
say "n8n ready in $((SECONDS - started)) s"
OWNER_STATE="$(n8n_setup_owner "http://127.0.0.1:$N8N_PORT")"

cat >&2 <<EOF

  n8n editor   $BASE_URL
  login        $(n8n_owner email) / $(n8n_owner password)$( [ "$OWNER_STATE" = created ] && echo "   (account created now)")
  node         "Dedalus" = type n8n-nodes-dedalus.dedalus, installed from dist/ (after \`npm run build\`, restart to reinstall)
  examples     Import from File any examples/*.json: they use this node and credential as they are
EOF
if [ -n "$EMULATOR_URL" ]; then
  cat >&2 <<EOF
  emulator     $EMULATOR_URL   (credential "$CREDENTIAL_NAME", API key $DEV_API_KEY)
EOF
else
  echo "  emulator     not running: create a Dedalus credential by hand" >&2
fi
cat >&2 <<EOF
  logs         ${LOG_DIR#"$ROOT/"}/
  Ctrl-C stops n8n and the emulator.

EOF

# Wait for n8n; a Ctrl-C interrupts `wait`, the traps run cleanup.
set +e
wait "$N8N_PID"
status=$?
set -e
say "n8n exited on its own (status $status); last lines of ${N8N_LOG#"$ROOT/"}:"
tail -n 20 "$N8N_LOG" >&2
exit "$status"
