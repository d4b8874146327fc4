// Benchmark: time from `import` of the package to SDK_READY in headless Chromium against a
// local tim-server (target/release/tim-server if built, else target/debug). Run after
// ./scripts/build-sdk.sh:   node bench/ready-time.mjs [runs]
import { cpSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, ROOT } from '../tests/lib/server.mjs';
import { launchChromium } from '../tests/lib/browser.mjs';

const runs = Number(process.argv[2] || 10);
const release = join(ROOT, 'target', 'release', 'tim-server');
if (existsSync(release)) process.env.TIM_SERVER_BIN ||= release;

const www = mkdtempSync(join(tmpdir(), 'tim-bench-'));
cpSync(join(ROOT, 'pkg'), join(www, 'sdk'), { recursive: true, dereference: true });
writeFileSync(join(www, 'index.html'), `<!doctype html><script type="module">
  window.measure = async (userID) => {
    const { userSig, SDKAppID } = await (await fetch('/dev/usersig?userID=' + userID)).json();
    const t0 = performance.now();
    const { default: TIM } = await import('./sdk/index.js?' + userID);
    const t1 = performance.now();
    const tim = TIM.create({ SDKAppID });
    const ready = new Promise((r) => tim.on(TIM.EVENT.SDK_READY, r));
    tim.login({ userID, userSig });
    await ready;
    return { importMs: t1 - t0, readyMs: performance.now() - t0 };
  };
</script>`);

const server = await startServer(['--dev', '--static', www]);
const browser = await launchChromium();
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    // A fresh context each run: nothing cached, as on a first visit.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url + '/index.html');
    await page.waitForFunction(() => window.measure);
    results.push(await page.evaluate((u) => window.measure(u), `bench${i}`));
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(1);
console.log(`${runs} runs, fresh browser context each: import ${fmt(median(results.map((r) => r.importMs)))} ms median, ` +
  `import -> SDK_READY ${fmt(median(results.map((r) => r.readyMs)))} ms median ` +
  `(min ${fmt(Math.min(...results.map((r) => r.readyMs)))}, max ${fmt(Math.max(...results.map((r) => r.readyMs)))})`);
