#!/bin/sh
# Build the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and run
# each for SECONDS (default 20), seeded from corpus/. Prints, per target,
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
ninja -C "$dir" fuzz/fuzz_article fuzz/fuzz_date fuzz/fuzz_canon >/dev/null

seeds="$dir/fuzz-seeds"
mkdir -p "$seeds/article" "$seeds/text"
for f in corpus/*; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    # The article target's first byte picks the format: 0 text, 1 md, 2 html.
    case "$f" in
    *.md) k='\001' ;; *.html | *.htm) k='\002' ;; *) k='\000' ;;
    esac
    { printf "$k"; cat "$f"; } >"$seeds/article/$b"
    head -c 4096 "$f" >"$seeds/text/$b"
done

status=0
for t in fuzz_article fuzz_date fuzz_canon; do
    case $t in fuzz_article) s=article ;; *) s=text ;; esac
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
