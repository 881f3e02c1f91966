// Browser tests of passim serve's page (query/page.html) in headless
// Chromium, driven by puppeteer-core; TAP on stdout. tests/browser/run.sh
// indexes corpus/, starts `passim serve` and runs this with its URL:
//   node tests/browser/test_page.mjs http://127.0.0.1:PORT/
// Expected figures come from the API itself (the same server), never
// written in. $CHROMIUM names the browser (default /usr/bin/chromium).
import puppeteer from 'puppeteer-core';

const base = (process.argv[2] || process.env.PASSIM_URL || '').replace(/\/$/, '');
if (!base) {
  console.log('Bail out! usage: test_page.mjs URL');
  process.exit(1);
}
const TIMEOUT = 10000;
const problems = [];       // console errors, page errors, CSP violations
let n = 0, failed = 0;

async function api(path) {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(a, b, msg) {
  const ja = JSON.stringify(a), jb = JSON.stringify(b);
  if (ja !== jb) throw new Error(msg + ': got ' + ja + ', expected ' + jb);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [])],
});

async function test(name, fn) {
  n++;
  const ctx = await browser.createBrowserContext();
  try {
    await fn(ctx);
    console.log('ok ' + n + ' - ' + name);
  } catch (e) {
    failed++;
    console.log('not ok ' + n + ' - ' + name);
    for (const line of String(e && e.stack || e).split('\n')) console.log('  # ' + line);
  } finally {
    await ctx.close().catch(() => {});
  }
}

// A page that records console errors and CSP violations from its start.
async function open(ctx, path, opts = {}) {
  const page = await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.setViewport({ width: opts.width || 1280, height: 900 });
  await page.evaluateOnNewDocument(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', e => {
      window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
    });
    // When the first result enters the DOM, from navigation start.
    new MutationObserver((_, obs) => {
      if (document.querySelector('#results .result')) {
        window.__firstResult = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  page.on('console', m => {
    if (m.type() !== 'error') return;
    // Chromium logs each response with an error status itself; where the
    // test asks for one, that is expected.
    if (opts.httpErrors && /^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    problems.push(path + ': console: ' + m.text());
  });
  page.on('pageerror', e => problems.push(path + ': page error: ' + e.message));
  page.__path = path;
  await page.goto(base + path, { waitUntil: 'domcontentloaded' });
  return page;
}
async function collectCSP(page) {
  const v = await page.evaluate(() => window.__csp).catch(() => []);
  for (const x of v || []) problems.push(page.__path + ': CSP violation: ' + x);
}
// Wait until no search or histogram request is in flight.
const settled = page => page.waitForFunction(() => {
  const p = document.getElementById('pane');
  return p.getAttribute('aria-busy') === 'false' && !p.classList.contains('busy');
});
const count = (page, sel) => page.$$eval(sel, xs => xs.length);
const summaryCount = page => page.$eval('#summary', s => {
  const m = /(\d+) articles?/.exec(s.textContent);
  return m ? Number(m[1]) : (/No articles/.test(s.textContent) ? 0 : -1);
});
const search = q => api('/api/search?q=' + encodeURIComponent(q) + '&limit=10&per_article=2&facets=11');
const params = page => page.evaluate(() => Array.from(new URLSearchParams(location.search)));

// The byte spans each passage's <mark>s and entity spans cover, read back
// from the DOM (UTF-8 lengths of its text nodes), to compare with the API.
function domSpans(page, sel) {
  return page.$$eval(sel, ps => ps.map(p => {
    const enc = new TextEncoder(), marks = [], ents = [];
    let at = 0;
    const add = (list, s, e, t) => {
      const lastx = list[list.length - 1];
      if (lastx && lastx[1] === s && lastx[2] === t) lastx[1] = e; else list.push([s, e, t]);
    };
    const walk = node => {
      for (const c of node.childNodes) {
        if (c.nodeType === 3) {
          const len = enc.encode(c.data).length;
          if (c.parentElement.closest('mark')) add(marks, at, at + len, '');
          const ent = c.parentElement.closest('.ent');
          if (ent) add(ents, at, at + len, ent.dataset.type);
          at += len;
        } else walk(c);
      }
    };
    const para = p.querySelector('p');
    walk(para);
    return { passage: Number(p.dataset.passage), text: para.textContent, marks: marks.map(x => [x[0], x[1]]), ents };
  }));
}
function mergedHighlights(hl) {
  const out = [];
  for (const [s, e] of [...hl].sort((a, b) => a[0] - b[0])) {
    const l = out[out.length - 1];
    if (l && s <= l[1]) l[1] = Math.max(l[1], e); else out.push([s, e]);
  }
  return out;
}

// ---------------------------------------------------------------------------

await test('typing a query shows articles and their passages, words and names marked at the right bytes', async ctx => {
  const page = await open(ctx, '/');
  await page.waitForSelector('#q');
  assert(await page.evaluate(() => document.activeElement.id === 'q'), 'the box has focus on an empty page');
  const len0 = await page.evaluate(() => history.length);
  await page.type('#q', 'vacc', { delay: 250 });
  await page.type('#q', 'ine');
  await page.waitForSelector('#results .result .passage');
  await settled(page);
  const { body } = await search('vaccine');
  const articles = [...new Set(body.hits.map(h => h.article))];
  eq(await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article)), articles, 'articles in order');
  eq(await summaryCount(page), body.facet_articles, 'the summary counts the matching articles');
  eq(await page.$eval('#results .result h3', x => x.textContent), body.hits[0].title, 'first title');
  eq(await params(page), [['q', 'vaccine']], 'the URL holds the query');
  eq(await page.evaluate(() => history.length), len0, 'typing replaced the history entry, it pushed none');
  let nonAscii = 0, ents = 0;
  for (const a of articles) {
    const got = await domSpans(page, '#results .result[data-article="' + a + '"] .passage');
    const want = body.hits.filter(h => h.article === a);
    eq(got.map(g => g.passage), want.map(h => h.passage), 'passages of ' + a);
    for (let i = 0; i < want.length; i++) {
      const h = want[i], g = got[i];
      eq(g.text, h.text, 'passage text');
      eq(g.marks, mergedHighlights(h.highlights), 'highlights of ' + a + '/' + h.passage);
      const wantEnts = h.entities.map(x => [x.start, x.end, x.type]).sort((x, y) => x[0] - y[0]);
      eq(g.ents, wantEnts, 'entities of ' + a + '/' + h.passage);
      if (Buffer.byteLength(h.text) !== h.text.length && h.entities.length) nonAscii++;
      ents += h.entities.length;
    }
  }
  assert(nonAscii > 0, 'some checked passage has non-ASCII text and entities (the byte offsets were tested)');
  assert(ents > 0, 'some entity mentions were checked');
  // Each entity type has a cue beyond colour: a letter and a title.
  const cue = await page.$eval('#results .ent', e => ({ l: e.dataset.l, t: e.title, after: getComputedStyle(e, '::after').content }));
  assert(cue.l && cue.t && cue.after.includes(cue.l), 'entity mention has a letter and a title: ' + JSON.stringify(cue));
  const date = await page.$eval('#results .result .meta', m => m.textContent);
  assert(date.includes(body.hits[0].published), 'the published date is shown');
  await collectCSP(page);
});

await test('typing fast shows the results of the last query only', async ctx => {
  const page = await open(ctx, '/');
  await page.type('#q', 'wind farm', { delay: 30 });
  await page.waitForSelector('#results .result');
  await settled(page);
  await new Promise(r => setTimeout(r, 400));
  await settled(page);
  const { body } = await search('wind farm');
  eq(await page.$eval('#results .result', x => x.dataset.article), body.hits[0].article, 'first article');
  eq(await params(page), [['q', 'wind farm']], 'the URL holds the last query');
  await collectCSP(page);
});

let facetPick = null;
await test('clicking a facet value narrows the results and shows a chip; counts update', async ctx => {
  const page = await open(ctx, '/?q=vaccine');
  await page.waitForSelector('#facets .facet[data-type="person"] .fv');
  await settled(page);
  const total = await summaryCount(page);
  const values = await page.$$eval('#facets .facet[data-type="person"] li', ls => ls.map(l => ({
    value: l.dataset.value, count: Number(l.querySelector('.n').textContent) })));
  const pick = values.find(v => v.count < total);
  assert(pick, 'a person facet value narrows the results');
  facetPick = pick;
  const btns = await page.$$('#facets .facet[data-type="person"] .fv');
  await btns[values.indexOf(pick)].click();
  await page.waitForSelector('#chips .chip[data-key="person"]');
  await page.waitForFunction(n => {
    const m = /(\d+) articles?/.exec(document.getElementById('summary').textContent);
    return m && Number(m[1]) === n;
  }, {}, pick.count);
  await settled(page);
  eq(await page.$eval('#chips .chip[data-key="person"]', c => c.dataset.value), pick.value, 'chip value');
  eq(await params(page), [['q', 'vaccine'], ['person', pick.value]], 'the URL holds the filter');
  const { body } = await api('/api/search?q=vaccine&person=' + encodeURIComponent(pick.value) + '&limit=10&facets=11');
  eq(await count(page, '#results .result'), Math.min(10, body.facet_articles), 'results narrowed');
  eq(await page.$eval('#facets .facet[data-type="place"] li .n', x => Number(x.textContent)),
    body.facets.place[0].count, 'facet counts are those of the narrowed search');
  eq(await page.$eval('#facets .facet[data-type="person"] li[aria-pressed], #facets .fv[aria-pressed="true"] .v',
    x => x.textContent), pick.value, 'the chosen value is shown pressed');
  // A second filter combines with the first.
  const place = body.facets.place.find(v => v.count < body.facet_articles);
  if (place) {
    await page.evaluate(v => Array.from(document.querySelectorAll('#facets .facet[data-type="place"] li'))
      .find(l => l.dataset.value === v).querySelector('.fv').click(), place.value);
    await page.waitForSelector('#chips .chip[data-key="place"]');
    await settled(page);
    const two = await api('/api/search?q=vaccine&person=' + encodeURIComponent(pick.value) +
      '&place=' + encodeURIComponent(place.value) + '&limit=10&facets=1');
    eq(await summaryCount(page), two.body.facet_articles, 'two filters combine');
    eq(await count(page, '#chips .chip'), 2, 'two chips');
  }
  await collectCSP(page);
});

await test('removing a chip (keyboard) widens the results again', async ctx => {
  assert(facetPick, 'needs the facet test');
  const page = await open(ctx, '/?q=vaccine&person=' + encodeURIComponent(facetPick.value));
  await page.waitForSelector('#chips .chip[data-key="person"] button');
  await page.waitForSelector('#results .result');
  await settled(page);
  eq(await summaryCount(page), facetPick.count, 'loading the URL restores the filter');
  eq(await page.$eval('#q', q => q.value), 'vaccine', 'and the query in the box');
  await page.focus('#chips .chip[data-key="person"] button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('#chips .chip'));
  await settled(page);
  const { body } = await search('vaccine');
  eq(await summaryCount(page), body.facet_articles, 'all the articles again');
  eq(await params(page), [['q', 'vaccine']], 'the URL lost the filter');
  assert(await page.evaluate(() => document.activeElement.id === 'q'), 'focus went back to the box');
  await collectCSP(page);
});

await test('Back and Forward restore the previous state', async ctx => {
  const page = await open(ctx, '/');
  await page.type('#q', 'vaccine');
  await page.waitForSelector('#facets .facet[data-type="place"] .fv');
  await settled(page);
  const before = await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article));
  const total = await summaryCount(page);
  await page.click('#facets .facet[data-type="place"] .fv');
  await page.waitForSelector('#chips .chip');
  await settled(page);
  const chipped = await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article));
  await page.goBack();
  await page.waitForFunction(() => !document.querySelector('#chips .chip'));
  await settled(page);
  eq(await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article)), before, 'results before the filter');
  eq(await summaryCount(page), total, 'count before the filter');
  eq(await page.$eval('#q', q => q.value), 'vaccine', 'query in the box');
  await page.goForward();
  await page.waitForSelector('#chips .chip');
  await settled(page);
  eq(await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article)), chipped, 'Forward: the filtered results');
  await collectCSP(page);
});

await test('an article opens from a result: all its passages, the matching ones marked, the first in view; Back returns', async ctx => {
  const page = await open(ctx, '/?q=vaccine');
  await page.waitForSelector('#results .result h3 a');
  await settled(page);
  const id = await page.$eval('#results .result:nth-child(2)', x => x.dataset.article);
  const shownHits = await page.$$eval('#results .result:nth-child(2) .passage', xs =>
    xs.filter(x => x.querySelector('mark')).map(x => Number(x.dataset.passage)));
  await page.click('#results .result:nth-child(2) h3 a');
  await page.waitForSelector('#article .apassage');
  const art = (await api('/api/article/' + id)).body;
  eq(await count(page, '#article .apassage'), art.passages.length, 'every passage of the article');
  eq(await page.$eval('#article h1', x => x.textContent), art.title, 'title');
  eq(await page.$$eval('#article .apassage', xs => xs.map(x => x.querySelector('p').textContent)),
    art.passages.map(p => p.text), 'passage texts in article order');
  const marked = await page.$$eval('#article .apassage.match', xs => xs.map(x => Number(x.dataset.passage)));
  for (const p of shownHits) assert(marked.includes(p), 'passage ' + p + ' of the result is marked: ' + marked);
  // Matching: the hits with the query's words (a passage that matches
  // through the article's title alone has no highlights).
  const all = (await api('/api/search?q=vaccine&limit=100&per_article=100&facets=0')).body.hits
    .filter(h => h.article === id && h.highlights.length).map(h => h.passage).sort((a, b) => a - b);
  eq(marked, all, 'the marked passages are the matching ones');
  assert(marked.length < art.passages.length, 'not every passage is marked');
  const inView = await page.$eval('#article .apassage.match', x => {
    const r = x.getBoundingClientRect();
    return r.top >= 0 && r.top < innerHeight;
  });
  assert(inView, 'the first matching passage is scrolled into view');
  assert(await count(page, '#article .apassage.match mark') > 0, 'query words are highlighted in the article');
  assert(await count(page, '#article .ent') > 0, 'entity mentions are marked in the article');
  eq((await params(page)).find(p => p[0] === 'article'), ['article', id], 'the URL names the article');
  await page.goBack();
  await page.waitForSelector('#results .result');
  assert(await page.$eval('#article', a => a.hidden), 'the article view is closed');
  eq((await params(page)), [['q', 'vaccine']], 'the URL is the search again');
  eq(await page.$eval('#results .result.selected', x => x.dataset.article), id, 'the opened result is selected again');
  // So after a reload of the article view, when the results are fetched anew.
  await page.goForward();
  await page.waitForSelector('#article .apassage');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#article .apassage.match');
  await page.goBack();
  await page.waitForSelector('#results .result.selected');
  eq(await page.$eval('#results .result.selected', x => x.dataset.article), id, 'selected again after a reload');
  // A link to an article view opens it directly.
  await page.goto(base + '/?article=' + id + '&q=vaccine', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#article .apassage.match');
  await page.click('#article .back');
  await page.waitForSelector('#results .result');
  eq(await params(page), [['q', 'vaccine']], 'the back link leads to the search');
  await collectCSP(page);
});

await test('keyboard: / focuses the box, j and k move, Enter opens, Escape goes back and clears', async ctx => {
  const page = await open(ctx, '/?q=vaccine');
  await page.waitForSelector('#results .result');
  await settled(page);
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('/');
  assert(await page.evaluate(() => document.activeElement.id === 'q'), '/ focuses the box');
  eq(await page.$eval('#q', q => q.value), 'vaccine', '/ is not typed into the box');
  await page.keyboard.press('End');
  await page.keyboard.type('j');
  eq(await page.$eval('#q', q => q.value), 'vaccinej', 'j typed into the box stays in the box');
  eq(await count(page, '#results .result.selected'), 0, 'and selects nothing');
  await page.keyboard.press('Backspace');
  await new Promise(r => setTimeout(r, 350));
  await settled(page);
  eq(await params(page), [['q', 'vaccine']], 'the query is back');
  await page.evaluate(() => document.activeElement.blur());
  const ids = await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article));
  const selected = () => page.$eval('#results .result.selected', x => x.dataset.article).catch(() => null);
  await page.keyboard.press('j');
  eq(await selected(), ids[0], 'j selects the first result');
  const focus = await page.$eval('#results .result.selected', x => {
    const a = document.activeElement;
    return { inside: x.contains(a), outline: getComputedStyle(x).boxShadow };
  });
  assert(focus.inside && focus.outline !== 'none', 'the selection has focus and a visible style');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  eq(await selected(), ids[2], 'j j: the third');
  await page.keyboard.press('k');
  eq(await selected(), ids[1], 'k: the second');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#article .apassage');
  eq((await params(page)).find(p => p[0] === 'article'), ['article', ids[1]], 'Enter opens the selected article');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#results .result');
  assert(await page.$eval('#article', a => a.hidden), 'Escape leaves the article');
  eq(await selected(), ids[1], 'the selection is kept');
  await page.keyboard.press('Escape');
  eq(await selected(), null, 'Escape clears the selection');
  await collectCSP(page);
});

await test('a URL with ?q= comes with its first answer: no request, the histogram drawn from its months', async ctx => {
  const page = await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const asked = [];
  page.on('request', r => { const u = new URL(r.url()); if (u.pathname.startsWith('/api/')) asked.push(u); });
  await page.goto(base + '/?q=the', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#hist svg rect.bar');
  await settled(page);
  eq(asked.map(String), [], 'no API request');
  const first = (await api('/api/search?q=the&limit=10&per_article=2&facets=11&months=1')).body;
  eq(await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article)),
    [...new Set(first.hits.map(h => h.article))], 'the results are the API\'s');
  const h = (await api('/api/histogram?q=the')).body;
  assert(h.months.length > 2, 'the query spans some months');
  eq(await page.$$eval('#hist svg g.slot', gs => gs.filter(g => g.querySelector('.bar'))
    .map(g => [g.dataset.month, Number(g.dataset.count)])), h.months.map(m => [m.value, m.count]), 'the bars');
  // The next page asks the API, without months.
  await page.click('#more');
  await page.waitForFunction(() => document.querySelectorAll('#results .result').length > 10);
  await settled(page);
  eq(asked.map(u => [u.pathname, u.searchParams.get('months')]), [['/api/search', null]], 'the next page');
  // A new query asks once, with months: one request, not two.
  asked.length = 0;
  await page.$eval('#q', q => { q.value = ''; });
  await page.type('#q', 'vaccine');
  await page.waitForFunction(() => /q=vaccine/.test(location.search));
  await page.waitForSelector('#hist svg rect.bar');
  await settled(page);
  eq(asked.map(u => [u.pathname, u.searchParams.get('months')]), [['/api/search', '1']], 'a typed query');
  await collectCSP(page);
});

await test('the histogram draws a bar per month; a click and a drag add a published chip', async ctx => {
  const page = await open(ctx, '/?q=vaccine');
  await page.waitForSelector('#hist svg rect.bar');
  await settled(page);
  const h = (await api('/api/histogram?q=vaccine')).body;
  assert(h.months.length > 2, 'the query spans some months');
  eq(await count(page, '#hist svg rect.bar'), h.months.length, 'bars = months');
  const titles = await page.$$eval('#hist svg g.slot', gs => gs.filter(g => g.querySelector('.bar'))
    .map(g => [g.dataset.month, g.querySelector('title').textContent]));
  eq(titles.map(t => t[0]), h.months.map(m => m.value), 'bar months in order');
  for (let i = 0; i < titles.length; i++)
    assert(titles[i][1].includes(String(h.months[i].count)), 'hover title has the count: ' + titles[i][1]);
  const bars = await page.$$('#hist svg rect.bar');
  await bars[0].click();
  await page.waitForSelector('#chips .chip[data-key="published"]');
  await settled(page);
  eq(await page.$eval('#chips .chip[data-key="published"]', c => c.dataset.value), h.months[0].value, 'one month');
  eq(await summaryCount(page), h.months[0].count, 'the month\'s articles');
  eq(await count(page, '#hist svg rect.bar'), 1, 'the histogram of the filtered search');
  await page.goBack();
  await page.waitForFunction(() => !document.querySelector('#chips .chip'));
  await page.waitForFunction(n => document.querySelectorAll('#hist svg rect.bar').length === n, {}, h.months.length);
  await settled(page);
  const b1 = await (await page.$$('#hist svg rect.bar'))[1].boundingBox();
  const b2 = await (await page.$$('#hist svg rect.bar'))[h.months.length - 1].boundingBox();
  await page.mouse.move(b1.x + b1.width / 2, b1.y + b1.height / 2);
  await page.mouse.down();
  await page.mouse.move((b1.x + b2.x) / 2, b1.y + b1.height / 2, { steps: 4 });
  await page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2, { steps: 4 });
  await page.mouse.up();
  await page.waitForSelector('#chips .chip[data-key="published"]');
  await settled(page);
  const range = h.months[1].value + '..' + h.months[h.months.length - 1].value;
  eq(await page.$eval('#chips .chip[data-key="published"]', c => c.dataset.value), range, 'a dragged range');
  eq(await summaryCount(page), h.months.slice(1).reduce((s, m) => s + m.count, 0), 'the range\'s articles');
  eq(await params(page), [['q', 'vaccine'], ['published', range]], 'the URL holds the range');
  // With the keyboard: the histogram takes focus, arrows choose, Enter selects.
  await page.goBack();
  await page.waitForFunction(n => document.querySelectorAll('#hist svg rect.bar').length === n, {}, h.months.length);
  await settled(page);
  const slots = await page.$$eval('#hist svg g.slot', gs => gs.map(g => g.dataset.month));
  assert(slots.length >= 5, 'five months or more');
  await page.$eval('#hist svg', svg => svg.focus());
  await page.keyboard.press('End');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.down('Shift');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.up('Shift');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#chips .chip[data-key="published"]');
  const m = slots.length;
  eq(await page.$eval('#chips .chip[data-key="published"]', c => c.dataset.value),
    slots[m - 5] + '..' + slots[m - 4], 'End, Left x3, Shift+Left, Enter: two months');
  await collectCSP(page);
});

await test('the order: newest first, kept in the URL', async ctx => {
  const page = await open(ctx, '/?q=vaccine');
  await page.waitForSelector('#results .result');
  await settled(page);
  await page.select('#sort', 'date');
  await page.waitForFunction(() => /sort=date/.test(location.search));
  await settled(page);
  const { body } = await api('/api/search?q=vaccine&sort=date&limit=10&facets=1');
  eq(await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article)),
    [...new Set(body.hits.map(h => h.article))], 'the articles of sort=date');
  const dates = await page.$$eval('#results .result time', xs => xs.map(x => x.getAttribute('datetime')));
  eq(dates, [...dates].sort().reverse(), 'newest first');
  await page.goBack();
  await page.waitForFunction(() => !/sort=date/.test(location.search));
  eq(await page.$eval('#sort', s => s.value), '', 'Back: best first again');
  await collectCSP(page);
});

await test('"More articles" appends the next page', async ctx => {
  const page = await open(ctx, '/?q=the');
  await page.waitForSelector('#results .result');
  await settled(page);
  const first = (await api('/api/search?q=the&limit=10&per_article=2&facets=1')).body;
  const next = (await api('/api/search?q=the&limit=10&offset=10&per_article=2&facets=0')).body;
  assert(first.facet_articles > 10, 'more than a page of articles');
  assert(!(await page.$eval('#more', b => b.hidden)), 'the button is shown');
  await page.click('#more');
  await page.waitForFunction(() => document.querySelectorAll('#results .result').length > 10);
  await settled(page);
  const uniq = hits => [...new Set(hits.map(h => h.article))];
  eq(await page.$$eval('#results .result', xs => xs.map(x => x.dataset.article)),
    uniq(first.hits).concat(uniq(next.hits)), 'the first page, then the second');
  await collectCSP(page);
});

await test('a facet shows 10 values and "more" fetches more', async ctx => {
  const q = 'the';
  const wide = (await api('/api/search?q=' + q + '&limit=1&facets=51')).body;
  const type = ['place', 'person', 'org', 'misc', 'date'].find(t => wide.facets[t].length > 10);
  assert(type, 'some facet has more than 10 values');
  const page = await open(ctx, '/?q=' + q);
  await page.waitForSelector('#facets .facet[data-type="' + type + '"] .more-btn');
  eq(await count(page, '#facets .facet[data-type="' + type + '"] li'), 10, '10 values at first');
  await page.click('#facets .facet[data-type="' + type + '"] .more-btn');
  await page.waitForFunction(t => document.querySelectorAll('#facets .facet[data-type="' + t + '"] li').length > 10, {}, type);
  eq(await page.$$eval('#facets .facet[data-type="' + type + '"] li', ls => ls.map(l => l.dataset.value)),
    wide.facets[type].slice(0, 50).map(v => v.value), 'the values the API gives with a larger facets=');
  await collectCSP(page);
});

await test('an error of the API is shown readably; no results say so', async ctx => {
  const page = await open(ctx, '/', { httpErrors: true });
  const bad = await api('/api/search?q=' + encodeURIComponent('date:2024-02-30'));
  eq(bad.status, 400, 'the API refuses an impossible date');
  await page.type('#q', 'date:2024-02-30');
  await page.waitForSelector('#error .error');
  const msg = await page.$eval('#error .error', e => e.textContent);
  assert(msg.includes(bad.body.error), 'the message of the API is shown: ' + msg);
  await page.click('#q', { clickCount: 3 });
  await page.type('#q', 'zzzqxwv');
  await page.waitForFunction(() => /No articles/.test(document.getElementById('summary').textContent));
  eq(await count(page, '#error .error'), 0, 'the error is gone');
  assert(/Nothing found/.test(await page.$eval('#results', r => r.textContent)), 'empty results say so');
  await collectCSP(page);
});

await test('dark mode and a narrow window', async ctx => {
  const page = await open(ctx, '/?q=vaccine', { width: 420 });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await page.waitForSelector('#facets .fv');
  await settled(page);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const rgb = bg.match(/\d+/g).map(Number);
  assert(rgb[0] + rgb[1] + rgb[2] < 200, 'a dark background: ' + bg);
  const lay = await page.evaluate(() => ({
    facets: document.getElementById('facets').getBoundingClientRect().top,
    results: document.getElementById('results').getBoundingClientRect().top,
    overflow: document.documentElement.scrollWidth - innerWidth,
  }));
  assert(lay.facets > lay.results, 'facets go below the results');
  assert(lay.overflow <= 0, 'nothing wider than the window: ' + lay.overflow);
  await collectCSP(page);
});

// Answers of the API made up here, for what corpus/ cannot show: hostile
// text, characters of 2 to 4 bytes, spans that overlap or end inside a
// character, warnings and failed shards, answers that come late.
// The API answered by `answer`; the page itself is fetched bare (the
// server would otherwise put its own answer to the first search in it).
async function intercept(page, answer) {
  await page.setRequestInterception(true);
  page.on('request', req => {
    const u = new URL(req.url());
    if (u.pathname === '/' && req.isNavigationRequest()) {
      req.continue({ url: base + '/' }).catch(() => {});
      return;
    }
    const a = u.pathname.startsWith('/api/') ? answer(u, req) : null;
    if (a === 'hold') return;
    if (a) req.respond({ status: a.status || 200, contentType: 'application/json', body: JSON.stringify(a.body) }).catch(() => {});
    else req.continue().catch(() => {});
  });
}
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
function fakeSearch(text, highlights, entities, extra = {}) {
  return {
    query: 'x', estimated_total: 1, articles: 1, fell_back_to_or: true,
    hits: [{ path: '/tmp/' + HOSTILE + '.txt', copies: [], title: 'T ' + HOSTILE, published: '2024-03-01',
      published_is_file_time: true, article: '00000000000000aa', article_rank: 1, passage: 0, start: 0,
      end: 10, score: 1, text, highlights, entities }],
    facets: { person: [{ value: HOSTILE, count: 1 }], place: [], org: [], misc: [], date: [], author: [] },
    facets_exact: true, facet_articles: 1, name_filters: [], warnings: ['shard 2: ' + HOSTILE],
    shards_failed: ['tcp://10.0.0.9:5050'], ...extra,
  };
}

await test('untrusted text stays text; spans across 2-4 byte characters, overlapping or ending inside one; warnings and failed shards shown', async ctx => {
  const page = await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', e => problems.push('synthetic: page error: ' + e.message));
  // "Zoë 👩🏽‍🔬 São <b>Paulo</b>": ë 2 bytes, the emoji sequence 15, ã 2.
  const text = 'Zoë 👩🏽‍🔬 São <b>Paulo</b> ' + HOSTILE;
  const b = s => Buffer.byteLength(s);
  const zoe = [0, b('Zoë')], emoji = [b('Zoë '), b('Zoë 👩🏽‍🔬')];
  const sao = b('Zoë 👩🏽‍🔬 '), paulo = b('Zoë 👩🏽‍🔬 São <b>');
  // Ends inside ë, inside ã, a start inside ã, overlapping ones.
  const highlights = [[1, 3], emoji, [sao + 2, sao + 3], [sao + 1, sao + 4]];
  const entities = [{ type: 'person', start: 0, end: zoe[1] }, { type: 'org', start: 0, end: 2 },
    { type: 'place', start: sao, end: paulo + 5 }, { type: 'misc', start: emoji[0] + 1, end: emoji[1] - 1 },
    { type: 'nonsense', start: 0, end: 3 }];
  await intercept(page, u => {
    if (u.pathname === '/api/search') return { body: fakeSearch(text, highlights, entities) };
    if (u.pathname === '/api/histogram') return { body: { query: 'x', articles: 1, exact: true, months: [{ value: '2024-03', count: 1 }] } };
    return null;
  });
  await page.goto(base + '/?q=x', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#results .result .passage');
  const r = await page.evaluate(() => ({
    pwned: window.__pwned || 0,
    imgs: document.querySelectorAll('body img').length,
    scripts: document.querySelectorAll('body script:not([type="application/json"])').length
      + document.querySelectorAll('body script[type="application/json"]:not(#initial)').length,
    title: document.querySelector('#results h3').textContent,
    text: document.querySelector('#results .passage p').textContent,
    notices: document.getElementById('notices').textContent,
    facet: document.querySelector('#facets .fv .v').textContent,
    filedate: document.querySelector('#results .meta').textContent,
  }));
  eq([r.pwned, r.imgs, r.scripts], [0, 0, 1], 'no markup from data: nothing ran, no <img>, only the page\'s own script');
  eq(r.title, 'T ' + HOSTILE, 'the title as text');
  eq(r.facet, HOSTILE, 'the facet value as text');
  eq(r.text, text, 'the passage text whole: no character split or lost');
  assert(!r.text.includes('\ufffd'), 'no replacement character');
  assert(r.notices.includes('shard 2: ' + HOSTILE), 'the warning is shown: ' + r.notices);
  assert(r.notices.includes('tcp://10.0.0.9:5050'), 'the failed shard is shown');
  assert(/any of them/.test(r.notices), 'the fallback to OR is said');
  assert(r.filedate.includes('2024-03-01 (file date)'), 'a date from the file time says so: ' + r.filedate);
  const [got] = await domSpans(page, '#results .passage');
  // A start inside a character moves back to it, an end inside one past
  // it; overlaps merge; the org inside the person folds into it; an
  // unknown type is left out.
  eq(got.marks, [[1, zoe[1]], emoji, [sao + 1, sao + 4]], 'highlights at character boundaries');
  eq(got.ents, [[0, zoe[1], 'person'], emoji.concat(['misc']), [sao, paulo + 5, 'place']], 'entities');
  const title = await page.$eval('#results .ent[data-type="person"]', e => e.title);
  assert(/organisation/.test(title), 'the folded type is named in the title: ' + title);
});

await test('a late answer to an older query never replaces the newer one', async ctx => {
  const page = await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const held = [];
  await intercept(page, (u, req) => {
    if (u.pathname === '/api/search' && u.searchParams.get('q') === 'wind') { held.push(req); return 'hold'; }
    return null;
  });
  await page.goto(base + '/', { waitUntil: 'domcontentloaded' });
  await page.type('#q', 'wind');
  const t0 = Date.now();
  while (!held.length && Date.now() - t0 < TIMEOUT) await new Promise(r => setTimeout(r, 20));
  assert(held.length === 1, 'the search for "wind" went out and is held');
  await page.type('#q', ' farm');
  await page.waitForSelector('#results .result');
  await settled(page);
  const want = (await search('wind farm')).body.hits[0].article;
  // Now "wind" answers, late, with a made-up article.
  await held[0].respond({ status: 200, contentType: 'application/json',
    body: JSON.stringify(fakeSearch('late', [], [])) }).catch(() => {});
  await new Promise(r => setTimeout(r, 300));
  eq(await page.$eval('#results .result', x => x.dataset.article), want, 'the results of "wind farm" stay');
  eq(await page.$eval('#q', q => q.value), 'wind farm', 'the box');
  eq(await count(page, '#results .result[data-article="00000000000000aa"]'), 0, 'the late answer is not shown');
});

// The time from navigation start until the first result is in the DOM
// (a MutationObserver's), for a URL with ?q=: the first load in a fresh
// browser context (cold), then the median of five reloads (warm).
// $PASSIM_FIRST_RENDER_Q chooses the query (default Okafor vaccine).
let firstRender = null;
await test('first render of a URL with ?q= (measured, not asserted)', async ctx => {
  const q = process.env.PASSIM_FIRST_RENDER_Q || 'Okafor vaccine';
  const page = await open(ctx, '/?q=' + encodeURIComponent(q));
  const one = async () => {
    await page.waitForSelector('#results .result');
    return page.evaluate(() => {
      const m = performance.getEntriesByName('passim:first-results')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      return { dom: window.__firstResult, mark: m && m.startTime, dcl: nav && nav.domContentLoadedEventEnd };
    });
  };
  const cold = await one();
  assert(cold.dom > 0, 'measured');
  const warm = [];
  for (let i = 0; i < 5; i++) {
    await page.reload({ waitUntil: 'domcontentloaded' });
    warm.push(await one());
  }
  const med = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  firstRender = { q, cold, warm: { dom: med(warm.map(w => w.dom)), dcl: med(warm.map(w => w.dcl)) } };
  await collectCSP(page);
});

await test('no console errors and no CSP violations on any page', async () => {
  eq(problems, [], 'problems');
});

await browser.close();
if (firstRender) {
  const f = firstRender, ms = x => (x || 0).toFixed(0) + ' ms';
  console.log('# first render of ?q=' + f.q + ', navigation start to the first result in the DOM: ' +
    ms(f.cold.dom) + ' cold (a fresh browser context; DOMContentLoaded ' + ms(f.cold.dcl) + '), ' +
    ms(f.warm.dom) + ' warm (median of 5 reloads; DOMContentLoaded ' + ms(f.warm.dcl) + ')');
}
console.log('1..' + n);
process.exit(failed ? 1 : 0);
