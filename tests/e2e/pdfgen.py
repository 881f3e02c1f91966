"""pdfgen.py — small, valid PDFs written with the standard library alone,
for the PDF tests and bench/pdf: pages of wrapped Helvetica text, an Info
dictionary (title, creation date), and optionally a standard security
handler whose user password is not empty, so that a reader needs one.

    pdf([[para, para], [para]], title='T', date='2024-03-16') -> bytes

Each page is a list of paragraphs; paragraphs are wrapped at WIDTH
characters and set apart by two empty lines (which poppler reads as a
paragraph break; one it takes for leading). paginate() spreads the
paragraphs of an article over pages of LINES lines.
"""

import textwrap

WIDTH = 85
LINES = 50


def _string(s):
    """A PDF literal string: ASCII as is, else UTF-16BE with a BOM."""
    try:
        raw = s.encode('ascii')
    except UnicodeEncodeError:
        return b'<FEFF' + s.encode('utf-16-be').hex().upper().encode() + b'>'
    raw = raw.replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')',
                                                                     b'\\)')
    return b'(' + raw + b')'


def _text_string(s):
    """A string shown with WinAnsiEncoding (cp1252)."""
    raw = s.encode('cp1252', 'replace')
    raw = raw.replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')',
                                                                     b'\\)')
    return b'(' + raw + b')'


def _lines(paragraphs):
    out = []
    for i, p in enumerate(paragraphs):
        if i:
            out.extend(['', ''])
        out.extend(textwrap.wrap(' '.join(p.split()), WIDTH) or [''])
    return out


def _content(paragraphs):
    ops = [b'BT /F1 10 Tf 13 TL 56 780 Td']
    for line in _lines(paragraphs):
        if line:
            ops.append(_text_string(line) + b' Tj')
        ops.append(b'T*')
    ops.append(b'ET')
    return b'\n'.join(ops) + b'\n'


def paginate(paragraphs, lines=LINES):
    """Paragraphs spread over pages of at most `lines` lines; a paragraph
    too long for what is left of a page starts the next one."""
    pages, page, used = [], [], 0
    for p in paragraphs:
        n = len(textwrap.wrap(' '.join(p.split()), WIDTH)) + 2
        if page and used + n > lines:
            pages.append(page)
            page, used = [], 0
        page.append(p)
        used += n
    if page:
        pages.append(page)
    return pages or [[]]


def pdf(pages, title=None, date=None, encrypted=False):
    """The bytes of a PDF of `pages` (lists of paragraphs). date is
    "YYYY-MM-DD" (the Info CreationDate). encrypted: a standard security
    handler whose user password is not empty."""
    objs = []  # bodies, object i + 1

    def add(body):
        objs.append(body)
        return len(objs)

    catalog = add(None)
    page_tree = add(None)
    font = add(b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica '
               b'/Encoding /WinAnsiEncoding >>')
    kids = []
    for paragraphs in pages:
        stream = _content(paragraphs)
        content = add(b'<< /Length %d >>\nstream\n' % len(stream) + stream +
                      b'endstream')
        kids.append(add(b'<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 '
                        b'842] /Resources << /Font << /F1 %d 0 R >> >> '
                        b'/Contents %d 0 R >>' % (page_tree, font, content)))
    objs[catalog - 1] = b'<< /Type /Catalog /Pages %d 0 R >>' % page_tree
    objs[page_tree - 1] = (b'<< /Type /Pages /Kids [' +
                           b' '.join(b'%d 0 R' % k for k in kids) +
                           b'] /Count %d >>' % len(kids))
    info = b'<< /Producer (passim pdfgen)'
    if title is not None:
        info += b' /Title ' + _string(title)
    if date is not None:
        info += b' /CreationDate (D:%s120000Z)' % date.replace('-',
                                                               '').encode()
    info = add(info + b' >>')
    trailer = b'/Root %d 0 R /Info %d 0 R' % (catalog, info)
    if encrypted:
        enc = add(b'<< /Filter /Standard /V 1 /R 2 /O <' + b'4F' * 32 +
                  b'> /U <' + b'5A' * 32 + b'> /P -44 >>')
        trailer += (b' /Encrypt %d 0 R /ID [<0123456789ABCDEF0123456789ABCDEF>'
                    b'<0123456789ABCDEF0123456789ABCDEF>]' % enc)
    out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % (i + 1) + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += (b'trailer\n<< /Size %d ' % (len(objs) + 1) + trailer +
            b' >>\nstartxref\n%d\n%%%%EOF\n' % xref)
    return bytes(out)
