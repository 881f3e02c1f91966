#!/usr/bin/env python3
"""End-to-end tests: mail and news posts. MIME parts and charsets are
decoded, the author is a field and a facet, and a quoted reply ranks below
the words of the post that has them as its own."""

import sys

import harness

# A MIME mail: encoded words, a multipart/alternative (quoted-printable
# ISO-8859-1 plain part, HTML part), a base64 KOI8-R part, an attachment.
MIME = (
    b'From: =?utf-8?q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= <zoe@example.org>\r\n'
    b'To: team@example.org\r\n'
    b'Subject: =?iso-8859-1?q?Re=3A_=DCberweisung_f=FCr_die_Kl=E4ranlage?=\r\n'
    b'Date: Tue, 03 Mar 2026 10:00:00 +0100\r\n'
    b'MIME-Version: 1.0\r\n'
    b'Content-Type: multipart/mixed; boundary="outer"\r\n'
    b'\r\n'
    b'--outer\r\n'
    b'Content-Type: multipart/alternative; boundary="inner"\r\n'
    b'\r\n'
    b'--inner\r\n'
    b'Content-Type: text/plain; charset="iso-8859-1"\r\n'
    b'Content-Transfer-Encoding: quoted-printable\r\n'
    b'\r\n'
    b'Die Kl=E4ranlage in G=F6rlitz braucht eine neue Pumpe, sagt =\r\n'
    b'mimewordalpha.\r\n'
    b'--inner\r\n'
    b'Content-Type: text/html; charset=utf-8\r\n'
    b'\r\n'
    b'<p>htmlwordbeta</p>\r\n'
    b'--inner--\r\n'
    b'--outer\r\n'
    b'Content-Type: text/plain; charset=koi8-r\r\n'
    b'Content-Transfer-Encoding: base64\r\n'
    b'\r\n'
    + __import__('base64').b64encode(
        'Привет из Москвы.'.encode('koi8-r')) + b'\r\n'
    b'--outer\r\n'
    b'Content-Type: application/octet-stream; name="x.bin"\r\n'
    b'Content-Disposition: attachment; filename="x.bin"\r\n'
    b'Content-Transfer-Encoding: base64\r\n'
    b'\r\n'
    b'YXR0YWNod29yZGdhbW1hIGF0dGFjaHdvcmRnYW1tYQ==\r\n'
    b'--outer--\r\n')


def post(author, subject, body, n):
    return ('From: %s\nSubject: %s\nNewsgroups: sci.space\n'
            'Date: Tue, %d Apr 1993 14:03:11 GMT\nLines: 9\n\n%s'
            % (author, subject, n, body))


class Posts(harness.PassimCase):

    def test_mime_mail(self):
        """Its title and author decoded from encoded words; the plain
        part's text in its charset, the KOI8-R part's too; the HTML
        alternative and the attachment are not searchable."""
        mail = self.write('inbox/cur/1.eml', MIME)
        r = self.index()
        self.assertIn(' 1 indexed,', r.err, r)
        doc = self.search('Kläranlage')
        self.assertEqual(self.hit_paths(doc), [mail], doc)
        hit = doc['hits'][0]
        self.assertEqual(hit['title'], 'Überweisung für die Kläranlage', hit)
        self.assertEqual(hit['published'], '2026-03-03', hit)
        self.assertIn('Görlitz braucht eine neue Pumpe, sagt mimewordalpha',
                      hit['text'], hit)
        self.assertEqual(self.hit_paths(self.search('mimewordalpha')), [mail])
        self.assertEqual(self.hit_paths(self.search('Москвы')), [mail])
        self.search('htmlwordbeta', expect=1)
        self.search('attachwordgamma', expect=1)
        doc = self.search('Kläranlage', opts=('author:Ångström',))
        self.assertEqual(self.hit_paths(doc), [mail], doc)
        self.assertEqual(doc['facets']['author'],
                         [{'value': 'Zoë Ångström', 'count': 1}], doc)

    def test_maildir(self):
        """A Maildir: the messages in cur/ and new/ (names with ':2,S'
        flags) are posts; tmp/, where a client writes what it has not
        delivered, is skipped, as is any name under it."""
        cur = self.write('Mail/INBOX/cur/1700000000.M1P2.host:2,S',
                         post('Ann Lee <ann@example.org>', 'Seen',
                              'maildirwordcur here.\n', 7))
        new = self.write('Mail/INBOX/new/1700000001.M3P4.host',
                         post('Ann Lee <ann@example.org>', 'New',
                              'maildirwordnew here.\n', 8))
        self.write('Mail/INBOX/tmp/1700000002.M5P6.host',
                   'From: Ann Lee <ann@example.org>\nSubject: Half\n\n'
                   'maildirwordtmp and then noth')
        # A folder named tmp elsewhere is an ordinary folder.
        other = self.write('notes/tmp/plain.txt', 'Plain\n\ntmpfolderword.\n')
        r = self.index()
        self.assertIn(' 3 indexed,', r.err, r)
        self.assertEqual(self.hit_paths(self.search('maildirwordcur')), [cur])
        self.assertEqual(self.hit_paths(self.search('maildirwordnew')), [new])
        self.search('maildirwordtmp', expect=1)
        self.assertEqual(self.hit_paths(self.search('tmpfolderword')), [other])
        doc = self.search('maildirwordnew')
        self.assertEqual(doc['hits'][0]['title'], 'New', doc)

    def test_author_field_and_facet(self):
        """author: matches a post's From: (a surname finds the full name)
        and nothing else; person: does not match authors; the facet counts
        articles by author."""
        a = self.write('news/1', post('jdoe@example.edu (Jane Doe)',
                                      'Debris', 'Orbital debris grows.\n', 1))
        b = self.write('news/2', post('Jane Doe <jdoe@example.edu>',
                                      'Re: Debris', 'Debris again.\n', 2))
        c = self.write('news/3', post('bob@example.com (Bob Smith)',
                                      'Launch', 'Debris and launches.\n', 3))
        self.index()
        doc = self.search('debris', opts=('author:"Jane Doe"',))
        self.assertEqual(sorted(set(self.hit_paths(doc))), [a, b], doc)
        doc = self.search('debris', opts=('author:doe',))
        self.assertEqual(sorted(set(self.hit_paths(doc))), [a, b], doc)
        doc = self.search('debris', '-author:doe', opts=('--',))
        self.assertEqual(self.hit_paths(doc), [c], doc)
        self.search('debris', opts=('person:"Jane Doe"',), expect=1,
                    note=b'no person named "Jane Doe" in the index')
        doc = self.search('debris')
        self.assertEqual(doc['facets']['author'],
                         [{'value': 'Jane Doe', 'count': 2},
                          {'value': 'Bob Smith', 'count': 1}], doc)
        text = self.query('debris', expect=0).out
        self.assertIn('authors', text)
        self.assertIn('Jane Doe (2)', text)

    def test_quoted_reply_ranks_below(self):
        """A word that one post quotes and another says in its own words:
        the second ranks first, though the quoting post is newer; within
        the quoting post, its own passage ranks above its quote (which,
        shorter, would outrank it unweighted)."""
        text = ('The thrusters on the probe use xenon propellant and the '
                'quotedword ion drive, as the mission notes explain.\n')
        own = self.write('news/own', post('Ann Lee <ann@example.org>',
                                          'Drives', text, 5))
        reply = ('I am not convinced that this kind of drive scales to the '
                 'larger craft the agency has in mind for the next decade, '
                 'since the power needed grows faster than the panels can '
                 'deliver and the xenon supply is limited by what the tanks '
                 'can hold on a launcher of that class, so the schedule '
                 'looks optimistic to me and to most people I asked.\n')
        quoting = self.write('news/quoting', post(
            'Bo Kim <bo@example.org>', 'Re: Drives',
            'In article <1@example.org> ann@example.org writes:\n'
            + ''.join('> ' + line + '\n' for line in text.splitlines())
            + '\n' + reply, 6))
        self.index()
        doc = self.search('quotedword')
        self.assertEqual(self.hit_paths(doc), [own, quoting], doc)
        self.assertGreater(doc['hits'][0]['score'], doc['hits'][1]['score'])
        doc = self.search('xenon', opts=('--per-article', '2'))
        mine = [h for h in doc['hits'] if h['path'] == quoting]
        self.assertEqual(len(mine), 2, doc)
        self.assertTrue(mine[0]['text'].startswith('I am not convinced'), doc)
        self.assertTrue(mine[1]['text'].startswith('In article'), doc)

if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
