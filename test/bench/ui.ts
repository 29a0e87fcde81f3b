import type { Page } from 'playwright-core';
import { startDevWebServer } from '../devweb/devWebServer';
import { chromiumMissing, launchChromium } from '../e2e/uiHarness';
import type { Sandbox } from '../integration/harness';

/**
 * The window with 2,000 profiles, measured in Chromium against dev:web (the real handler table):
 * the first row's paint after load, the time from a keystroke in the search box to its result on
 * screen, and the longest main-thread task while the window sits idle (PerformanceObserver's
 * longtask entries, which Chromium reports for tasks over 50 ms).
 */
const PROFILES = 2000;
const RUNS = Number(process.env.KEYTRAY_BENCH_UI_RUNS ?? 5);
const IDLE_MS = 10_000;

/** Installed before the app's script: notes when the first row is in the DOM and painted. */
const PROBE = `
window.__bench = { firstRow: null, longTasks: [] };
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longTasks.push({ start: e.startTime, duration: e.duration }); })
  .observe({ type: 'longtask', buffered: true });
new MutationObserver((_, observer) => {
  if (window.__bench.firstRow === null && document.querySelector('li[data-profile]')) {
    observer.disconnect();
    // The frame after the row is in the DOM is the one that paints it.
    requestAnimationFrame(() => setTimeout(() => { window.__bench.firstRow = performance.now(); }, 0));
  }
}).observe(document, { childList: true, subtree: true });
`;

export async function uiFigures(sb: Sandbox): Promise<string[]> {
  if (chromiumMissing) return [`window with ${PROFILES} profiles: skipped, ${chromiumMissing}`];
  const lines: string[] = [];
  for (let i = 0; i < PROFILES / 2; i++) {
    lines.push(`[profile user${i}]`, `mfa_serial = arn:aws:iam::111111111111:mfa/user${i}`, 'region = eu-west-1', '');
    lines.push(`[profile role${i}]`, `role_arn = arn:aws:iam::${String(200000000000 + (i % 40))}:role/Role${i}`, `source_profile = user${i}`, '');
  }
  sb.writeConfig(lines.join('\n'));
  const dev = await startDevWebServer({ env: sb.env, log: () => undefined });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    const paints: number[] = [];
    const filters: number[] = [];
    let nodes = 0;
    for (let run = 0; run < RUNS; run++) {
      await page.goto('about:blank');
      await page.goto(`${dev.url}#profiles`);
      // A function, not a string: the page's CSP forbids eval, and a string predicate is eval'd in the page.
      await page.waitForFunction(() => (globalThis as unknown as { __bench: { firstRow: number | null } }).__bench.firstRow !== null, undefined, { timeout: 30_000 });
      paints.push(await page.evaluate<number>('window.__bench.firstRow'));
      nodes = await page.evaluate<number>("document.getElementsByTagName('*').length");
      filters.push(await filterToResult(page, `role${(run * 397) % (PROFILES / 2)}`));
    }
    // Idle: the page loaded, nothing typed; any task over 50 ms now is the window's own doing.
    await page.waitForTimeout(1_000);
    const idleFrom = await page.evaluate<number>('performance.now()');
    await page.waitForTimeout(IDLE_MS);
    const idleTasks = await page.evaluate<Array<{ start: number; duration: number }>>('window.__bench.longTasks');
    const longestIdle = Math.max(0, ...idleTasks.filter((t) => t.start >= idleFrom).map((t) => t.duration));
    return [
      `window with ${PROFILES} profiles (Chromium, ${RUNS} loads)`,
      `  first row painted          ${ms(median(paints))}  (budget 300 ms; ${nodes} DOM nodes, budget 2,500)`,
      `  filter to result           ${ms(median(filters))}  (budget 50 ms)`,
      `  longest task while idle    ${ms(longestIdle)}  (budget 50 ms; over ${IDLE_MS / 1000} s)`,
    ];
  } finally {
    await browser.close();
    await dev.close();
  }
}

/** Types a whole query at once and waits for the frame that shows its first match. */
async function filterToResult(page: Page, query: string): Promise<number> {
  return page.evaluate<number>(`new Promise((resolve) => {
    const input = document.getElementById('profile-search');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const start = performance.now();
    setValue.call(input, ${JSON.stringify(query)});
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const check = () => {
      const first = document.querySelector('li[data-profile]');
      if (first && first.getAttribute('data-profile') === ${JSON.stringify(query)}) requestAnimationFrame(() => resolve(performance.now() - start));
      else requestAnimationFrame(check);
    };
    check();
  })`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function ms(x: number): string {
  return `${x.toFixed(1).padStart(6)} ms`;
}
