#!/usr/bin/env python3
"""End-to-end tests of batch queries and TREC run output: passim --batch
FILE --trec TAG on a small folder; natural-language queries never fail."""

import os
import re
import sys

import harness

TREC_LINE = re.compile(r'^(\S+) Q0 (\S+) (\d+) (-?\d+\.\d+) (\S+)$')


def para(words, n=40):
    return ' '.join((words + ' ') * 3 for _ in range(1)) + \
        ' '.join('filler%d' % (i % 7) for i in range(n)) + '.'


class RelevanceTest(harness.PassimCase):

    def make_corpus(self):
        # Each article has several passages, so "one line per article" is
        # something the output could get wrong.
        for name, words in (('alpha', 'zebra migration across rivers'),
                            ('beta', 'zebra stripes and migration'),
                            ('gamma', 'penguins dive for krill'),
                            ('delta', 'solar wind and zebra finches')):
            body = '\n\n'.join(para(words + ' part %d' % i) for i in range(4))
            self.write('%s/%s.txt' % (name[0], name),
                       name.capitalize() + ' Notes\n\n' + body + '\n')
        self.index('-q', self.docs)

    def batch(self, text, *opts, expect=None):
        path = self.write('queries.tsv', text, root=self.tmp)
        return self.query(opts=('--batch', path) + opts, expect=expect)

    def trec_lines(self, r):
        rows = []
        for line in r.out.splitlines():
            m = TREC_LINE.match(line)
            self.assertTrue(m, 'not a TREC run line: %r' % line)
            rows.append((m.group(1), m.group(2), int(m.group(3)),
                         float(m.group(4)), m.group(5)))
        return rows

    def test_trec_lines(self):
        self.make_corpus()
        r = self.batch('q1\tzebra migration\nq2\tpenguins krill\n',
                       '--trec', 'run7', '--trec-id', 'name',
                       '--per-article', '3', expect=0)
        rows = self.trec_lines(r)
        by_q = {}
        for qid, docid, rank, score, tag in rows:
            self.assertEqual(tag, 'run7')
            by_q.setdefault(qid, []).append((rank, docid, score))
        self.assertEqual(set(by_q), {'q1', 'q2'})
        for qid, hits in by_q.items():
            ranks = [h[0] for h in hits]
            self.assertEqual(ranks, list(range(1, len(hits) + 1)), qid)
            docids = [h[1] for h in hits]
            self.assertEqual(len(docids), len(set(docids)),
                             'one line per article: %r' % rows)
            scores = [h[2] for h in hits]
            self.assertEqual(scores, sorted(scores, reverse=True), qid)
        self.assertEqual({h[1] for h in by_q['q1']}, {'alpha', 'beta'})
        self.assertEqual([h[1] for h in by_q['q2']], ['gamma'])

    def test_limit_counts_articles(self):
        self.make_corpus()
        r = self.batch('x\tzebra\n', '--trec', 't', '--limit', '2',
                       expect=0)
        self.assertEqual(len(self.trec_lines(r)), 2, r)

    def test_single_query_trec(self):
        self.make_corpus()
        r = self.query('penguins', opts=('--trec', 'one', '--trec-id', 'name'),
                       expect=0)
        self.assertEqual([row[1] for row in self.trec_lines(r)], ['gamma'])

    def test_trec_ids_are_unique_paths(self):
        # Two files of one name in two folders, and a name with a blank:
        # by default a docid is the path without extension, relative to
        # the current folder, one field.
        for folder in ('business', 'politics'):
            self.write('%s/152.txt' % folder,
                       'Budget\n\n' + para('zqcollide budget talks') + '\n')
        self.write('my notes.txt', 'Notes\n\n' + para('zqcollide') + '\n')
        self.index('-q', self.docs)
        r = harness.run([harness.PASSIM, '--db', self.db, '--trec', 't',
                         'zqcollide'], env=self.env, cwd=self.docs)
        self.assertEqual(r.status, 0, r)
        ids = sorted(row[1] for row in self.trec_lines(r))
        self.assertEqual(ids, ['business/152', 'my%20notes', 'politics/152'])
        # Elsewhere, the whole path; with --trec-id name, the file name.
        r = self.query('zqcollide', opts=('--trec', 't'), expect=0)
        for row in self.trec_lines(r):
            self.assertTrue(row[1].startswith(self.docs.replace(' ', '%20')),
                            row)
        r = self.query('zqcollide', opts=('--trec', 't', '--trec-id', 'name'),
                       expect=0)
        self.assertEqual(sorted(row[1] for row in self.trec_lines(r)),
                         ['152', '152', 'my%20notes'])

    def test_malformed_line(self):
        self.make_corpus()
        r = self.batch('q1\tzebra\nno tab on this line\nq3\tkrill\n',
                       '--trec', 't', expect=2)
        self.assertIn(':2:', r.err)
        self.assertEqual(r.stdout, b'', r)

    def test_natural_language_never_fails(self):
        self.make_corpus()
        queries = [
            '0-dimensional biomaterials show inductive properties.',
            'Zebra "migration (across rivers) is NOT seasonal.',
            'Figure: zebra AND penguins OR * krill -- (see table 2',
            'NOT zebra',
            'AND OR NOT NEAR',
            '*** ??? :: "" ()',
            'title: zebra path: c/d? +-+ migration*',
        ]
        text = ''.join('n%d\t%s\n' % (i, q) for i, q in enumerate(queries))
        r = self.batch(text, '--trec', 't', '--trec-id', 'name')
        self.assertIn(r.status, (0, 1), r)
        self.assertEqual(r.err, '', r)
        self.trec_lines(r)
        for q in queries:
            r = self.query(q)
            self.assertIn(r.status, (0, 1), r)
            self.assertNotIn('malformed', r.err, r)

    def test_long_queries_rank_any_word(self):
        self.make_corpus()
        # Five words, one of them absent everywhere: strict AND would
        # find nothing, ranking finds the zebra articles.
        r = self.query('do zebra stripes help migration xylophone',
                       opts=('--trec', 't', '--trec-id', 'name'), expect=0)
        docids = [row[1] for row in self.trec_lines(r)]
        self.assertEqual(docids[0], 'beta', r)

    def scores(self, query, *opts):
        r = self.query(query, opts=('--trec', 't', '--trec-id', 'name') + opts,
                       expect=0)
        return {row[1]: row[3] for row in self.trec_lines(r)}

    def test_second_stage_weighs_the_share_of_the_query_matched(self):
        # "one" has a single query word, many times; "all" has every
        # query word once. The second stage scales an article's score by
        # the square root of the share of the query's IDF weight it
        # matches: "one" loses, "all" (everything matched) keeps its
        # score. "habitat" is in no article and weighs nothing.
        self.write('o/one.txt', 'Okapi Notes\n\n' +
                   para('okapi okapi okapi okapi') + '\n')
        self.write('a/all.txt', 'Field Notes\n\n' +
                   para('okapi quagga narwhal axolotl') + '\n')
        for i in range(6):  # okapi is the most common of the words
            self.write('f/okapi%d.txt' % i, 'Okapi %d\n\n' % i +
                       para('okapi zoo keeper %d' % i) + '\n')
        self.index('-q', self.docs)
        q = 'okapi quagga narwhal axolotl habitat'
        first = self.scores(q, '--rank', 'coverage=0')
        both = self.scores(q)
        self.assertAlmostEqual(both['all'], first['all'], places=4)
        self.assertLess(both['one'], 0.5 * first['one'])
        self.assertEqual(max(both, key=both.get), 'all')
        # Only the best `rerank` articles are rescored; the others follow,
        # their scores below.
        r = self.query(q, opts=('--trec', 't', '--trec-id', 'name', '--rank',
                                'rerank=1'),
                       expect=0)
        rows = self.trec_lines(r)
        self.assertEqual({row[1] for row in rows}, set(both))
        self.assertEqual(rows[0][1], 'all')
        scores = [row[3] for row in rows]
        self.assertEqual(scores, sorted(scores, reverse=True))


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
