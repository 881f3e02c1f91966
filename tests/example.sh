#!/bin/sh
# The example front ends (examples/index.c, examples/search.c) built as a
# user would, against the installed library: `meson install` into a
# scratch folder, then cc with `pkg-config --cflags --libs passim`. The
# index the first makes of corpus/ must be the one passim-index makes
# (same files, same search), and the second's titles those `passim
# --json` gives for the same query.
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
for ex in index search; do
    cc -std=c11 -Wall -Wextra -Werror "$src/examples/$ex.c" $flags \
        -o "$tmp/$ex"
done
libdir=$(dirname "$(find "$tmp/root" -name 'libpassim.so' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$tmp/index" "$tmp/db" "$src/corpus" >"$tmp/indexed"
"$build/indexer/passim-index" --quiet --shards 1 --db "$tmp/db-cli" "$src/corpus"
n=$(find "$src/corpus" -type f ! -name '.*' | wc -l)
added=$(grep -c '^+ ' "$tmp/indexed" || true)
[ "$added" -eq "$n" ] || { echo "index: $added of $n files" >&2; exit 1; }
tail -n 1 "$tmp/indexed" | grep -q "^$n indexed, 0 unchanged, 0 removed$" ||
    { echo "index: bad summary: $(tail -n 1 "$tmp/indexed")" >&2; exit 1; }
LD_LIBRARY_PATH=$libdir "$tmp/index" "$tmp/db" "$src/corpus" |
    grep -q "^0 indexed, $n unchanged, 0 removed$" ||
    { echo "index: a second run was not all unchanged" >&2; exit 1; }
query='port strike'
"$build/query/passim" --db "$tmp/db-cli" --json "$query" >"$tmp/cli.json"
"$build/query/passim" --db "$tmp/db" --json "$query" >"$tmp/lib.json"
python3 - "$tmp/cli.json" "$tmp/lib.json" <<'PY' ||
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
key = lambda d: [(h["path"], h["article_rank"], h.get("text")) for h in d["hits"]]
sys.exit(0 if key(a) == key(b) and key(a) else 1)
PY
    { echo "index: its database searches unlike passim-index's" >&2; exit 1; }
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
echo "ok: $n files indexed by the example, $(wc -l <"$tmp/got") titles, as passim gives them"
