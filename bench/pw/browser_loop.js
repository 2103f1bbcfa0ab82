// Playwright browser loop: N x (click a button, read its text) on URL with playwright-core
// driving Debian's Chromium. Prints steps per second (a step = one click and one read).
// Usage: NODE_PATH=<cache>/node_modules node bench/pw/browser_loop.js URL N
const { chromium } = require('playwright-core');

async function main() {
  const url = process.argv[2];
  const n = Number(process.argv[3] || 200);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const button = page.locator('#counter');
    const start = process.hrtime.bigint();
    let last = null;
    for (let i = 0; i < n; i++) {
      await button.click();
      last = await button.textContent();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (last !== String(n)) {
      throw new Error(`the loop did not run: last read ${last}, expected ${n}`);
    }
    console.log((n / seconds).toFixed(1));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
