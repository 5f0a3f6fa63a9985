#!/usr/bin/env bash
# Installs what n8n's queue mode needs on this machine, from Debian's package archive:
# PostgreSQL (server) and Redis. Idempotent: does nothing when both are there. Needs root for
# apt-get; n8n-runner/services.ts starts throwaway instances of both (data in a temp folder).
set -euo pipefail
say() { echo "[queue-services] $*" >&2; }

missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  say "missing: ${missing[*]}; run as root, or: sudo apt-get install -y ${missing[*]}"
  exit 1
fi
start=$SECONDS
say "installing ${missing[*]} from Debian (apt-get, about 1 minute)..."
apt-get update >&2
# The packages start their own default services where an init system runs; the tests never use
# those (each test run starts its own on free ports), so a failed start in a container is fine.
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
say "installed in $((SECONDS - start)) s"
