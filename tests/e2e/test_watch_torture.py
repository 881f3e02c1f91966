#!/usr/bin/env python3
"""A randomised torture of passim-index --watch (tests/e2e/torture.py):
several seeds of a few hundred operations each, with and without the
watcher stopped (SIGSTOP) while the tree changes; once the tree is quiet
every live file's word must find exactly that file, and no dead word
anything. bench/watch-torture runs thousands of operations."""

import os
import sys

import harness
import torture
from harness import PASSIM, PASSIM_INDEX


class WatchTortureTest(harness.PassimCase):

    def campaign(self, seed, ops, pauses):
        r = torture.run(PASSIM_INDEX, PASSIM, self.tmp, seed, ops,
                        pauses=pauses, settle=60, env=self.env)
        self.assertTrue(r['watcher_alive'], r['log_tail'])
        self.assertEqual(r['mismatches'][:10], [],
                         'seed %d: %d of %d words wrong\n%s\n%s' % (
                             seed, len(r['mismatches']),
                             r['live'] + r['dead'], r['log_tail'],
                             r['query_err']))
        self.assertEqual(r['exit'], 0, r['log_tail'])
        return r

    def test_with_pauses(self):
        for seed in (1, 2, 3):
            self.campaign(seed, 150, True)

    def test_without_pauses(self):
        for seed in (11, 12):
            self.campaign(seed, 150, False)

    def test_folder_renamed_before_it_is_watched(self):
        """The issue's reproduction: mkdir a; mv a b (and mkdir p/c; mv p
        q) while the watcher is stopped; files made later are found."""
        import signal
        import subprocess
        import time
        root = os.path.join(self.tmp, 'tree')
        os.makedirs(os.path.join(root, 'p'))
        log = os.path.join(self.tmp, 'w.log')
        with open(log, 'wb') as err:
            proc = subprocess.Popen([PASSIM_INDEX, '--db', self.db, '--watch',
                                     '-v', root], stderr=err,
                                    stdout=subprocess.DEVNULL, env=self.env)
        try:
            self.wait_for(lambda: b'watching 2 folders' in open(log, 'rb')
                          .read())
            proc.send_signal(signal.SIGSTOP)
            for i in range(10):
                os.mkdir(os.path.join(root, 'a%d' % i))
                os.rename(os.path.join(root, 'a%d' % i),
                          os.path.join(root, 'b%d' % i))
            os.mkdir(os.path.join(root, 'p', 'c'))
            os.rename(os.path.join(root, 'p'), os.path.join(root, 'q'))
            proc.send_signal(signal.SIGCONT)
            # -v says how many folders are watched: the root, b0..b9, q,
            # q/c.
            self.wait_for(lambda: b'watching 13 folders' in open(log, 'rb')
                          .read())
            words = []
            for i, d in enumerate(['b%d' % i for i in range(10)] + ['q/c']):
                w = torture.word_of(1000 + i)
                with open(os.path.join(root, d, 'f.txt'), 'w') as f:
                    f.write(torture.text_of(w))
                words.append((w, d))
            for w, d in words:
                self.wait_for(lambda: self.hit_paths(self.search(w, note=b''))
                              == [os.path.join(root, d, 'f.txt')])
        finally:
            proc.kill()
            proc.wait()

    def wait_for(self, cond, timeout=30):
        import time
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            time.sleep(0.05)
        self.fail('timed out')


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
