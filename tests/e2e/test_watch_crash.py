#!/usr/bin/env python3
"""Crash safety: passim-index killed with SIGKILL at random moments of a
large crawl, then restarted to completion, leaves index and catalog
consistent every time — every file's current text found exactly once, no
file missing, no stale or duplicate passage, --status counts right."""

import os
import random
import signal
import subprocess
import sys
import time

import harness
from harness import PASSIM_INDEX, run

FILES = 3000
KILLS = int(os.environ.get("PASSIM_CRASH_KILLS", "20"))
BATCH = '50'


class CrashTest(harness.PassimCase):

    def body(self, n, version):
        # One short paragraph: one passage per file.
        return ('File %d\n\nThe word wqcommon and the token wqf%dv%d stand '
                'here.\n' % (n, n, version))

    def put(self, n, version):
        self.version[n] = version
        self.write('d%02d/f%d.txt' % (n % 30, n), self.body(n, version))

    def path(self, n):
        return os.path.join(self.docs, 'd%02d' % (n % 30), 'f%d.txt' % n)

    def crawl(self):
        argv = [PASSIM_INDEX, '-q', '--db', self.db, '--batch-files', BATCH,
                self.docs]
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=self.env)

    def passages(self):
        """path -> the texts of its passages matching the common word. The
        text output without facets: the check is about the index, and
        stays independent of facet counting."""
        r = self.query('--no-facets', '--limit', '100000', '--per-article',
                       '100', '--all-copies', 'wqcommon', expect=0)
        seen, path = {}, None
        for line in r.out.splitlines():
            if line.startswith('   /'):
                path = line.strip()
                seen.setdefault(path, [])
            elif line.startswith('    ') and path:
                seen[path].append(line.strip())
        return seen

    def check(self, label):
        seen = self.passages()
        want = {self.path(n): 'wqf%dv%d' % (n, v)
                for n, v in self.version.items()}
        missing = sorted(set(want) - set(seen))[:5]
        extra = sorted(set(seen) - set(want))[:5]
        self.assertEqual((missing, extra), ([], []), label)
        dups = [p for p, t in seen.items() if len(t) != 1][:5]
        self.assertEqual(dups, [], label + ': duplicate passages')
        stale = [p for p, t in seen.items() if want[p] not in t[0]][:5]
        self.assertEqual(stale, [], label + ': stale text')
        r = run([PASSIM_INDEX, '--status', '--db', self.db], env=self.env)
        st = dict(line.split(': ', 1) for line in r.out.splitlines())
        self.assertEqual(st['files'], str(len(want)), label)
        self.assertEqual(st['passages'], str(len(want)), label)

    def mutate(self, rng, round_no):
        """Work for the next crawl: a sixth of the files rewritten, some
        deleted, some added."""
        live = sorted(self.version)
        for n in rng.sample(live, FILES // 6):
            self.put(n, round_no)
        for n in rng.sample(live, 30):
            os.unlink(self.path(n))
            del self.version[n]
        for _ in range(30):
            self.put(self.next_id, round_no)
            self.next_id += 1

    def test_kill_at_random_moments(self):
        rng = random.Random(int(os.environ.get('PASSIM_CRASH_SEED', '4')))
        self.version = {}
        for n in range(FILES):
            self.put(n, 0)
        self.next_id = FILES
        # How long the crawl takes, to aim the kills inside the next ones.
        start = time.monotonic()
        r = self.index('-q', '--batch-files', BATCH, self.docs)
        full = time.monotonic() - start
        self.check('first crawl')
        kills = rounds = 0
        while kills < KILLS and rounds < 3 * KILLS:
            rounds += 1
            t0 = time.monotonic()
            self.mutate(rng, rounds)
            t1 = time.monotonic()
            p = self.crawl()
            time.sleep(rng.uniform(0.0, full / 6))
            p.send_signal(signal.SIGKILL)
            status = p.wait()
            p.stderr.close()
            if status == -signal.SIGKILL:
                kills += 1
            t2 = time.monotonic()
            r = self.index('-q', '--batch-files', BATCH, self.docs)
            self.assertEqual(r.err, '', r)
            t3 = time.monotonic()
            self.check('round %d (%s)' % (rounds, 'killed' if status < 0
                                          else 'finished first'))
            if os.environ.get('PASSIM_CRASH_TIMES'):
                print('# mutate %.2f kill %.2f restart %.2f check %.2f' % (
                    t1 - t0, t2 - t1, t3 - t2, time.monotonic() - t3))
        self.assertGreaterEqual(kills, KILLS,
                                'the crawl kept finishing before the kill')
        print('# %d kills in %d rounds, all consistent (a full crawl of '
              '%d files: %.2f s)' % (kills, rounds, FILES, full))


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
