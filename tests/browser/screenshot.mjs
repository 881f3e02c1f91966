// The README's picture of the page: node screenshot.mjs URL OUT.png [PATH]
// (scripts/screenshot.sh runs it through run.sh). PATH is the page's
// state, a query and a filter chip; 1280x900, light colours.
import puppeteer from 'puppeteer-core';

const [base, out, state = '/?q=vaccine&place=Kenya'] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: screenshot.mjs URL OUT.png [PATH]');
  process.exit(2);
}
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars', '--font-render-hinting=none',
    ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [])],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  await page.goto(base.replace(/\/$/, '') + state, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#results .result');
  await page.waitForSelector('#hist svg rect.bar');
  await page.waitForSelector('#chips .chip');
  await page.waitForFunction(() => document.getElementById('pane').getAttribute('aria-busy') === 'false');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await new Promise(r => setTimeout(r, 300));
  await page.screenshot({ path: out });
  console.error('screenshot: wrote ' + out);
} finally {
  await browser.close();
}
