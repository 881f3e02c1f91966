#!/bin/sh
# The page of passim serve in headless Chromium: index corpus/ into a
# temporary database with $PASSIM_INDEX, start `$PASSIM serve` on a free
# port, run SCRIPT (default test_page.mjs: TAP on stdout) with the URL it
# prints and ARGS, then stop the server. meson test runs it (suite
# browser); scripts/screenshot.sh runs screenshot.mjs through it.
#
#   PASSIM=build/query/passim PASSIM_INDEX=build/indexer/passim-index \
#       sh tests/browser/run.sh [SCRIPT [ARGS...]]
#
# $PASSIM_CORPUS: the folder to index (default: the repository's corpus/).
# $PASSIM_URL: run against that server instead (nothing indexed or started).
# $CHROMIUM: the browser (default /usr/bin/chromium; scripts/deps.sh).
# puppeteer-core is installed from package-lock.json into node_modules
# here (git-ignored) when it is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
script=${1:-test_page.mjs}
[ $# -gt 0 ] && shift

bail() {
    echo "Bail out! $*"
    exit 1
}

command -v node >/dev/null 2>&1 || bail "no node (sh scripts/deps.sh installs it)"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
    bail "no Chromium at ${CHROMIUM:-/usr/bin/chromium} (sh scripts/deps.sh installs it)"
if [ ! -f "$here/node_modules/puppeteer-core/package.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
        bail "npm ci failed in tests/browser"
fi

if [ -n "${PASSIM_URL:-}" ]; then
    exec node "$here/$script" "$PASSIM_URL" "$@"
fi

PASSIM=${PASSIM:-$root/build/query/passim}
PASSIM_INDEX=${PASSIM_INDEX:-$root/build/indexer/passim-index}
corpus=${PASSIM_CORPUS:-$root/corpus}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/passim-browser.XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || :
        wait "$pid" 2>/dev/null || :
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PASSIM_INDEX" -q --db "$tmp/db" "$corpus" >&2 || bail "passim-index could not index $corpus"
"$PASSIM" serve --db "$tmp/db" --port 0 2>"$tmp/serve.log" &
pid=$!

# It prints "passim: serving http://127.0.0.1:PORT/ (Ctrl-C stops)" once
# it listens.
url=""
tries=0
while [ -z "$url" ]; do
    url=$(sed -n 's|^passim: serving \(http://[^ ]*\).*|\1|p' "$tmp/serve.log" | head -n 1)
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        cat "$tmp/serve.log" >&2
        pid=""
        bail "passim serve exited before it listened"
    fi
    tries=$((tries + 1))
    [ "$tries" -lt 200 ] || bail "passim serve printed no URL in 20 s"
    sleep 0.1
done

status=0
node "$here/$script" "$url" "$@" || status=$?

# SIGTERM should stop it with status 0; e2e_serve tests that, so here
# another status is only told on stderr.
kill "$pid"
serve_status=0
wait "$pid" || serve_status=$?
pid=""
if [ "$serve_status" -ne 0 ]; then
    echo "run.sh: passim serve exited with status $serve_status on SIGTERM:" >&2
    cat "$tmp/serve.log" >&2
fi
exit "$status"
