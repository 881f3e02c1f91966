#!/usr/bin/env python3
"""Embed a file in the binary: embed.py INPUT OUTPUT.c SYMBOL writes
`const char SYMBOL[]` (NUL-terminated) and `const size_t SYMBOL_len`."""
import sys

src, out, sym = sys.argv[1:4]
data = open(src, 'rb').read()
with open(out, 'w') as f:
    f.write('/* Generated from %s by serve/embed.py: do not edit. */\n'
            '#include <stddef.h>\n' % src.rsplit('/', 1)[-1])
    f.write('const char %s[] = {\n' % sym)
    for i in range(0, len(data), 16):
        f.write('  ' + ''.join('%d,' % b for b in data[i:i + 16]) + '\n')
    f.write('  0};\nconst size_t %s_len = %d;\n' % (sym, len(data)))
