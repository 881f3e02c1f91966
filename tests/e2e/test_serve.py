#!/usr/bin/env python3
"""test_serve.py — `passim serve`, its page and JSON API, over HTTP on
loopback, as a browser or a hostile client would use it.

corpus/ and a few files written here (a mail with an author, a PDF, an
undated note) are indexed once into a temporary database, and one server
(`passim serve --db DB --port 0`, its port read from the "serving" line on
stderr) answers most tests; tests that change or break the index, or stop
the server, start their own. What /api/search answers is compared with
what `passim --json` prints for the same query and options (filters as
field syntax: person=V is person:"V", person!=V is -person:"V"). Requests
are written by hand on sockets where the bytes matter (Host headers,
traversal, oversize lines, HEAD), with http.client for keep-alive.

The API contract is passim-serve's (issue 18): only GET and HEAD, Host
must name the server, CSP and nosniff on every response and no CORS, 414
over an 8 KB request line, 431 over 16 KB of headers, at most 256
connections, idle connections closed after 10 s, errors as
{"error", "status"} JSON.
"""

import base64
import hashlib
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

import harness
import pdfgen

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.realpath(os.path.join(HERE, '..', '..', 'corpus'))

PAGE_SOURCE = os.path.join(HERE, '..', '..', 'query', 'page.html')


def inline_hashes(page, tag):
    """The CSP sources of the page's inline elements `tag` (script or
    style; a script data block, type application/json, runs nothing)."""
    out = []
    for m in re.finditer(rb'<%s([^>]*)>(.*?)</%s>' % (tag, tag), page,
                         re.S | re.I):
        if b'application/json' in m.group(1):
            continue
        out.append("'sha256-%s'" % base64.b64encode(
            hashlib.sha256(m.group(2)).digest()).decode())
    return out


with open(PAGE_SOURCE, 'rb') as _f:
    _PAGE = _f.read()
# Only the page's own script and style, by hash: no 'unsafe-inline'.
CSP = ("default-src 'none'; script-src %s; style-src %s; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'"
       % (' '.join(inline_hashes(_PAGE, b'script')),
          ' '.join(inline_hashes(_PAGE, b'style'))))
SAFE_HEADERS = {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
}
FILTERS = ('person', 'place', 'org', 'misc', 'name', 'author', 'date',
           'published')
OPTIONS = {'offset': '--offset', 'limit': '--limit',
           'per_article': '--per-article', 'facets': '--facets',
           'sort': '--sort'}
MAX_CONNECTIONS = 256
WAIT = 60             # generous: sanitizer builds are slow

SERVING = re.compile(r'passim: serving (http://(\S+):(\d+)/)')

MAIL = (
    'From: Pieter de Wit <pieter@example.org>\n'
    'To: desk@example.org\n'
    'Subject: Harbour pilots join the strike\n'
    'Date: Wed, 20 Mar 2024 09:15:00 +0100\n'
    '\n'
    'The harbour pilots of Rotterdam said on Wednesday that they would\n'
    'join the strike at the port from Friday, Sanne Bakker confirmed.\n'
    'Ships already waiting off Hoek van Holland will have to wait longer.\n')

NOTE = ('Quarry notes\n\n'
        'The quarry by the ring road keeps a colony of sand martins, and '
        'the word gravelwort appears nowhere else in this collection.\n')

PDF_PAGES = [
    ['Quillwort survey of the lower meadows, spring count. The quillwort '
     'beds near the sluice recovered after the winter floods.'],
    ['Second page of the quillwort survey: the beds by the harbour wall '
     'were dry, and no quillwort was found there this year.'],
]


# --------------------------------------------------------------------------
# The server

class Server:
    """`passim serve` on a port the OS chooses, its stderr collected."""

    def __init__(self, dbs, *opts, env=None):
        argv = [harness.PASSIM, 'serve']
        for d in dbs:
            argv += ['--db', d]
        self.argv = argv + ['--port', '0'] + list(opts)
        self.lines = []
        self.out = []
        self._lines = queue.Queue()
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env or harness.clean_env())
        threading.Thread(target=self._drain, args=(self.proc.stderr, True),
                         daemon=True).start()
        threading.Thread(target=self._drain, args=(self.proc.stdout, False),
                         daemon=True).start()
        deadline = time.monotonic() + WAIT
        while True:
            try:
                line = self._lines.get(
                    timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise RuntimeError('%s: no "serving" line in %d s:\n%s'
                                   % (' '.join(self.argv), WAIT, self.stderr))
            if line is None:
                self.proc.wait(timeout=WAIT)
                raise RuntimeError('%s exited with %s before serving:\n%s'
                                   % (' '.join(self.argv),
                                      self.proc.returncode, self.stderr))
            m = SERVING.search(line)
            if m:
                self.url, self.host, self.port = (m.group(1), m.group(2),
                                                  int(m.group(3)))
                return

    def _drain(self, stream, is_err):
        for raw in stream:
            line = raw.decode('utf-8', 'backslashreplace')
            (self.lines if is_err else self.out).append(line)
            if is_err:
                self._lines.put(line)
        if is_err:
            self._lines.put(None)

    @property
    def stderr(self):
        return ''.join(self.lines)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Signal it and wait: its exit status, or None when it had to be
        killed."""
        if self.alive():
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.alive():
            self.proc.kill()
        self.proc.wait(timeout=WAIT)

    def __repr__(self):
        return '<%s: %s>\n--- stderr\n%s---' % (
            ' '.join(self.argv),
            'running' if self.alive() else 'exit %s' % self.proc.returncode,
            self.stderr[-4000:])


_SHARED = {}


def shared():
    """The database of corpus/ and the fixture's files, indexed once."""
    if 'db' not in _SHARED:
        tmp = tempfile.TemporaryDirectory(prefix='passim-serve-')
        _SHARED['tmp'] = tmp
        root = os.path.realpath(tmp.name)
        extra = os.path.join(root, 'extra')
        files = {
            'mail': os.path.join(extra, 'posts', 'harbour-pilots.eml'),
            'note': os.path.join(extra, 'notes', 'quarry.txt'),
            'pdf': os.path.join(extra, 'reports', 'quillwort.pdf'),
        }
        for key, data in (('mail', MAIL.encode()), ('note', NOTE.encode()),
                          ('pdf', pdfgen.pdf(PDF_PAGES,
                                             title='Quillwort survey',
                                             date='2024-05-02'))):
            os.makedirs(os.path.dirname(files[key]), exist_ok=True)
            with open(files[key], 'wb') as f:
                f.write(data)
        db = os.path.join(root, 'db')
        r = harness.run([harness.PASSIM_INDEX, '--db', db, '-q', CORPUS,
                         extra], env=harness.clean_env())
        assert r.status == 0, r
        _SHARED.update(db=db, files=files, root=root)
    return _SHARED


def shared_server():
    """One server over the shared database, (re)started when needed."""
    s = _SHARED.get('server')
    if s is None or not s.alive():
        _SHARED['server'] = Server([shared()['db']])
    return _SHARED['server']


def _stop_shared():
    s = _SHARED.get('server')
    if s is not None:
        s.stop(signal.SIGTERM, timeout=5)


import atexit  # noqa: E402  (the fallback when the last test did not run)
atexit.register(_stop_shared)


# --------------------------------------------------------------------------
# HTTP on a socket

class Response:
    def __init__(self, status_line, headers, body):
        self.status_line = status_line
        parts = status_line.split(' ', 2)
        self.version = parts[0]
        self.status = int(parts[1]) if len(parts) > 1 and \
            parts[1].isdigit() else None
        self.reason = parts[2] if len(parts) > 2 else ''
        self.headers = headers  # [(lower-case name, value)...]
        self.body = body

    def header(self, name, default=None):
        for n, v in self.headers:
            if n == name:
                return v
        return default

    def all(self, name):
        return [v for n, v in self.headers if n == name]

    @property
    def text(self):
        return self.body.decode('utf-8', 'backslashreplace')

    def json(self):
        return json.loads(self.body.decode('utf-8'))

    def __repr__(self):
        return '<%s>\n%s\n\n%s' % (
            self.status_line,
            '\n'.join('%s: %s' % h for h in self.headers), self.text[:2000])


class Closed(Exception):
    """The server closed the connection (or reset it)."""


class Conn:
    """One client connection, requests written and responses read by
    hand."""

    def __init__(self, port, timeout=WAIT, addr='127.0.0.1'):
        self.sock = socket.create_connection((addr, port), timeout=timeout)
        self.buf = b''

    def send(self, data):
        self.sock.sendall(data)

    def _more(self):
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b''
        if not chunk:
            raise Closed('closed after %d bytes: %r' % (len(self.buf),
                                                        self.buf[:200]))
        self.buf += chunk

    def _take(self, n):
        while len(self.buf) < n:
            self._more()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _line(self):
        while b'\r\n' not in self.buf:
            self._more()
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def response(self, head=False):
        while b'\r\n\r\n' not in self.buf:
            self._more()
        block, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = block.decode('latin-1').split('\r\n')
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(':')
            headers.append((name.strip().lower(), value.strip()))
        r = Response(lines[0], headers, b'')
        if head or r.status in (204, 304) or (r.status or 0) < 200:
            return r
        te = (r.header('transfer-encoding') or '').lower()
        if 'chunked' in te:
            body = b''
            while True:
                size = int(self._line().split(b';')[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                body += self._take(size)
                self._line()
            r.body = body
        elif r.header('content-length') is not None:
            r.body = self._take(int(r.header('content-length')))
        else:
            try:
                while True:
                    self._more()
            except Closed:
                pass
            r.body, self.buf = self.buf, b''
        return r

    def wait_closed(self, timeout):
        """Whether the server closes the connection within `timeout`
        seconds (whatever it sends before)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(WAIT)

    def close(self):
        self.sock.close()


def request_bytes(method, target, host, headers=(), body=b'',
                  version='HTTP/1.1', close=True):
    if isinstance(target, str):
        target = target.encode('latin-1')
    out = [method.encode() + b' ' + target + b' ' + version.encode()]
    if host is not None:
        out.append(b'Host: ' + host.encode('latin-1'))
    for name, value in headers:
        out.append(('%s: %s' % (name, value)).encode('latin-1'))
    if body or method in ('POST', 'PUT', 'PATCH'):
        out.append(b'Content-Length: %d' % len(body))
    if close:
        out.append(b'Connection: close')
    return b'\r\n'.join(out) + b'\r\n\r\n' + body


def query_string(params):
    """Parameters as a browser's form would send them, the '!' of a
    negated key left as is."""
    return '&'.join('%s=%s' % (urllib.parse.quote(k, safe='!'),
                               urllib.parse.quote_plus(v))
                    for k, v in params)


def cli_query(params):
    """The passim(1) options and query that a list of API parameters
    means: (options, query)."""
    opts, words, filters = [], [], []
    for k, v in params:
        if k == 'q':
            words.append(v)
        elif k in OPTIONS:
            opts += [OPTIONS[k], v]
        elif k.rstrip('!') in FILTERS:
            value = '"%s"' % v if re.search(r'[\s():"]', v) else v
            filters.append('%s%s:%s' % ('-' if k.endswith('!') else '',
                                        k.rstrip('!'), value))
        else:
            raise ValueError('no CLI form for ' + k)
    return opts, ' '.join(words + filters)


def close_enough(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def articles_of(doc):
    """The article ids of a search, in rank order, each once."""
    out = []
    for h in doc['hits']:
        if h['article'] not in out:
            out.append(h['article'])
    return out


# --------------------------------------------------------------------------
# The tests' base

class ServeCase(harness.PassimCase):
    """A test against the shared server (self.server), with helpers that
    check the headers every response must have."""

    own_server = False

    def setUp(self):
        super().setUp()
        self.servers = []
        self.server = None if self.own_server else shared_server()

    def tearDown(self):
        for s in self.servers:
            if s.alive():
                s.kill()
        died = (self.server is not None and not self.own_server
                and not self.server.alive())
        super().tearDown()
        if died:
            self.fail('passim serve died during the test: %r' % self.server)

    def start(self, dbs, *opts, env=None):
        s = Server(dbs, *opts, env=env)
        self.servers.append(s)
        return s

    def host(self, server=None):
        return '127.0.0.1:%d' % (server or self.server).port

    # -- requests

    def fetch(self, target, method='GET', host=True, headers=(), body=b'',
              version='HTTP/1.1', server=None, check=True):
        """One request on its own connection (Connection: close). host
        True: the server's own 127.0.0.1:PORT; None: no Host header."""
        server = server or self.server
        if host is True:
            host = self.host(server)
        c = Conn(server.port)
        try:
            c.send(request_bytes(method, target, host, headers, body,
                                 version))
            try:
                r = c.response(head=(method == 'HEAD'))
            except Closed as e:
                self.fail('%s %r: no response (%s); server: %r'
                          % (method, target, e, server))
        finally:
            c.close()
        if check:
            self.assertSafe(r, '%s %r' % (method, target))
        return r

    def assertSafe(self, r, what):
        """The headers every response has, and no CORS header."""
        for name, want in SAFE_HEADERS.items():
            self.assertEqual(r.header(name), want, (what, name, r))
        self.assertEqual([n for n, _ in r.headers
                          if n.startswith('access-control-')], [], (what, r))

    def assertError(self, r, status, what=''):
        """An error response: that status and {"error", "status"}."""
        self.assertEqual(r.status, status, (what, r))
        self.assertTrue((r.header('content-type') or '')
                        .startswith('application/json'), (what, r))
        doc = r.json()
        self.assertEqual(doc.get('status'), status, (what, doc))
        self.assertIsInstance(doc.get('error'), str, (what, doc))
        self.assertTrue(doc['error'], (what, doc))
        self.assertNotIn('\n', doc['error'], (what, doc))
        return doc

    def api(self, path, params=(), expect=200, server=None):
        """GET path?params: the JSON document (an error's when expect is
        not 200)."""
        target = path + ('?' + query_string(params) if params else '')
        r = self.fetch(target, server=server)
        if expect != 200:
            return self.assertError(r, expect, target)
        self.assertEqual(r.status, 200, (target, r))
        self.assertTrue((r.header('content-type') or '')
                        .startswith('application/json'), (target, r))
        try:
            return r.json()
        except ValueError as e:
            self.fail('%s: invalid JSON (%s): %r' % (target, e, r))

    def search_api(self, params, **kw):
        return self.api('/api/search', params, **kw)

    def cli(self, params, dbs=None, opts=()):
        """passim --json for the same parameters: (status, document or
        the error message without "passim: ")."""
        cli_opts, q = cli_query(params)
        argv = [harness.PASSIM]
        for d in dbs or [shared()['db']]:
            argv += ['--db', d]
        argv += ['--json'] + list(opts) + cli_opts + ['--', q]
        r = harness.run(argv, env=self.env)
        if r.status == 2:
            msg = r.err.strip()
            self.assertTrue(msg.startswith('passim: '), r)
            return 2, msg[len('passim: '):]
        self.assertIn(r.status, (0, 1), r)
        return r.status, json.loads(r.out)

    def assertSameDoc(self, got, want, what):
        """The same object, but for "query" (the API may echo its own
        form of the request) and scores compared to rounding."""
        got, want = dict(got), dict(want)
        got.pop('query', None)
        want.pop('query', None)
        gh, wh = got.pop('hits'), want.pop('hits')
        self.assertEqual(got, want, what)
        self.assertEqual(len(gh), len(wh), what)
        for g, w in zip(gh, wh):
            g, w = dict(g), dict(w)
            gs, ws = g.pop('score'), w.pop('score')
            self.assertEqual(g, w, what)
            self.assertTrue(close_enough(gs, ws), (what, gs, ws))

    def assertSameAsCli(self, params):
        status, want = self.cli(params)
        self.assertNotEqual(status, 2, (params, want))
        got = self.search_api(params)
        self.assertSameDoc(got, want, params)
        if all(k == 'q' for k, _ in params):
            self.assertEqual(got['query'], want['query'], params)
        return got

    def everything(self, params):
        """Every matching article (the corpus has fewer than 100), every
        passage."""
        return self.search_api(list(params) + [('limit', '100'),
                                               ('per_article', '100')])


# --------------------------------------------------------------------------
# Endpoints

class Endpoints(ServeCase):

    def test_serving_line(self):
        self.assertRegex(self.server.stderr,
                         r'passim: serving http://127\.0\.0\.1:%d/'
                         % self.server.port)
        self.assertNotIn('warning', self.server.stderr.lower())

    def test_page(self):
        r = self.fetch('/')
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header('content-type'), 'text/html; charset=utf-8')
        page = r.text
        self.assertRegex(page.lower(), r'^\s*<!doctype html>')
        self.assertIn('</html>', page.lower())
        # The served page is the source, and its one script and one
        # style are those the policy allows by hash.
        self.assertEqual(r.body, _PAGE)
        self.assertEqual(len(inline_hashes(r.body, b'script')), 1)
        self.assertEqual(len(inline_hashes(r.body, b'style')), 1)
        self.assertNotIn('unsafe-inline', r.header('content-security-policy'))
        # One file: nothing fetched from another host.
        self.assertFalse(re.findall(
            r'''(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//''', page,
            re.I), 'the page loads something from another host')
        self.assertNotIn('@import', page)
        # The page's own URL keeps the state: the same page for each, but
        # for the answer to its first search (PageAnswer).
        self.assertEqual(initial_of(r.body), b'')
        for target in ('/?q=strike', '/?q=strike&person=Sanne+Bakker'
                       '&published=2024-03', '/?article=da8a0c279fcc254c'):
            r2 = self.fetch(target)
            self.assertEqual(r2.status, 200, (target, r2))
            self.assertEqual(r2.body.replace(initial_of(r2.body), b'', 1),
                             r.body, target)

    def test_search_is_passim_json(self):
        """/api/search answers what passim --json prints for the same
        query and options."""
        cases = [
            [('q', 'strike')],
            [('q', 'flood plan')],
            [('q', 'vaccine trial'), ('per_article', '3')],
            [('q', 'person:"Sanne Bakker"')],
            [('q', 'São Paulo')],
            [('q', 'strike NOT Rotterdam')],
            [('q', '"port of Rotterdam"')],
            [('q', 'strik* OR flood*')],
            [('q', 'title:kasumi')],
            [('q', 'quillwort')],                      # a PDF: pages
            [('q', 'person:Bakker')],                  # name_filters
            [('q', 'strike'), ('person', 'Arsene Wengr')],  # no such name
            [('q', 'zzqxnotaword')],                   # nothing
            [('q', 'strike'), ('sort', 'date'), ('limit', '5')],
            [('q', 'strike'), ('offset', '3'), ('limit', '4')],
            [('q', 'trial'), ('facets', '3')],
            [('q', 'port'), ('facets', '1000')],
            [('q', 'strike'), ('limit', '100'), ('per_article', '100')],
        ]
        for params in cases:
            with self.subTest(params=params):
                self.assertSameAsCli(params)
        doc = self.assertSameAsCli([('q', 'quillwort')])
        self.assertEqual(sorted(h.get('page') for h in doc['hits']), [1, 2])

    def test_offsets_are_utf8_bytes(self):
        doc = self.everything([('q', 'São Paulo')])
        self.assertTrue(doc['hits'])
        seen = 0
        for h in doc['hits']:
            text = h['text'].encode('utf-8')
            for s, e in h['highlights']:
                self.assertLess(s, e)
                word = text[s:e].decode('utf-8').casefold()  # whole chars
                self.assertTrue(word.startswith(('são', 'sao', 'paulo')),
                                (word, h))
                seen += 1
            for m in h['entities']:
                self.assertIn(m['type'], ('person', 'place', 'org', 'misc',
                                          'date', 'author'))
                self.assertLessEqual(m['end'], len(text))
                text[m['start']:m['end']].decode('utf-8')
        self.assertTrue(seen)

    def test_histogram(self):
        """The matching articles by published month, oldest first; the
        counts add up to the matching articles, and a month's published
        filter finds that month's count."""
        for params in ([('q', 'strike')], [('q', 'vaccine')],
                       [('place', 'Rotterdam')], [('q', 'gravelwort')]):
            with self.subTest(params=params):
                hist = self.api('/api/histogram', params)
                search = self.everything(params)
                self.assertTrue(search['facets_exact'])
                self.assertTrue(hist['exact'], hist)
                self.assertIsInstance(hist['query'], str)
                months = [m['value'] for m in hist['months']]
                self.assertEqual(months, sorted(set(months)), hist)
                for m in hist['months']:
                    self.assertRegex(m['value'], r'^\d{4}-\d\d$')
                    self.assertGreater(m['count'], 0)
                total = sum(m['count'] for m in hist['months'])
                self.assertEqual(total, hist['articles'], hist)
                self.assertEqual(total, search['facet_articles'], hist)
                self.assertEqual(total, len(articles_of(search)), hist)
                by_month = {}
                for h in search['hits']:
                    by_month.setdefault(h['published'][:7], set()).add(
                        h['article'])
                self.assertEqual({m: len(a) for m, a in by_month.items()},
                                 {m['value']: m['count']
                                  for m in hist['months']})
                for m in hist['months']:
                    one = self.search_api(params + [('published',
                                                     m['value'])])
                    self.assertEqual(one['facet_articles'], m['count'], m)
                    narrowed = self.api('/api/histogram',
                                        params + [('published', m['value'])])
                    self.assertEqual(narrowed['months'], [m], narrowed)
        # A range selected on it.
        hist = self.api('/api/histogram', [('q', 'strike')])
        first, last = '2024-03', '2024-06'
        want = [m for m in hist['months'] if first <= m['value'] <= last]
        self.assertTrue(want, hist)
        ranged = self.api('/api/histogram', [('q', 'strike'), (
            'published', '%s..%s' % (first, last))])
        self.assertEqual(ranged['months'], want)
        self.assertEqual(ranged['articles'], sum(m['count'] for m in want))
        # offset, limit and sort change nothing.
        same = self.api('/api/histogram', [('q', 'strike'), ('offset', '5'),
                                           ('limit', '1'), ('sort', 'date')])
        self.assertEqual(same['months'], hist['months'])

    def test_search_with_months_is_the_histogram(self):
        """months=1 puts the histogram's months in the search's answer
        (the page's first render needs one request, not two); without it
        there are none; it takes 0 or 1."""
        for params in ([('q', 'strike')], [('q', 'vaccine'), ('sort', 'date')],
                       [('place', 'Rotterdam')], [('q', 'gravelwort')],
                       [('q', 'strike'), ('published', '2024-03..2024-06')],
                       [('q', 'port'), ('person!', 'Henrik Vos')]):
            with self.subTest(params=params):
                hist = self.api('/api/histogram', params)
                both = self.search_api(params + [('months', '1'),
                                                 ('limit', '3')])
                self.assertEqual(both['months'], hist['months'])
                self.assertEqual(both['facet_articles'], hist['articles'])
                self.assertEqual(both['facets_exact'], hist['exact'])
                plain = self.search_api(params + [('limit', '3')])
                self.assertNotIn('months', plain)
                self.assertEqual(
                    {k: v for k, v in both.items() if k != 'months'}, plain)
                off = self.search_api(params + [('months', '0')])
                self.assertNotIn('months', off)
        for bad in ('2', 'yes', '', '01'):
            r = self.fetch('/api/search?q=strike&months=' + bad)
            self.assertError(r, 400)

    def test_article(self):
        """An article by id: every passage in order; each hit's passage is
        one of them, with the same text and span."""
        doc = self.everything([('q', 'strike')])
        files = shared()['files']
        doc['hits'] += self.everything([('q', 'quillwort')])['hits']
        doc['hits'] += self.everything([('q', 'gravelwort')])['hits']
        by_article = {}
        for h in doc['hits']:
            by_article.setdefault(h['article'], []).append(h)
        self.assertIn(files['pdf'], [h['path'] for h in doc['hits']])
        for aid, hits in by_article.items():
            with self.subTest(article=aid):
                view = self.api('/api/article/' + aid)
                self.assertEqual(view['article'], aid)
                self.assertEqual(view['title'], hits[0]['title'])
                self.assertEqual(view['path'], hits[0]['path'])
                self.assertEqual(view['published'], hits[0]['published'])
                self.assertEqual(view['published_is_file_time'],
                                 hits[0]['published_is_file_time'])
                numbers = [p['passage'] for p in view['passages']]
                self.assertEqual(numbers, list(range(len(numbers))), view)
                starts = [p['start'] for p in view['passages']]
                self.assertEqual(starts, sorted(starts))
                passages = {p['passage']: p for p in view['passages']}
                for h in hits:
                    p = passages.get(h['passage'])
                    self.assertIsNotNone(p, (h, numbers))
                    self.assertIn(h['text'], p['text'])
                    self.assertEqual((p['start'], p['end'], p['text']),
                                     (h['start'], h['end'], h['text']))
                    self.assertEqual(
                        sorted((e['type'], e['start'], e['end'])
                               for e in p['entities']),
                        sorted((e['type'], e['start'], e['end'])
                               for e in h['entities']), h['passage'])
                    self.assertEqual(p.get('page'), h.get('page'))
                for p in view['passages']:
                    if view['path'].endswith('.pdf'):
                        self.assertGreaterEqual(p['page'], 1, p)
                    else:
                        self.assertNotIn('page', p)
        note = [h for h in doc['hits'] if h['path'] == files['note']]
        self.assertTrue(note)
        self.assertTrue(note[0]['published_is_file_time'])

    def test_keep_alive(self):
        """Several requests on one persistent connection."""
        c = http.client.HTTPConnection('127.0.0.1', self.server.port,
                                       timeout=WAIT)
        try:
            c.connect()
            sock = c.sock
            aid = None
            for path, status in (('/api/search?q=strike', 200),
                                 ('/', 200), ('/api/histogram?q=port', 200),
                                 ('/nope', 404), ('/api/search?q=flood', 200),
                                 (None, 200)):
                if path is None:
                    path = '/api/article/' + aid
                c.request('GET', path)
                r = c.getresponse()
                body = r.read()
                self.assertEqual(r.status, status, (path, body[:300]))
                self.assertIs(c.sock, sock, 'connection not kept: ' + path)
                if path.startswith('/api/search'):
                    aid = json.loads(body)['hits'][0]['article']
        finally:
            c.close()

    def test_head(self):
        """HEAD: the headers GET would give, no body."""
        for target, status in (('/', 200), ('/api/search?q=strike', 200),
                               ('/api/histogram?q=strike', 200),
                               ('/nope', 404)):
            with self.subTest(target=target):
                get = self.fetch(target)
                c = Conn(self.server.port)
                try:
                    c.send(request_bytes('HEAD', target, self.host(),
                                         close=False))
                    head = c.response(head=True)
                    self.assertSafe(head, 'HEAD ' + target)
                    self.assertEqual(head.status, status, head)
                    self.assertEqual(head.header('content-type'),
                                     get.header('content-type'))
                    if head.header('content-length') is not None:
                        self.assertEqual(int(head.header('content-length')),
                                         len(get.body))
                    # The next bytes are the next response, not a body.
                    c.send(request_bytes('GET', '/nope', self.host()))
                    nxt = c.response()
                    self.assertEqual(nxt.status_line.split(' ')[:2],
                                     ['HTTP/1.1', '404'], nxt)
                    self.assertTrue(c.wait_closed(WAIT))
                    self.assertEqual(c.buf, b'')
                finally:
                    c.close()


# --------------------------------------------------------------------------
# Filters and pages

INITIAL = re.compile(rb'<script type="application/json" id="initial">'
                     rb'(.*?)</script>', re.S)


def initial_of(page):
    """The content of the page's element for its first answer."""
    m = INITIAL.search(page)
    assert m, 'the page has no initial element'
    return m.group(1)


class PageAnswer(ServeCase):
    """The page of a URL with a query holds the answer to its first
    search, which the page would otherwise ask /api/search for."""

    own_server = True
    HOSTILE = ('</script><script>window.pwned=1</script> <!-- <script> '
               '</SCRIPT > \u2028\u2029')

    def setUp(self):
        super().setUp()
        self.write('hostile.txt', 'Wombatry notes\n\nThe wombatry of the '
                   'valley: %s and more wombatry.\n' % self.HOSTILE)
        self.write('other.txt', 'Wombatry digest\n\nWombatry in Lisbon, '
                   'said Ana Lopes of the Lisbon Wombat Society.\n')
        self.index()
        self.srv = self.start([self.db])

    def page(self, target):
        r = self.fetch(target, server=self.srv)
        self.assertEqual(r.status, 200, (target, r))
        self.assertEqual(r.header('content-type'), 'text/html; charset=utf-8')
        return r

    def test_the_answer_is_the_apis(self):
        for target, pairs in (
                ('/?q=wombatry', [['q', 'wombatry']]),
                ('/?q=++wombatry+&sort=date&bogus=1',
                 [['q', 'wombatry'], ['sort', 'date']]),
                ('/?q=wombatry&place=Lisbon&person%21=Nobody&date=',
                 [['q', 'wombatry'], ['place', 'Lisbon'],
                  ['person!', 'Nobody']]),
                ('/?place=Lisbon', [['place', 'Lisbon']])):
            with self.subTest(target=target):
                raw = initial_of(self.page(target).body)
                self.assertNotIn(b'<', raw)
                doc = json.loads(raw)
                want = pairs + [['limit', '10'], ['per_article', '2'],
                                ['facets', '11'], ['months', '1']]
                self.assertEqual(doc['params'], want)
                api = self.search_api([tuple(p) for p in want],
                                      server=self.srv)
                self.assertEqual(doc['answer'], api)
                self.assertTrue(doc['answer']['hits'])
                self.assertIn('months', doc['answer'])

    def test_hostile_text_stays_inside(self):
        body = self.page('/?q=wombatry').body
        raw = initial_of(body)
        self.assertNotIn(b'</script', raw.lower())
        self.assertNotIn(b'<!--', raw)
        # The page's own scripts are the two it always has.
        self.assertEqual(len(re.findall(rb'<script', body, re.I)), 2)
        doc = json.loads(raw)
        texts = [h['text'] for h in doc['answer']['hits']]
        self.assertTrue(any(self.HOSTILE in t for t in texts), texts)

    def test_no_answer_when_none_is_asked_or_given(self):
        for target in ('/?q=', '/?q=+++', '/?sort=date', '/?bogus=1',
                       '/?article=0123456789abcdef&q=wombatry',
                       '/?q=wombatry+date:2024-13',
                       '/?q=%zz', '/?q=' + 'x' * 4100,
                       '/?date=2024-02-30'):
            with self.subTest(target=target):
                self.assertEqual(initial_of(self.page(target).body), b'')

    def test_head_and_keep_alive(self):
        get = self.page('/?q=wombatry')
        head = self.fetch('/?q=wombatry', method='HEAD', server=self.srv)
        self.assertEqual(head.status, 200)
        self.assertEqual(head.body, b'')
        self.assertEqual(head.header('content-length'),
                         str(len(get.body)))
        # The next search on the same server is still answered.
        self.assertTrue(self.search_api([('q', 'wombatry')],
                                        server=self.srv)['hits'])


class Filters(ServeCase):

    def test_each_filter_type(self):
        """Each filter as passim --json reads it in field syntax, and a
        facet's count is the number of articles its filter keeps."""
        base = self.everything([('q', 'strike')])
        for field in ('person', 'place', 'org'):
            for f in base['facets'][field][:3]:
                params = [('q', 'strike'), (field, f['value'])]
                with self.subTest(params=params):
                    got = self.assertSameAsCli(params)
                    narrowed = self.everything(params)
                    self.assertEqual(len(articles_of(narrowed)), f['count'])
                    self.assertLessEqual(set(articles_of(narrowed)),
                                         set(articles_of(base)))
                    self.assertEqual(got['facet_articles'], f['count'])
        for params in ([('q', 'port'), ('misc', 'Dutch')],
                       [('q', 'port'), ('name', 'Rotterdam')],
                       [('q', 'strike'), ('name', 'Sanne Bakker')],
                       [('author', 'Pieter de Wit')],
                       [('q', 'pilots'), ('author', 'Pieter de Wit')],
                       [('q', 'strike'), ('date', '2024-03')],
                       [('q', 'strike'), ('date', '2024-03-16')],
                       [('q', 'strike'), ('date', '2024-03-01..2024-03-20')],
                       [('q', 'strike'), ('date', '..2024-01')],
                       [('q', 'vaccine'), ('published', '2024')],
                       [('published', '2024-03')],
                       [('place', 'Osaka')]):
            with self.subTest(params=params):
                got = self.assertSameAsCli(params)
                self.assertTrue(got['hits'], params)
        mail = self.everything([('author', 'Pieter de Wit')])
        self.assertEqual([h['path'] for h in mail['hits']][:1],
                         [shared()['files']['mail']])
        self.assertEqual(mail['facets']['author'],
                         [{'value': 'Pieter de Wit', 'count': 1}])

    def test_repeated_filters_are_and(self):
        one = self.everything([('q', 'strike'), ('place', 'Rotterdam')])
        two = self.everything([('q', 'strike'), ('place', 'Hamburg')])
        both = [('q', 'strike'), ('place', 'Rotterdam'),
                ('place', 'Hamburg')]
        got = self.everything(both)
        self.assertTrue(got['hits'])
        self.assertEqual(set(articles_of(got)),
                         set(articles_of(one)) & set(articles_of(two)))
        self.assertLess(len(articles_of(got)), len(articles_of(one)))
        self.assertSameAsCli(both)
        mixed = [('q', 'strike'), ('person', 'Sanne Bakker'),
                 ('place', 'Rotterdam'), ('published', '2024-03..2024-04'),
                 ('date', '2024')]
        self.assertTrue(self.assertSameAsCli(mixed)['hits'])

    def test_negated_filters(self):
        """key! leaves out what key keeps: the two make the whole."""
        base = self.everything([('q', 'strike')])
        for key, value in (('person', 'Henrik Vos'), ('place', 'Rotterdam'),
                           ('published', '2024-03'), ('date', '2025')):
            with self.subTest(key=key):
                keep = self.everything([('q', 'strike'), (key, value)])
                drop = self.everything([('q', 'strike'), (key + '!', value)])
                self.assertTrue(keep['hits'] and drop['hits'], key)
                self.assertEqual(set(articles_of(keep)) &
                                 set(articles_of(drop)), set())
                self.assertEqual(set(articles_of(keep)) |
                                 set(articles_of(drop)),
                                 set(articles_of(base)))
                self.assertSameAsCli([('q', 'strike'), (key + '!', value)])
        # The form a browser's URLSearchParams sends: the '!' encoded.
        raw = self.fetch('/api/search?q=strike&person!=Henrik+Vos')
        encoded = self.fetch('/api/search?q=strike&person%21=Henrik+Vos')
        self.assertEqual(raw.status, 200, raw)
        self.assertEqual(encoded.status, 200, encoded)
        self.assertEqual(articles_of(raw.json()), articles_of(encoded.json()))
        # A negated filter alone.
        self.assertSameAsCli([('person!', 'Henrik Vos')])

    def test_pages_make_the_whole_list(self):
        for params in ([('q', 'strike')], [('q', 'port'), ('sort', 'date')],
                       [('place', 'Rotterdam')]):
            with self.subTest(params=params):
                whole = self.search_api(params + [('limit', '100')])
                want = articles_of(whole)
                self.assertGreater(len(want), 5)
                got, offset = [], 0
                while offset < len(want) + 3:
                    page = self.search_api(params + [('offset', str(offset)),
                                                     ('limit', '3')])
                    self.assertLessEqual(len(articles_of(page)), 3)
                    self.assertEqual(page['articles'],
                                     len(articles_of(page)))
                    got += articles_of(page)
                    offset += 3
                self.assertEqual(got, want)
                past = self.search_api(params + [('offset', '1000')])
                self.assertEqual(past['hits'], [])

    def test_pages_keep_each_articles_passages(self):
        """An article shows the same passages, and has the same rank, on
        a page as in the whole list (a short page once cut the passages
        of its last articles, and ranks started again at 1)."""
        params = [('q', 'strike')]
        whole = self.search_api(params + [('limit', '100')])
        def passages(doc):
            got = {}
            for h in doc['hits']:
                got.setdefault(h['article'], []).append(
                    (h['article_rank'], h['passage'], round(h['score'], 6)))
            return got
        want = passages(whole)
        self.assertTrue(any(len(p) > 1 for p in want.values()), want)
        for limit in (1, 2, 3, 5):
            for offset in (0, 3):
                page = self.search_api(params + [('offset', str(offset)),
                                                 ('limit', str(limit))])
                got = passages(page)
                self.assertEqual(len(got), limit, (limit, offset))
                self.assertEqual(got, {a: want[a] for a in got},
                                 (limit, offset))
                self.assertEqual(min(p[0][0] for p in got.values()),
                                 offset + 1)

    def test_default_and_bounded_options(self):
        doc = self.search_api([('q', 'said')])
        self.assertEqual(len(articles_of(doc)), 10)
        self.assertTrue(all(len([h for h in doc['hits']
                                 if h['article'] == a]) <= 2
                            for a in articles_of(doc)))
        self.assertTrue(all(len(v) <= 10 for v in doc['facets'].values()))
        # facets=0: none counted.
        none = self.search_api([('q', 'said'), ('facets', '0')])
        self.assertEqual(articles_of(none), articles_of(doc))
        self.assertFalse(any(none.get('facets', {}).values()), none)
        # Over the bounds: refused, or held to them.
        for key, most, value in (('limit', 100, '101'),
                                 ('facets', 1000, '1001'),
                                 ('limit', 100, '99999999999999999999')):
            r = self.fetch('/api/search?q=said&%s=%s' % (key, value))
            if r.status == 400:
                self.assertError(r, 400)
            else:
                self.assertEqual(r.status, 200, r)
                got = r.json()
                if key == 'limit':
                    self.assertLessEqual(len(articles_of(got)), most)


# --------------------------------------------------------------------------
# Errors

class Errors(ServeCase):

    def test_malformed_query_gives_the_cli_message(self):
        for params in ([('q', 'strike date:2024-13')],
                       [('q', 'published:2024-02-30')],
                       [('q', 'x' * 4100)],
                       [('q', 'a ' * 257)],
                       [('q', 'strike'), ('date', '2024-13')],
                       [('q', 'strike'), ('published', '2024-02-30..2024')],
                       [('date!', 'soon')]):
            with self.subTest(params=[(k, v[:40]) for k, v in params]):
                status, message = self.cli(params)
                self.assertEqual(status, 2, message)
                for path in ('/api/search', '/api/histogram'):
                    err = self.api(path, params, expect=400)
                    self.assertEqual(err['error'], message, path)

    def test_bad_parameters(self):
        for target in ('/api/search?q=strike&limit=abc',
                       '/api/search?q=strike&limit=-1',
                       '/api/search?q=strike&limit=',
                       '/api/search?q=strike&offset=abc',
                       '/api/search?q=strike&offset=1e3',
                       '/api/search?q=strike&per_article=many',
                       '/api/search?q=strike&facets=abc',
                       '/api/search?q=strike&sort=alphabet',
                       '/api/search',                # neither q nor filter
                       '/api/search?q=',
                       '/api/search?q=+++',
                       '/api/histogram',
                       '/api/histogram?q=strike&facets=abc'):
            with self.subTest(target=target):
                self.assertError(self.fetch(target), 400, target)

    def test_unknown_paths(self):
        for target in ('/nope', '/api', '/api/', '/api/searchx?q=strike',
                       '/api/search/more?q=strike', '/api/article',
                       '/api/article/', '/favicon.ico.php',
                       '/API/search?q=strike'):
            with self.subTest(target=target):
                r = self.fetch(target)
                if target in ('/api/article/',) and r.status == 400:
                    continue  # an empty id may be called malformed
                self.assertError(r, 404, target)

    def test_articles(self):
        self.assertError(self.fetch('/api/article/0000000000000000'), 404)
        self.assertError(self.fetch('/api/article/ffffffffffffffff'), 404)
        aid = self.search_api([('q', 'strike')])['hits'][0]['article']
        for bad in ('xyz', aid[:-1], aid + '0', aid.upper(), aid + '/',
                    aid + '%00', '%20' + aid, aid[:15] + 'g', '-1',
                    aid + '.json'):
            with self.subTest(id=bad):
                self.assertError(self.fetch('/api/article/' + bad), 400, bad)
        # A query string does not make the id another.
        r = self.fetch('/api/article/%s?q=strike' % aid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()['article'], aid)

    def test_methods(self):
        for method in ('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'):
            for target in ('/', '/api/search?q=strike'):
                with self.subTest(method=method, target=target):
                    r = self.fetch(target, method=method,
                                   body=b'q=strike' if method in
                                   ('POST', 'PUT', 'PATCH') else b'',
                                   headers=[('Origin', 'http://evil.com'),
                                            ('Access-Control-Request-Method',
                                             'POST')])
                    self.assertError(r, 405, method)
                    allow = [m.strip() for m in
                             (r.header('allow') or '').split(',')]
                    self.assertEqual(sorted(allow), ['GET', 'HEAD'], r)

    def test_no_cors_for_any_origin(self):
        for target in ('/', '/api/search?q=strike', '/nope'):
            r = self.fetch(target, headers=[('Origin', 'http://evil.com')])
            self.assertIn(r.status, (200, 404), r)  # assertSafe: no CORS
        r = self.fetch('/api/search?q=strike',
                       headers=[('Origin', 'http://127.0.0.1:%d'
                                 % self.server.port)])
        self.assertEqual(r.status, 200, r)

    def test_malformed_requests_do_not_hurt(self):
        """Garbage is refused (never 500) and the server goes on."""
        for raw in (b'HELLO\r\n\r\n', b'GET\r\n\r\n',
                    b'GET / HTTP/9.9\r\nHost: %s\r\n\r\n',
                    b'GET /api/search?q=%%zz HTTP/1.1\r\nHost: %s\r\n\r\n',
                    b'GET /api/search?q=%%ff%%fe HTTP/1.1\r\nHost: %s\r\n'
                    b'Connection: close\r\n\r\n',
                    b'GET / HTTP/1.1\r\nHost: %s\r\nBad Header\r\n\r\n',
                    b'GET / HTTP/1.1\r\nHost: %s\r\nContent-Length: -4'
                    b'\r\n\r\n',
                    b'GET /\x00 HTTP/1.1\r\nHost: %s\r\n\r\n'):
            with self.subTest(raw=raw):
                if b'%s' in raw:
                    raw = raw.replace(b'%s', self.host().encode()) \
                        .replace(b'%%', b'%')
                c = Conn(self.server.port)
                try:
                    c.send(raw)
                    try:
                        r = c.response()
                    except Closed:
                        continue  # closed without an answer: fine too
                    self.assertIsNotNone(r.status, r)
                    self.assertNotEqual(r.status, 500, r)
                    self.assertLess(r.status, 500, r)
                    self.assertSafe(r, raw)
                finally:
                    c.close()
        self.assertEqual(self.fetch('/api/search?q=strike').status, 200)


# --------------------------------------------------------------------------
# Safe by default

class Security(ServeCase):

    def test_host_must_name_the_server(self):
        port = self.server.port
        for host in ('localhost:%d' % port, '127.0.0.1:%d' % port,
                     '[::1]:%d' % port):
            for target in ('/', '/api/search?q=strike'):
                r = self.fetch(target, host=host)
                self.assertEqual(r.status, 200, (host, r))
        bad = ['evil.com', 'evil.com:%d' % port, 'localhost.evil.com:%d'
               % port, '127.0.0.1.evil.com:%d' % port,
               'localhost:%d.evil.com' % port, 'evil.com:%d@localhost' % port,
               'localhost:%d' % (port + 1), '127.0.0.1:%d' % (port - 1),
               'localhost', '127.0.0.1', '[::1]', '127.0.0.2:%d' % port,
               '0.0.0.0:%d' % port, 'localhost:%d:%d' % (port, port),
               '127.1:%d' % port, '2130706433:%d' % port, None]
        for host in bad:
            for target in ('/', '/api/search?q=strike',
                           '/api/article/da8a0c279fcc254c'):
                with self.subTest(host=host, target=target):
                    r = self.fetch(target, host=host)
                    doc = self.assertError(r, 403, host)
                    self.assertNotIn('hits', doc)
        # An empty Host is no host.
        self.assertIn(self.fetch('/', host='').status, (400, 403))
        # HTTP/1.0 without a Host header is no way around it.
        r = self.fetch('/api/search?q=strike', host=None, version='HTTP/1.0')
        self.assertIn(r.status, (400, 403), r)
        # Two Host headers, one of them good.
        for hosts in (['evil.com', self.host()], [self.host(), 'evil.com']):
            r = self.fetch('/', host=hosts[0], headers=[('Host', hosts[1])])
            self.assertIn(r.status, (400, 403), (hosts, r))

    def test_path_traversal(self):
        """No request path reaches the file system."""
        corpus_file = os.path.join(CORPUS, 'city', 'port-strike-begins.txt')
        with open(corpus_file, encoding='utf-8') as f:
            line = [ln for ln in f.read().split('\n') if len(ln) > 60][1]
        targets = [
            '/etc/passwd', '//etc/passwd', '/../../etc/passwd',
            '/api/article/../../etc/passwd',
            '/api/article/../../../../../../etc/passwd',
            '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd',
            '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/api/article/%2e%2e%2f',
            '/api/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
            '/api/article/..%252f..%252fetc%252fpasswd',
            '/api/article/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
            '/..\\..\\etc\\passwd', '/api/article/..\\..\\etc\\passwd',
            '/api/article/%2e%2e%5c%2e%2e%5cetc%5cpasswd',
            '/static/../../../../etc/passwd', '/./etc/passwd',
            '/api/../etc/passwd', '/api/article/' + corpus_file,
            '/api/article/' + urllib.parse.quote(corpus_file, safe=''),
            '/' + corpus_file, '/api/search/../../etc/passwd',
            '/api/article/%00../../etc/passwd', '/file:///etc/passwd',
        ]
        for target in targets:
            with self.subTest(target=target):
                r = self.fetch(target)
                self.assertIn(r.status, (400, 404), (target, r))
                self.assertNotIn(b'root:', r.body)
                self.assertNotIn(line.encode(), r.body)
        # Through the page's state, which is the page itself.
        for target in ('/?article=../../etc/passwd',
                       '/?article=' + urllib.parse.quote(corpus_file)):
            r = self.fetch(target)
            self.assertNotIn(b'root:', r.body)
            self.assertNotIn(line.encode(), r.body)

    def test_oversize_request_line_and_headers(self):
        r = self.fetch('/?x=' + 'a' * 7000)
        self.assertEqual(r.status, 200, 'a 7 KB request line is allowed')
        r = self.fetch('/?x=' + 'a' * 9000)
        self.assertError(r, 414)
        r = self.fetch('/' + 'a' * 20000)
        self.assertError(r, 414)
        big = [('X-Pad-%d' % i, 'b' * 1000) for i in range(12)]
        r = self.fetch('/', headers=big)
        self.assertEqual(r.status, 200, '12 KB of headers are allowed')
        for headers in ([('X-Pad-%d' % i, 'b' * 1000) for i in range(18)],
                        [('X-Big', 'c' * 20000)],
                        [('X-Small-%d' % i, 'd' * 20) for i in range(800)],
                        [('Cookie', 'e' * 17000)]):
            with self.subTest(n=len(headers)):
                self.assertError(self.fetch('/', headers=headers), 431)
        self.assertEqual(self.fetch('/api/search?q=strike').status, 200)

    def test_headers_on_every_response(self):
        """The security headers on each kind of response (fetch checks
        them on every one)."""
        aid = self.search_api([('q', 'strike')])['hits'][0]['article']
        for target, status in (('/', 200), ('/api/search?q=strike', 200),
                               ('/api/histogram?q=strike', 200),
                               ('/api/article/' + aid, 200),
                               ('/api/article/0000000000000000', 404),
                               ('/api/article/bad', 400),
                               ('/api/search?q=strike&limit=x', 400),
                               ('/nope', 404)):
            self.assertEqual(self.fetch(target).status, status, target)
        self.assertEqual(self.fetch('/', host='evil.com').status, 403)
        self.assertEqual(self.fetch('/', method='POST').status, 405)


# --------------------------------------------------------------------------
# Many clients, slow clients

def timed_search(port, host, target='/api/search?q=strike', barrier=None,
                 conn=None):
    """One search on its own connection: (status, body, seconds) or
    (None, error, seconds)."""
    t0 = time.monotonic()
    c = None
    try:
        c = conn or Conn(port)
        if barrier is not None:
            barrier.wait(timeout=WAIT)
        c.send(request_bytes('GET', target, host))
        r = c.response()
        return r.status, r.body, time.monotonic() - t0
    except Exception as e:  # noqa: BLE001 (reported by the test)
        return None, repr(e), time.monotonic() - t0
    finally:
        if c is not None:
            c.close()


def in_threads(n, fn):
    out = [None] * n

    def one(i):
        out[i] = fn(i)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=WAIT * 2)
    return out


class Load(ServeCase):

    def test_200_concurrent_searches(self):
        """200 connections open at once, each asking a search at the same
        moment: every one answered, and alike (fewer than the cap)."""
        port, host = self.server.port, self.host()
        want = articles_of(self.search_api([('q', 'strike')]))
        conns = [Conn(port) for _ in range(200)]
        barrier = threading.Barrier(200)
        res = in_threads(200, lambda i: timed_search(port, host,
                                                     barrier=barrier,
                                                     conn=conns[i]))
        statuses = [r[0] for r in res]
        self.assertEqual(statuses.count(200), 200,
                         [r[:2] for r in res if r[0] != 200][:5])
        for status, body, _ in res:
            self.assertEqual(articles_of(json.loads(body)), want)
        self.assertTrue(self.server.alive())

    def test_connection_cap(self):
        """256 connections held open; one more is closed at once (or told
        503), and served again once they go."""
        port, host = self.server.port, self.host()
        time.sleep(0.5)  # the last test's connections seen closed
        held = []
        try:
            t0 = time.monotonic()
            for i in range(MAX_CONNECTIONS):
                c = Conn(port)
                held.append(c)
                c.send(request_bytes('GET', '/nope', host, close=False))
                r = c.response()
                self.assertEqual(r.status, 404, (i, r))
            self.assertLess(time.monotonic() - t0, 8,
                            'too slow to hold them all open')
            extra = Conn(port, timeout=5)
            try:
                extra.send(request_bytes('GET', '/api/search?q=strike', host))
                r = extra.response()
                self.assertError(r, 503, 'connection %d'
                                 % (MAX_CONNECTIONS + 1))
            except (Closed, ConnectionError):
                pass  # closed at once
            except socket.timeout:
                self.fail('connection %d neither served nor closed in 5 s'
                          % (MAX_CONNECTIONS + 1))
            finally:
                extra.close()
            # The held ones still work.
            held[0].send(request_bytes('GET', '/nope', host, close=False))
            self.assertEqual(held[0].response().status, 404)
        finally:
            for c in held:
                c.close()
        deadline = time.monotonic() + 5
        while True:
            status, body, _ = timed_search(port, host)
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(status, 200, body)

    def test_idle_and_slow_clients_are_closed(self):
        """A client that says nothing, one that sends half a request, one
        that trickles a header a byte at a time, and one that idles after
        its answer are closed after the idle timeout (--idle-timeout, 3 s
        here); meanwhile 20 others are served, and one that asks again
        every second is kept. The shared server, at its default (10 s),
        keeps a silent connection all that time."""
        idle_s = 3
        srv = self.start([shared()['db']], '--idle-timeout',
                         str(idle_s * 1000))
        port, host = srv.port, self.host(srv)
        default = Conn(self.server.port)
        start = time.monotonic()
        silent = Conn(port)
        partial = Conn(port)
        partial.send(b'GET /api/search?q=strike HTTP/1.1\r\nHost: %s\r\n'
                     % host.encode())
        trickle = Conn(port)
        trickle.send(b'GET / HTTP/1.1\r\nHost: %s\r\nX-Slow: '
                     % host.encode())
        idle = Conn(port)
        idle.send(request_bytes('GET', '/nope', host, close=False))
        self.assertEqual(idle.response().status, 404)
        idle_since = time.monotonic()
        busy = Conn(port)
        closed = {}
        stop = threading.Event()

        def watch(name, c):
            if c.wait_closed(idle_s + 8):
                closed[name] = time.monotonic()

        def drip():
            while not stop.is_set():
                try:
                    trickle.sock.send(b'a')
                except OSError:
                    return
                stop.wait(0.2)
        watchers = [threading.Thread(target=watch, args=(n, c))
                    for n, c in (('silent', silent), ('partial', partial),
                                 ('trickle', trickle), ('idle', idle))]
        for t in watchers + [threading.Thread(target=drip, daemon=True)]:
            t.start()
        try:
            res = in_threads(20, lambda i: timed_search(port, host))
            for status, body, secs in res:
                self.assertEqual(status, 200, body)
                self.assertLess(secs, 5)
            # The busy client: a request every second, past the timeout.
            while time.monotonic() - start < idle_s + 2:
                busy.send(request_bytes('GET', '/api/search?q=port', host,
                                        close=False))
                self.assertEqual(busy.response().status, 200)
                time.sleep(1)
            for t in watchers:
                t.join(timeout=idle_s + 10)
            self.assertFalse(default.wait_closed(0.1),
                             'the default idle timeout is not 10 s')
        finally:
            stop.set()
            for c in (silent, partial, trickle, idle, busy, default):
                c.close()
        self.assertGreaterEqual(time.monotonic() - start, idle_s + 2)
        since = {'silent': start, 'partial': start, 'trickle': start,
                 'idle': idle_since}
        for name, t0 in since.items():
            self.assertIn(name, closed, '%s client never closed' % name)
            secs = closed[name] - t0
            self.assertGreaterEqual(secs, idle_s - 0.5, (name, secs))
            self.assertLessEqual(secs, idle_s + 3, (name, secs))
        self.assertEqual(srv.stop(), 0, srv)


# --------------------------------------------------------------------------
# A live index, a failing index, signals

class LiveIndex(ServeCase):

    own_server = True

    def test_new_articles_without_restart(self):
        self.write('one.txt', 'Lighthouse keepers\n\nThe lighthouse keepers '
                   'of the northern cape met on Monday.\n')
        self.index()
        srv = self.start([self.db])
        self.assertEqual(self.search_api([('q', 'zorblatt')], server=srv)
                         ['hits'], [])
        new = self.write('two.txt', 'Zorblatt harvest\n\nThe zorblatt '
                         'harvest began early this year in the valley.\n')
        self.index()
        doc = self.search_api([('q', 'zorblatt')], server=srv)
        self.assertEqual([h['path'] for h in doc['hits']], [new], doc)
        view = self.api('/api/article/' + doc['hits'][0]['article'],
                        server=srv)
        self.assertEqual(view['path'], new)
        hist = self.api('/api/histogram', [('q', 'zorblatt')], server=srv)
        self.assertEqual(hist['articles'], 1)
        os.unlink(new)
        self.index()
        self.assertEqual(self.search_api([('q', 'zorblatt')], server=srv)
                         ['hits'], [])
        self.assertError(self.fetch('/api/article/'
                                    + doc['hits'][0]['article'], server=srv),
                         404)
        self.assertEqual(srv.stop(), 0, srv)

    def test_database_down_is_503(self):
        db = os.path.join(self.tmp, 'city')
        self.index(os.path.join(CORPUS, 'city'), db=db)
        srv = self.start([db])
        before = self.search_api([('q', 'strike')], server=srv)
        self.assertTrue(before['hits'])
        aid = before['hits'][0]['article']
        shutil.rmtree(db)
        for target in ('/api/search?q=strike', '/api/histogram?q=strike'):
            err = self.assertError(self.fetch(target, server=srv), 503,
                                   target)
            self.assertIn(db, err['error'])
        self.assertEqual(srv.stop(), 0, srv)

    def test_database_back_is_served_again(self):
        """A database removed and built again where it was (rm -rf and
        passim-index, as one starts over) is searched again without a
        restart, whether or not a search met it gone."""
        db = os.path.join(self.tmp, 'city')
        self.index(os.path.join(CORPUS, 'city'), db=db)
        srv = self.start([db])
        before = self.search_api([('q', 'strike')], server=srv)
        aid = before['hits'][0]['article']
        shutil.rmtree(db)
        self.index(os.path.join(CORPUS, 'city'), db=db)
        self.assertEqual(articles_of(self.search_api([('q', 'strike')],
                                                     server=srv)),
                         articles_of(before))
        shutil.rmtree(db)
        self.assertError(self.fetch('/api/search?q=strike', server=srv), 503)
        self.index(os.path.join(CORPUS, 'city'), db=db)
        again = self.search_api([('q', 'strike')], server=srv)
        self.assertEqual(articles_of(again), articles_of(before))
        self.assertEqual(self.api('/api/article/' + aid, server=srv)
                         ['article'], aid)
        self.assertEqual(srv.stop(), 0, srv)

    def test_allow_partial(self):
        city = os.path.join(self.tmp, 'city')
        energy = os.path.join(self.tmp, 'energy')
        self.index(os.path.join(CORPUS, 'city'), db=city)
        self.index(os.path.join(CORPUS, 'energy'), db=energy)
        srv = self.start([city, energy], '--allow-partial')
        params = [('q', 'port')]
        whole = self.search_api(params, server=srv)
        self.assertEqual(whole['shards_failed'], [])
        self.assertTrue(any('/energy/' in h['path'] for h in whole['hits']))
        shutil.rmtree(energy)
        doc = self.search_api(params, server=srv)
        # The database, or the shards of it that the server had open
        # (passim-index makes one per CPU).
        self.assertTrue(doc['shards_failed'], doc)
        for name in doc['shards_failed']:
            self.assertTrue(name == energy or name.startswith(energy + '/'),
                            doc['shards_failed'])
        self.assertTrue(doc['warnings'])
        self.assertIn(energy, ' '.join(doc['warnings']))
        self.assertTrue(doc['hits'])
        self.assertFalse([h for h in doc['hits'] if '/energy/' in h['path']])
        status, want = self.cli(params, dbs=[city, energy],
                                opts=('--allow-partial',))
        self.assertEqual(status, 0, want)
        got, w = dict(doc), dict(want)
        for key in ('warnings', 'shards_failed'):
            got.pop(key)
            w.pop(key)
        self.assertSameDoc(got, w, 'partial')
        hist = self.api('/api/histogram', params, server=srv)
        self.assertEqual(hist['articles'], doc['facet_articles'])
        # Every database down: nothing to give.
        shutil.rmtree(city)
        r = self.fetch('/api/search?q=port', server=srv)
        if r.status == 200:
            self.assertEqual(r.json()['hits'], [])
            failed = ' '.join(r.json()['shards_failed'])
            self.assertIn(city, failed)
            self.assertIn(energy, failed)
        else:
            self.assertError(r, 503)
        self.assertEqual(srv.stop(), 0, srv)

    def test_missing_database_at_start(self):
        good = os.path.join(self.tmp, 'city')
        missing = os.path.join(self.tmp, 'never-made')
        self.index(os.path.join(CORPUS, 'city'), db=good)
        srv = self.start([good, missing], '--allow-partial')
        doc = self.search_api([('q', 'strike')], server=srv)
        self.assertEqual(doc['shards_failed'], [missing], doc)
        self.assertTrue(doc['hits'])
        self.assertEqual(srv.stop(), 0, srv)
        # Without --allow-partial: refused at start, or 503 on search.
        try:
            srv = self.start([missing])
        except RuntimeError as e:
            self.assertIn(missing, str(e))
            return
        err = self.assertError(self.fetch('/api/search?q=strike',
                                          server=srv), 503)
        self.assertIn(missing, err['error'])
        self.assertEqual(srv.stop(), 0, srv)


class Signals(ServeCase):

    own_server = True

    def _stops_cleanly(self, sig):
        srv = self.start([shared()['db']])
        kept = Conn(srv.port)
        kept.send(request_bytes('GET', '/api/search?q=strike', self.host(srv),
                                close=False))
        self.assertEqual(kept.response().status, 200)
        half = Conn(srv.port)
        half.send(b'GET / HTTP/1.1\r\n')
        # Clients busy searching while the signal comes.
        stop = threading.Event()
        seen = []

        def hammer():
            while not stop.is_set():
                status, body, _ = timed_search(srv.port, self.host(srv))
                seen.append((status, body))
                if status is None:
                    return
        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        status = srv.stop(sig, timeout=10)
        secs = time.monotonic() - t0
        stop.set()
        for t in threads:
            t.join(timeout=WAIT)
        kept.close()
        half.close()
        self.assertEqual(status, 0, srv)
        self.assertLess(secs, 5, srv)
        # A response cut off is never passed for a whole one.
        for status, body in seen:
            if status == 200:
                json.loads(body)
        self.assertTrue([s for s, _ in seen if s == 200])
        with self.assertRaises(OSError):
            socket.create_connection(('127.0.0.1', srv.port), 2).close()

    def test_sigint(self):
        self._stops_cleanly(signal.SIGINT)

    def test_sigterm(self):
        self._stops_cleanly(signal.SIGTERM)

    def test_bind(self):
        """--bind: its address in the URL and accepted as Host; a
        non-loopback address warns that anyone may read the index."""
        srv = self.start([shared()['db']], '--bind', '127.0.0.2')
        self.assertNotIn('warning', srv.stderr.lower())
        c = Conn(srv.port, addr='127.0.0.2')
        try:
            for host, status in (('127.0.0.2:%d' % srv.port, 200),
                                 ('localhost:%d' % srv.port, 200),
                                 ('evil.com:%d' % srv.port, 403)):
                c.send(request_bytes('GET', '/api/search?q=strike', host,
                                     close=False))
                r = c.response()
                self.assertEqual(r.status, status, (host, r))
        finally:
            c.close()
        with self.assertRaises(OSError):
            socket.create_connection(('127.0.0.1', srv.port), 2).close()
        self.assertEqual(srv.stop(), 0, srv)
        bound = srv.host
        srv = self.start([shared()['db']], '--bind', '0.0.0.0')
        deadline = time.monotonic() + 5
        while 'warning' not in srv.stderr.lower() and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn('warning', srv.stderr.lower(), srv)
        self.assertIn('index', srv.stderr.lower(), srv)
        self.assertEqual(srv.stop(), 0, srv)
        # The URL printed is the one it listens on.
        self.assertEqual(bound, '127.0.0.2')


class ZzShutdown(ServeCase):
    """Last (the harness runs classes in name order): the shared server
    stops on SIGTERM with status 0."""

    def test_shared_server_stops_on_sigterm(self):
        srv = self.server
        status = srv.stop(signal.SIGTERM)
        _SHARED.pop('server', None)
        self.server = None
        self.assertEqual(status, 0, srv)


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
