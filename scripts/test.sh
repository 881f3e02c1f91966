#!/bin/sh
# Build passim and run the whole test suite, twice: a normal build with
# warnings as errors, then under AddressSanitizer and UBSan; then each
# libFuzzer target for 20 s (scripts/fuzz.sh).
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh

run_suite() {
    dir=$1
    shift
    [ -d "$dir" ] || meson setup "$dir" -Dwerror=true "$@" >/dev/null
    ninja -C "$dir"
    meson test -C "$dir" --print-errorlogs --num-processes 2
}

run_suite build-test
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false

# Every libFuzzer target for a short, bounded run under ASan and UBSan.
sh scripts/fuzz.sh 20

python3 scripts/tally.py build-test build-asan
