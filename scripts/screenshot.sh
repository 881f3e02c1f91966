#!/bin/sh
# Regenerate doc/screenshot.png, the README's picture of passim serve:
# the page over corpus/ with a query and a facet chip, 1280x900, taken
# in headless Chromium (tests/browser/screenshot.mjs through
# tests/browser/run.sh, which indexes corpus/ into a temporary database
# and starts the server). Builds first; needs scripts/deps.sh.
#   sh scripts/screenshot.sh [BUILD_DIR] [PAGE_STATE]
# PAGE_STATE is the page's URL path, default '/?q=vaccine&place=Kenya'.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
state=${2:-/?q=vaccine&place=Kenya}
[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null
mkdir -p doc
PASSIM="$PWD/$build/query/passim" PASSIM_INDEX="$PWD/$build/indexer/passim-index" \
    sh tests/browser/run.sh screenshot.mjs "$PWD/doc/screenshot.png" "$state"
