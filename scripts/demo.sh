#!/bin/sh
# Set up and show passim: install what is missing, build, index corpus/
# into the default database and run an example query.
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
echo "== build/indexer/passim-index corpus"
build/indexer/passim-index corpus
echo
echo "== build/query/passim offshore wind"
build/query/passim offshore wind
echo
echo "These demo articles are now in your default database, beside your own;"
echo "build/indexer/passim-index --forget corpus takes them out again."
echo "To put passim on your PATH, see \"Installing\" in README.md."

