#!/usr/bin/env bash
# dependsOn of the value stream with the most dependencies, before and after paging: response
# bytes and time with curl (docs/benchmarks.md, "dependsOn in pages").
#
#   bench/depends_on_pages.sh BEFORE_TREE AFTER_TREE [SIZE] [WORKDIR]
#
# BEFORE_TREE / AFTER_TREE: source trees of the two commits (e.g. `git archive C | tar -x`).
# Starts its own local Neo4j (2g heap) under WORKDIR, generates and imports SIZE (default M),
# serves each tree in turn on a free port (auth off, loopback), warms each question up,
# then times five runs of each; stops what it started.
set -euo pipefail
BEFORE=$(realpath "$1"); AFTER=$(realpath "$2"); SIZE=${3:-M}; WORK=${4:-/tmp/vg-depends-$SIZE}
BIN=${VALUEGRAPH_BIN:-$(realpath .venv/bin)}
mkdir -p "$WORK"
export VALUEGRAPH_HOME="$WORK/home" VALUEGRAPH_AUTH=off
export VALUEGRAPH_LOCAL_NEO4J_HEAP=2g VALUEGRAPH_LOCAL_NEO4J_PAGECACHE=1g VALUEGRAPH_LOCAL_NEO4J_TXMAX=2g
vg() { PYTHONPATH="$AFTER" "$BIN/valuegraph" "$@"; }
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; vg neo4j stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
vg neo4j start >/dev/null
[ -f "$WORK/model.xml" ] || vg generate --size "$SIZE" -o "$WORK/model.xml" >/dev/null
vg import "$WORK/model.xml" --json >/dev/null
PORT=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT

serve() {  # serve the tree $1 until it answers
  PYTHONPATH="$1" "$BIN/valuegraph" serve --port "$PORT" --keep-neo4j >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  until curl -sf "$URL/healthz" >/dev/null 2>&1; do sleep 1; done
  sleep 15  # the live walk index builds in the background after start
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }

QUERY='query($e: String!) { dependsOn(element: $e, maxDepth: 10) { element { id type name } %s
  dependencies%s { element { id type name } distance pathText
    path { fromElement { id type name } toElement { id type name } relationship storedForward text } } } }'
gql() {  # gql LABEL TOTAL_FIELD LIMIT_ARGS: five timed runs after two warm-ups, median
  local body; body=$("$BIN/python" -c 'import json,sys; print(json.dumps({"query": sys.argv[1] % (sys.argv[2], sys.argv[3]), "variables": {"e": sys.argv[4]}}))' "$QUERY" "$2" "$3" "$STREAM")
  for _ in 1 2; do curl -s -o /dev/null -H 'content-type: application/json' -d "$body" "$URL/graphql"; done
  for _ in 1 2 3 4 5; do
    curl -s -o "$WORK/answer.json" -w '%{size_download} %{time_starttransfer} %{time_total}\n' \
      -H 'content-type: application/json' -d "$body" "$URL/graphql"
  done | sort -k3 -n | sed -n 3p | { read -r bytes ttfb total; echo "$1 graphql bytes=$bytes ttfb_s=$ttfb total_s=$total"; }
}
rest() {  # rest LABEL QUERY_STRING
  for _ in 1 2; do curl -s -o /dev/null "$URL/api/depends-on/$STREAM?$2"; done
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{size_download} %{time_starttransfer} %{time_total}\n' "$URL/api/depends-on/$STREAM?$2"
  done | sort -k3 -n | sed -n 3p | { read -r bytes ttfb total; echo "$1 rest?$2 bytes=$bytes ttfb_s=$ttfb total_s=$total"; }
}

serve "$AFTER"
# The stream with the most dependencies (by the paged answer's total).
STREAM=$(curl -s "$URL/api/nodes?type=ValueStream&limit=500" | "$BIN/python" -c '
import json, sys, urllib.request
url = sys.argv[1]
ids = [n["id"] for n in json.load(sys.stdin)["items"]]
totals = {i: json.load(urllib.request.urlopen(f"{url}/api/depends-on/{i}?limit=1"))["total"] for i in ids}
best = max(totals, key=lambda i: (totals[i], i))
print(best)
print(f"{len(ids)} streams; {best} depends on {totals[best]}", file=sys.stderr)' "$URL")
echo "size=$SIZE stream=$STREAM"
gql after "total" "(limit: 25)"
gql after-page2 "total" "(limit: 25, offset: 25)"
gql after-default "total" ""
rest after "limit=25"
rest after-default ""
stop
serve "$BEFORE"
gql before "" ""
rest before ""
