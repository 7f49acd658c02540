#!/bin/sh
# POST a situation to a running `needs serve` with curl and check the assessment is the library's,
# compared as canonical JSON (sorted keys).
# Usage: curl_matches_library.sh BASE_URL SITUATION.json   (PYTHON: the interpreter with needs_engine)
set -eu
base_url=$1
situation=$2
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
canonical='import json, sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))'

printf '{"situation": %s, "rulebook": "knowsley"}' "$(cat "$situation")" > "$work/request.json"
curl --silent --show-error --fail-with-body \
  --header 'Content-Type: application/json' --data-binary @"$work/request.json" \
  "$base_url/assess" | "$python" -c "$canonical" > "$work/http.json"

"$python" -c 'import json, sys
from needs_engine import assess, load_rulebook
print(assess(json.load(open(sys.argv[1])), load_rulebook("knowsley")).model_dump_json())' "$situation" \
  | "$python" -c "$canonical" > "$work/library.json"

if cmp -s "$work/http.json" "$work/library.json"; then
  echo "same assessment over HTTP as from the library"
else
  echo "HTTP and library assessments differ:" >&2
  diff "$work/http.json" "$work/library.json" >&2 || true
  exit 1
fi
