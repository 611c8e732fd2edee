#!/usr/bin/env bash
# Validates the served OpenAPI document with openapi-spec-validator (pip install
# openapi-spec-validator), then, if schemathesis is installed, runs its checks against a throwaway
# server on loopback. Not part of the test suite (needs PyPI packages); a release check.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18090}
bin=${WAMETER_BIN:-.build/debug/wameter}
db=$(mktemp -d)/openapi.sqlite
export WAMETER_APP_SECRET=check-secret WAMETER_VERIFY_TOKEN=check-verify WAMETER_API_TOKEN=check-api-token-0123456789
"$bin" serve --database "$db" --port "$port" --log-level warning &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/openapi.json" -o "$db.json"
python3 -c "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('openapi.json: valid OpenAPI 3.1')" "$db.json"
if command -v schemathesis >/dev/null; then
    schemathesis run "http://127.0.0.1:$port/openapi.json" --checks all --max-examples 25 --generation-deterministic \
        -H "Authorization: Bearer $WAMETER_API_TOKEN"
fi
