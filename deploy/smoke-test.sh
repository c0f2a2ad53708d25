#!/usr/bin/env bash
# Smoke test of a deployed environment: its search API answers a search with 200 and at least one result.
#   deploy/smoke-test.sh https://search.staging.ragline.example.com
# Environment: RAGLINE_API_KEY (a key with the search scope, required; its tenant is searched), SMOKE_QUERY
# (default "ragline": the environment must hold a document it finds), SMOKE_RETRIES (default 5, 3 s apart: a
# rollout may still be settling behind the Ingress).
set -euo pipefail

url="${1:?usage: deploy/smoke-test.sh <base URL of the search API>}"
: "${RAGLINE_API_KEY:?RAGLINE_API_KEY must hold an API key with the search scope}"
query="${SMOKE_QUERY:-ragline}"
retries="${SMOKE_RETRIES:-5}"

body="$(mktemp)"
trap 'rm -f "$body"' EXIT
# the query as a JSON string: escape backslashes and quotes
q="${query//\\/\\\\}"; q="${q//\"/\\\"}"
status="$(curl -sS -o "$body" -w '%{http_code}' --max-time 20 --retry "$retries" --retry-delay 3 --retry-connrefused \
  -X POST "${url%/}/v1/search" \
  -H "Authorization: Bearer ${RAGLINE_API_KEY}" -H 'Content-Type: application/json' \
  -d "{\"query\": \"${q}\", \"topK\": 3}")" || { echo "smoke test: POST ${url%/}/v1/search failed" >&2; exit 1; }

if [[ "$status" != 200 ]]; then
  echo "smoke test: POST ${url%/}/v1/search answered $status: $(head -c 500 "$body")" >&2
  exit 1
fi
# at least one result: "results" is an array whose first element is an object
if ! tr -d '\n' < "$body" | grep -Eq '"results"[[:space:]]*:[[:space:]]*\[[[:space:]]*\{'; then
  echo "smoke test: search for '$query' found nothing: $(head -c 500 "$body")" >&2
  exit 1
fi
echo "smoke test: search for '$query' on $url answered 200 with results"
