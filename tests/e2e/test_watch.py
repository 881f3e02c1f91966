#!/usr/bin/env python3
"""End-to-end tests of passim-index --watch: a watcher on a temporary
folder, files changed the ways people and programs change them, and polls
(with generous timeouts) until `passim --json` shows what must be true."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import harness
from harness import PASSIM, PASSIM_INDEX, run

# Generous: sanitizer builds are slow and CI machines busy.
WAIT = 30


def article(word, title='Note'):
    """A small article whose only rare word is `word`."""
    return '%s\n\nThe report mentions %s once, and nothing else.\n' % (
        title, word)


class WatchCase(harness.PassimCase):

    def setUp(self):
        super().setUp()
        os.makedirs(self.docs)
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, 'errfile', None):
            self.errfile.close()
        super().tearDown()

    # -- the watcher

    def start(self, *args, roots=None):
        """Start passim-index --watch and wait for its "watching" line."""
        self.errpath = os.path.join(self.tmp, 'watch-%d.log' % time.time_ns())
        self.errfile = open(self.errpath, 'wb')
        argv = [PASSIM_INDEX, '--db', self.db, '--watch', '-v'] + \
            list(args) + list(roots or [self.docs])
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.errfile, env=self.env)
        self.wait_until(lambda: 'watching' in self.log(), 'watcher ready')

    def log(self):
        with open(self.errpath, 'rb') as f:
            return f.read().decode('utf-8', 'backslashreplace')

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        status = self.proc.wait(timeout=120)
        self.assertEqual(status, 0, self.log())
        self.proc = None
        return self.log()

    def wait_until(self, cond, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                self.fail('the watcher exited (%s) waiting for %s:\n%s'
                          % (self.proc.returncode, what, self.log()))
            if cond():
                return
            time.sleep(0.02)
        self.fail('timed out waiting for %s\n%s' % (
            what, self.log() if self.proc else ''))

    # -- the index

    def paths(self, word):
        """The path of every passage matching `word` (duplicates kept)."""
        doc = self.all_hits(word)
        return sorted(h['path'] for h in doc['hits'])

    def wait_paths(self, word, expected, what=None):
        expected = sorted(expected)
        self.wait_until(lambda: self.paths(word) == expected,
                        what or '%s in %s' % (word, expected))

    def status(self):
        r = run([PASSIM_INDEX, '--status', '--db', self.db], env=self.env)
        self.assertEqual(r.status, 0, r)
        return dict(line.split(': ', 1) for line in r.out.splitlines())

    def put(self, rel, text):
        return self.write(rel, text)


class WatchChanges(WatchCase):

    def test_create_modify_truncate_append_delete(self):
        self.start()
        p = self.put('a.txt', article('wqcreate'))
        self.wait_paths('wqcreate', [p])
        self.put('a.txt', article('wqmodified'))         # rewrite in place
        self.wait_paths('wqmodified', [p])
        self.wait_paths('wqcreate', [])
        with open(p, 'a') as f:                          # append
            f.write('\nAnother paragraph adds wqappended to it.\n')
        self.wait_paths('wqappended', [p])
        self.assertEqual(self.paths('wqmodified'), [p])  # no duplicates
        with open(p, 'r+') as f:                         # truncate
            f.truncate(0)
            f.write(article('wqtruncated'))
        self.wait_paths('wqtruncated', [p])
        self.wait_paths('wqappended', [])
        os.unlink(p)                                     # delete
        self.wait_paths('wqtruncated', [])
        self.stop()

    def test_rename_within_tree(self):
        self.start()
        p = self.put('old/x.txt', article('wqrenamed'))
        self.wait_paths('wqrenamed', [p])
        q = os.path.join(self.docs, 'new.txt')
        os.rename(p, q)
        self.wait_paths('wqrenamed', [q], 'the article follows its file')
        self.assertEqual(self.status()['files'], '1')

    def test_move_in_and_out(self):
        outside = os.path.join(self.tmp, 'outside')
        os.makedirs(outside)
        self.start()
        src = self.write('in.txt', article('wqmovedin'), root=outside)
        dst = os.path.join(self.docs, 'in.txt')
        os.rename(src, dst)
        self.wait_paths('wqmovedin', [dst])
        os.rename(dst, src)
        self.wait_paths('wqmovedin', [], 'moved out of the tree')

    def test_replace_by_rename(self):
        self.start()
        p = self.put('doc.md', article('wqbefore'))
        self.wait_paths('wqbefore', [p])
        tmp = os.path.join(self.docs, '.doc.md.XXXXXX')  # as rsync does
        with open(tmp, 'w') as f:
            f.write(article('wqafter'))
        os.rename(tmp, p)
        self.wait_paths('wqafter', [p])
        self.wait_paths('wqbefore', [])
        tmp = os.path.join(self.docs, 'doc.md.tmp')      # as editors do
        with open(tmp, 'w') as f:
            f.write(article('wqagain'))
        os.replace(tmp, p)
        self.wait_paths('wqagain', [p])
        self.wait_paths('wqafter', [])

    def test_hard_link_and_touch_settle(self):
        outside = os.path.join(self.tmp, 'outside')
        src = self.write('l.txt', article('wqlinked'), root=outside)
        self.start('--settle', '50')
        dst = os.path.join(self.docs, 'l.txt')
        os.link(src, dst)          # IN_CREATE, never IN_CLOSE_WRITE
        self.wait_paths('wqlinked', [dst])
        with open(src, 'w') as f:  # written through the other name
            f.write(article('wqthroughlink'))
        os.utime(dst)              # then touched here: IN_ATTRIB
        self.wait_paths('wqthroughlink', [dst])

    def test_half_written_file_never_final(self):
        self.start('--settle', '50')
        p = os.path.join(self.docs, 'half.txt')
        body = article('wqfirsthalf') + '\n' + \
            'Second paragraph with wqsecondhalf in it.\n'
        cut = body.index('Second')
        with open(p, 'w') as f:
            f.write(body[:cut])
            f.flush()
            # Well past the settle period, with the file still open.
            time.sleep(1.0)
            self.assertEqual(self.paths('wqfirsthalf'), [])
            f.write(body[cut:])
        self.wait_paths('wqsecondhalf', [p])
        self.assertEqual(self.paths('wqfirsthalf'), [p])

    def test_hidden_temporary_and_ignored(self):
        self.start('--ignore', '*.draft.txt', '--ignore', 'skip*')
        names = ['.hidden.txt', 'swap.txt.swp', 'backup.txt~', 'dl.txt.part',
                 'x.draft.txt', 'skipme.txt', '.rsync.txt.Ab12Cd']
        for n in names:
            self.put(n, article('wqignored'))
        self.put('skipdir/in.txt', article('wqignored'))
        sentinel = self.put('z.txt', article('wqsentinel'))
        self.wait_paths('wqsentinel', [sentinel])
        time.sleep(0.3)  # the ignored files came first; give them time
        self.assertEqual(self.paths('wqignored'), [])
        self.stop()
        # The crawl ignores the same patterns.
        r = self.index('--ignore', '*.draft.txt', '--ignore', 'skip*',
                       self.docs)
        self.assertEqual(self.paths('wqignored'), [], r)
        self.assertEqual(self.status()['files'], '1')


class WatchFolders(WatchCase):

    def test_new_folder_with_files(self):
        outside = os.path.join(self.tmp, 'outside')
        for i in range(20):
            self.write('a/b%d/f%d.txt' % (i % 3, i), article('wqcopied%d' % i),
                       root=outside)
        self.start()
        shutil.copytree(outside, os.path.join(self.docs, 'copy'))  # cp -r
        for i in range(20):
            self.wait_paths('wqcopied%d' % i, [os.path.join(
                self.docs, 'copy', 'a', 'b%d' % (i % 3), 'f%d.txt' % i)])
        os.rename(outside, os.path.join(self.docs, 'moved'))      # mv in
        self.wait_until(lambda: len(self.paths('wqcopied7')) == 2,
                        'the moved-in folder indexed')
        # New files in the new folders are seen: they are watched.
        p = self.put('moved/a/b0/late.txt', article('wqlate'))
        self.wait_paths('wqlate', [p])

    def test_rename_and_delete_folder(self):
        self.start()
        ps = [self.put('d/e/f%d.txt' % i, article('wqinfolder')) for i in
              range(5)]
        self.wait_paths('wqinfolder', ps)
        os.rename(os.path.join(self.docs, 'd'), os.path.join(self.docs, 'r'))
        moved = [p.replace('/d/e/', '/r/e/') for p in ps]
        self.wait_paths('wqinfolder', moved, 'articles follow their folder')
        # The renamed folder's watches follow it too.
        p = self.put('r/e/g.txt', article('wqafterrename'))
        self.wait_paths('wqafterrename', [p])
        outside = os.path.join(self.tmp, 'gone')
        os.rename(os.path.join(self.docs, 'r'), outside)          # mv out
        self.wait_paths('wqinfolder', [], 'moved-out folder removed')
        os.rename(outside, os.path.join(self.docs, 'back'))
        self.wait_until(lambda: len(self.paths('wqinfolder')) == 5, 'back')
        shutil.rmtree(os.path.join(self.docs, 'back'))             # rm -r
        self.wait_paths('wqinfolder', [], 'deleted folder removed')
        self.assertEqual(self.status()['files'], '0')


class WatchLifecycle(WatchCase):

    def test_offline_changes_picked_up_on_restart(self):
        keep = self.put('keep.txt', article('wqkeep'))
        gone = self.put('gone.txt', article('wqgone'))
        change = self.put('change.txt', article('wqold'))
        self.start()
        self.wait_paths('wqgone', [gone])
        self.stop()
        os.unlink(gone)
        self.put('change.txt', article('wqnew'))
        added = self.put('added.txt', article('wqadded'))
        self.start()
        self.assertEqual(self.paths('wqgone'), [])
        self.assertEqual(self.paths('wqold'), [])
        self.assertEqual(self.paths('wqnew'), [change])
        self.assertEqual(self.paths('wqadded'), [added])
        self.assertEqual(self.paths('wqkeep'), [keep])
        self.stop(signal.SIGINT)

    def test_sigterm_commits_and_exits_0(self):
        self.start()
        for i in range(300):
            self.put('s%d.txt' % i, article('wqsig%d' % i))
        # Stop in the middle of the burst: what was applied is committed,
        # the rest is picked up by the next start.
        self.wait_until(lambda: self.log().count('indexed ') >= 50, '50')
        log = self.stop()
        self.assertIn('committing', log)
        self.assertEqual(self.status()['files'], str(log.count('indexed ')),
                         log)
        self.start()
        self.assertEqual(self.status()['files'], '300')
        self.assertEqual(self.paths('wqsig299'),
                         [os.path.join(self.docs, 's299.txt')])
        self.stop(signal.SIGINT)

    def test_status(self):
        for i in range(4):
            self.put('t%d.txt' % i, article('wqstat'))
        self.start()
        st = self.status()  # while the watcher holds the database
        self.assertEqual(st['files'], '4')
        self.assertEqual(st['passages'], '4')
        self.assertGreater(int(st['size'].split('(')[1].split()[0]), 0)
        self.assertRegex(st['last commit'], r'\(\d{9,}\)$')
        self.stop()
        r = run([PASSIM_INDEX, '--status', '--db',
                 os.path.join(self.tmp, 'nope')], env=self.env)
        self.assertEqual(r.status, 2, r)


class QueryLoop:
    """Runs `passim --json` over and over on another thread; every run
    must exit 0 or 1 with valid output, never 2."""

    def __init__(self, db, env, word):
        self.argv = [PASSIM, '--db', db, '--json', word]
        self.env = env
        self.runs = 0
        self.bad = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.loop)
        self.thread.start()

    def loop(self):
        while not self.done.is_set():
            r = run(self.argv, env=self.env)
            self.runs += 1
            if r.status not in (0, 1) or not r.stdout.startswith(b'{'):
                self.bad.append(r)

    def stop(self):
        self.done.set()
        self.thread.join()


class WatchBurst(WatchCase):

    def test_burst_of_2000_with_queries(self):
        self.put('seed.txt', article('wqseed'))
        self.start()
        q = QueryLoop(self.db, self.env, 'wqburst')
        try:
            for i in range(2000):
                self.put('burst/%d/f%d.txt' % (i % 20, i),
                         article('wqburst wqb%d' % i))
            self.wait_until(lambda: self.status()['files'] == '2001',
                            '2000 files indexed', timeout=120)
        finally:
            q.stop()
        self.assertEqual(q.bad, [])
        self.assertGreater(q.runs, 0)
        for i in (0, 999, 1999):
            self.assertEqual(len(self.paths('wqb%d' % i)), 1)
        log = self.stop()
        commits = log.count('committed')
        self.assertLess(commits, 1000, 'one commit per file?\n' + log[-2000:])

    def test_queries_during_crawl(self):
        self.put('seed.txt', article('wqcrawl'))
        self.index('-q', self.docs)  # a database to query from the start
        for i in range(1500):
            self.put('c/%d/f%d.txt' % (i % 10, i), article('wqcrawl'))
        q = QueryLoop(self.db, self.env, 'wqcrawl')
        try:
            self.index('--batch-files', '50', self.docs)
        finally:
            q.stop()
        self.assertEqual(q.bad, [])
        self.assertEqual(self.status()['files'], '1501')


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
