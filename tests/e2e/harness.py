"""harness.py — a tiny TAP runner for unittest, and helpers to drive passim.

Usage, at the end of a test module:

    if __name__ == '__main__':
        sys.exit(harness.main(sys.modules[__name__]))

Every test method of every TestCase in the module is one TAP test point
("ok N - Class.test_name" / "not ok N - ..."); failures and errors follow as
"# " comment lines; skipped tests are "ok N - name # SKIP reason". The exit
status is 1 when any test failed.

The binaries under test come from the environment, as meson sets it:
PASSIM (the query program) and PASSIM_INDEX (the indexer), absolute paths.
"""

import fcntl
import os
import struct
import subprocess
import sys
import time
import traceback
import unittest


# --------------------------------------------------------------------------
# TAP runner

class TapResult(unittest.TestResult):
    """Prints one TAP line per test as soon as it finishes."""

    def __init__(self, out):
        super().__init__()
        self.out = out
        self.number = 0

    def _line(self, text):
        self.out.write(text + '\n')
        self.out.flush()

    def _comment(self, text):
        for line in text.rstrip('\n').split('\n'):
            self._line('# ' + line)

    @staticmethod
    def _name(test):
        return '%s.%s' % (type(test).__name__, test._testMethodName)

    def startTest(self, test):
        super().startTest(test)
        self._started = time.monotonic()
        self._reported = False

    def stopTest(self, test):
        # A test whose subtests failed gets neither addSuccess nor
        # addFailure: its "not ok" line is written here.
        if not self._reported:
            self._ok(test, False)
        super().stopTest(test)

    def _ok(self, test, ok, directive=''):
        self._reported = True
        self.number += 1
        secs = time.monotonic() - getattr(self, '_started', time.monotonic())
        self._line('%s %d - %s%s' % ('ok' if ok else 'not ok', self.number,
                                      self._name(test), directive))
        if ok and not directive:
            self._comment('%.2f s' % secs)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._ok(test, True)

    def _explain(self, test, err):
        # On stdout as TAP comments, and on stderr too: meson prints a
        # failing test's stderr, and CI logs show nothing else.
        text = self._exc_info_to_string(err, test)
        self._comment(text)
        sys.stderr.write('%s failed:\n%s\n' % (self._name(test), text))
        sys.stderr.flush()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._ok(test, False)
        self._explain(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._ok(test, False)
        self._explain(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._ok(test, True, ' # SKIP ' + ' '.join(reason.split()))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._ok(test, False, ' # TODO expected failure')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._ok(test, True, ' # TODO unexpected success')

    def addSubTest(self, test, subtest, err):
        # A failing subtest fails its test; report it as a comment now and
        # let the test point itself say "not ok".
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._comment('subtest %s failed:' % subtest._subDescription())
            self._explain(test, err)


def _flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


def main(module, argv=None):
    """Run the tests of `module` (optionally only names containing one of
    argv's words) and print TAP. Returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    loader = unittest.TestLoader()
    tests = list(_flatten(loader.loadTestsFromModule(module)))
    if argv:
        tests = [t for t in tests
                 if any(a in TapResult._name(t) for a in argv)]
    out = sys.stdout
    out.write('TAP version 13\n')
    out.write('1..%d\n' % len(tests))
    out.flush()
    missing = [v for v in ('PASSIM', 'PASSIM_INDEX') if not os.environ.get(v)]
    if missing:
        out.write('Bail out! %s not set (run through meson test)\n'
                  % ', '.join(missing))
        return 1
    result = TapResult(out)
    for t in tests:
        try:
            t(result)
        except KeyboardInterrupt:
            raise
        except BaseException:  # a broken fixture must not stop the run
            result._comment(traceback.format_exc())
    failed = len(result.failures) + len(result.errors) + \
        len(result.unexpectedSuccesses)
    if result.number != len(tests):
        failed += 1
    return 1 if failed else 0


# --------------------------------------------------------------------------
# Driving the binaries

PASSIM = os.environ.get('PASSIM', '')
PASSIM_INDEX = os.environ.get('PASSIM_INDEX', '')

# Generous: sanitizer builds are several times slower.
TIMEOUT = 300


class Run:
    """What a finished process did: status, stdout and stderr as bytes
    (and .out / .err as text, invalid bytes escaped)."""

    def __init__(self, argv, status, stdout, stderr, secs):
        self.argv = argv
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.secs = secs
        self.out = stdout.decode('utf-8', 'backslashreplace')
        self.err = stderr.decode('utf-8', 'backslashreplace')

    def __repr__(self):
        return ('<%s: exit %s, %.2f s>\n--- stdout\n%s--- stderr\n%s---'
                % (' '.join(os.fsdecode(a) for a in self.argv), self.status,
                   self.secs, self.out[:4000], self.err[:4000]))


def run(argv, env=None, timeout=TIMEOUT, **kw):
    start = time.monotonic()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=timeout, **kw)
    return Run(argv, p.returncode, p.stdout, p.stderr,
               time.monotonic() - start)


def clean_env(**extra):
    """The environment without the variables that choose a database."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('PASSIM_DB', 'XDG_DATA_HOME')}
    env.update(extra)
    return env


def flock_held(path):
    """Does some process hold a lock on the file at `path` (Xapian's
    flintlock)? Asks with F_GETLK, which never takes the lock itself, so it
    cannot disturb the process holding it. False when the file is absent."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        # struct flock: short l_type, l_whence; off_t l_start, l_len;
        # pid_t l_pid (native layout and padding).
        req = struct.pack('@hhqqi4x', fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        res = fcntl.fcntl(fd, fcntl.F_GETLK, req)
        l_type = struct.unpack('@hhqqi4x', res)[0]
        return l_type != fcntl.F_UNLCK
    finally:
        os.close(fd)


class PassimCase(unittest.TestCase):
    """A TestCase with a fresh temporary folder per test and helpers."""

    maxDiff = 4000

    def setUp(self):
        import tempfile
        self._tmp = tempfile.TemporaryDirectory(prefix='passim-e2e-')
        self.tmp = os.path.realpath(self._tmp.name)
        self.db = os.path.join(self.tmp, 'db')
        self.env = clean_env()

    def tearDown(self):
        self._tmp.cleanup()

    # -- files

    def write(self, rel, content, root=None):
        """Write `content` (str as UTF-8, or bytes) to root/rel, creating
        folders; returns the absolute path (str or bytes as rel is)."""
        base = root or os.path.join(self.tmp, 'docs')
        if isinstance(rel, bytes):
            base = os.fsencode(base)
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.encode('utf-8') if isinstance(content, str) else content
        with open(path, 'wb') as f:
            f.write(data)
        return path

    @property
    def docs(self):
        return os.path.join(self.tmp, 'docs')

    # -- programs

    def index(self, *args, db=None, env=None, expect=0, **kw):
        argv = [PASSIM_INDEX, '--db', db or self.db] + list(args or
                                                           [self.docs])
        r = run(argv, env=env or self.env, **kw)
        if expect is not None:
            self.assertEqual(r.status, expect, r)
        return r

    def query(self, *words, db=None, env=None, expect=None, opts=()):
        argv = [PASSIM, '--db', db or self.db] + list(opts) + list(words)
        r = run(argv, env=env or self.env)
        if expect is not None:
            self.assertEqual(r.status, expect, r)
        return r

    def search(self, *words, expect=None, opts=(), db=None, env=None,
               note=None):
        """passim --json: the parsed document (status 0 or 1 required).
        Nothing on stderr, or `note` (bytes) in it when given."""
        import json
        r = self.query(*words, db=db, env=env, expect=expect,
                       opts=('--json',) + tuple(opts))
        self.assertIn(r.status, (0, 1), r)
        if note is None:
            self.assertEqual(r.stderr, b'', r)
        else:
            self.assertIn(note, r.stderr, r)
        try:
            doc = json.loads(r.stdout.decode('utf-8'))  # strict UTF-8
        except ValueError as e:
            self.fail('passim --json printed invalid JSON (%s): %r' % (e, r))
        self.assertEqual(r.status, 0 if doc['hits'] else 1, r)
        return doc

    def hit_paths(self, doc):
        return [h['path'] for h in doc['hits']]

    def all_hits(self, *words):
        """Every passage matching (up to 10000 articles, 100 passages
        each)."""
        return self.search(*words, opts=('--limit', '10000',
                                         '--per-article', '100',
                                         '--all-copies'))
