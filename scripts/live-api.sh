#!/usr/bin/env bash
# Schemathesis against a live `pmo serve` on 127.0.0.1 (part of scripts/test.sh, so of CI):
# a fresh demo ledger with an open scenario, a fresh token, the server on a free port, every operation of the
# published schema with schemathesis's default checks. Any failure fails the gate; the
# server is stopped and the ledger removed whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${PMO_LIVE_EXAMPLES:-10}"
work="$(mktemp -d)"
server=""
stop() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop EXIT INT TERM

database="$work/live.db"
.venv/bin/pmo demo --database "$database" >/dev/null
# An open scenario named as the schema's example, so that cases reach one.
.venv/bin/pmo scenario create "Wallets first" --database "$database" >/dev/null
token="$(.venv/bin/pmo token create --role pmo --principal ci.schemathesis --database "$database" 2>/dev/null)"
port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PMO_API_MAX_PLAN_SECONDS=2 .venv/bin/pmo serve --database "$database" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server=$!

base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
    if .venv/bin/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$base/readyz" 2>/dev/null; then
        break
    fi
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.2
done

status=0
# The timeout catches a hung server, it is not a performance check: the slowest answer
# is an evolution report over its longest period (92 days, a few seconds on the demo).
PMO_LIVE_TOKEN="$token" PYTHONPATH=scripts SCHEMATHESIS_HOOKS=schemathesis_hooks \
    .venv/bin/schemathesis --config-file scripts/schemathesis.toml run \
    "$base/openapi.json" \
    --max-examples "$examples" \
    --request-timeout 120 \
    --seed "${PMO_LIVE_SEED:-$RANDOM}" \
    --workers 2 \
    --no-color || status=$?
if [ "$status" -ne 0 ]; then
    echo "schemathesis against the live server failed; the server's log ends with:" >&2
    tail -n 40 "$work/serve.log" >&2
fi
exit "$status"
