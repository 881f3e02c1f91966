#!/bin/sh
# Install the Debian packages passim needs to build and test, if any is
# missing. Runs apt-get as root (through sudo when not root). gettext,
# iso-codes, libgeonames-common, wamerican and wbritish give the entity
# tagger its lexicon at build time (tools/ner-gazetteer.py); clang and
# its runtime give the libFuzzer targets (scripts/fuzz.sh). PDFs are read
# through libpoppler-glib-dev (the tests write their PDFs themselves).
# The browser tests of passim serve's page (tests/browser) drive Debian's
# chromium (fonts-dejavu-core: the same text on every machine) through
# puppeteer-core, which npm installs from their lock file; node and npm
# count as there when their commands are (a nodejs from elsewhere bundles
# npm, and conflicts with Debian's npm package).
#
# Benchmarks only, not installed here: bench/pdf compares with pdftotext
# (poppler-utils) and recoll (recoll), and says "not installed" for each
# that is missing.
set -eu

PACKAGES="build-essential meson ninja-build pkg-config libxapian-dev
libstemmer-dev libuv1-dev libhttp-parser-dev check libgumbo-dev libutf8proc-dev libpoppler-glib-dev
xapian-tools clang libclang-rt-14-dev
python3 gettext iso-codes libgeonames-common wamerican wbritish chromium
fonts-dejavu-core"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0

echo "passim: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
