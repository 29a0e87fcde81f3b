import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from '../integration/harness';

/**
 * What the Chromium UI tests and the UI benchmark share: dev:web as `npm run dev:web` runs it,
 * Debian's Chromium, and axe-core. Pages are opened with CSP bypassed only so axe's script can be
 * injected; the app's own scripts are the same either way.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumMissing = fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
const AXE = path.join(REPO, 'node_modules', 'axe-core', 'axe.min.js');

export interface DevWebProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startDevWebProcess(env: NodeJS.ProcessEnv): Promise<DevWebProcess> {
  const server: ChildProcess = spawn(process.execPath, [path.join(REPO, 'dist', 'test', 'devweb', 'devWebServer.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dev:web printed no URL within 20 s: ${stderr}`)), 20_000);
    server.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /Keytray dev:web: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev:web exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    async stop() {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Every axe-core violation on the page, of any impact. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: AXE });
  return page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) })))`,
  );
}

/** How far the page is wider than the window: 0 means no horizontal scroll. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth');
}

/**
 * The window's rules for one view, in light and dark at 320 and 1440 CSS px: axe-core finds
 * nothing, nothing scrolls sideways at 320 px, and at most one primary button is enabled. `ready`
 * waits for the view's content after each resize. Returns what broke, so the caller's assertion
 * names the view.
 */
export async function viewProblems(page: Page, ready: () => Promise<void>): Promise<string[]> {
  const problems: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [320, 1440]) {
      await page.setViewportSize({ width, height: width === 320 ? 640 : 900 });
      await page.emulateMedia({ colorScheme });
      await ready();
      const at = `${colorScheme}, ${width} px`;
      const violations = await axeViolations(page);
      if (violations.length > 0) problems.push(`${at}: ${JSON.stringify(violations, null, 1)}`);
      if (width === 320 && (await horizontalOverflow(page)) > 0) problems.push(`${at}: scrolls sideways`);
      if ((await page.locator('button.primary:not(:disabled)').count()) > 1) problems.push(`${at}: more than one primary button`);
    }
  }
  return problems;
}
