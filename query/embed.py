#!/usr/bin/env python3
"""Embed a file in the binary: embed.py INPUT OUTPUT.c SYMBOL writes
`const char SYMBOL[]` (NUL-terminated) and `const size_t SYMBOL_len`.

For an HTML page it also writes `const char SYMBOL_script_hashes[]` and
`SYMBOL_style_hashes[]`: the Content-Security-Policy sources
('sha256-...', space-separated) of its inline <script> elements (data
blocks, type="application/json", run nothing and are left out) and of
its <style> elements, so that the server allows those and no other."""
import base64
import hashlib
import re
import sys

src, out, sym = sys.argv[1:4]
data = open(src, 'rb').read()


def hashes(pattern):
    found = []
    for m in re.finditer(pattern, data, re.S | re.I):
        digest = hashlib.sha256(m.group(1)).digest()
        found.append("'sha256-%s'" % base64.b64encode(digest).decode())
    return ' '.join(found) or "'none'"


scripts = hashes(rb'<script(?![^>]*application/json)[^>]*>(.*?)</script>')
styles = hashes(rb'<style[^>]*>(.*?)</style>')
with open(out, 'w') as f:
    f.write('/* Generated from %s by query/embed.py: do not edit. */\n'
            '#include <stddef.h>\n' % src.rsplit('/', 1)[-1])
    f.write('const char %s[] = {\n' % sym)
    for i in range(0, len(data), 16):
        f.write('  ' + ''.join('%d,' % b for b in data[i:i + 16]) + '\n')
    f.write('  0};\nconst size_t %s_len = %d;\n' % (sym, len(data)))
    f.write('const char %s_script_hashes[] = "%s";\n' % (sym, scripts))
    f.write('const char %s_style_hashes[] = "%s";\n' % (sym, styles))
