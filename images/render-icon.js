// Renders images/icon.svg to images/icon.png (128x128, transparent corners) with playwright-core and
// Debian's Chromium: `node images/render-icon.js`.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gto-icon-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    env: { ...process.env, XDG_CONFIG_HOME: tmp, XDG_CACHE_HOME: tmp },
  });
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    const svg = fs.readFileSync(path.join(__dirname, 'icon.svg'), 'utf8');
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    await page.screenshot({ path: path.join(__dirname, 'icon.png'), omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
    console.log('images/icon.png written');
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
