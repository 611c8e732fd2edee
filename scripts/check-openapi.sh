#!/usr/bin/env bash
# Validates the served OpenAPI document with openapi-spec-validator (pip install
# openapi-spec-validator), then, if schemathesis is installed, runs every check it has against a
# throwaway server on loopback (exceptions and their reasons in scripts/schemathesis.toml). CI runs
# it (.ci/run installs both from PyPI); EXAMPLES and SCHEMATHESIS_SEED widen a run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
bin=${WAMETER_BIN:-.build/debug/wameter}
db=$(mktemp -d)/openapi.sqlite
export WAMETER_APP_SECRET=check-secret WAMETER_VERIFY_TOKEN=check-verify WAMETER_API_TOKEN=check-api-token-0123456789
"$bin" serve --database "$db" --port "$port" --log-level warning &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/openapi.json" -o "$db.json"
python3 -c "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('openapi.json: valid OpenAPI 3.1')" "$db.json"
if ! command -v schemathesis >/dev/null && [ -n "${REQUIRE_SCHEMATHESIS:-}" ]; then
    echo "schemathesis is not installed (pip install schemathesis)" >&2
    exit 1
fi
if command -v schemathesis >/dev/null; then
    # A fixed seed, so a failure in CI can be replayed; SCHEMATHESIS_SEED and EXAMPLES vary it.
    schemathesis --config-file scripts/schemathesis.toml run "http://127.0.0.1:$port/openapi.json" --checks all \
        --max-examples "${EXAMPLES:-25}" --seed "${SCHEMATHESIS_SEED:-1}" -H "Authorization: Bearer $WAMETER_API_TOKEN"
fi
