import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSandbox, parseCredentialDocument, type Sandbox } from '../integration/harness';
import type { MfaDevice } from '../emulator';
import type { ProfileList } from '../../electron/ipc/contract';
import { startDevWebServer, type DevWebServer } from '../devweb/devWebServer';

/**
 * The windows are told, never poll: in Chromium against dev:web (the same desktop wiring as the
 * Electron main process), an idle page issues no RPC, and changes made by the app, by the CLI in
 * another process and by an MFA request through the agent reach the page as pushed events.
 */
const CHROMIUM = '/usr/bin/chromium';
const skipReason = fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
const IDLE_MS = 6_000;

describe('pushed state in Chromium against dev:web', { skip: skipReason, timeout: 90_000 }, () => {
  let sb: Sandbox;
  let dev: DevWebServer;
  let browser: Browser;
  let user: string;
  let role: string;
  let mfa: MfaDevice;
  let roleArn: string;
  let key: { accessKeyId: string; secretAccessKey: string };

  /** RPCs the page sends from now on, by channel. */
  function countRpcs(page: Page): string[] {
    const calls: string[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname !== '/rpc') return;
      calls.push((JSON.parse(req.postData() ?? '{}') as { channel?: string }).channel ?? '?');
    });
    return calls;
  }

  /** Records in the page every payload of one pushed event, through the same window.keytray.on the views use. */
  async function recordPushes(page: Page, event: string): Promise<void> {
    await page.evaluate(`(() => { window.__pushes = window.__pushes || {}; window.__pushes[${JSON.stringify(event)}] = []; window.keytray.on(${JSON.stringify(event)}, (p) => window.__pushes[${JSON.stringify(event)}].push(p)); })()`);
  }

  /** Waits until a payload of the event, as the page received it, passes the test. */
  async function waitForPush<T>(page: Page, event: string, test: (payload: T) => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const received = await page.evaluate<T[]>(`window.__pushes[${JSON.stringify(event)}]`);
      if (received.some(test)) return;
      if (Date.now() > deadline) assert.fail(`no ${event} push passed the check; the page received ${received.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  before(async () => {
    sb = await createSandbox();
    ({ user, role, mfa, roleArn, key } = sb.userWithMfaRole());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  after(async () => {
    await browser?.close();
    await dev?.close();
    await sb?.keytray(['remove', user, '--yes']);
    await sb?.keytray(['clear']);
    await sb?.close();
  });

  it('an idle profile list issues no RPC, and hears of changes from the app and from the CLI', async () => {
    sb.writeConfig(`[profile ${user}]\nmfa_serial = ${mfa.serial}\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n`);
    const added = await sb.keytray(['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
    assert.equal(added.code, 0, added.stderr);

    dev = await startDevWebServer({ env: sb.env, log: () => undefined });
    const page = await browser.newPage();
    page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
    await page.goto(dev.url);
    await page.locator(`li[data-profile="${role}"]`).waitFor();
    await recordPushes(page, 'state.changed');
    const calls = countRpcs(page);

    await page.waitForTimeout(IDLE_MS);
    assert.deepEqual(calls, [], `the idle page called ${calls.join(', ')}`);

    // A change made by the app (here the tray's "make active", run in main) reaches the page.
    await dev.app.runTrayAction({ type: 'make-active', profile: role });
    await waitForPush<ProfileList>(page, 'state.changed', (p) => p.active === role);

    // A change made by another process: the CLI starts a session with a code on its command line.
    const served = await sb.keytray(['credential-process', role, '--mfa-code', mfa.unusedCode()]);
    assert.equal(served.code, 0, served.stderr);
    await waitForPush<ProfileList>(page, 'state.changed', (p) => p.profiles.some((r) => r.name === role && (r.sessionSecondsLeft ?? 0) > 0));
    await page.locator(`li[data-profile="${role}"]`).getByText(/min left/).waitFor();

    // `keytray clear` in another process: it writes the keychain itself and moves the generation marker.
    const cleared = await sb.keytray(['clear']);
    assert.equal(cleared.code, 0, cleared.stderr);
    await waitForPush<ProfileList>(page, 'state.changed', (p) => p.profiles.every((r) => r.sessionSecondsLeft === null));
    assert.deepEqual(calls, [], `the page called ${calls.join(', ')} while only listening`);
    await page.close();
  });

  it('the prompt window shows an MFA request the moment the agent asks, without polling', async () => {
    const prompt = await browser.newPage();
    await prompt.goto(`${dev.url}#prompt`);
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    const calls = countRpcs(prompt);

    const cli = sb.keytray(['credential-process', role]);
    await prompt.getByText('Requested by').waitFor();
    assert.deepEqual(calls, [], `the prompt window called ${calls.join(', ')} before any input`);
    await prompt.getByLabel('Code from your MFA device').fill(mfa.unusedCode());
    await prompt.keyboard.press('Enter');
    const result = await cli;
    assert.equal(result.code, 0, result.stderr);
    parseCredentialDocument(result.stdout);
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    // Only what the typed code caused: the answer, then the view reading the queue once after it.
    assert.equal(calls[0], 'prompt.answer');
    assert.deepEqual(calls.slice(1).filter((c) => c !== 'prompt.current'), [], `the prompt window called ${calls.join(', ')}`);
    assert.ok(calls.length <= 2, `the prompt window called ${calls.join(', ')}`);
    await prompt.close();
  });

  it('Settings say what Linux cannot do, and with no tray host the window says so and offers Quit', async () => {
    const page = await browser.newPage();
    await page.goto(`${dev.url}#settings`);
    await page.getByTestId('note-lock-screen').waitFor();
    assert.match(await page.getByTestId('note-lock-screen').innerText(), /^Linux does not tell apps when the screen locks/);
    assert.match(await page.getByTestId('note-start-at-login').innerText(), /autostart\/keytray\.desktop/);
    assert.equal(await page.getByTestId('tray-notice').count(), 0, 'no tray notice while a tray shows');
    await page.close();

    const logged: string[] = [];
    const trayless = await startDevWebServer({ env: sb.env, log: (line) => logged.push(line), trayHost: 'missing' });
    try {
      const p = await browser.newPage();
      await p.goto(trayless.url);
      await p.getByTestId('tray-notice').waitFor();
      assert.match(await p.getByTestId('tray-notice').innerText(), /no tray icons .*Quit button/);
      await p.getByRole('button', { name: 'Quit Keytray' }).click();
      await waitForQuit(trayless);
      await p.close();
    } finally {
      await trayless.close();
    }
  });
});

async function waitForQuit(dev: DevWebServer): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!dev.quitRequested()) {
    if (Date.now() > deadline) assert.fail('the window\'s Quit button did not quit');
    await new Promise((r) => setTimeout(r, 50));
  }
}

