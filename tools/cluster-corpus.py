#!/usr/bin/env python3
"""cluster-corpus.py: the plain text that tools/word-clusters learns its
word clusters from, written to stdout.

    cluster-corpus.py [DATA]      (DATA defaults to ../shared/data beside
                                   the repository root)

Writes, in this order and each sorted:
  the BBC news articles, DATA/news-bbc/*/*.txt (UTF-8);
  every post of DATA/news-20news/20news-bydate.tar.gz, train and test,
     decoded as Latin-1, without its header block (everything up to the
     first blank line) and without quoted lines (starting with '>');
  the title and text of each document of DATA/scifact/corpus.jsonl,
     sorted by "_id".
Documents are separated by one blank line. The output is UTF-8 and the
same data always gives the same bytes.
"""
import glob
import json
import os
import sys
import tarfile

BBC_GLOB = os.path.join("news-bbc", "*", "*.txt")
NEWS20 = os.path.join("news-20news", "20news-bydate.tar.gz")
SCIFACT = os.path.join("scifact", "corpus.jsonl")


def fail(path, why):
    sys.exit(f"cluster-corpus: {path}: {why}; give the data folder as the "
             f"argument (see ../shared/data/SOURCES.md for its layout)")


def bbc(data):
    paths = sorted(glob.glob(os.path.join(data, BBC_GLOB)))
    if not paths:
        fail(os.path.join(data, BBC_GLOB), "no such files")
    for path in paths:
        with open(path, "rb") as f:
            yield f.read().decode("utf-8", errors="replace")


def strip_post(text):
    """A Usenet post without its header block and its quoted lines."""
    lines = text.splitlines()
    body = 0
    while body < len(lines) and lines[body].strip() != "":
        body += 1
    return "\n".join(ln for ln in lines[body + 1:] if not ln.startswith(">"))


def news20(data):
    # Read in archive order, then sort: seeking back in a gzip stream
    # decompresses it again from the start.
    path = os.path.join(data, NEWS20)
    posts = []
    try:
        with tarfile.open(path, "r|gz") as tar:
            for m in tar:
                if m.isfile():
                    posts.append((m.name, tar.extractfile(m).read()))
    except (OSError, tarfile.TarError) as e:
        fail(path, str(e))
    for _, raw in sorted(posts):
        yield strip_post(raw.decode("latin-1"))


def scifact(data):
    path = os.path.join(data, SCIFACT)
    docs = []
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    d = json.loads(line)
                except json.JSONDecodeError as e:
                    fail(f"{path}:{lineno}", f"not JSON ({e.msg})")
                docs.append((str(d.get("_id", "")), d.get("title", ""),
                             d.get("text", "")))
    except OSError as e:
        fail(path, e.strerror)
    for _, title, text in sorted(docs):
        yield f"{title}\n\n{text}" if title else text


def main():
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and
                             sys.argv[1].startswith("-")):
        sys.exit("usage: cluster-corpus.py [DATA] > corpus.txt")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data = sys.argv[1] if len(sys.argv) == 2 else os.path.join(
        root, "..", "shared", "data")
    out = sys.stdout.buffer
    for source in (bbc, news20, scifact):
        for doc in source(data):
            doc = doc.strip()
            if doc:
                out.write(doc.encode("utf-8") + b"\n\n")


if __name__ == "__main__":
    main()
