#!/usr/bin/env python3
"""The facets a user sees, read off the real binaries.

corpus/ (the README's demo articles) is indexed once; the README's demo
query must list every name under its type, and no facet anywhere may hold
a title, a fragment of a sentence or half of a name. Articles written here
check the cases the demo corpus does not have (titles before names tagged
as organisations, sentence adverbs, joiners inside names).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                      'corpus')

# Every name the README's demo query ("offshore wind", --facets 10) may
# list, with its type, checked by reading the articles. A value not here
# fails the test: read the articles and add it, under its true type.
TYPES = {
    'person': ['Inês Carvalho', 'Lena Hartmann', 'Henrik Vos',
               'Kenji Watanabe', 'Sanne Bakker', 'Manuel Rocha',
               'Amara Okafor', 'Ana Beatriz Moura', 'Joseph Kamau',
               'Rui Fonseca', 'Pieter Jansen'],
    'place': ['Portugal', 'Rotterdam', 'Lisbon', 'Brussels', 'Europe',
              'Viana do Castelo', 'Osaka', 'Atlantic', 'Germany', 'Japan',
              'Hamburg', 'Osaka Bay', 'Tagus', 'North Sea', 'Kansai',
              'Setúbal', 'Netherlands', 'Antwerp', 'Spain', 'France'],
    'org': ['Atlântico Norte', 'European Commission', 'Tidewind Energy',
            'EU', 'Kasumi Semiconductor', "Port Workers' Federation",
            'Innovation Fund', 'European Investment Bank',
            'European Parliament', 'Ministry of Environment and Energy',
            'Helvion Biotech', 'Rotterdam Terminal Operators Association'],
    'misc': ['Portuguese', 'European', 'Dutch', 'Japanese', 'German',
             'Brussels-based', 'Hamburg-based', 'Kenyan', 'HLV-204',
             'Swiss', 'Brazilian', 'Norwegian', 'Spanish', 'Danish',
             'French', 'Belgian', 'Kenyans'],
}

# Titles and offices: never the first word of a name in the facets.
TITLES = ('Mr ', 'Mrs ', 'Ms ', 'Dr ', 'Dr. ', 'Governor ', 'Minister ',
          'Interior Minister ', 'Mayor ', 'President ', 'Cabinet Secretary',
          'Chief Executive ', 'CEO ')


class DemoFacetsTest(harness.PassimCase):

    # corpus/ is indexed once for the module (the harness runs each test
    # on its own, without setUpClass).
    _shared = None

    def setUp(self):
        super().setUp()
        cls = DemoFacetsTest
        if cls._shared is None:
            import atexit
            import tempfile
            cls._shared = tempfile.TemporaryDirectory(
                prefix='passim-e2e-ent-')
            atexit.register(cls._shared.cleanup)
            db = os.path.join(cls._shared.name, 'db')
            r = harness.run([harness.PASSIM_INDEX, '-q', '--db', db,
                             os.path.realpath(CORPUS)],
                            env=harness.clean_env())
            self.assertEqual(r.status, 0, r)
        self.corpus_db = os.path.join(cls._shared.name, 'db')

    def facets(self, *words, n=10):
        doc = self.search(*words, db=self.corpus_db,
                          opts=('--facets', str(n), '-n', '1'))
        return {t: [v['value'] for v in vs]
                for t, vs in doc['facets'].items() if t != 'date'}

    def test_demo_query_lists_every_name_under_its_type(self):
        facets = self.facets('offshore', 'wind')
        for kind, values in facets.items():
            for v in values:
                self.assertIn(v, TYPES[kind],
                              '%r listed under %s (%r)' % (v, kind, facets))

    def test_issue_examples(self):
        facets = self.facets('offshore', 'wind')
        people = facets['person']
        for company in ('Tidewind', 'Tidewind Energy', 'Atlântico Norte',
                        'Kasumi', 'Kasumi Semiconductor', 'São Paulo',
                        'Helvion Biotech'):
            self.assertNotIn(company, people)
        self.assertIn('Viana do Castelo', facets['place'])
        self.assertIn('Tidewind Energy', facets['org'])
        self.assertIn('European Commission', facets['org'])
        # One town, one company, one commission: no halves beside them.
        for half in ('Viana', 'Castelo', 'Commission', 'Tidewind'):
            for kind, values in facets.items():
                self.assertNotIn(half, values, (kind, values))

    def test_no_facet_holds_a_title_or_a_fragment(self):
        facets = self.facets('said', n=200)
        self.assertGreater(sum(len(v) for v in facets.values()), 100)
        for kind, values in facets.items():
            for v in values:
                self.assertFalse(v.startswith(TITLES), (kind, v))
                self.assertNotIn(', ', v, (kind, v))
                # "U.S." ends with its abbreviation's dot, not a sentence's.
                self.assertFalse(v.endswith((',', ';')) or
                                 (v.endswith('.') and v.count('.') == 1),
                                 (kind, v))
                self.assertNotIn(v, ('Additionally', 'Meanwhile', 'However',
                                     'Health', 'Cabinet'), (kind, v))
        for name in ('Inês Carvalho', 'Henrik Vos', 'Amara Okafor'):
            self.assertIn(name, facets['person'])
        for place in ('São Paulo', 'Viana do Castelo', 'Rotterdam'):
            self.assertIn(place, facets['place'])
        for org in ('Helvion Biotech', 'Kasumi Semiconductor',
                    'Tidewind Energy', 'European Commission'):
            self.assertIn(org, facets['org'])


class NamesTest(harness.PassimCase):

    def test_titles_adverbs_and_joiners(self):
        self.write('a.txt', 'Port talks\n\n'
                   'Governor Ana Lima said on Monday that the port would '
                   'reopen. Interior Minister Rui Costa agreed. Additionally, '
                   'the ferry from Viana do Castelo will run again, Lima '
                   'said, and Costa promised new cranes for Viana do '
                   'Castelo by May.\n')
        self.index('-q', self.docs)
        doc = self.search('ferry', opts=('--facets', '20'))
        facets = {t: [v['value'] for v in vs]
                  for t, vs in doc['facets'].items()}
        self.assertIn('Ana Lima', facets['person'])
        self.assertIn('Rui Costa', facets['person'])
        self.assertIn('Viana do Castelo', facets['place'])
        for kind, values in facets.items():
            for v in values:
                self.assertFalse(v.startswith(TITLES), (kind, v))
                self.assertNotIn(v, ('Additionally', 'Viana', 'Castelo',
                                     'Lima', 'Costa'), (kind, v))

    def test_a_name_has_one_type_across_the_collection(self):
        # The tagger may file a new company's short name under people in
        # one article; the collection's votes decide its one type, and a
        # filter on that type finds every article that names it.
        for i in range(4):
            self.write('n%d.txt' % i, 'Wind news %d\n\n' % i +
                       'Zephyra Holdings said its turbines were ready. '
                       'Zephyra Holdings will build them in Porto.\n')
        self.write('m.txt', 'Wind news\n\nZephyra said the turbines '
                   'were ready, and Zephyra will build them in Porto.\n')
        self.index('-q', self.docs)
        doc = self.search('turbines', opts=('--facets', '20'))
        counts = {(t, v['value']): v['count']
                  for t, vs in doc['facets'].items() for v in vs}
        types = {t for (t, v) in counts if v == 'Zephyra Holdings'}
        self.assertEqual(types, {'org'}, counts)
        n = counts[('org', 'Zephyra Holdings')]
        hits = self.search('turbines', 'org:"Zephyra Holdings"',
                           opts=('--limit', '50'))
        self.assertEqual(len(hits['hits']), n)


if __name__ == '__main__':
    sys.exit(harness.main(sys.modules[__name__]))
