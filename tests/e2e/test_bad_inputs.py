#!/usr/bin/env python3
"""End-to-end tests: files passim-index cannot take as they are. Each one
is reported on stderr by name, and the index stays correct: the good files
beside it are all searchable, exactly once."""

import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys

import harness
from harness import PASSIM_INDEX, run

NOBODY = 65534


def tag(i):
    """A letters-only word unique to i: 'qx' + i in base 26."""
    s = ''
    while True:
        s = chr(ord('a') + i % 26) + s
        i //= 26
        if not i:
            break
    return 'qx' + s.rjust(4, 'a')


GOOD = {
    'good/alpha.txt': ('Alpha File\n\nThe goodwordalpha paragraph, with '
                       'some ordinary words around it.\n'),
    'good/sub/beta.md': ('# Beta\n\nThe goodwordbeta paragraph in '
                         'Markdown.\n'),
    'good/sub/deeper/gamma.html': ('<html><head><title>Gamma</title></head>'
                                   '<body><p>The goodwordgamma paragraph in '
                                   'HTML.</p></body></html>\n'),
}


class BadInputsTest(harness.PassimCase):

    def make_good(self):
        self.good = {rel: self.write(rel, text) for rel, text in GOOD.items()}

    def assert_good_searchable(self, db=None):
        for rel, path in self.good.items():
            word = 'goodword' + rel.split('/')[-1].split('.')[0]
            doc = self.all_hits(word) if db is None else self.search(
                word, db=db)
            self.assertEqual([h['path'] for h in doc['hits']], [path], doc)

    def assert_reported(self, r, path, *words):
        """A line of stderr names `path` (and holds each of `words`)."""
        name = os.fsdecode(path) if isinstance(path, bytes) else path
        lines = [ln for ln in r.err.splitlines() if name in ln]
        self.assertTrue(lines, ('no message names %s' % name, r))
        for w in words:
            self.assertTrue(any(w in ln for ln in lines), (w, r))

    # ------------------------------------------------------------- contents

    def test_empty_file(self):
        self.make_good()
        empty = self.write('empty.txt', b'')
        blank = self.write('blank.md', b'\n\n   \n\t\n')
        r = self.index()
        self.assert_reported(r, empty)
        self.assert_reported(r, blank)
        self.assertIn(' 3 indexed,', r.err, r)
        self.assertIn(' 2 skipped (2 empty),', r.err, r)
        self.assert_good_searchable()
        # Skipped files are catalogued: not read again.
        r = self.index()
        self.assertIn(' 0 indexed, 5 unchanged,', r.err, r)
        self.assertNotIn(empty, r.err)
        # Given text, the file is indexed.
        self.write('empty.txt', 'Not Empty\n\nNow it says emptynomore.\n')
        r = self.index()
        self.assertIn(' 1 indexed,', r.err, r)
        self.assertEqual(self.hit_paths(self.search('emptynomore')), [empty])

    def test_binary_file_named_txt(self):
        self.make_good()
        rnd = random.Random(7)
        data = (b'binarywordzeta ' +
                bytes(rnd.randrange(256) for _ in range(4096)) +
                b'\0\0\0\0 binarywordzeta \0' * 16)
        binary = self.write('data.txt', data)
        elf = self.write('good/sub/program.txt',
                         b'\x7fELF\x02\x01\x01\0' + b'\0' * 56 +
                         b'binarywordeta ' * 10)
        r = self.index()
        self.assertEqual(r.status, 0, r)
        self.assert_reported(r, binary)
        self.assert_reported(r, elf)
        self.assertIn(' 2 skipped (2 not text),', r.err, r)
        self.search('binarywordzeta', expect=1)
        self.search('binarywordeta', expect=1)
        self.assert_good_searchable()

    def test_names_passim_does_not_know(self):
        """A file without an extension passim knows is read when its
        content is text, and skipped with a message when not; images and
        archives are passed over for their names, and the summary counts
        each kind, so that "0 indexed" never comes alone. --ext chooses."""
        self.make_good()
        post = self.write('news/53134', 'Subject line here\n\nA post '
                          'about nameswordalpha, stored as news spools do.\n')
        log = self.write('notes/today.log', 'Today\n\nnameswordbeta and '
                         'more.\n')
        rnd = random.Random(3)
        blob = self.write('news/53135', bytes(rnd.randrange(256)
                                              for _ in range(2048)))
        self.write('photo.JPG', b'\xff\xd8\xff\xe0' + b'nameswordgamma' * 9)
        self.write('pack.zip', b'PK\x03\x04nameswordgamma')
        r = self.index()
        self.assert_reported(r, blob, 'not text')
        self.assertIn(' 5 indexed, 0 unchanged, 0 touched, 1 skipped '
                      '(1 not text), 0 unreadable, 0 removed, 2 not read for '
                      'their names;', r.err, r)
        self.assertEqual(self.hit_paths(self.search('nameswordalpha')), [post])
        self.assertEqual(self.hit_paths(self.search('nameswordbeta')), [log])
        self.search('nameswordgamma', expect=1)
        self.assert_good_searchable()
        # --ext: only these (an empty item: no extension); the others go.
        r = self.index('--ext', 'log,', self.docs)
        self.assertIn(' 0 indexed, 3 unchanged, 0 touched, 0 skipped, '
                      '0 unreadable, 3 removed, 5 not read for their names;',
                      r.err, r)
        self.assertEqual(self.hit_paths(self.search('nameswordalpha')), [post])
        self.search('goodwordalpha', expect=1)
        # A folder of nothing passim reads says so.
        only = os.path.join(self.tmp, 'pictures')
        self.write('a.png', b'\x89PNG', root=only)
        r = self.index(only, db=os.path.join(self.tmp, 'p.db'))
        self.assertIn(' 0 indexed, ', r.err, r)
        self.assertIn(' 1 not read for their names;', r.err, r)

    def test_news_and_mail_posts(self):
        """A news post (no extension) and a mail (.eml): the Subject,
        without its Re: chain, is the title and the Date the article's
        date; headers and the signature are not searchable text, the body
        and its quoted reply are."""
        self.make_good()
        post = self.write('sci.space/61001', (
            'From: jdoe@example.edu (Jane Doe)\n'
            'Subject: Re: Re: Orbital debris postwordalpha\n'
            'Date: Tue, 20 Apr 1993 14:03:11 GMT\n'
            'Organization: Headerword University\n'
            'Nntp-Posting-Host: ws1.example.edu\n'
            'Lines: 7\n\n'
            'In article <1@x.org> bob@x.org writes:\n'
            '>Debris is the problem, quotewordbeta.\n\n'
            'Launch costs bodywordgamma matter more.\n\n'
            '-- \nJane Doe, sigworddelta department\n'))
        mail = self.write('inbox/note.eml', (
            'From: "Okafor, Amara" <amara@example.org>\r\n'
            'To: team@example.org\r\n'
            'Subject: Fwd: Agenda mailwordepsilon\r\n\r\n'
            'Item one: mailwordzeta.\r\n'))
        r = self.index()
        self.assertIn(' 5 indexed,', r.err, r)
        doc = self.search('bodywordgamma')
        self.assertEqual(self.hit_paths(doc), [post], doc)
        hit = doc['hits'][0]
        self.assertEqual(hit['title'], 'Orbital debris postwordalpha', hit)
        self.assertEqual(hit['published'], '1993-04-20', hit)
        self.assertFalse(hit['published_is_file_time'], hit)
        self.assertEqual(self.hit_paths(self.search('quotewordbeta')), [post])
        # The title is on both of its passages: the quote and the rest.
        self.assertEqual(set(self.hit_paths(self.search('postwordalpha'))),
                         {post})
        for w in ('headerword', 'sigworddelta', 'Nntp'):
            self.search(w, expect=1)
        doc = self.search('mailwordzeta')
        self.assertEqual(self.hit_paths(doc), [mail], doc)
        self.assertEqual(doc['hits'][0]['title'], 'Agenda mailwordepsilon')
        self.assert_good_searchable()

    def test_base64_blob_costs_little(self):
        """A 1 MB base64 blob in a .txt file is data, not words: said, left
        out, and the index stays small (a 4 MB one made 112 MB before);
        the words around it are found."""
        import base64
        self.make_good()
        rnd = random.Random(5)
        blob = base64.encodebytes(bytes(rnd.randrange(256)
                                        for _ in range(768 * 1024)))
        path = self.write('dump.txt', b'Attachment\n\nThe file blobwordeta '
                          b'follows.\n' + blob + b'\nThanks, blobwordtheta.\n')
        r = self.index()
        self.assert_reported(r, path, 'lines of base64 or hex dump left out')
        size = sum(os.path.getsize(os.path.join(d, f))
                   for d, _, fs in os.walk(self.db) for f in fs)
        self.assertLess(size, 3 * 1024 * 1024, size)
        for w in ('blobwordeta', 'blobwordtheta'):
            self.assertEqual(self.hit_paths(self.search(w)), [path], w)
        self.assert_good_searchable()

    def test_forget_a_folder(self):
        """--forget takes a folder's articles (or one file) out of the
        index and leaves the files and the rest alone; a folder that is
        gone can be forgotten too; the next run indexes them again."""
        self.make_good()
        other = os.path.join(self.tmp, 'other')
        self.write('note.txt', 'Note\n\notherwordkappa\n', root=other)
        r = self.index(self.docs, other)
        st = self.index('--status').stdout
        self.assertIn(('root: %s (3 files)' % self.docs).encode(), st, st)
        self.assertIn(('root: %s (1 file)' % other).encode(), st, st)
        r = self.index('--forget', other)
        self.assertIn('other: 1 file forgotten', r.err, r)
        self.search('otherwordkappa', expect=1)
        st = self.index('--status').stdout
        self.assertNotIn(other.encode(), st, st)
        sub = os.path.join(self.docs, 'good', 'sub')
        r = self.index('--forget', sub, os.path.join(self.tmp, 'gone'),
                       self.good['good/alpha.txt'])
        self.assertIn('sub: 2 files forgotten', r.err, r)
        self.assertIn('gone: nothing indexed there', r.err, r)
        self.assertIn('alpha.txt: 1 file forgotten', r.err, r)
        for w in ('goodwordalpha', 'goodwordbeta', 'goodwordgamma'):
            self.search(w, expect=1)
        self.assertTrue(os.path.exists(self.good['good/alpha.txt']))
        st = self.index('--status').stdout
        self.assertIn(b'files: 0', st, st)
        self.assertIn(('root: %s (0 files)' % self.docs).encode(), st, st)
        r = self.index('--forget', '--watch', sub, expect=2)
        self.assertIn('go alone', r.err, r)
        r = self.index()
        self.assertIn(' 3 indexed,', r.err, r)
        self.assert_good_searchable()

    def test_invalid_utf8_repaired(self):
        self.make_good()
        latin = self.write('latin1.txt',
                           b'Menu du caf\xe9\n\nLe caf\xe9 na\xefve sert '
                           b'latinwordtheta \xe0 midi, \x93quoted\x94.\n')
        r = self.index()
        self.assertEqual(r.status, 0, r)
        self.assert_reported(r, latin, 'repair')
        doc = self.search('café')
        self.assertEqual(self.hit_paths(doc), [latin], doc)
        h = doc['hits'][0]
        self.assertEqual(h['title'], 'Menu du café')
        self.assertIn('Le café naïve sert latinwordtheta à midi, '
                      '\u201cquoted\u201d.', h['text'])
        text = h['text'].encode('utf-8')
        self.assertEqual([text[s:e] for s, e in h['highlights']],
                         ['café'.encode()], h)
        self.assertEqual(self.hit_paths(self.search('naïve')), [latin])
        self.assertEqual(self.hit_paths(self.search('title:café')), [latin])
        self.assert_good_searchable()

    def indexer_as_nobody(self):
        """(db, run) where run(*args) runs passim-index on db as a user
        whom file permissions bind: nobody when this is root."""
        dbroot = os.path.join(self.tmp, 'dbroot')
        os.mkdir(dbroot)
        db = os.path.join(dbroot, 'db')
        if os.geteuid() == 0:
            # root reads anything: run the indexer as nobody, on a copy of
            # it that nobody can surely run, over a tree nobody can walk.
            exe = os.path.join(self.tmp, 'passim-index')
            shutil.copy2(PASSIM_INDEX, exe)
            for dirpath, dirnames, filenames in os.walk(self.tmp):
                os.chmod(dirpath, 0o755)
                for f in filenames:
                    os.chmod(os.path.join(dirpath, f), 0o755
                             if f == 'passim-index' else 0o644)
            os.chown(dbroot, NOBODY, NOBODY)
            setpriv = shutil.which('setpriv')

            def as_user(*args):
                argv = [exe, '--db', db] + list(args)
                if setpriv:
                    return run([setpriv, '--reuid=%d' % NOBODY,
                                '--regid=%d' % NOBODY, '--clear-groups']
                               + argv, env=self.env)
                return run(argv, env=self.env, user=NOBODY, group=NOBODY,
                           extra_groups=[])
        else:
            def as_user(*args):
                return run([PASSIM_INDEX, '--db', db] + list(args),
                           env=self.env)
        return db, as_user

    def test_unreadable_file(self):
        self.make_good()
        secret = self.write('good/secret.txt',
                            'Secret\n\nThe secretwordiota stays.\n')
        db, as_user = self.indexer_as_nobody()
        os.chmod(secret, 0)
        if os.geteuid() != 0 and os.access(secret, os.R_OK):
            self.skipTest('this user reads files with no permissions')
        r = as_user(self.docs)
        self.assertEqual(r.status, 1, r)
        self.assert_reported(r, secret, 'cannot read')
        self.assertIn(' 3 indexed,', r.err, r)
        self.assertIn(' 1 unreadable,', r.err, r)
        self.assert_good_searchable(db=db)
        self.search('secretwordiota', db=db, expect=1)
        # Readable again: indexed.
        os.chmod(secret, 0o644)
        r = as_user(self.docs)
        self.assertEqual(r.status, 0, r)
        self.assertIn(' 1 indexed, 3 unchanged,', r.err, r)
        self.assertEqual(self.hit_paths(self.search('secretwordiota', db=db)),
                         [secret])
        # Changed, then unreadable: reported, and the index keeps what it
        # had for it.
        with open(secret, 'w') as f:
            f.write('Secret\n\nThe secretwordkappa replaced it.\n')
        st = os.stat(secret)
        os.utime(secret, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        os.chmod(secret, 0)
        r = as_user(self.docs)
        self.assertEqual(r.status, 1, r)
        self.assert_reported(r, secret, 'cannot read')
        self.assertEqual(self.hit_paths(self.search('secretwordiota', db=db)),
                         [secret])
        self.search('secretwordkappa', db=db, expect=1)
        self.assert_good_searchable(db=db)
        # And read once it can be.
        os.chmod(secret, 0o644)
        r = as_user(self.docs)
        self.assertEqual(r.status, 0, r)
        self.search('secretwordiota', db=db, expect=1)
        self.assertEqual(self.hit_paths(self.search('secretwordkappa',
                                                    db=db)), [secret])

    def test_unreadable_folder_keeps_its_files(self):
        """A folder the indexer cannot list is reported, and the files the
        index has under it stay: they are not known to be gone."""
        self.make_good()
        locked = os.path.join(self.docs, 'locked')
        inner = self.write('locked/inner.txt',
                           'Inner\n\nThe innerwordlambda stays.\n')
        db, as_user = self.indexer_as_nobody()
        r = as_user(self.docs)
        self.assertEqual(r.status, 0, r)
        self.assertEqual(self.hit_paths(self.search('innerwordlambda',
                                                    db=db)), [inner])
        os.chmod(locked, 0)
        try:
            if os.geteuid() != 0 and os.access(locked, os.R_OK):
                self.skipTest('this user reads folders with no permissions')
            r = as_user(self.docs)
            self.assertEqual(r.status, 1, r)  # as for an unreadable file
            self.assert_reported(r, locked, 'denied')
            self.assertIn(' 1 unreadable, 0 removed;', r.err, r)
            self.assertEqual(self.hit_paths(self.search('innerwordlambda',
                                                        db=db)), [inner])
            self.assert_good_searchable(db=db)
        finally:
            os.chmod(locked, 0o755)
        # Readable again, and then gone: now it goes.
        r = as_user(self.docs)
        self.assertIn(' 0 indexed, 4 unchanged,', r.err, r)
        os.unlink(inner)
        os.rmdir(locked)
        r = as_user(self.docs)
        self.assertIn(' 1 removed;', r.err, r)
        self.search('innerwordlambda', db=db, expect=1)

    def test_hostile_html(self):
        """Markup that makes an HTML5 parser's work grow with the square of
        its size (200,000 nested <div>s: 397 s in gumbo alone; the adoption
        agency's worst case, again and again) is tamed: said on stderr, its
        words all searchable, and the good files beside it too."""
        self.make_good()
        deep = self.write('deep.html',
                          '<title>Deep</title><p>deepwordstart</p>' +
                          '<div>' * 200000 + '<p>deepwordend</p>')
        adopt = self.write('adopt.html', '<title>Adopt</title>' + ''.join(
            '<a><b><div>adoptword%s</a>' % tag(i) for i in range(20000)))
        r = self.index(timeout=120)
        self.assertEqual(r.status, 0, r)
        self.assert_reported(r, deep, 'nested deeper than 256 levels')
        self.assert_reported(r, adopt, 'misnested')
        for w in ('deepwordstart', 'deepwordend'):
            self.assertEqual(self.hit_paths(self.search(w)), [deep], w)
        # The passage's span maps back to the file past the rewrite.
        h = self.search('deepwordend')['hits'][0]
        with open(deep, 'rb') as f:
            data = f.read()
        self.assertEqual(data[h['end'] - len('deepwordend'):h['end']],
                         b'deepwordend', h)
        self.assertIn(data[h['start']:h['start'] + 4], (b'deep', b'<div'), h)
        for i in (0, 7777, 19999):
            self.assertEqual(self.hit_paths(
                self.search('adoptword' + tag(i))), [adopt], i)
        self.assert_good_searchable()

    def test_entity_value_bound(self):
        """An entity value over 128 bytes is a tagging accident, not a
        name: left out of the facets and filters (every passage carries the
        article's list), while a 128-byte one is kept and the article is
        found by its words either way."""
        self.make_good()
        names = {}
        for suffix, rel in (('ab', 'kept.txt'), ('abc', 'dropped.txt')):
            name = 'Amara Van' + 'derberghe' * 13 + suffix
            names[rel] = name
            self.write(rel, 'Strike\n\nOn Monday, Ms %s said in Rotterdam '
                       'that Ms Lena Hartmann would lead the talks. %s is '
                       'the union chief.\n' % (name, name))
        self.index()
        self.assertEqual(len(names['kept.txt'].encode()), 128)
        doc = self.search('Rotterdam', opts=('--limit', '10'))
        people = [v['value'] for v in doc['facets']['person']]
        self.assertIn(names['kept.txt'], people, doc['facets'])
        self.assertNotIn(names['dropped.txt'], people, doc['facets'])
        self.assertIn('Lena Hartmann', people, doc['facets'])
        for rel, name in names.items():
            doc = self.search('person:"%s"' % name, note=None
                              if rel == 'kept.txt' else b'no person named')
            want = [os.path.join(self.docs, rel)] if rel == 'kept.txt' else []
            self.assertEqual(self.hit_paths(doc), want, rel)
        doc = self.search('"union chief"')
        self.assertEqual(sorted(self.hit_paths(doc)), sorted(
            os.path.join(self.docs, rel) for rel in names), doc)

    def test_query_not_utf8(self):
        """A query that is not UTF-8 (a Latin-1 terminal) is read as the
        indexer reads such text, as Windows-1252, and says so; a filter's
        value too (it failed with "search failed (...): success" when the
        fuzzer found it)."""
        self.make_good()
        cafe = self.write('cafe.txt', 'Caf\u00e9\n\nThe caf\u00e9 on the '
                          'corner serves goodcoffee to Jos\u00e9 Ram\u00edrez.')
        self.index()
        note = b'the query is not valid UTF-8: 1 byte read as Windows-1252'
        doc = self.search(b'caf\xe9 goodcoffee', note=note)
        self.assertEqual(self.hit_paths(doc), [cafe], doc)
        self.assertEqual(doc['query'], 'caf\u00e9 goodcoffee', doc)
        r = self.query(b'person:"Jos\xe9 Ram\xedrez" goodcoffee')
        self.assertIn(r.status, (0, 1), r)
        self.assertIn(b'2 bytes read as Windows-1252', r.stderr, r)
        self.assertNotIn(b'search failed', r.stderr, r)
        r = self.query(b'person:amark"af.r"\xf0\x88\x07 wind', expect=1)
        self.assertNotIn(b'search failed', r.stderr, r)
        self.assertIn(b'no person named', r.stderr, r)

    def test_hostile_queries(self):
        """A query over the bounds fails at once with a message saying
        which (exit 2); one within them answers. 20,000 words took 10 s
        and 200 ORed one-letter wildcards 46 s on news-bbc before."""
        self.make_good()
        letters = 'abcdefghijklmnopqrstuvwxyz'
        words = ['qz' + a + b + c + d for a in 'abcd' for b in letters
                 for c in letters for d in letters[:2]]  # 1,352 a prefix
        paras = [' '.join(words[i:i + 12]) + '.' for i in
                 range(0, len(words), 12)]
        self.write('vocab.txt', 'Vocabulary\n\n' + '\n\n'.join(paras))
        self.index()
        cases = [
            (' '.join(['cat'] * 300), 'too long: 300 words'),
            ('goodwordalpha ' + 'x' * 5000, 'too long: 5014 bytes'),
            ('qza* OR qzb* OR qzc* OR qzd*', 'wildcards match more than'),
        ]
        for q, msg in cases:
            r = self.query(q, expect=2)
            self.assertEqual(r.stdout, b'', r)
            self.assertIn(msg, r.err, r)
            self.assertEqual(len(r.err.strip().splitlines()), 1, r)
        # Within the bounds: 256 words; two wildcards of 1,000 words each.
        self.query(' '.join(['goodwordalpha'] * 256), expect=0)
        doc = self.search('qza* OR qzb*')
        self.assertTrue(doc['hits'], doc)
        # A wildcard beside NEAR or ADJ (Xapian takes single terms there)
        # is read with AND, not dropped into a plain-text parse.
        doc = self.search('qzaaaa NEAR qzaab*')
        self.assertEqual(len(doc['hits']), 1, doc)
        doc = self.search('qzaac* ADJ/2 qzaaaa')
        self.assertEqual(len(doc['hits']), 1, doc)

    def test_50_mb_text_file(self):
        self.make_good()
        rnd = random.Random(50)
        letters = 'abcdefghijklmnopqrstuvwxyz'
        # Long, varied words: not compressible, and fewer of them per MB
        # (indexing time goes with the number of words).
        vocab = sorted({''.join(rnd.choice(letters)
                                for _ in range(rnd.randint(16, 40)))
                        for _ in range(20000)})
        path = os.path.join(self.docs, 'big', 'huge.txt')
        os.makedirs(os.path.dirname(path))
        size = 50 * 1024 * 1024
        written = 0
        with open(path, 'w') as f:
            f.write('A Very Large File\n\n')
            while written < size - 4096:
                sentences = []
                for _ in range(rnd.randint(2, 6)):
                    words = rnd.choices(vocab, k=rnd.randint(4, 12))
                    sentences.append(' '.join(words).capitalize() + '.')
                p = ' '.join(sentences) + '\n\n'
                f.write(p)
                written += len(p)
            f.write('Near the end stands the needlewordomega. '
                    + ' '.join(rnd.choices(vocab, k=30)) + '.\n')
        self.assertGreaterEqual(os.path.getsize(path), size - 4096)
        r = self.index(timeout=600)
        self.assertIn(' 4 indexed,', r.err, r)
        doc = self.search('needlewordomega')
        self.assertEqual(self.hit_paths(doc), [path], doc)
        h = doc['hits'][0]
        self.assertGreater(h['start'], size - 8192)
        with open(path, 'rb') as f:
            f.seek(h['start'])
            self.assertEqual(f.read(h['end'] - h['start']),
                             h['text'].encode('utf-8'))
        # A word of the vocabulary is in many passages of that one file.
        doc = self.search(vocab[123], opts=('--per-article', '3'))
        self.assertEqual(len(doc['hits']), 3, doc)
        self.assert_good_searchable()
        # Unchanged: not read again.
        r = self.index()
        self.assertIn(' 0 indexed, 4 unchanged,', r.err, r)
        self.assertIn('0.0 MB read', r.err, r)

    def test_max_file_size(self):
        self.make_good()
        big = self.write('big.txt', 'Big\n\n' + 'bigwordlambda ' * 100000)
        r = self.index('--max-file-size', '1', self.docs)
        self.assertEqual(r.status, 0, r)
        self.assert_reported(r, big, '--max-file-size')
        self.search('bigwordlambda', expect=1)
        self.assert_good_searchable()
        # Still too large on the next run: still skipped, and said so.
        r = self.index('--max-file-size', '1', self.docs)
        self.assert_reported(r, big, '--max-file-size')
        self.assertIn(' 0 indexed, 3 unchanged, 0 touched, 1 skipped '
                      '(1 over --max-file-size),', r.err, r)
        # A larger limit lets it in.
        r = self.index('--max-file-size', '2', self.docs)
        self.assertIn(' 1 indexed,', r.err, r)
        self.assertEqual(set(self.hit_paths(self.search('bigwordlambda'))),
                         {big})

    # ---------------------------------------------------------- file system

    def test_symbolic_link_loops(self):
        self.make_good()
        sub = os.path.join(self.docs, 'good', 'sub')
        up = os.path.join(sub, 'up')
        os.symlink('..', up)                       # a folder's parent
        selfdir = os.path.join(self.docs, 'a')
        os.symlink('a', selfdir)                   # a -> a
        selffile = os.path.join(self.docs, 'loop.txt')
        os.symlink('loop.txt', selffile)           # loop.txt -> loop.txt
        ring1 = os.path.join(self.docs, 'ring1')
        os.symlink('ring2', ring1)                 # ring1 -> ring2 -> ring1
        os.symlink('ring1', os.path.join(self.docs, 'ring2'))
        r = self.index(timeout=120)
        self.assertEqual(r.status, 0, r)
        for p in (up, selfdir, selffile, ring1):
            self.assert_reported(r, p)
        self.assertIn(' 3 indexed,', r.err, r)
        # Each article once, under its own path, not through the loop.
        self.assert_good_searchable()
        doc = self.all_hits('paragraph')
        paths = self.hit_paths(doc)
        self.assertEqual(sorted(paths), sorted(self.good.values()), doc)
        r = self.index(timeout=120)
        self.assertIn(' 0 indexed, 3 unchanged,', r.err, r)

    def test_broken_symbolic_link(self):
        """A link to nothing is named as such, not as a file that vanished
        (the crawl runs while files are indexed, and says "vanished" for
        a file listed and then deleted)."""
        self.make_good()
        broken = os.path.join(self.docs, 'gone.txt')
        os.symlink('no-such-article.txt', broken)
        r = self.index()
        self.assertEqual(r.status, 0, r)
        self.assert_reported(r, broken, 'symbolic link to nothing')
        self.assertNotIn('vanished', r.err)
        self.assertIn(' 3 indexed,', r.err, r)

    def test_non_utf8_file_name(self):
        self.make_good()
        name = self.write(b'good/caf\xe9.txt',
                          'Odd Name\n\nThe oddnamewordmu is here.\n')
        r = self.index()
        self.assertEqual(r.status, 0, r)
        self.assertIn(' 4 indexed,', r.err, r)
        q = self.query('oddnamewordmu', opts=('--json',), expect=0)
        out = q.stdout.decode('utf-8')  # strict: the JSON must be UTF-8
        import json
        doc = json.loads(out)
        self.assertEqual(len(doc['hits']), 1, doc)
        self.assertEqual(doc['hits'][0]['path'],
                         os.path.join(self.docs, 'good', 'café.txt'))
        self.assertEqual(doc['hits'][0]['title'], 'Odd Name')
        self.query('oddnamewordmu', expect=0)
        self.assert_good_searchable()
        r = self.index()
        self.assertIn(' 0 indexed, 4 unchanged,', r.err, r)
        os.unlink(name)
        r = self.index()
        self.assertIn(' 1 removed;', r.err, r)
        self.search('oddnamewordmu', expect=1)

    def test_file_vanishes_during_indexing(self):
        self.make_good()
        many = os.path.join(self.docs, 'many')
        n = 1500
        files = [self.write('many/f%05d.txt' % i,
                            'File %d\n\nThe sharedword and %s.\n'
                            % (i, tag(i)))
                 for i in range(n)]
        proc = subprocess.Popen([PASSIM_INDEX, '--db', self.db, '-v',
                                 self.docs], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, bufsize=0,
                                env=self.env)
        err = b''
        stopped = False
        deleted_after, deleted_before = [], []
        try:
            # Files are indexed in crawl order (sorted): the good ones,
            # then many/. Once one file is reported the crawl is over;
            # freeze the indexer there and delete files behind and ahead
            # of it.
            while b'passim-index: indexed ' + os.fsencode(many) not in err:
                line = proc.stderr.readline()
                if not line:
                    break
                err += line
            proc.send_signal(signal.SIGSTOP)
            stopped = True
            os.set_blocking(proc.stderr.fileno(), False)
            while True:
                try:
                    chunk = os.read(proc.stderr.fileno(), 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                err += chunk
            os.set_blocking(proc.stderr.fileno(), True)
            done = [i for i, f in enumerate(files)
                    if ('passim-index: indexed %s\n' % f).encode() in err]
            last = max(done) if done else -1
            self.assertLess(last, n - 100, 'the indexer was too fast')
            deleted_before = [i for i in done if i % 3 == 0]
            # Up to 32 files past the last one reported may already be in
            # flight, parsed or waiting for the writer (DEFAULT_INFLIGHT
            # in lib/update/pipeline.c): delete only files beyond them.
            deleted_after = list(range(last + 40, n, 3))
            for i in deleted_before + deleted_after:
                os.unlink(files[i])
            proc.send_signal(signal.SIGCONT)
            stopped = False
            _, rest = proc.communicate(timeout=harness.TIMEOUT)
            err += rest
        finally:
            if stopped:
                proc.send_signal(signal.SIGCONT)
            if proc.poll() is None:
                try:
                    proc.communicate(timeout=harness.TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()
        r = harness.Run(proc.args, proc.returncode, b'', err, 0)
        self.assertEqual(r.status, 0, r)
        for i in deleted_after:
            self.assert_reported(r, files[i], 'vanished')
        # Now the index must equal the folder.
        r = self.index()
        self.assertIn(' 0 indexed,', r.err, r)
        self.assertIn(' %d removed;' % len(deleted_before), r.err, r)
        gone = set(deleted_before + deleted_after)
        remaining = {files[i]: tag(i) for i in range(n) if i not in gone}
        doc = self.all_hits('sharedword')
        paths = self.hit_paths(doc)
        self.assertEqual(len(paths), len(set(paths)), 'duplicate passages')
        self.assertEqual(set(paths), set(remaining))
        for h in doc['hits']:
            self.assertIn(remaining[h['path']], re.findall(r'\w+', h['text']))
        # A gone file's word is nowhere (a search may still find another
        # file's word with the same stem: qxaabs and qxaabe).
        for i in sorted(gone)[:3] + sorted(gone)[-3:]:
            doc = self.search(tag(i))
            self.assertNotIn(files[i], self.hit_paths(doc))
            for h in doc['hits']:
                self.assertNotIn(tag(i), re.findall(r'\w+', h['text']))
        for i in [0, 1, n - 1, n - 2]:
            if i not in gone:
                self.assertEqual(self.hit_paths(self.search(tag(i))),
                                 [files[i]])
        self.assert_good_searchable()


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
