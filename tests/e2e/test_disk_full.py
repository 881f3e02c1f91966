#!/usr/bin/env python3
"""A database on a full disk: passim-index stops with exit 2 and one clear
message naming the disk, reports only what it committed, leaves a usable
database, and a later run with room completes it to match a clean index.

The disk is a small tmpfs mounted for the test (as root, or in a user and
mount namespace through unshare); Xapian 1.4 aborted the process (exit
134) in about a third of such runs before (issue 15)."""

import os
import random
import shutil
import subprocess
import sys

import harness
from harness import PASSIM, PASSIM_INDEX, run

WORDS = ['harbour', 'turbine', 'council', 'budget', 'river', 'strike',
         'vaccine', 'election', 'market', 'school', 'railway', 'drought']


class DiskFullTest(harness.PassimCase):

    def setUp(self):
        super().setUp()
        rnd = random.Random(7)
        os.makedirs(self.docs)
        for i in range(400):
            # Rare words make postings: the index outgrows the disk.
            body = ' '.join(rnd.choice(WORDS) if rnd.random() < 0.5 else
                            'zq%06d' % rnd.randrange(10 ** 6)
                            for _ in range(700))
            with open(os.path.join(self.docs, 'a%03d.txt' % i), 'w') as f:
                f.write('Report %d\n\n%s zqmark%d\n' % (i, body, i))
        self.small = os.path.join(self.tmp, 'small')
        os.makedirs(self.small)

    def in_small_disk(self, argv):
        """Run argv with a 6 MB tmpfs on self.small."""
        mount = 'mount -t tmpfs -o size=6m tmpfs %s' % self.small
        script = '%s && "$@"; s=$?; umount %s; exit $s' % (mount,
                                                           self.small)
        prefix = [] if os.geteuid() == 0 else ['unshare', '-r', '-m']
        return run(prefix + ['sh', '-c', script, 'sh'] + argv, env=self.env)

    def test_full_disk_is_a_clean_error(self):
        small_db = os.path.join(self.small, 'db')
        keep = os.path.join(self.tmp, 'kept')
        # Index on the small disk, then copy what it kept out of it.
        r = self.in_small_disk(
            ['sh', '-c', '"$0" --batch-files 40 --db "$1" "$2"; s=$?; '
             'cp -a "$1" "$3"; exit $s', PASSIM_INDEX, small_db, self.docs,
             keep])
        self.assertEqual(r.status, 2, r)
        self.assertNotIn('terminate', r.err)
        self.assertIn('the disk is full', r.err, r)
        lines = [l for l in r.err.splitlines() if 'stopped:' in l]
        self.assertEqual(len(lines), 1, r)
        committed = int(lines[0].split('stopped: ')[1].split()[0])
        self.assertLess(committed, 400)
        # Usable, and it holds exactly what it said it committed.
        st = run([PASSIM_INDEX, '--status', '--db', keep], env=self.env)
        self.assertEqual(st.status, 0, st)
        status = dict(l.split(': ', 1) for l in st.out.splitlines())
        self.assertEqual(int(status['files']), committed, st)
        q = run([PASSIM, '--db', keep, '--no-facets', 'harbour'],
                env=self.env)
        self.assertIn(q.status, (0, 1), q)
        if shutil.which('xapian-check'):
            for shard in sorted(os.listdir(keep)):
                path = os.path.join(keep, shard)
                if os.path.isdir(path):
                    c = run(['xapian-check', path], env=self.env)
                    self.assertEqual(c.status, 0, c)
        # With room, the next run completes it; it matches a clean index.
        self.index('-q', self.docs, db=keep)
        clean = os.path.join(self.tmp, 'clean')
        self.index('-q', self.docs, db=clean)
        for db in (keep, clean):
            st = run([PASSIM_INDEX, '--status', '--db', db], env=self.env)
            status = dict(l.split(': ', 1) for l in st.out.splitlines())
            self.assertEqual(status['files'], '400', (db, st))
        for w in ('harbour', 'zqmark0', 'zqmark399', 'zqmark200'):
            a = self.search(w, db=keep, opts=('--limit', '1000'))
            b = self.search(w, db=clean, opts=('--limit', '1000'))
            self.assertEqual(sorted(self.hit_paths(a)),
                             sorted(self.hit_paths(b)), w)


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
