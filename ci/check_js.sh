#!/usr/bin/env bash
# Parses every JavaScript module of the web SDK, the demo and the test pages
# with node (--check: parse only, nothing runs). A module that does not parse
# never runs in the browser, so its page cannot report anything; this finds
# such a slip in a second instead of in a browser test's timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
n=0
for f in web/src/*.js web/demo/*.js fixtures/pages/*.js fixtures/peers/*.js fixtures/peers/*.mjs; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  if ! err=$(node --input-type=module --check < "$f" 2>&1); then
    echo "check_js: $f does not parse:" >&2
    echo "$err" | sed -n '1,4p' >&2
    status=1
  fi
done
echo "check_js: $n modules parsed"
exit $status
