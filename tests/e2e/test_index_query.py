#!/usr/bin/env python3
"""End-to-end tests: passim-index builds a database from a folder, passim
queries it (text and JSON), re-indexing follows the folder's changes."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

import harness
from harness import PASSIM, PASSIM_INDEX, flock_held, run

FILLER = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do '
          'eiusmod tempor incididunt ut labore et dolore magna aliqua enim '
          'minim veniam quis nostrud exercitation ullamco laboris nisi '
          'aliquip commodo consequat duis aute irure reprehenderit').split()


def filler(n, seed=0):
    """n filler words, deterministic."""
    return ' '.join(FILLER[(seed * 7 + i * 3) % len(FILLER)]
                    for i in range(n))


def para(*sentences, pad=40, seed=0):
    """A paragraph of at least ~250 bytes: the sentences plus filler, so
    that it is a passage of its own (not merged, not split)."""
    return ' '.join(list(sentences) + [filler(pad, seed).capitalize() + '.'])


WIND_P1 = para('Offshore wind farms near the café in Ærøskøbing grew fast '
               'this year.', 'The naïve négociateurs and the negotiations '
               'over the lease went on.', seed=1)
WIND_P2 = para('Each turbine carries a plaque with the word quokkaalpha.',
               'Engineers negotiate maintenance windows with the port.',
               seed=2)
WIND_TXT = 'Offshore Wind Power\n\n' + WIND_P1 + '\n\n' + WIND_P2 + '\n'

SOLAR_MD = ('# Solar Panels\n\n' +
            para('The wind blew dust over the panels, far from any '
                 'offshore rig.', 'Installers were negotiating prices.',
                 seed=3) + '\n\n' +
            para('Panels convert light into power; kangaroobeta is the '
                 'name of the inverter.', seed=4) + '\n')

STRIKE_HTML = '''<!DOCTYPE html>
<html><head><title>Port Strike</title>
<style>.stylishword { color: red }</style>
<script>var scriptonlyword = "harbour";</script>
</head><body>
<h1>Dockers walk out</h1>
<p>Dockers at the port caf&eacute; voted to strike &amp; to negotiate
with the harbour authority. ''' + filler(30, 5) + '''</p>
<p>The word wallabygamma appears only here. ''' + filler(30, 6) + '''</p>
</body></html>
'''

HARBOUR_TXT = ('Harbour Notes\n\n' +
               para('The harbour master counted ships in the harbour and '
                    'the harbour pilots.', seed=7) + '\n')

LONG_TXT = 'Lighthouse Log\n\n' + '\n\n'.join(
    para('Entry %d: the lighthouse keeper trimmed the lamp.' % i, seed=i)
    for i in range(6)) + '\n'


class IndexQueryTest(harness.PassimCase):

    def make_corpus(self):
        self.wind = self.write('energy/wind.txt', WIND_TXT)
        self.solar = self.write('energy/solar.md', SOLAR_MD)
        self.strike = self.write('news/strike.html', STRIKE_HTML)
        self.harbour = self.write('news/deep/nested/harbour.txt', HARBOUR_TXT)
        self.long = self.write('news/long.txt', LONG_TXT)
        # Paging material: five articles that all say "beacon", each a
        # different number of times.
        self.beacons = [
            self.write('beacons/b%d.txt' % i,
                       'Beacon %d\n\n' % i +
                       para(' '.join(['beacon'] * (i + 1)) + '.', seed=i)
                       + '\n')
            for i in range(5)]

    def setUp(self):
        super().setUp()
        self.make_corpus()
        self.first = self.index()

    # ---------------------------------------------------------------- basics

    def test_index_summary_and_text_query(self):
        r = self.first
        self.assertRegex(r.err, r'passim-index: 10 indexed, 0 unchanged, '
                                r'0 touched, 0 skipped, 0 unreadable, '
                                r'0 removed;', r)
        self.assertTrue(os.path.isdir(self.db))
        q = self.query('quokkaalpha', expect=0)
        self.assertIn('Offshore Wind Power', q.out, q)
        self.assertIn(self.wind, q.out, q)
        self.assertIn('quokkaalpha', q.out, q)
        self.assertNotIn(self.solar, q.out, q)
        self.assertEqual(q.stderr, b'', q)
        # Nested folders are crawled.
        q = self.query('pilots', expect=0)
        self.assertIn(self.harbour, q.out, q)

    def test_json_fields(self):
        doc = self.search('negotiations')
        self.assertEqual(doc['query'], 'negotiations')
        for key, kind in (('estimated_total', int), ('articles', int),
                          ('fell_back_to_or', bool), ('hits', list)):
            self.assertIsInstance(doc[key], kind, key)
        self.assertFalse(doc['fell_back_to_or'])
        self.assertGreaterEqual(doc['estimated_total'], len(doc['hits']))
        # Stemming: negotiations, negotiate, negotiating are one word.
        paths = set(self.hit_paths(doc))
        self.assertEqual(paths, {self.wind, self.solar, self.strike}, doc)
        self.assertEqual(doc['articles'], 3)
        ranks = []
        for h in doc['hits']:
            for key, kind in (('path', str), ('title', str),
                              ('article', str), ('article_rank', int),
                              ('passage', int), ('start', int),
                              ('end', int), ('score', float),
                              ('text', str), ('highlights', list)):
                self.assertIsInstance(h[key], kind, (key, h))
            self.assertTrue(h['article'])
            self.assertGreaterEqual(h['passage'], 0)
            self.assertLess(h['start'], h['end'])
            self.assertGreater(h['score'], 0)
            self.assertTrue(h['highlights'], h)
            for span in h['highlights']:
                self.assertEqual(len(span), 2)
            ranks.append(h['article_rank'])
        # Grouped by article, best first.
        self.assertEqual(ranks, sorted(ranks))
        self.assertEqual(sorted(set(ranks)), [1, 2, 3])
        titles = {h['path']: h['title'] for h in doc['hits']}
        self.assertEqual(titles[self.wind], 'Offshore Wind Power')
        self.assertEqual(titles[self.solar], 'Solar Panels')
        self.assertEqual(titles[self.strike], 'Port Strike')
        by_path = {}
        for h in doc['hits']:
            by_path.setdefault(h['path'], set()).add(h['article'])
        for p, ids in by_path.items():
            self.assertEqual(len(ids), 1, (p, ids))

    # ------------------------------------------------------------ highlights

    def check_highlights(self, doc, forms):
        """Every highlight span of every hit is, in bytes of `text`, one of
        `forms` (case-insensitively); every hit whose text holds one of the
        forms as a word has a highlight (a hit may match by its title
        alone, and then has none)."""
        self.assertTrue(doc['hits'], doc)
        for h in doc['hits']:
            text = h['text'].encode('utf-8')
            words = set(re.findall(r'\w+', h['text'].lower()))
            if words & set(forms):
                self.assertTrue(h['highlights'], h)
            last = -1
            for start, end in h['highlights']:
                self.assertTrue(0 <= start < end <= len(text), (start, end, h))
                self.assertGreaterEqual(start, last, h)
                last = end
                word = text[start:end].decode('utf-8').lower()
                self.assertIn(word, forms, (start, end, h))

    def test_highlights_point_at_words(self):
        # Non-ASCII text before the word: byte offsets, not characters.
        self.check_highlights(self.search('quokkaalpha'), {'quokkaalpha'})
        self.check_highlights(self.search('negotiate'),
                              {'negotiate', 'negotiations', 'negotiating'})
        self.check_highlights(self.search('café'), {'café'})
        self.check_highlights(self.search('Ærøskøbing'), {'ærøskøbing'})
        self.check_highlights(self.search('harbour', 'pilots'),
                              {'harbour', 'pilots'})
        doc = self.search('harbour')
        hit = [h for h in doc['hits'] if h['path'] == self.harbour][0]
        self.assertEqual(len(hit['highlights']), 3, hit)
        # A word after multi-byte characters in the same passage.
        doc = self.search('lease')
        self.check_highlights(doc, {'lease'})
        h = doc['hits'][0]
        text = h['text'].encode('utf-8')
        self.assertEqual(h['highlights'], [[text.index(b'lease'),
                                            text.index(b'lease') + 5]])

    def test_txt_span_is_file_bytes(self):
        with open(self.wind, 'rb') as f:
            data = f.read()
        doc = self.search('quokkaalpha OR café')
        hits = [h for h in doc['hits'] if h['path'] == self.wind]
        self.assertEqual(len(hits), 2, doc)
        for h in hits:
            self.assertLessEqual(h['end'], len(data))
            self.assertEqual(data[h['start']:h['end']],
                             h['text'].encode('utf-8'), h)
        texts = sorted(h['text'] for h in hits)
        self.assertEqual(texts, sorted([WIND_P1, WIND_P2]))
        self.assertEqual(sorted(h['passage'] for h in hits), [0, 1])
        # Same for a passage in the middle of a longer file.
        with open(self.long, 'rb') as f:
            data = f.read()
        doc = self.search('Entry', opts=('--per-article', '6'))
        self.assertEqual(len(doc['hits']), 6, doc)
        for h in doc['hits']:
            self.assertEqual(data[h['start']:h['end']],
                             h['text'].encode('utf-8'), h)

    # --------------------------------------------------------- query syntax

    def test_title_and_path_prefixes(self):
        # "wind" is in the bodies of wind.txt and solar.md, in one title.
        doc = self.search('wind')
        self.assertEqual(set(self.hit_paths(doc)), {self.wind, self.solar})
        doc = self.search('title:wind')
        self.assertEqual(set(self.hit_paths(doc)), {self.wind}, doc)
        doc = self.search('title:strike')  # from the HTML <title>
        self.assertEqual(set(self.hit_paths(doc)), {self.strike}, doc)
        self.search('title:quokkaalpha', expect=1)  # body only
        doc = self.search('path:energy')
        self.assertEqual(set(self.hit_paths(doc)), {self.wind, self.solar},
                         doc)
        doc = self.search('path:nested')
        self.assertEqual(set(self.hit_paths(doc)), {self.harbour}, doc)
        doc = self.search('path:news harbour')
        self.assertEqual(set(self.hit_paths(doc)), {self.harbour,
                                                    self.strike}, doc)
        self.assertFalse(doc['fell_back_to_or'])

    def test_phrase(self):
        # Both files hold "offshore" and "wind"; only wind.txt in order.
        doc = self.search('offshore wind')
        self.assertEqual(set(self.hit_paths(doc)), {self.wind, self.solar})
        doc = self.search('"offshore wind"')
        self.assertEqual(set(self.hit_paths(doc)), {self.wind}, doc)
        self.assertFalse(doc['fell_back_to_or'])
        self.check_highlights(doc, {'offshore', 'wind'})
        doc = self.search('"wind offshore"', expect=1)
        self.assertEqual(doc['hits'], [])

    def test_not(self):
        doc = self.search('wind NOT rig')
        self.assertEqual(set(self.hit_paths(doc)), {self.wind}, doc)
        doc = self.search('negotiate NOT (turbine OR dockers)')
        paths = set(self.hit_paths(doc))
        self.assertIn(self.solar, paths)
        self.assertNotIn(self.strike, paths)
        for h in doc['hits']:
            self.assertNotIn('turbine', h['text'].lower())
        doc = self.search('wind -offshore', expect=1)
        # Options end at the query's first word: "-word" after it is a
        # word to exclude, not an option.
        r = run([PASSIM, '--db', self.db, '--json', 'negotiate', '-turbine'])
        self.assertEqual(r.status, 0, r)
        import json
        hits = json.loads(r.stdout.decode('utf-8'))['hits']
        self.assertTrue(hits, r)
        for h in hits:
            self.assertNotIn('turbine', h['text'].lower())

    def test_wildcard(self):
        doc = self.search('negotiat*')
        self.assertEqual(set(self.hit_paths(doc)),
                         {self.wind, self.solar, self.strike}, doc)
        self.check_highlights(doc, {'negotiations', 'negotiating',
                                    'negotiate'})
        doc = self.search('kangaroo*')
        self.assertEqual(self.hit_paths(doc), [self.solar])
        self.search('zzzznotthere*', expect=1)

    def test_wildcard_in_long_query(self):
        # A long query is parsed field by field: its wildcard still
        # expands over the vocabulary, not into the words "pxwild" and
        # "negotiat".
        doc = self.search('which of them wanted to negotiat* anything')
        self.assertIn(self.strike, self.hit_paths(doc))
        found = set()
        for h in doc['hits']:
            text = h['text'].encode('utf-8')
            found |= {text[s:e].decode().lower() for s, e in h['highlights']}
        self.assertTrue(any(w.startswith('negotiat') for w in found), found)

    def test_and_falls_back_to_or(self):
        # Both words exist, but never in one passage (nor title).
        doc = self.search('quokkaalpha kangaroobeta')
        self.assertTrue(doc['fell_back_to_or'], doc)
        self.assertEqual(set(self.hit_paths(doc)), {self.wind, self.solar})
        self.check_highlights(doc, {'quokkaalpha', 'kangaroobeta'})
        r = self.query('quokkaalpha', 'kangaroobeta', expect=0)
        self.assertIn('no passage has all the words', r.err, r)
        self.assertEqual(len(r.err.strip().splitlines()), 1, r)
        self.assertIn(self.wind, r.out)
        # When AND finds something there is no notice.
        r = self.query('quokkaalpha', 'turbine', expect=0)
        self.assertEqual(r.stderr, b'', r)
        doc = self.search('quokkaalpha turbine')
        self.assertFalse(doc['fell_back_to_or'])
        self.assertEqual(self.hit_paths(doc), [self.wind])
        # Nothing at all is exit 1.
        self.search('zzzznope yyyynope', expect=1)

    def test_limit_offset(self):
        everything = self.search('beacon')
        self.assertEqual(everything['articles'], 5)
        order = []
        for h in everything['hits']:
            if h['path'] not in order:
                order.append(h['path'])
        self.assertEqual(sorted(order), sorted(self.beacons))
        # Most "beacon"s first.
        self.assertEqual(order[0], self.beacons[4], everything)
        pages = []
        for offset in (0, 2, 4):
            doc = self.search('beacon', opts=('--limit', '2', '--offset',
                                              str(offset)))
            paths = []
            for h in doc['hits']:
                if h['path'] not in paths:
                    paths.append(h['path'])
            self.assertEqual(doc['articles'], len(paths), doc)
            pages.append(paths)
        self.assertEqual([len(p) for p in pages], [2, 2, 1], pages)
        self.assertEqual(pages[0] + pages[1] + pages[2], order)
        doc = self.search('beacon', opts=('-n', '1'))
        self.assertEqual(self.hit_paths(doc), [order[0]])
        doc = self.search('beacon', opts=('--offset', '5'), expect=1)
        self.assertEqual(doc['hits'], [])
        r = self.query('beacon', opts=('--limit', '1'), expect=0)
        self.assertRegex(r.out, r'(?m)^1\. ')
        self.assertNotRegex(r.out, r'(?m)^2\. ')

    def test_per_article(self):
        for n, want in ((None, 2), ('1', 1), ('3', 3), ('6', 6),
                        ('50', 6)):
            opts = ('--per-article', n) if n else ()
            doc = self.search('lighthouse', opts=opts)
            self.assertEqual(len(doc['hits']), want, (n, doc))
            self.assertEqual(set(self.hit_paths(doc)), {self.long})
            numbers = [h['passage'] for h in doc['hits']]
            self.assertEqual(len(set(numbers)), len(numbers), doc)
        # -p, with several articles: at most N each.
        doc = self.search('lighthouse OR beacon OR harbour', opts=('-p', '1'))
        paths = self.hit_paths(doc)
        self.assertEqual(len(paths), len(set(paths)), doc)
        # long.txt, the five beacons, harbour.txt, strike.html
        self.assertEqual(len(paths), 8, doc)
        # (offset + limit) * per-article passes 2^32: still every match.
        for opts in (('--limit', '65536', '--per-article', '65536'),
                     ('--limit', '100000', '--per-article', '100000',
                      '--offset', '0')):
            doc = self.search('lighthouse', opts=opts)
            self.assertEqual(len(doc['hits']), 6, (opts, doc))
        r = self.query('lighthouse', opts=('-p', '1'), expect=0)
        self.assertEqual(r.out.count('[passage '), 1, r)

    # ------------------------------------------------------------ exit codes

    def assert_one_error(self, r, prog, status=2):
        """Exit `status` and one message line on stderr (a "Try --help"
        hint line may follow), nothing on stdout."""
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.stdout, b'', r)
        lines = r.err.strip('\n').split('\n')
        msgs = [ln for ln in lines if not ln.startswith("Try '")]
        self.assertEqual(len(msgs), 1, r)
        # getopt names the program as it was run: its full path.
        self.assertTrue(msgs[0].startswith(prog + ': ') or
                        msgs[0].startswith(r.argv[0] + ': '), r)
        return msgs[0]

    def test_exit_codes(self):
        self.query('quokkaalpha', expect=0)
        r = self.query('zzzznotthere', expect=1)
        self.assertEqual(r.stdout, b'', r)
        self.assertEqual(r.stderr, b'', r)
        for opts in (('--limit', 'abc'), ('--limit', '0'), ('--limit', '-3'),
                     ('--offset', 'x'), ('--per-article', '0'),
                     ('-n', '12z'), ('--color', 'sometimes'),
                     ('--no-such-option',)):
            r = self.query('quokkaalpha', opts=opts)
            msg = self.assert_one_error(r, 'passim')
            if len(opts) == 2:
                self.assertIn(opts[1], msg, r)
        # --limit given as the last argument, without its value.
        r = run([PASSIM, '--db', self.db, '--limit'])
        self.assert_one_error(r, 'passim')
        # No query, or an empty one.
        r = run([PASSIM, '--db', self.db])
        self.assertIn('no query', self.assert_one_error(r, 'passim'))
        for empty in ('', '  ', '\t'):
            r = run([PASSIM, '--db', self.db, empty])
            self.assertIn('empty', self.assert_one_error(r, 'passim'))
        # Missing database.
        missing = os.path.join(self.tmp, 'nothing', 'here')
        r = run([PASSIM, '--db', missing, 'quokkaalpha'])
        msg = self.assert_one_error(r, 'passim')
        self.assertIn(missing, msg)
        self.assertFalse(os.path.exists(missing))
        # The indexer.
        for opts in (('--batch-files', '0'), ('--batch-files', 'many'),
                     ('--max-file-size', 'big'), ('--max-file-size', '-1'),
                     ('--bogus',)):
            r = run([PASSIM_INDEX, '--db', self.db] + list(opts) +
                    [self.docs])
            self.assert_one_error(r, 'passim-index')
        r = run([PASSIM_INDEX, '--db', self.db])
        self.assertIn('no folder', self.assert_one_error(r, 'passim-index'))
        r = run([PASSIM_INDEX, '--db', self.db,
                 os.path.join(self.tmp, 'no-such-folder')])
        self.assertIn('no-such-folder',
                      self.assert_one_error(r, 'passim-index'))
        # --help / --version succeed.
        for prog in (PASSIM, PASSIM_INDEX):
            for opt in ('--help', '--version'):
                r = run([prog, opt])
                self.assertEqual(r.status, 0, r)
                self.assertTrue(r.out.strip(), r)
        # Nothing above changed the database.
        self.query('quokkaalpha', expect=0)

    def test_color(self):
        r = self.query('quokkaalpha', opts=('--color=always',), expect=0)
        self.assertIn('\x1b[', r.out, r)
        self.assertRegex(r.out, r'\x1b\[[0-9;]*mquokkaalpha\x1b\[0m')
        r = self.query('quokkaalpha', opts=('--color', 'always'), expect=0)
        self.assertIn('\x1b[', r.out, r)
        for opts in ((), ('--color=auto',), ('--color=never',)):
            r = self.query('quokkaalpha', opts=opts, expect=0)  # a pipe
            self.assertNotIn('\x1b', r.out, (opts, r))
            self.assertIn('quokkaalpha', r.out)
        r = self.query('quokkaalpha', opts=('--color=always', '--json'),
                       expect=0)
        self.assertNotIn('\x1b', r.out, r)
        json.loads(r.out)

    # ------------------------------------------------------------ re-index

    def count_hits(self, word):
        doc = self.all_hits(word)
        return len(doc['hits']), doc

    def test_reindex_follows_changes(self):
        self.assertEqual(self.count_hits('quokkaalpha')[0], 1)
        # Modify wind.txt: quokkaalpha goes, numbatdelta comes.
        new_p2 = WIND_P2.replace('quokkaalpha', 'numbatdelta')
        self.write('energy/wind.txt',
                   'Offshore Wind Power\n\n' + WIND_P1 + '\n\n' + new_p2 +
                   '\n\nA third paragraph. ' + para('Platypusepsilon.', seed=9)
                   + '\n')
        # Add a file in a new folder.
        added = self.write('energy/new/tidal.txt', 'Tidal Power\n\n' +
                           para('Tidal lagoons and echidnazeta.', seed=8))
        # Delete one.
        os.unlink(self.strike)
        r = self.index()
        self.assertRegex(r.err, r'passim-index: 2 indexed, 8 unchanged, '
                                r'0 touched, 0 skipped, 0 unreadable, '
                                r'1 removed;', r)
        self.search('quokkaalpha', expect=1)
        for word, path in (('numbatdelta', self.wind),
                           ('platypusepsilon', self.wind),
                           ('echidnazeta', added)):
            n, doc = self.count_hits(word)
            self.assertEqual(n, 1, doc)
            self.assertEqual(doc['hits'][0]['path'], path)
        # Unchanged passages of the modified file are there once.
        n, doc = self.count_hits('Ærøskøbing')
        self.assertEqual(n, 1, doc)
        with open(self.wind, 'rb') as f:
            data = f.read()
        h = doc['hits'][0]
        self.assertEqual(data[h['start']:h['end']], h['text'].encode())
        # The deleted article is gone entirely.
        self.search('wallabygamma', expect=1)
        self.search('title:strike', expect=1)
        doc = self.all_hits('dockers OR negotiate')
        self.assertNotIn(self.strike, self.hit_paths(doc))
        # Every article once per passage: no duplicates anywhere.
        doc = self.all_hits('lorem')
        keys = [(h['path'], h['passage']) for h in doc['hits']]
        self.assertEqual(len(keys), len(set(keys)), doc)
        self.assertEqual(len([k for k in keys if k[0] == self.wind]), 3)
        # Deleting a whole folder.
        for b in self.beacons:
            os.unlink(b)
        os.rmdir(os.path.dirname(self.beacons[0]))
        r = self.index()
        self.assertIn(' 5 removed;', r.err, r)
        self.search('beacon', expect=1)
        self.assertEqual(self.count_hits('numbatdelta')[0], 1)

    def db_state(self):
        """Digest of every database file but the lock files (a database of
        shards has folders)."""
        state = {}
        for top, dirs, names in os.walk(self.db):
            dirs.sort()
            for name in sorted(names):
                if name == 'flintlock':
                    continue
                path = os.path.join(top, name)
                with open(path, 'rb') as f:
                    state[os.path.relpath(path, self.db)] = \
                        hashlib.sha256(f.read()).hexdigest()
        return state

    def test_unchanged_rerun(self):
        # A bigger folder so that reading it takes measurable time.
        words = filler(400, 3)
        for i in range(300):
            self.write('bulk/%03d/file%03d.txt' % (i // 50, i),
                       'Bulk %d\n\n' % i + '\n\n'.join(
                           'Paragraph %d of bulkword%d. %s' % (k, i, words)
                           for k in range(4)) + '\n')
        first = self.index()
        self.assertIn(' 300 indexed,', first.err, first)
        before = self.db_state()
        results = self.search('bulkword7 OR quokkaalpha OR beacon')
        again = self.index()
        self.assertRegex(again.err, r'passim-index: 0 indexed, 310 unchanged, '
                                    r'0 touched, 0 skipped, 0 unreadable, '
                                    r'0 removed; 0 passages, 0\.0 MB read',
                         again)
        self.assertEqual(self.db_state(), before)
        self.assertEqual(self.search('bulkword7 OR quokkaalpha OR beacon'),
                         results)
        self.assertLess(again.secs, first.secs / 2, (first, again))
        # -q: nothing at all.
        quiet = self.index('-q', self.docs)
        self.assertEqual(quiet.stderr, b'', quiet)
        self.assertEqual(self.db_state(), before)

    def test_touched_file_not_reindexed(self):
        st = os.stat(self.wind)
        os.utime(self.wind, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))
        r = self.index('-v', self.docs)
        self.assertRegex(r.err, r'passim-index: 0 indexed, 9 unchanged, '
                                r'1 touched, 0 skipped, 0 unreadable, '
                                r'0 removed; 0 passages', r)
        self.assertNotIn('indexed ' + self.wind, r.err)
        n, doc = self.count_hits('quokkaalpha')
        self.assertEqual(n, 1, doc)
        # The new mtime is recorded: next run, unchanged.
        r = self.index()
        self.assertIn(' 0 indexed, 10 unchanged, 0 touched,', r.err, r)
        # Same content rewritten (new inode too): still not indexed again.
        tmp = self.wind + '.tmp'
        with open(tmp, 'w') as f:
            f.write(WIND_TXT)
        os.replace(tmp, self.wind)
        r = self.index()
        self.assertIn(' 0 indexed, 9 unchanged, 1 touched,', r.err, r)
        self.assertEqual(self.count_hits('quokkaalpha')[0], 1)

    # ---------------------------------------------------------------- lock

    def test_second_indexer_is_locked_out(self):
        # One database, or the first of its shards (the default on more
        # than one CPU): the writer locks every shard.
        locks = (os.path.join(self.db, 'flintlock'),
                 os.path.join(self.db, 'shard0', 'flintlock'))

        def lock_held():
            return any(flock_held(p) for p in locks)
        self.assertFalse(lock_held())
        nfiles = 400
        for attempt in range(4):
            big = os.path.join(self.tmp, 'big%d' % attempt)
            for i in range(nfiles):
                self.write('f%05d.txt' % i, 'Big %d\n\n%s bigword%d\n'
                           % (i, filler(60, i), i), root=big)
            holder = subprocess.Popen(
                [PASSIM_INDEX, '--db', self.db, '-v', big],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, env=self.env)
            stopped = False
            try:
                # The database is open (and locked) before the crawl; the
                # first "indexed" line means the writer is at work. Then
                # freeze it, so the lock stays held as long as we need.
                line = holder.stderr.readline()
                if line.startswith(b'passim-index: indexed '):
                    holder.send_signal(signal.SIGSTOP)
                    stopped = True
                deadline = time.monotonic() + 60
                while (stopped and holder.poll() is None and
                       not lock_held() and time.monotonic() < deadline):
                    time.sleep(0.05)
                if stopped and holder.poll() is None and lock_held():
                    r = run([PASSIM_INDEX, '--db', self.db, self.docs],
                            env=self.env)
                    self.assertEqual(r.status, 2, r)
                    self.assertIn('locked', r.err, r)
                    self.assertEqual(len(r.err.strip().splitlines()), 1, r)
                    # Searches work while the indexer runs.
                    self.query('quokkaalpha', expect=0)
                    holder.send_signal(signal.SIGCONT)
                    stopped = False
                    _, err = holder.communicate(timeout=harness.TIMEOUT)
                    self.assertEqual(holder.returncode, 0, err)
                    self.assertFalse(lock_held())
                    self.search('bigword%d' % (nfiles - 1), expect=0)
                    # And the lock is free again.
                    self.index()
                    return
            finally:
                if stopped:
                    holder.send_signal(signal.SIGCONT)
                if holder.poll() is None:
                    try:
                        holder.communicate(timeout=harness.TIMEOUT)
                    except subprocess.TimeoutExpired:
                        holder.kill()
                        holder.communicate()
                else:
                    holder.communicate()
            nfiles *= 4  # it finished too fast to be caught: more files
        self.fail('could not catch passim-index holding the lock')

    # ---------------------------------------------------------------- HTML

    def test_html_script_style_entities(self):
        self.search('scriptonlyword', expect=1)
        self.search('stylishword', expect=1)
        self.search('var', expect=1)
        doc = self.search('café')
        paths = set(self.hit_paths(doc))
        self.assertIn(self.strike, paths)
        hit = [h for h in doc['hits'] if h['path'] == self.strike][0]
        self.assertIn('port café voted to strike & to negotiate', hit['text'])
        self.assertNotIn('&eacute;', hit['text'])
        self.assertNotIn('<p>', hit['text'])
        self.check_highlights(doc, {'café'})
        doc = self.search('wallabygamma')
        self.assertEqual(self.hit_paths(doc), [self.strike])
        self.assertEqual(doc['hits'][0]['title'], 'Port Strike')
        for h in self.all_hits('dockers OR wallabygamma')['hits']:
            self.assertNotIn('scriptonlyword', h['text'])
            self.assertNotIn('stylishword', h['text'])
            self.assertNotIn('<', h['text'])

    # ------------------------------------------------------ default database

    def test_default_database_xdg_data_home(self):
        xdg = os.path.join(self.tmp, 'xdg')
        env = harness.clean_env(XDG_DATA_HOME=xdg, HOME=self.tmp)
        r = run([PASSIM_INDEX, self.docs], env=env)
        self.assertEqual(r.status, 0, r)
        default = os.path.join(xdg, 'passim', 'index')
        # One database, or a stub naming its shards (one per CPU).
        self.assertTrue(any(os.path.isfile(os.path.join(default, name))
                            for name in ('iamglass', 'XAPIANDB')), r)
        r = run([PASSIM, 'quokkaalpha'], env=env)
        self.assertEqual(r.status, 0, r)
        self.assertIn(self.wind, r.out)
        # Without XDG_DATA_HOME: ~/.local/share.
        env = harness.clean_env(HOME=os.path.join(self.tmp, 'home'))
        r = run([PASSIM_INDEX, self.docs], env=env)
        self.assertEqual(r.status, 0, r)
        self.assertTrue(os.path.isdir(os.path.join(
            self.tmp, 'home', '.local', 'share', 'passim', 'index')))
        r = run([PASSIM, 'quokkaalpha'], env=env)
        self.assertEqual(r.status, 0, r)

    def test_default_database_passim_db(self):
        other = os.path.join(self.tmp, 'a', 'b', 'other-db')
        env = harness.clean_env(PASSIM_DB=other,
                                XDG_DATA_HOME=os.path.join(self.tmp, 'xdg'))
        os.unlink(self.wind)
        r = run([PASSIM_INDEX, self.docs], env=env)
        self.assertEqual(r.status, 0, r)
        self.assertTrue(os.path.isdir(other))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'xdg')))
        # PASSIM_DB is the other database: wind.txt was never in it.
        r = run([PASSIM, 'quokkaalpha'], env=env)
        self.assertEqual(r.status, 1, r)
        r = run([PASSIM, 'kangaroobeta'], env=env)
        self.assertEqual(r.status, 0, r)
        # --db wins over PASSIM_DB.
        r = run([PASSIM, '--db', self.db, 'quokkaalpha'], env=env)
        self.assertEqual(r.status, 0, r)
        # An empty PASSIM_DB counts as unset.
        env = harness.clean_env(PASSIM_DB='',
                                XDG_DATA_HOME=os.path.join(self.tmp, 'x2'))
        r = run([PASSIM, 'kangaroobeta'], env=env)
        self.assertEqual(r.status, 2, r)
        self.assertIn(os.path.join(self.tmp, 'x2', 'passim', 'index'), r.err)


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
