#!/bin/sh
# The example front end (examples/search.c) built as a user would, against
# the installed library: `meson install` into a scratch folder, then cc
# with `pkg-config --cflags --libs passim`. Its titles must be those
# `passim --json` gives for the same query on an index of corpus/.
# Usage: example.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet \
    >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; exit 1; }
pc=$(find "$tmp/root" -name passim.pc | head -n 1)
[ -n "$pc" ] || { echo "no passim.pc installed" >&2; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config \
    --define-variable=prefix="$tmp/root$prefix" --cflags --libs passim)
# A sanitizer build's library needs its runtime in the program too.
san=$(meson introspect --buildoptions "$build" | python3 -c '
import json, sys
print(next((o["value"] for o in json.load(sys.stdin)
            if o["name"] == "b_sanitize"), "none"))')
[ "$san" = none ] || flags="-fsanitize=$san $flags"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror "$src/examples/search.c" $flags \
    -o "$tmp/search"
"$build/indexer/passim-index" --quiet --db "$tmp/db" "$src/corpus"
query='port strike'
libdir=$(dirname "$(find "$tmp/root" -name 'libpassim.so' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$tmp/search" "$tmp/db" "$query" >"$tmp/got"
"$build/query/passim" --db "$tmp/db" --json --limit 5 --per-article 1 \
    "$query" | python3 -c '
import json, sys
for h in json.load(sys.stdin)["hits"]:
    print("%d. %s" % (h["article_rank"], h["title"]))' >"$tmp/want"
[ -s "$tmp/want" ] || { echo "passim found nothing for '$query'" >&2; exit 1; }
if ! cmp -s "$tmp/got" "$tmp/want"; then
    echo "example and passim disagree:" >&2
    diff "$tmp/want" "$tmp/got" >&2 || true
    exit 1
fi
# Its library exports passim.h and nothing else.
if nm -D --defined-only "$libdir/libpassim.so" | awk '{print $3}' |
    grep -v '^px_\(status_to_string\|index_\|search\|results_free\|rank_check\|article_\)' |
    grep -v '^PASSIM_0$' | grep .; then
    echo "libpassim exports more than passim.h" >&2
    exit 1
fi
echo "ok: $(wc -l <"$tmp/got") titles, as passim gives them"
