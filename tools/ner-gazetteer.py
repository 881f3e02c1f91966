#!/usr/bin/env python3
"""ner-gazetteer.py: the tagger's lexicon, built at build time from Debian
packages (scripts/deps.sh installs them) and embedded in the library.

    ner-gazetteer.py OUT [--root DIR]

Writes one entry a line, "K<TAB>text", sorted and deduplicated, where K is
  g  a place name from GeoNames (libgeonames-common, CC BY 4.0; read with
     msgunfmt from gettext),
  c  a country, current or former (iso-codes ISO 3166-1 and 3166-3, LGPL),
  s  a country subdivision: state, province, region (iso-codes ISO 3166-2),
  w  a word the English dictionaries write in lower case (wamerican and
     wbritish: SCOWL, free to use),
  p  a word they write capitalised (a proper noun: "Zyuganov", "Vermont"),
  o  a company designator or a noun that heads organisation names (a short
     list kept here: no Debian package has one).
The same input always gives the same bytes. A missing package is an error
that names it, never a smaller lexicon without a word.
"""
import json
import re
import subprocess
import sys

GEONAMES_MO = "/usr/share/locale/en/LC_MESSAGES/geonames.mo"
ISO_JSON = "/usr/share/iso-codes/json/"
DICTS = ["/usr/share/dict/american-english", "/usr/share/dict/british-english"]
PACKAGES = {GEONAMES_MO: "libgeonames-common", ISO_JSON: "iso-codes",
            DICTS[0]: "wamerican", DICTS[1]: "wbritish"}


# Legal forms (the common ones of ISO 20275's list, as news writes them)
# and the nouns that end organisation names. Evidence, not rules: the
# tagger learns how much each is worth from its training text.
ORG_WORDS = """
Inc Incorporated Corp Corporation Co Company Companies Ltd Limited plc PLC
LLC LLP LP GmbH AG SA SpA NV BV AB ASA Oyj KK Pty SE SAS Srl Bhd
Group Holdings Holding Industries Enterprises Partners Associates
Bank Bancorp Capital Securities Investments Insurance Assurance Fund
Airlines Airways Motors Automotive Pharmaceuticals Pharma Biotech Energy
Power Petroleum Oil Gas Mining Steel Semiconductor Semiconductors
Technologies Technology Systems Software Networks Communications Telecom
Electronics Media Entertainment Studios Records Publishing Press
Foods Brewery Logistics Shipping Railways Airport Port Ports
University College Institute Institution Academy School Hospital
Association Federation Union Council Commission Committee Agency Authority
Ministry Department Office Bureau Board Court Tribunal Parliament Assembly
Congress Senate Party Movement Front Alliance League Society Foundation
Trust Organisation Organization Service Services Police Army Navy Force
Club United Rovers Athletic FC
"""


def fail(path, why):
    pkg = PACKAGES.get(path, "?")
    sys.exit(f"ner-gazetteer: {path}: {why}; install the Debian package "
             f"{pkg} (sh scripts/deps.sh does)")


def geonames(root):
    path = root + GEONAMES_MO
    try:
        po = subprocess.run(["msgunfmt", path], check=True,
                            capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit("ner-gazetteer: msgunfmt not found; install the Debian "
                 "package gettext (sh scripts/deps.sh does)")
    except subprocess.CalledProcessError as e:
        fail(GEONAMES_MO, e.stderr.strip() or "unreadable")
    names = re.findall(r'^msgstr "(.*)"$', po, re.M)
    return [n.replace('\\"', '"') for n in names if n]


def iso(root, std, keys):
    path = root + ISO_JSON + f"iso_{std}.json"
    try:
        with open(path, encoding="utf-8") as f:
            items = json.load(f)[std]
    except OSError as e:
        fail(ISO_JSON, e.strerror)
    out = []
    for item in items:
        for k in keys:
            if k in item:
                # "Sofia (stolitsa)", "Bolivia, Plurinational State of":
                # the part a text would write.
                name = re.sub(r"\s*\(.*\)$", "", item[k])
                out.append(name.split(",")[0].strip())
    return out


def dictionary(root):
    lower, proper = set(), set()
    for d in DICTS:
        try:
            with open(root + d, encoding="utf-8") as f:
                words = f.read().split("\n")
        except OSError as e:
            fail(d, e.strerror)
        for w in words:
            if not w or "'" in w:
                continue
            (lower if w[0].islower() else proper).add(w)
    return lower, proper


def main():
    args = sys.argv[1:]
    root = ""
    if len(args) == 3 and args[1] == "--root":
        root = args[2]
        args = args[:1]
    if len(args) != 1:
        sys.exit("usage: ner-gazetteer.py OUT [--root DIR]")
    entries = set()
    for name in geonames(root):
        entries.add(("g", name))
    for name in iso(root, "3166-1", ["name", "common_name", "official_name"]):
        entries.add(("c", name))
    for name in iso(root, "3166-3", ["name"]):
        entries.add(("c", name))
    for name in iso(root, "3166-2", ["name"]):
        entries.add(("s", name))
    entries.update(("o", w) for w in ORG_WORDS.split())
    lower, proper = dictionary(root)
    entries.update(("w", w) for w in lower)
    entries.update(("p", w) for w in proper)
    lines = sorted(f"{k}\t{t}\n" for k, t in entries
                   if t and "\t" not in t and "\n" not in t)
    with open(args[0], "w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
