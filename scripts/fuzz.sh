#!/bin/sh
# Build the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and run
# each for SECONDS (default 20), seeded from corpus/ (articles, dates,
# names), fuzz/queries.txt (queries, on an index of corpus/) and records
# written here. Prints, per target,
# the runs, runs per second and coverage (edges) libFuzzer reports, and
# fails when a target crashes, leaks or exceeds its time per input (10 s):
# the input is kept as build-fuzz/<target>-crash-* for a regression test.
# Usage: sh scripts/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
secs=${1:-20}
dir=build-fuzz
[ -d "$dir" ] || CC=clang CXX=clang++ meson setup "$dir" -Dfuzz=true \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
targets="fuzz_article fuzz_date fuzz_canon fuzz_record fuzz_query"
ninja -C "$dir" indexer/passim-index $(printf 'fuzz/%s ' $targets) >/dev/null

# The query target searches an index of corpus/ (made by the instrumented
# indexer: incremental, so a second run only checks it).
export PASSIM_FUZZ_DB="$PWD/$dir/fuzz-db"
"$dir/indexer/passim-index" --quiet --db "$PASSIM_FUZZ_DB" corpus

seeds="$dir/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds/article" "$seeds/text" "$seeds/record" "$seeds/query"
# The query target's first byte picks options: facets and highlights on.
i=0
grep -v '^#' fuzz/queries.txt | while IFS= read -r q; do
    i=$((i + 1))
    { printf '\002'; printf '%s' "$q"; } >"$seeds/query/q$i"
done
# A stored record, mention lines (first byte: text length / 97) and an
# entity list, as the indexer writes them.
printf 'R2 3 100 220 12 5 20 14\n/tmp/a/b.txtTitleSome passage text..0 0 4\n2 5 9\n' \
    >"$seeds/record/record"
printf '\0010 0 4\n2 5 9\n3 1 2\n' >"$seeds/record/mentions"
printf '0Amara Okafor\n1Lisbon\n2Reuters\n4 2024-03-16\n' \
    >"$seeds/record/entities"
# Posts (fuzz/mime.eml: MIME parts, charsets, encoded words; a news post
# with a quote and a signature) beside the articles.
for f in corpus/* fuzz/mime.eml fuzz/news-post; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    # The article target's first byte picks the format: 0 text, 1 md,
    # 2 html, 3 by content.
    case "$f" in
    *.md) k='\001' ;; *.html | *.htm) k='\002' ;; *) k='\000' ;;
    esac
    { printf "$k"; cat "$f"; } >"$seeds/article/$b"
    head -c 4096 "$f" >"$seeds/text/$b"
done

status=0
for t in $targets; do
    case $t in
    fuzz_article) s=article ;; fuzz_record) s=record ;;
    fuzz_query) s=query ;; *) s=text ;;
    esac
    work="$dir/fuzz-corpus/$t"
    mkdir -p "$work"
    log="$dir/$t.log"
    if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$dir/fuzz/$t" -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 \
        -artifact_prefix="$dir/$t-" "$work" "$seeds/$s" >"$log" 2>&1; then
        res=ok
    else
        res=FAILED
        status=1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    printf '%-14s %s: %s runs, %s execs/s, coverage %s edges (%s s)\n' \
        "$t" "$res" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$secs"
    [ "$res" = ok ] || tail -30 "$log"
done
exit $status
