"""test_facets.py — entity facets and filters, end to end, on corpus/.

corpus/ was written for this project with recurring people, places,
organisations and dates (see the articles): these tests index it once and
check that facets name them, that counts are numbers of matching articles,
and that filters narrow results to the articles that mention an entity.
"""

import json
import os
import sys
import tempfile

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.realpath(os.path.join(HERE, '..', '..', 'corpus'))


_SHARED = {}


def shared_db():
    """corpus/ indexed once for the whole module (the harness runs test
    methods one by one, without setUpClass)."""
    if 'db' not in _SHARED:
        _SHARED['tmp'] = tempfile.TemporaryDirectory(prefix='passim-facets-')
        _SHARED['db'] = os.path.join(_SHARED['tmp'].name, 'db')
        r = harness.run([harness.PASSIM_INDEX, '--db', _SHARED['db'], '-q',
                         CORPUS], env=harness.clean_env())
        assert r.status == 0, r
    return _SHARED['db']


class FacetsTest(harness.PassimCase):

    @property
    def shared_db(self):
        return shared_db()

    def find(self, *words, opts=()):
        return self.search(*words, db=self.shared_db,
                           opts=('--limit', '100', '--per-article', '1')
                           + tuple(opts))

    def facet(self, doc, kind):
        return {f['value']: f['count'] for f in doc['facets'][kind]}

    def article_text(self, path):
        with open(path, encoding='utf-8') as f:
            return f.read()

    def test_facets_name_people_and_places(self):
        doc = self.find('vaccine', opts=('--facets', '20'))
        self.assertTrue(doc['facets_exact'])
        people = self.facet(doc, 'person')
        places = self.facet(doc, 'place')
        self.assertIn('Amara Okafor', people, doc['facets'])
        self.assertIn('Nairobi', places, doc['facets'])
        orgs = self.facet(doc, 'org')
        self.assertIn('Helvion Biotech', orgs, doc['facets'])
        # Counts are articles, never more than the matching articles.
        for kind in ('person', 'place', 'org', 'misc', 'date'):
            for f in doc['facets'][kind]:
                self.assertLessEqual(f['count'], doc['facet_articles'])

    def test_surname_and_title_fold_into_full_name(self):
        doc = self.find('Okafor', opts=('--facets', '50'))
        people = self.facet(doc, 'person')
        self.assertIn('Amara Okafor', people)
        for wrong in ('Okafor', 'Dr. Okafor', 'Dr. Amara Okafor',
                      "Okafor's", 'Okafor’s'):
            self.assertNotIn(wrong, people)

    def test_count_equals_filtered_articles(self):
        """A facet's count is exactly the number of matching articles that
        its filter keeps."""
        doc = self.find('strike', opts=('--facets', '5'))
        for kind, field in (('person', 'person'), ('place', 'place'),
                            ('org', 'org')):
            for f in doc['facets'][kind][:3]:
                narrowed = self.find('strike', '%s:"%s"' % (field, f['value']))
                articles = {h['path'] for h in narrowed['hits']}
                self.assertEqual(len(articles), f['count'], (kind, f))

    def test_hits_carry_entity_spans(self):
        doc = self.find('Okafor')
        seen = []
        for h in doc['hits']:
            text = h['text'].encode('utf-8')
            for e in h['entities']:
                self.assertIn(e['type'], ('person', 'place', 'org', 'misc',
                                          'date'))
                self.assertLess(e['start'], e['end'])
                self.assertLessEqual(e['end'], len(text))
                seen.append((e['type'],
                             text[e['start']:e['end']].decode('utf-8')))
        self.assertTrue(any(t == 'person' and 'Okafor' in s
                            for t, s in seen), seen)

    def test_person_filter_narrows(self):
        everything = self.find('dengue')
        narrowed = self.find('dengue', 'person:"Amara Okafor"')
        self.assertTrue(narrowed['hits'])
        self.assertLess(len(narrowed['hits']), len(everything['hits']) + 1)
        for h in narrowed['hits']:
            self.assertIn('Okafor', self.article_text(h['path']), h['path'])
        # Case does not matter in a filter value.
        lower = self.find('dengue', 'person:"amara okafor"')
        self.assertEqual(self.hit_paths(lower), self.hit_paths(narrowed))

    def test_filter_alone_and_place(self):
        doc = self.find('place:Osaka')
        self.assertTrue(doc['hits'])
        for h in doc['hits']:
            self.assertIn('Osaka', self.article_text(h['path']), h['path'])

    def test_unknown_value_is_no_result_not_error(self):
        r = self.query('wind', 'person:"Nobody Atall"', db=self.shared_db)
        self.assertEqual(r.status, 1, r)
        # Said on stderr, one line, and no error.
        self.assertEqual(r.stderr.count(b'\n'), 1, r)
        self.assertIn(b'no person named "Nobody Atall"', r.stderr, r)

    def test_date_filters(self):
        # The port strike began on March 16, 2024.
        day = self.find('strike', 'date:2024-03-16')
        self.assertTrue(day['hits'])
        self.assertTrue(any('port-strike-begins' in h['path']
                            for h in day['hits']), self.hit_paths(day))
        rng = self.find('strike', 'date:2024-03..2024-04')
        self.assertGreaterEqual(len(rng['hits']), len(day['hits']))
        dates = self.facet(self.find('strike', opts=('--facets', '100')),
                           'date')
        self.assertIn('2024-03-16', dates)

    def test_published_filter_uses_article_date(self):
        doc = self.find('published:2024-03')
        paths = self.hit_paths(doc)
        self.assertTrue(paths)
        # Dates come from the content (datelines, front matter, meta tags),
        # not from the files' times.
        self.assertTrue(any('port-strike-begins' in p for p in paths), paths)
        self.assertFalse(any('first-power-atlantico-norte' in p
                             for p in paths), paths)
        none = self.find('published:1999')
        self.assertEqual(none['hits'], [])

    def test_malformed_date_filter_is_an_error(self):
        r = self.query('strike', 'date:2024-02-30', db=self.shared_db)
        self.assertEqual(r.status, 2, r)
        self.assertIn(b'date', r.stderr)

    def test_text_output_and_no_facets(self):
        r = self.query('vaccine', db=self.shared_db, expect=0,
                       opts=('--color', 'never'))
        self.assertIn(b'Facets', r.stdout)
        self.assertIn(b'Amara Okafor', r.stdout)
        r = self.query('vaccine', db=self.shared_db, expect=0,
                       opts=('--no-facets',))
        self.assertNotIn(b'Facets', r.stdout)
        doc = self.find('vaccine', opts=('--no-facets',))
        self.assertIn('facets', doc)


class NoEntitiesTest(harness.PassimCase):

    def test_no_entities_indexes_text_without_facets(self):
        self.write('a.txt', 'Port strike\n\nSanne Bakker led the strike in '
                   'Rotterdam on March 16, 2024.\n')
        self.index('-q', '--no-entities', self.docs)
        doc = self.search('strike')
        self.assertEqual(len(doc['hits']), 1)
        for kind in ('person', 'place', 'org', 'misc', 'date'):
            self.assertEqual(doc['facets'][kind], [], kind)
        self.assertEqual(self.search('place:Rotterdam',
                                     note=b'no place named "Rotterdam"')
                         ['hits'], [])
        # The same file indexed with entities has them.
        self.index('-q', self.docs, db=os.path.join(self.tmp, 'db2'))
        doc = self.search('strike', db=os.path.join(self.tmp, 'db2'))
        self.assertIn('Rotterdam',
                      [f['value'] for f in doc['facets']['place']])


class FilterJoinTest(harness.PassimCase):
    """Entity terms are on an article's first passage only; a filter must
    still keep every passage of the articles it selects."""

    FILLER = ('The turbine blades were inspected again and the gearbox '
              'was replaced after the long winter of storms. ')

    def write_articles(self):
        # Paragraphs over the shortest passage (passage.h) stay apart.
        self.write('okafor.txt', 'Harbour turbines\n\n'
                   'Dr. Amara Okafor visited Nairobi on Monday. '
                   + self.FILLER * 3 + '\n\n' + self.FILLER * 3 +
                   'Late in the report the zqvortex coupling failed.\n')
        self.write('other.txt', 'Other turbines\n\n'
                   'Nobody in particular wrote this.\n\n'
                   'The zqvortex coupling also failed here.\n')

    def check_join(self, db):
        doc = self.search('zqvortex', 'person:"Amara Okafor"', db=db,
                          opts=('--per-article', '1'))
        self.assertEqual(len(doc['hits']), 1, doc['hits'])
        hit = doc['hits'][0]
        self.assertTrue(hit['path'].endswith('okafor.txt'), hit['path'])
        # The passage kept is not the one that names her.
        self.assertNotIn('Okafor', hit['text'])
        self.assertGreater(hit['passage'], 0)
        both = self.search('zqvortex', db=db)
        self.assertEqual(len({h['path'] for h in both['hits']}), 2)
        # AND finds nothing, so the search falls back to OR: the joined
        # filter (kept from the first attempt) still applies.
        wider = self.search('zqvortex', 'qqqnowhere', 'person:"Amara Okafor"',
                            db=db)
        self.assertTrue(wider['fell_back_to_or'])
        self.assertEqual({h['path'] for h in wider['hits']}, {hit['path']})
        none = self.search('zqvortex', 'person:"Amara Okafor"',
                           'place:Rotterdam', db=db, expect=1,
                           note=b'no place named "Rotterdam"')
        self.assertEqual(none['hits'], [])

    def test_filter_keeps_passages_without_the_entity(self):
        self.write_articles()
        self.index('-q', self.docs)
        self.check_join(None)

    def test_filter_join_on_shards(self):
        self.write_articles()
        db = os.path.join(self.tmp, 'sharded')
        self.index('-q', '--shards', '3', self.docs, db=db)
        self.check_join(db)


class FacetsAfterReindexTest(harness.PassimCase):

    def test_facets_after_files_replaced(self):
        """Xapian 1.4.22's boolean match fails on a posting list of over
        1,000 entries once documents were replaced; the facet count must
        not use it (query/facets.c)."""
        n = 1200
        for i in range(n):
            self.write('f%05d.txt' % i,
                       'Title %d\n\nwqcommon word%d about Lisbon.\n' % (i, i))
        self.index('-q', self.docs)
        for i in range(0, n, 3):
            self.write('f%05d.txt' % i,
                       'Title %d changed\n\nwqcommon word%d now.\n' % (i, i))
        self.index('-q', self.docs)
        doc = self.search('wqcommon', opts=('--facets', '3'))
        self.assertEqual(doc['estimated_total'], n)
        self.assertTrue(doc['facets_exact'])
        self.assertEqual(doc['facet_articles'], n)


class NegatedFilterTest(harness.PassimCase):
    """A filter after "-", "NOT" or "AND NOT" leaves out every article it
    would select, whole: also the passages that do not name the entity."""

    FILLER = FilterJoinTest.FILLER

    def write_articles(self):
        self.write('lisbon.md', '---\ndate: 2024-05-02\n---\n# Ferries\n\n'
                   'The ferry left Lisbon on Monday. ' + self.FILLER * 3 +
                   '\n\n' + self.FILLER * 3 + 'The zqferry docked late.\n')
        self.write('rotterdam.md', '---\ndate: 2023-03-01\n---\n# Ferries\n'
                   '\nThe ferry left Rotterdam on Monday. The zqferry '
                   'docked late.\n')
        self.write('both.md', '---\ndate: 2024-07-09\n---\n# Ferries\n\n'
                   'A zqferry crossed from Rotterdam to Lisbon on Monday.\n')

    def names(self, *words):
        doc = self.search(*words, opts=('--per-article', '5'))
        return sorted({os.path.basename(p) for p in self.hit_paths(doc)})

    def test_every_form_excludes_whole_articles(self):
        self.write_articles()
        self.index('-q', self.docs)
        self.assertEqual(self.names('zqferry'),
                         ['both.md', 'lisbon.md', 'rotterdam.md'])
        self.assertEqual(self.names('zqferry', 'place:Lisbon'),
                         ['both.md', 'lisbon.md'])
        for form in (('NOT', 'place:Lisbon'), ('AND', 'NOT', 'place:Lisbon'),
                     ('-place:Lisbon',)):
            self.assertEqual(self.names('zqferry', *form), ['rotterdam.md'],
                             form)
        # A negated filter alone: every article but those it selects.
        self.assertEqual(self.names('NOT', 'place:Rotterdam'), ['lisbon.md'])
        # Negated and plain filters together, and a negated published:.
        self.assertEqual(self.names('zqferry', 'place:Rotterdam',
                                    '-place:Lisbon'), ['rotterdam.md'])
        self.assertEqual(self.names('zqferry', 'NOT', 'published:2024'),
                         ['rotterdam.md'])


class NegatedWordsTest(harness.PassimCase):
    """Words, phrases and groups after a top-level "-", "NOT" or "AND NOT"
    leave out every article that has them in any passage; inside brackets
    NOT stays passage by passage."""

    FILLER = FilterJoinTest.FILLER

    def names(self, *words, expect=None):
        doc = self.search(*words, opts=('--per-article', '5'), expect=expect)
        return sorted({os.path.basename(p) for p in self.hit_paths(doc)})

    def test_every_form_excludes_whole_articles(self):
        # "harbour master" is in the first passage of a.txt, the query's
        # word in its last: a passage-level NOT would keep a.txt.
        self.write('a.txt', 'Ferries\n\nThe harbour master spoke on Monday. ' +
                   self.FILLER * 3 + '\n\n' + self.FILLER * 3 +
                   'The zqferry docked late.\n')
        self.write('b.txt', 'Ferries\n\nThe zqferry sailed at dawn.\n')
        self.index('-q', self.docs)
        self.assertEqual(self.names('zqferry'), ['a.txt', 'b.txt'])
        for form in (('zqferry', 'NOT', 'harbour'),
                     ('zqferry', 'AND', 'NOT', 'harbour'),
                     ('zqferry', '-harbour'),
                     ('zqferry', '-"harbour master"'),
                     ('zqferry', 'NOT', '(harbour OR pilot)')):
            self.assertEqual(self.names(*form), ['b.txt'], form)
        # Inside brackets NOT is passage by passage: a.txt's last passage
        # has no "harbour".
        self.assertEqual(self.names('(zqferry', 'NOT', 'harbour)'),
                         ['a.txt', 'b.txt'])
        # A phrase keeps its capitalised NOT as a word.
        self.assertEqual(self.names('"zqferry NOT docked"', expect=1), [])


class DateRangeTest(harness.PassimCase):
    """A date range matches every article with a date inside it, at the
    precision it was written; widening a range never loses one."""

    def test_ranges_are_monotone(self):
        for name, text in (('y.txt', 'The plan dates from 2016.'),
                           ('m.txt', 'The plan was drafted in March 2014.'),
                           ('d.txt', 'The plan was signed on 5 May 2013.'),
                           ('old.txt', 'The plan echoes a law passed in 1931.')):
            self.write(name, 'Plans\n\n' + text + ' zqplan\n')
        self.index('-q', self.docs)

        def n(f):
            doc = self.search('zqplan', f, opts=('--limit', '50'))
            return sorted(os.path.basename(p) for p in self.hit_paths(doc))

        self.assertEqual(n('date:2016..2025'), ['y.txt'])
        self.assertEqual(n('date:2014..2025'), ['m.txt', 'y.txt'])
        self.assertEqual(n('date:2013..2025'), ['d.txt', 'm.txt', 'y.txt'])
        self.assertEqual(n('date:..2024'),
                         ['d.txt', 'm.txt', 'old.txt', 'y.txt'])
        self.assertEqual(n('date:1900..2100'),
                         ['d.txt', 'm.txt', 'old.txt', 'y.txt'])
        self.assertEqual(n('date:1800..'),
                         ['d.txt', 'm.txt', 'old.txt', 'y.txt'])
        self.assertEqual(n('date:2016'), n('date:2016..2016'))
        # A month inside a year mention overlaps it; a day inside a month.
        self.assertEqual(n('date:2016-07'), ['y.txt'])
        self.assertEqual(n('date:2014-03-20'), ['m.txt'])
        self.assertEqual(n('date:2013-05-06'), [])


class AccentTest(harness.PassimCase):
    """Accents fold in words and names, in the index and in queries."""

    def test_accents_fold(self):
        self.write('a.txt', 'Jobs\n\nJosé Mourinho read the résumé at a '
                   'café in Lisbon on Monday.\n')
        self.write('b.txt', 'Jobs\n\nNothing to see here zqplain.\n')
        self.index('-q', self.docs)
        for q in (('resume',), ('résumé',), ('cafe',), ('CAFÉ',),
                  ('person:"Jose Mourinho"',), ('person:"josé mourinho"',),
                  ('monday', 'person:"JOSE MOURINHO"'),
                  ('name:"Jose Mourinho"',), ('entity:"josé mourinho"',)):
            doc = self.search(*q)
            self.assertEqual([os.path.basename(p)
                              for p in self.hit_paths(doc)], ['a.txt'], q)



class NameResolutionTest(harness.PassimCase):
    """A name filter forgives the way people type names: a surname finds
    the full name when that is unambiguous, a typo gets a "did you mean",
    and the JSON says what each filter matched."""

    def write_articles(self):
        self.write('a.txt', 'Chelsea\n\nJosé Mourinho said on Monday that '
                   'Chelsea would win the league. Mourinho added that the '
                   'squad was ready. zqname\n')
        self.write('b.txt', 'Chelsea again\n\nChelsea manager Jose Mourinho '
                   'spoke to reporters in London on Friday. zqname\n')
        self.write('c.txt', 'Films\n\nThe actor Will Smith met the singer '
                   'Adele in London on Tuesday. zqname\n')
        self.write('d.txt', 'Football\n\nThe striker Alan Smith joined Leeds '
                   'United on Wednesday. zqname\n')
        self.index('-q', self.docs)

    def names(self, *q, note=None, expect=None):
        doc = self.search('zqname', *q, note=note, expect=expect)
        return sorted(os.path.basename(p) for p in self.hit_paths(doc)), doc

    def test_surname_finds_the_full_name(self):
        self.write_articles()
        for q in ('person:Mourinho', 'person:mourinho', 'name:Mourinho',
                  'person:"Jose Mourinho"'):
            found, doc = self.names(q)
            self.assertEqual(found, ['a.txt', 'b.txt'], (q, doc))
            m = doc['name_filters'][0]
            self.assertEqual(m['value'], q.split(':', 1)[1].strip('"'))
            spelled = [v['value'].replace('é', 'e') for v in m['matched']]
            self.assertIn('Jose Mourinho', spelled, m)
        found, doc = self.names('-person:Mourinho')
        self.assertEqual(found, ['c.txt', 'd.txt'])
        self.assertTrue(doc['name_filters'][0]['negated'])

    def test_ambiguous_surname_says_so(self):
        self.write_articles()
        found, doc = self.names('person:Smith', expect=1,
                                note=b'no person named "Smith" in the index; '
                                b'did you mean')
        self.assertEqual(found, [])
        m = doc['name_filters'][0]
        self.assertEqual(m['outcome'], 'none')
        self.assertEqual(sorted(v['value'] for v in m['did_you_mean']),
                         ['Alan Smith', 'Will Smith'])

    def test_typo_gets_did_you_mean(self):
        self.write_articles()
        r = self.query('zqname', 'person:"Jose Mourino"', expect=1)
        self.assertEqual(r.out, '')
        self.assertRegex(r.err, r'^passim: no person named "Jose Mourino" in '
                         r'the index; did you mean Jos[eé] Mourinho \(2\)\?\n$')
        r = self.query('zqname', 'org:Zzyzx', expect=1)
        self.assertIn('no organisation named "Zzyzx"', r.err)


class CopiesTest(harness.PassimCase):
    """Articles with identical text are shown once, with the other paths."""

    TEXT = 'Harbour\n\nThe zqcopy harbour wall was rebuilt in spring.\n'

    def test_copies_are_folded(self):
        self.write('a/story.txt', self.TEXT)
        self.write('b/story-copy.txt', self.TEXT)
        self.write('c.txt', 'Other\n\nA different zqcopy text altogether.\n')
        self.index('-q', self.docs)
        doc = self.search('zqcopy')
        self.assertEqual(doc['articles'], 2, doc)
        first = [h for h in doc['hits'] if h['copies']]
        self.assertEqual(len(first), 1, doc['hits'])
        paths = {first[0]['path']} | set(first[0]['copies'])
        self.assertEqual({os.path.relpath(p, self.docs) for p in paths},
                         {'a/story.txt', 'b/story-copy.txt'})
        r = self.query('--no-facets', 'zqcopy', expect=0)
        self.assertEqual(r.out.count('also at '), 1, r)
        # --all-copies and TREC runs show each copy.
        every = self.search('zqcopy', opts=('--all-copies',))
        self.assertEqual(every['articles'], 3)
        self.assertEqual([h['copies'] for h in every['hits']], [[], [], []])
        r = self.query('--trec', 'x', 'zqcopy', expect=0)
        self.assertEqual(len(r.out.splitlines()), 3, r)


class SortDateTest(harness.PassimCase):
    """--sort date lists the newest article first; an article without a
    date of its own is dated by its file's time, and passim says so."""

    def test_newest_first_and_file_times_said(self):
        for name, date in (('old.md', '2019-04-02'), ('new.md', '2023-08-15'),
                           ('mid.md', '2021-01-20')):
            self.write(name, '---\ntitle: %s\ndate: %s\n---\n\nThe zqsort '
                       'report was filed.\n' % (name, date))
        self.write('nodate.txt', 'Undated\n\nAnother zqsort report, zqsort '
                   'zqsort, much more relevant.\n')
        os.utime(os.path.join(self.docs, 'nodate.txt'), (946771200,) * 2)
        self.index('-q', self.docs)
        doc = self.search('zqsort', opts=('--sort', 'date'))
        names = [os.path.basename(h['path']) for h in doc['hits']]
        self.assertEqual(names, ['new.md', 'mid.md', 'old.md', 'nodate.txt'])
        self.assertEqual([h['published'] for h in doc['hits']],
                         ['2023-08-15', '2021-01-20', '2019-04-02',
                          '2000-01-02'])
        self.assertEqual([h['published_is_file_time'] for h in doc['hits']],
                         [False, False, False, True])
        self.assertEqual(self.search('zqsort', opts=('--sort', 'relevance')),
                         self.search('zqsort'))
        # published: says how many matches only the file's time dates.
        doc = self.search('zqsort', 'published:..2020', note=b'published: 1 '
                          b'of the matching articles state no date')
        self.assertEqual(doc['file_dated_articles'], 1)
        self.assertEqual(len(doc['hits']), 2)
        doc = self.search('zqsort', 'published:2021..')
        self.assertEqual(doc['file_dated_articles'], 0)
        r = self.query('--sort', 'newest', 'zqsort', expect=2)
        self.assertIn("--sort: give 'date' or 'relevance'", r.err)


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
