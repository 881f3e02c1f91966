#!/usr/bin/env python3
"""End-to-end tests: PDF documents (issue 16 item 3). A PDF's passages
know their page, its metadata gives title and date, and PDFs poppler
cannot open (encrypted, damaged) are skipped with their reasons, counted
in the summary as other skipped files are. The PDFs are written at test
time (pdfgen.py)."""

import re
import sys

import harness
import pdfgen

PAGE1 = ['The wind farm report opens with pdfpageoneword and the turbines '
         'that stand along the coast, counted one by one.',
         'Its second paragraph says little more.']
PAGE2 = ['On the second page the pdfpagetwoword paragraph sums the '
         'findings up.']


class PdfTest(harness.PassimCase):

    def make_pdfs(self):
        good = pdfgen.pdf([PAGE1, PAGE2], title='Coastal Wind Metadata',
                          date='2024-03-16')
        self.report = self.write('report.pdf', good)
        # The same kind of file without a name passim knows: sniffed.
        self.spool = self.write('spool/0001', pdfgen.pdf(
            [['Spool Without Metadata',
              'A sniffedpdfword document with no name.']]))
        self.locked = self.write('locked.pdf', pdfgen.pdf(
            [['lockedpdfword text']], encrypted=True))
        self.cut = self.write('cut.pdf', good[:len(good) // 2])
        self.note = self.write('note.txt', 'Note\n\nA plain textnoteword.\n')

    def test_pages_metadata_and_skips(self):
        self.make_pdfs()
        r = self.index()
        self.assertEqual(r.status, 0, r)
        # Encrypted and damaged: skipped, each said so by name, counted
        # by reason; poppler's own complaints stay off stderr.
        m = re.search(r' 3 indexed, 0 unchanged, 0 touched, 2 skipped '
                      r'\(([^)]*)\), 0 unreadable,', r.err)
        self.assertTrue(m, r)
        self.assertEqual(sorted(m.group(1).split(', ')),
                         ['1 damaged PDF', '1 encrypted PDF'], r)
        lines = r.err.splitlines()
        self.assertIn('passim-index: %s: skipped: encrypted PDF (needs a '
                      'password)' % self.locked, lines, r)
        self.assertTrue(any(ln.startswith('passim-index: %s: skipped: damaged '
                                          'PDF: ' % self.cut)
                            for ln in lines), r)
        self.assertEqual(len(lines), 3, r)  # the two skips and the summary
        self.search('lockedpdfword', expect=1)

        doc = self.search('pdfpagetwoword')
        self.assertEqual(self.hit_paths(doc), [self.report])
        hit = doc['hits'][0]
        self.assertEqual(hit['page'], 2, hit)
        self.assertEqual(hit['title'], 'Coastal Wind Metadata')
        self.assertEqual(hit['published'], '2024-03-16')
        self.assertFalse(hit['published_is_file_time'])
        self.assertIn('pdfpagetwoword', hit['text'])
        hit = self.search('pdfpageoneword')['hits'][0]
        self.assertEqual(hit['page'], 1, hit)
        self.assertNotIn('pdfpagetwoword', hit['text'])
        # The title is searchable as a title (on both pages' passages).
        self.assertEqual(set(self.hit_paths(self.search('title:coastal'))),
                         {self.report})
        # Sniffed by content; its title is its first line.
        hit = self.search('sniffedpdfword')['hits'][0]
        self.assertEqual(hit['path'], self.spool)
        self.assertEqual(hit['title'], 'Spool Without Metadata')
        self.assertEqual(hit['page'], 1)
        # Passages of other files have no page.
        self.assertNotIn('page', self.search('textnoteword')['hits'][0])
        # Text output shows the page beside the passage.
        out = self.query('pdfpagetwoword', expect=0).out
        self.assertIn('[passage 2, p. 2, bytes ', out)

        # Skipped PDFs are catalogued: not read again until they change.
        r = self.index()
        self.assertIn(' 0 indexed, 5 unchanged,', r.err, r)
        self.write('cut.pdf', pdfgen.pdf([['Mended now: mendedpdfword.']]))
        r = self.index()
        self.assertIn(' 1 indexed, 4 unchanged,', r.err, r)
        self.assertEqual(self.hit_paths(self.search('mendedpdfword')),
                         [self.cut])


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
