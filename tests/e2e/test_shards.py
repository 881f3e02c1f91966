"""test_shards.py — several databases searched as one, on loopback.

corpus/city, corpus/energy and corpus/health are indexed into three
databases, and together into one combined database. The three are then
searched as one — as local paths, through a stub file or a folder holding a
XAPIANDB stub, through $PASSIM_DB, served by xapian-tcpsrv on 127.0.0.1
ports chosen at run time, and through xapian-progsrv — and must give what
the combined database gives: the same articles in the same order, the same
scores, the same facets. Then shards fail: down before the query, dropping
the connection in the middle of one, or never answering.
"""

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.realpath(os.path.join(HERE, '..', '..', 'corpus'))
FOLDERS = ('city', 'energy', 'health')
QUERIES = ('strike', 'flood plan', 'vaccine trial', 'wind farm subsidy',
           'port', 'person:"Henrik Vos"', 'water NOT strike', 'said',
           'vacc* trial', 'strik* OR flood*',
           'council vote on the wind farm subsidy and flood plan')

_SHARED = {}


def have_tcpsrv():
    """xapian-tcpsrv, installed from Debian's xapian-tools when missing and
    we may (scripts/deps.sh lists it too)."""
    if shutil.which('xapian-tcpsrv'):
        return True
    if os.geteuid() == 0 and shutil.which('apt-get'):
        subprocess.run(['apt-get', 'install', '-y', '-q', 'xapian-tools'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=600)
    return shutil.which('xapian-tcpsrv') is not None


def shared():
    """The three shards and the combined database, indexed once."""
    if 'dbs' not in _SHARED:
        tmp = tempfile.TemporaryDirectory(prefix='passim-shards-')
        _SHARED['tmp'] = tmp
        dbs = {}
        for name in FOLDERS + ('all',):
            dbs[name] = os.path.join(tmp.name, name)
            docs = ([os.path.join(CORPUS, f) for f in FOLDERS]
                    if name == 'all' else [os.path.join(CORPUS, name)])
            r = harness.run([harness.PASSIM_INDEX, '--db', dbs[name], '-q']
                            + docs, env=harness.clean_env())
            assert r.status == 0, r
        _SHARED['dbs'] = dbs
    return _SHARED['dbs']


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """xapian-tcpsrv on a free loopback port, in its own session: on
    SIGTERM it signals its whole process group, which must not be ours."""

    def __init__(self, db):
        self.db = db
        self.proc = None
        for _ in range(10):
            self.port = free_port()
            self.proc = subprocess.Popen(
                ['xapian-tcpsrv', '--interface', '127.0.0.1', '--port',
                 str(self.port), db], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError('xapian-tcpsrv would not start on ' + db)

    def _wait_ready(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False  # the port was taken meanwhile: try another
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    @property
    def url(self):
        return 'tcp://127.0.0.1:%d' % self.port

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait(timeout=30)


class DropAfterGreeting:
    """A loopback proxy to a server that passes the server's greeting (the
    database is opened) and then closes both sides as soon as the client
    asks anything: a shard that goes away in the middle of a query."""

    def __init__(self, port):
        self.target = port
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.handlers = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._one, args=(client,),
                                 daemon=True)
            self.handlers.append(t)
            t.start()

    def _one(self, client):
        with client:
            try:
                up = socket.create_connection(('127.0.0.1', self.target))
            except OSError:
                return  # the server is gone: so is this shard
            with up:
                try:
                    self._relay_greeting(client, up)
                except OSError:
                    return

    @staticmethod
    def _relay_greeting(client, up):
        while True:
            ready, _, _ = select.select([client, up], [], [], 60)
            if client in ready or not ready:
                return  # the client asks: hang up on it
            data = up.recv(65536)
            if not data:
                return
            client.sendall(data)

    @property
    def url(self):
        return 'tcp://127.0.0.1:%d' % self.port

    def close(self):
        """Stop accepting and wait for every thread: a thread left in
        accept() could take a connection meant for the next test's
        socket once the descriptor number is reused (seen once in ~20
        runs under load: test_silent_server_bounded_by_timeout's listener
        answered by this proxy)."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes accept() up
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=30)
        for t in self.handlers:
            t.join(timeout=90)


def hits(doc):
    """The articles in order: [(path, [(passage, score)...])...]."""
    out = []
    for h in doc['hits']:
        if not out or out[-1][0] != h['path']:
            out.append((h['path'], []))
        out[-1][1].append((h['passage'], h['score']))
    return out


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def facet_keys(facets):
    """Facets with values as their keys: which spelling of one value is
    shown ("Workers’" or "Workers'") is the first met, in document order."""
    return {t: [(v['value'].replace('\u2019', "'").casefold(), v['count'])
                for v in vs] for t, vs in facets.items()}


def tie_groups(articles):
    """Runs of articles whose best passages score the same: their order
    is that of document ids, which differ between a database and shards
    (Xapian interleaves the shards' ids), so only the run is compared."""
    groups = []
    for a in articles:
        if groups and close(a[1][0][1], groups[-1][0][1][0][1]):
            groups[-1].append(a)
        else:
            groups.append([a])
    return groups


class ShardsTest(harness.PassimCase):

    def setUp(self):
        super().setUp()
        self.servers = []
        self.dbs = shared()

    def tearDown(self):
        for s in self.servers:
            s.stop()
        super().tearDown()

    def serve(self, *names):
        if not have_tcpsrv():
            self.skipTest('xapian-tcpsrv is not installed')
        for name in names:
            self.servers.append(Server(self.dbs.get(name, name)))
        return [s.url for s in self.servers[-len(names):]]

    def run_db(self, dbs, *words, opts=(), env=None):
        argv = [harness.PASSIM]
        for d in dbs:
            argv += ['--db', d]
        return harness.run(argv + list(opts) + list(words),
                           env=env or self.env)

    def json_of(self, dbs, query, opts=(), env=None):
        r = self.run_db(dbs, query, opts=('--json',) + tuple(opts), env=env)
        self.assertIn(r.status, (0, 1), r)
        return json.loads(r.out)

    def assertSameHits(self, got, want, what):
        """Same articles in the same order with the same passages and
        scores (to rounding); articles that tie are compared as a set,
        except in the last run, which the limit may cut anywhere."""
        self.assertEqual(len(got), len(want), what)
        gg, wg = tie_groups(got), tie_groups(want)
        self.assertEqual([len(g) for g in gg], [len(g) for g in wg], what)
        for i, (g, w) in enumerate(zip(gg, wg)):
            self.assertTrue(close(g[0][1][0][1], w[0][1][0][1]), what)
            if i == len(gg) - 1 and len(got) == 10:
                continue
            ga, wa = dict(g), dict(w)
            self.assertEqual(sorted(ga), sorted(wa), what)
            for path in wa:
                self.assertEqual([p for p, _ in ga[path]],
                                 [p for p, _ in wa[path]], what)
                for (_, x), (_, y) in zip(ga[path], wa[path]):
                    self.assertTrue(close(x, y), (what, path, x, y))

    def assertSameAsCombined(self, dbs, env=None, facets=True):
        for q in QUERIES:
            with self.subTest(query=q, dbs=dbs):
                want = self.json_of([self.dbs['all']], q)
                got = self.json_of(dbs, q, env=env)
                self.assertTrue(want['hits'], q)
                self.assertSameHits(hits(got), hits(want), q)
                self.assertEqual(got['warnings'], [])
                self.assertEqual(got['shards_failed'], [])
                if facets:
                    self.assertEqual(facet_keys(got['facets']),
                                     facet_keys(want['facets']), q)
                    self.assertEqual(got['facets_exact'],
                                     want['facets_exact'], q)
                    self.assertEqual(got['facet_articles'],
                                     want['facet_articles'], q)

    # -- the same results as one database

    def test_local_paths_match_combined(self):
        self.assertSameAsCombined([self.dbs[f] for f in FOLDERS])

    def test_local_facets_are_exact(self):
        doc = self.json_of([self.dbs[f] for f in FOLDERS], 'port')
        self.assertTrue(doc['facets_exact'])
        self.assertTrue(doc['facets']['person'])

    def test_passim_db_colon_list(self):
        urls = self.serve('city')
        value = ':'.join(urls + [self.dbs['energy'], self.dbs['health']])
        self.assertSameAsCombined([], env=harness.clean_env(PASSIM_DB=value))

    def test_tcp_shards_match_combined(self):
        self.assertSameAsCombined(self.serve(*FOLDERS))

    def test_stub_file_matches_combined(self):
        urls = self.serve('city')
        stub = os.path.join(self.tmp, 'shards.stub')
        with open(stub, 'w') as f:
            f.write('# city over tcp, energy local, health by program\n'
                    'remote %s\nauto %s\nremote :xapian-progsrv %s\n'
                    % (urls[0][len('tcp://'):],
                       os.path.relpath(self.dbs['energy'], self.tmp),
                       self.dbs['health']))
        self.assertSameAsCombined([stub])

    def test_stub_folder_matches_combined(self):
        """What `passim-index --shards N` writes: a folder of databases
        with a XAPIANDB stub naming them."""
        folder = os.path.join(self.tmp, 'sharded')
        os.makedirs(folder)
        with open(os.path.join(folder, 'XAPIANDB'), 'w') as f:
            for name in FOLDERS:
                shutil.copytree(self.dbs[name], os.path.join(folder, name))
                f.write('auto %s\n' % name)
        self.assertSameAsCombined([folder])

    def test_indexer_reads_the_same_stub(self):
        """passim-index writes the shards a stub names, read by the same
        code as passim's ("auto", relative paths, comments); a stub naming
        a remote database is refused with a message, not half written."""
        folder = os.path.join(self.tmp, 'written')
        os.makedirs(folder)
        with open(os.path.join(folder, 'XAPIANDB'), 'w') as f:
            f.write('# two shards\n\nauto one\nglass %s\n'
                    % os.path.join(folder, 'two'))
        docs = self.write('docs/a.txt', 'Zanzibar cloves are dried buds.\n')
        docs = os.path.dirname(docs)
        r = harness.run([harness.PASSIM_INDEX, '--db', folder, '-q', docs],
                        env=harness.clean_env())
        self.assertEqual(r.status, 0, r)
        made = sorted(n for n in os.listdir(folder) if n != 'XAPIANDB')
        self.assertEqual(made, ['one', 'two'])
        got = self.json_of([folder], 'zanzibar')
        self.assertEqual(got['articles'], 1, got)
        with open(os.path.join(folder, 'XAPIANDB'), 'a') as f:
            f.write('remote 127.0.0.1:1\n')
        r = harness.run([harness.PASSIM_INDEX, '--db', folder, '-q', docs],
                        env=harness.clean_env())
        self.assertEqual(r.status, 2, r)
        self.assertIn('stub file listing local', r.err)

    def test_prog_shard(self):
        if not shutil.which('xapian-progsrv'):
            self.skipTest('xapian-progsrv is not installed')
        dbs = ['prog:xapian-progsrv ' + self.dbs[f] for f in FOLDERS]
        self.assertSameAsCombined(dbs)

    # -- facets over remote shards

    def test_remote_facets_exact_when_lists_differ(self):
        """Every article of corpus/ has its own entity list, so counting
        distinct lists is counting articles: exact, and said so."""
        urls = self.serve(*FOLDERS)
        for q in ('port', 'strike', 'vaccine trial'):
            want = self.json_of([self.dbs['all']], q)
            got = self.json_of(urls, q)
            self.assertTrue(got['facets_exact'], q)
            self.assertEqual(facet_keys(got['facets']),
                             facet_keys(want['facets']), q)

    def test_remote_facets_estimated_when_lists_collide(self):
        text = ('Harbour talks\n\nMayor Henrik Vos met dock workers in '
                'Rotterdam on Monday to discuss the harbour strike.\n')
        self.write('twins/a.txt', text)
        self.write('twins/b.txt', text)
        self.index(self.docs)
        local = self.json_of([self.db], 'harbour')
        self.assertTrue(local['facets_exact'])
        self.assertEqual(local['facets']['person'],
                         [{'value': 'Henrik Vos', 'count': 2}])
        remote = self.json_of(self.serve(self.db), 'harbour')
        self.assertEqual(len(remote['hits']), 2)
        self.assertFalse(remote['facets_exact'])
        self.assertEqual(remote['facet_articles'], 2)
        # A lower bound: the two identical lists count as one.
        self.assertEqual(remote['facets']['person'][0]['value'], 'Henrik Vos')
        self.assertLessEqual(remote['facets']['person'][0]['count'], 2)

    # -- failures

    def test_shard_down(self):
        urls = self.serve(*FOLDERS)
        self.servers[1].stop()
        r = self.run_db(urls, 'strike')
        self.assertEqual(r.status, 2, r)
        self.assertIn(urls[1], r.err)
        self.assertIn('--allow-partial', r.err)
        r = self.run_db(urls, 'strike', opts=('--allow-partial',))
        self.assertEqual(r.status, 0, r)
        self.assertIn('warning', r.err)
        self.assertIn(urls[1], r.err)
        doc = self.json_of(urls, 'port', opts=('--allow-partial',))
        self.assertEqual(doc['shards_failed'], [urls[1]])
        self.assertEqual(len(doc['warnings']), 1)
        self.assertIn(urls[1], doc['warnings'][0])
        paths = {h['path'] for h in doc['hits']}
        self.assertTrue(paths)
        energy = os.path.join(CORPUS, 'energy') + os.sep
        self.assertFalse([p for p in paths if p.startswith(energy)])
        want = self.json_of([self.dbs['city'], self.dbs['health']], 'port')
        self.assertSameHits(hits(doc), hits(want), 'partial')

    def test_every_shard_down(self):
        urls = self.serve('city')
        self.servers[0].stop()
        r = self.run_db(urls, 'strike', opts=('--allow-partial',))
        self.assertEqual(r.status, 2, r)
        self.assertIn(urls[0], r.err)

    def test_shard_drops_mid_query(self):
        urls = self.serve('city', 'energy')
        proxy = DropAfterGreeting(self.servers[1].port)
        try:
            dbs = [urls[0], proxy.url]
            r = self.run_db(dbs, 'port')
            self.assertEqual(r.status, 2, r)
            self.assertIn(proxy.url, r.err)
            doc = self.json_of(dbs, 'port', opts=('--allow-partial',))
            self.assertEqual(doc['shards_failed'], [proxy.url])
            want = self.json_of([self.dbs['city']], 'port')
            self.assertSameHits(hits(doc), hits(want), 'mid-query')
        finally:
            proxy.close()

    def test_silent_server_bounded_by_timeout(self):
        """A port that accepts connections and never answers: the
        timeout, not the kernel, decides how long the query waits."""
        with socket.socket() as silent:
            silent.bind(('127.0.0.1', 0))
            silent.listen(8)
            url = 'tcp://127.0.0.1:%d' % silent.getsockname()[1]
            start = time.monotonic()
            r = self.run_db([self.dbs['city'], url], 'port',
                            opts=('--timeout', '1000'))
            secs = time.monotonic() - start
            self.assertEqual(r.status, 2, r)
            self.assertIn(url, r.err)
            self.assertGreaterEqual(secs, 0.9, r)
            self.assertLess(secs, 8, r)
            start = time.monotonic()
            r = self.run_db([self.dbs['city'], url], 'port',
                            opts=('--timeout', '1000', '--allow-partial'))
            self.assertEqual(r.status, 0, r)
            self.assertLess(time.monotonic() - start, 8, r)

    def test_bad_names(self):
        stub = self.write('bad.stub', 'remote\nflint /x\n', root=self.tmp)
        for name, says in (('tcp://127.0.0.1', 'tcp://HOST:PORT'),
                           (stub, 'bad.stub:1')):
            r = self.run_db([name], 'port')
            self.assertEqual(r.status, 2, r)
            self.assertIn(says, r.err)


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
