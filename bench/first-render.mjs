// The first render of passim serve's page in headless Chromium, from the
// Performance API: for each query, a URL with ?q= loaded in a fresh
// browser context (cold: no cache, no connection; the browser itself has
// loaded the bare page once) and then reloaded RELOADS times (warm). bench/page starts the server and runs this:
//   node bench/first-render.mjs URL RELOADS QUERY...
// Prints first {"bare": true, "cold": [T...], "warm": [T...]}, the bare
// page without a query in as many fresh contexts (T {"painted": its
// first contentful paint, "dcl"}), then one JSON object per query:
//   {"q", "cold": T, "warm": [T...]}, each T {"results", "dcl", "search"}:
// "results" is navigation start to the page's mark passim:first-results
// (query/page.html sets it once the first results are in the DOM),
// "painted" to the largest-contentful-paint after that mark, "dcl" to
// DOMContentLoaded's end, "search" the time of the request that brought
// the answer (Resource Timing, request start to response end): the
// page's own when the server put the answer in it ("in_page"), else
// /api/search's.
// puppeteer-core comes from tests/browser's node_modules
// (tests/browser/run.sh installs it from its lock file).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');

const [base, reloadsArg, ...queries] = process.argv.slice(2);
const reloads = Number(reloadsArg);
if (!base || !(reloads >= 0) || !queries.length) {
  console.error('usage: first-render.mjs URL RELOADS QUERY...');
  process.exit(2);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [])],
});

async function measure(page) {
  await page.waitForFunction(
    () => performance.getEntriesByName('passim:first-results').length > 0,
    { timeout: 30000 });
  // The last largest-contentful-paint candidate once the results are in:
  // when the browser painted them (a passage is the largest text).
  const painted = await page.evaluate(() => new Promise(resolve => {
    const mark = performance.getEntriesByName('passim:first-results')[0];
    let last = null;
    const obs = new PerformanceObserver(list => {
      for (const e of list.getEntries()) last = e;
    });
    obs.observe({ type: 'largest-contentful-paint', buffered: true });
    const done = () => {
      obs.disconnect();
      resolve(last && last.startTime >= mark.startTime ? last.startTime : null);
    };
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));
  }));
  const t = await page.evaluate(() => {
    const mark = performance.getEntriesByName('passim:first-results')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    const search = performance.getEntriesByType('resource')
      .find(r => r.name.includes('/api/search?'));
    // The request that brought the first answer: /api/search, or the
    // page itself when the server put the answer in it.
    const carrier = search || nav;
    return {
      results: mark.startTime,
      dcl: nav ? nav.domContentLoadedEventEnd : null,
      search: carrier ? carrier.responseEnd - carrier.requestStart : null,
      in_page: !search,
      // The steps in between, for a breakdown.
      doc: nav ? nav.responseEnd : null,
      interactive: nav ? nav.domInteractive : null,
      asked: search ? search.startTime : null,
      answered: search ? search.responseEnd : null,
    };
  });
  return { ...t, painted };
}

// The browser's own first page (its renderer and fonts starting) is not
// the page's: a throwaway context loads the page without a query first,
// which asks the server nothing.
{
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.goto(base, { waitUntil: 'load' });
  await ctx.close();
}

// The floor: the bare page (no query, so no results and no search) in a
// fresh context, its first contentful paint; what any page of this
// browser pays before it shows anything.
async function measureBare(page) {
  return page.evaluate(() => new Promise(resolve => {
    const done = () => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      resolve({ painted: fcp ? fcp.startTime : null,
        dcl: nav ? nav.domContentLoadedEventEnd : null });
    };
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));
  }));
}

let status = 0;
{
  const cold = [], warm = [];
  for (let i = 0; i < queries.length; i++) {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(base, { waitUntil: 'load' });
    cold.push(await measureBare(page));
    await page.reload({ waitUntil: 'load' });
    warm.push(await measureBare(page));
    await ctx.close();
  }
  console.log(JSON.stringify({ bare: true, cold, warm }));
}
for (const q of queries) {
  const ctx = await browser.createBrowserContext();
  try {
    const page = await ctx.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const url = base.replace(/\/$/, '') + '/?q=' + encodeURIComponent(q);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const cold = await measure(page);
    const warm = [];
    for (let i = 0; i < reloads; i++) {
      await page.reload({ waitUntil: 'domcontentloaded' });
      warm.push(await measure(page));
    }
    console.log(JSON.stringify({ q, cold, warm }));
  } catch (e) {
    console.error('first-render: ' + q + ': ' + (e && e.message || e));
    status = 1;
  } finally {
    await ctx.close().catch(() => {});
  }
}
await browser.close();
process.exit(status);
