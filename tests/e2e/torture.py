"""torture.py — a randomised campaign against passim-index --watch.

One run: a watcher on an empty folder, then `ops` random operations on
the tree (create in two writes, append, overwrite, editor-style replace
through a hidden temporary file, rename, delete, mkdir, folder moves that
nest folders, rmtree), some of them in bursts while the watcher is
stopped with SIGSTOP (so that its events queue up and race the tree), and
then quiet. Every file holds one word of its own. The invariant, checked
once the tree is quiet (polling, up to `settle` seconds): every live
file's word finds exactly that file, and no dead word finds anything.

Used by tests/e2e/test_watch_torture.py (a few hundred operations, in CI)
and bench/watch-torture (thousands, several seeds). Standard library only.
"""

import os
import random
import shutil
import signal
import subprocess
import tempfile
import time


LETTERS = 'bcdfghjkmnprtvwxz'


def word_of(n):
    """A word no article has and the stemmer leaves alone: consonants,
    ending in 'q', which no English suffix rule touches (a word ending in
    'y' would meet its twin ending in 'i': both stem alike)."""
    s = ''
    n += len(LETTERS) ** 2
    while n:
        n, r = divmod(n, len(LETTERS))
        s = LETTERS[r] + s
    return 'zqx' + s + 'q'


def text_of(word):
    return 'Note %s\n\nThe log mentions %s once, and nothing else.\n' % (
        word, word)


class Tree:
    """The tree under `root` and what each live file must be found by."""

    def __init__(self, root, rnd):
        self.root = root
        self.rnd = rnd
        self.dirs = ['']        # relative folders, '' is the root
        self.files = {}         # relative path -> word
        self.dead = set()
        self.counter = 0
        self.ops = {}

    def new_word(self):
        self.counter += 1
        return word_of(self.counter)

    def abs(self, rel):
        return os.path.join(self.root, rel) if rel else self.root

    def new_name(self, folder, stem):
        self.counter += 1
        return os.path.join(folder, '%s%d' % (stem, self.counter)) \
            if folder else '%s%d' % (stem, self.counter)

    # -- operations (each returns False when it does not apply now)

    def op_create(self):
        folder = self.rnd.choice(self.dirs)
        rel = self.new_name(folder, 'f') + '.txt'
        word = self.new_word()
        text = text_of(word)
        half = len(text) // 2
        with open(self.abs(rel), 'w') as f:
            f.write(text[:half])
            f.flush()
            if self.rnd.random() < 0.3:
                time.sleep(self.rnd.random() * 0.02)
            f.write(text[half:])
        self.files[rel] = word
        return True

    def op_append(self):
        if not self.files:
            return False
        rel = self.rnd.choice(sorted(self.files))
        with open(self.abs(rel), 'a') as f:
            f.write('\nA later paragraph about the harbour wall.\n')
        return True

    def op_overwrite(self):
        if not self.files:
            return False
        rel = self.rnd.choice(sorted(self.files))
        word = self.new_word()
        with open(self.abs(rel), 'w') as f:
            f.write(text_of(word))
        self.dead.add(self.files[rel])
        self.files[rel] = word
        return True

    def op_replace(self):
        """An editor's save: a hidden temporary file renamed over it."""
        if not self.files:
            return False
        rel = self.rnd.choice(sorted(self.files))
        folder, name = os.path.split(rel)
        tmp = os.path.join(self.abs(folder), '.%s.swp' % name)
        word = self.new_word()
        with open(tmp, 'w') as f:
            f.write(text_of(word))
        os.rename(tmp, self.abs(rel))
        self.dead.add(self.files[rel])
        self.files[rel] = word
        return True

    def op_rename(self):
        if not self.files:
            return False
        rel = self.rnd.choice(sorted(self.files))
        to = self.new_name(self.rnd.choice(self.dirs), 'r') + '.txt'
        os.rename(self.abs(rel), self.abs(to))
        self.files[to] = self.files.pop(rel)
        return True

    def op_delete(self):
        if not self.files:
            return False
        rel = self.rnd.choice(sorted(self.files))
        os.unlink(self.abs(rel))
        self.dead.add(self.files.pop(rel))
        return True

    def op_mkdir(self):
        if len(self.dirs) > 40:
            return False
        rel = self.new_name(self.rnd.choice(self.dirs), 'd')
        os.mkdir(self.abs(rel))
        self.dirs.append(rel)
        return True

    def op_mkdir_rename(self):
        """mkdir then rename at once: the watcher meets the folder by its
        first name, already gone."""
        if not self.op_mkdir():
            return False
        rel = self.dirs.pop()
        to = self.new_name(os.path.dirname(rel), 'm')
        os.rename(self.abs(rel), self.abs(to))
        self.dirs.append(to)
        return True

    def op_move_dir(self):
        movable = [d for d in self.dirs if d]
        if not movable:
            return False
        src = self.rnd.choice(movable)
        targets = [d for d in self.dirs
                   if d != src and not d.startswith(src + os.sep)]
        parent = self.rnd.choice(targets)
        to = self.new_name(parent, 'v')
        os.rename(self.abs(src), self.abs(to))
        self.move_prefix(src, to)
        return True

    def move_prefix(self, src, to):
        def moved(p):
            if p == src:
                return to
            if p.startswith(src + os.sep):
                return to + p[len(src):]
            return p
        self.dirs = [moved(d) for d in self.dirs]
        self.files = {moved(p): w for p, w in self.files.items()}

    def op_rmtree(self):
        removable = [d for d in self.dirs if d]
        if not removable or self.rnd.random() < 0.5:
            return False
        src = self.rnd.choice(removable)
        shutil.rmtree(self.abs(src))
        self.dirs = [d for d in self.dirs
                     if d != src and not d.startswith(src + os.sep)]
        for p in [p for p in self.files if p.startswith(src + os.sep)]:
            self.dead.add(self.files.pop(p))
        return True

    WEIGHTS = (('create', 30), ('append', 8), ('overwrite', 8),
               ('replace', 8), ('rename', 10), ('delete', 8), ('mkdir', 8),
               ('mkdir_rename', 5), ('move_dir', 8), ('rmtree', 3))

    def step(self):
        names = [n for n, _ in self.WEIGHTS]
        weights = [w for _, w in self.WEIGHTS]
        while True:
            name = self.rnd.choices(names, weights)[0]
            if getattr(self, 'op_' + name)():
                self.ops[name] = self.ops.get(name, 0) + 1
                return


def found(passim, db, words, env):
    """word -> set of relative paths (without extension) that it finds,
    all words in one --batch run."""
    with tempfile.NamedTemporaryFile('w', suffix='.tsv', delete=False) as f:
        for i, w in enumerate(words):
            f.write('%d\t%s\n' % (i, w))
        batch = f.name
    try:
        r = subprocess.run([passim, '--db', db, '--batch', batch, '--trec',
                            't', '--limit', '50'], capture_output=True,
                           env=env, cwd=env['TORTURE_ROOT'])
    finally:
        os.unlink(batch)
    seen = {w: set() for w in words}
    for line in r.stdout.decode('utf-8', 'replace').splitlines():
        qid, _, docid = line.split()[:3]
        seen[words[int(qid)]].add(docid)
    return seen, r


def mismatches(tree, passim, db, env):
    live = sorted(tree.files.items())
    words = [w for _, w in live] + sorted(tree.dead)
    seen, r = found(passim, db, words, env)
    bad = []
    for rel, w in live:
        want = {os.path.splitext(rel)[0]}
        if seen[w] != want:
            bad.append((w, rel, sorted(seen[w])))
    for w in sorted(tree.dead):
        if seen[w]:
            bad.append((w, None, sorted(seen[w])))
    return bad, r


def run(passim_index, passim, workdir, seed, ops, pauses=True,
        settle=60.0, env=None):
    """One campaign; returns a dict of figures (mismatches included)."""
    env = dict(env or os.environ)
    rnd = random.Random(seed)
    root = os.path.join(workdir, 'tree-%d' % seed)
    db = os.path.join(workdir, 'db-%d' % seed)
    os.makedirs(root)
    env['TORTURE_ROOT'] = root
    log = open(os.path.join(workdir, 'watch-%d.log' % seed), 'wb')
    proc = subprocess.Popen([passim_index, '--db', db, '--watch', '-v',
                             root], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=log, env=env)
    tree = Tree(root, rnd)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(log.name, 'rb') as f:
                if b'watching' in f.read():
                    break
            time.sleep(0.02)
        start = time.monotonic()
        done = stopped = 0
        while done < ops:
            burst = rnd.randint(1, 12)
            pause = pauses and rnd.random() < 0.3
            if pause:
                proc.send_signal(signal.SIGSTOP)
                stopped += 1
            for _ in range(min(burst, ops - done)):
                tree.step()
                done += 1
            if pause:
                proc.send_signal(signal.SIGCONT)
            if rnd.random() < 0.2:
                time.sleep(rnd.random() * 0.05)
        busy = time.monotonic() - start
        quiet_at = time.monotonic()
        bad, r = mismatches(tree, passim, db, env)
        while bad and time.monotonic() - quiet_at < settle:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
            bad, r = mismatches(tree, passim, db, env)
        converged = time.monotonic() - quiet_at
        alive = proc.poll() is None
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
            proc.wait(timeout=120)
        log.close()
    with open(log.name, 'rb') as f:
        tail = f.read()[-2000:].decode('utf-8', 'replace')
    return {'seed': seed, 'ops': ops, 'pauses': stopped, 'busy_s': busy,
            'settle_s': converged, 'live': len(tree.files),
            'dead': len(tree.dead), 'folders': len(tree.dirs),
            'mismatches': bad, 'watcher_alive': alive, 'op_counts': tree.ops,
            'exit': proc.returncode, 'log_tail': tail,
            'query_err': r.stderr.decode('utf-8', 'replace')[-500:]}
