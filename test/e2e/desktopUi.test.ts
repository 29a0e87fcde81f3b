import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO, createSandbox, parseCredentialDocument, type Sandbox } from '../integration/harness';
import type { EmulatorUser, MfaDevice } from '../emulator';

/**
 * The UI as a new user meets it, in Debian's Chromium, against `npm run dev:web` (the renderer
 * over the real handler table), the STS emulator and the real keychain. After every step the page
 * text, its HTML and every input's value are searched for each secret known so far.
 */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = path.join(REPO, 'test', 'output');
const skipReason = fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
if (skipReason) process.stdout.write(`# skipping the Chromium UI test: ${skipReason}\n`);

describe('desktop UI in Chromium against dev:web', { skip: skipReason, timeout: 90_000 }, () => {
  let sb: Sandbox;
  let server: ChildProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  let alice: EmulatorUser;
  let mfa: MfaDevice;
  let user: string;
  let role: string;
  let roleArn: string;
  const secrets: string[] = [];

  async function assertNoSecretInPage(p: Page = page): Promise<void> {
    const html = await p.content();
    // Evaluated in the page (this project's Node tsconfig has no DOM types, hence the strings).
    const text = await p.evaluate<string>('document.body.innerText');
    const values = await p.evaluate<string>("[...document.querySelectorAll('input')].map((i) => i.value).join('\\n')");
    for (const s of secrets) {
      for (const [where, content] of [['HTML', html], ['text', text], ['input values', values]] as const) {
        assert.ok(!content.includes(s), `a secret ending ${s.slice(-4)} is in the page ${where}`);
      }
    }
  }

  async function shot(name: string, p: Page = page): Promise<void> {
    await p.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });
  }

  before(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    sb = await createSandbox();
    ({ user, role, key: alice, mfa, roleArn } = sb.userWithMfaRole());
    secrets.push(alice.secretAccessKey);

    // dev:web as `npm run dev:web` runs it once built; spawned asynchronously (the emulator is here).
    server = spawn(process.execPath, [path.join(REPO, 'dist', 'test', 'devweb', 'devWebServer.js')], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`dev:web printed no URL: ${stderr}`)), 15_000);
      server.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /Keytray dev:web: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      server.once('exit', (code) => reject(new Error(`dev:web exited with ${code}: ${stderr}`)));
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    // Leave nothing in the shared test keyring.
    await sb?.keytray(['remove', user, '--yes']);
    await sb?.keytray(['clear']);
    await sb?.close();
  });

  it('refuses the page without the token printed by dev:web', async () => {
    const origin = new URL(url).origin;
    const response = await page.goto(`${origin}/`);
    assert.equal(response?.status(), 403);
  });

  it('shows an empty profile list with a way to start', async () => {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No profiles yet' }).waitFor();
    await page.getByRole('button', { name: 'Add key' }).waitFor();
    await page.getByRole('button', { name: 'Import' }).waitFor();
    await shot('01-profiles-empty');
  });

  it('adds a user key with inline validation; the secret leaves the page once sent', async () => {
    await page.getByRole('link', { name: 'Add access key' }).click();
    await page.getByRole('heading', { name: 'Add an access key' }).waitFor();
    const name = page.getByLabel('Profile name');
    await name.fill('has space');
    await name.blur();
    await page.getByText('cannot contain spaces').waitFor();
    await name.fill(user);
    await page.getByLabel('Access key ID').fill(alice.accessKeyId);
    await page.getByLabel('Secret access key').fill(alice.secretAccessKey);
    const serial = page.getByLabel('MFA device (optional)');
    await serial.fill('arn:aws:iam::1:mfa/x');
    await serial.blur();
    await page.getByText('should be 12 digits').waitFor();
    await serial.fill(mfa.serial);
    await page.getByLabel('Region (optional)').fill('us-east-1');
    await page.getByText('should be 12 digits').waitFor({ state: 'detached' });
    // The typed secret lives only in the password input's value, never in the HTML or text.
    const html = await page.content();
    assert.ok(!html.includes(alice.secretAccessKey) && !html.includes(alice.accessKeyId));
    await shot('02-add-user');
    await page.getByRole('button', { name: 'Store key' }).click();
    await page.locator(`li[data-profile="${user}"]`).waitFor();
    await assertNoSecretInPage();
    await page.locator(`li[data-profile="${user}"] .row-select`).click();
    assert.match(await page.locator('.detail').innerText(), new RegExp(`\\*+${alice.accessKeyId.slice(-4)}`));
  });

  it('adds a role profile, validating the ARN and duration as the user types', async () => {
    await page.getByRole('link', { name: 'Add role' }).click();
    await page.getByRole('heading', { name: 'Add a role' }).waitFor();
    await page.getByLabel('Profile name').fill(role);
    const arn = page.getByLabel('Role ARN');
    await arn.fill('arn:aws:iam::123:role/Admin');
    await arn.blur();
    await page.getByText('should be 12 digits').waitFor();
    await arn.fill(roleArn);
    await page.getByLabel('Source profile').selectOption(user);
    const duration = page.getByLabel('Session duration in seconds (optional)');
    await duration.fill('60');
    await duration.blur();
    await page.getByText('from 900 (15 minutes) to 43200').waitFor();
    await duration.fill('3600');
    await page.getByText('from 900 (15 minutes) to 43200').waitFor({ state: 'detached' });
    await shot('03-add-role');
    await page.getByRole('button', { name: 'Add role', exact: true }).last().click();
    await page.locator(`li[data-profile="${role}"]`).waitFor();
    assert.match(fs.readFileSync(sb.configFile, 'utf8'), new RegExp(`\\[profile ${role}\\]\\nrole_arn = ${roleArn.replace(/\//g, '\\/')}\\nsource_profile = ${user}\\nduration_seconds = 3600\\n`));
  });

  it('starts the role session by typing an MFA code; a refused code is shown at the field, which stays open', async () => {
    const row = page.locator(`li[data-profile="${role}"]`);
    await row.getByRole('button', { name: `Start: ${role}` }).click();
    const code = page.getByRole('textbox', { name: `MFA code for ${role}` });
    await code.waitFor();
    assert.match(await page.locator('.detail').innerText(), new RegExp(mfa.serial.replace(/[/]/g, '\\/')));
    await shot('04-mfa-inline');
    await code.fill(wrongCode(mfa.unusedCode()));
    await code.press('Enter');
    // STS's reason, at the code field; no success line anywhere, and the field is ready for the next code.
    await page.locator('.mfa-form .field-error').getByText(/STS rejected the MFA code/).waitFor();
    assert.equal(await page.getByText(`Session for ${role} started`).count(), 0);
    assert.equal(await page.evaluate<string>('document.activeElement?.id'), `mfa-${role}`);
    await code.fill(mfa.unusedCode());
    await code.press('Enter');
    await page.getByText(`Session for ${role} started`).waitFor();
    await row.getByText(/\d+ min left, until \d\d:\d\d/).waitFor();
    // Focus is back on the row the user acted on, not lost to <body>.
    assert.equal(await page.evaluate<string | null>("document.activeElement?.closest('li')?.getAttribute('data-profile') ?? null"), role);
    await assertNoSecretInPage();
  });

  it('makes the role active; `keytray credential-process --active` then returns its credentials', async () => {
    const row = page.locator(`li[data-profile="${role}"]`);
    await row.getByRole('button', { name: `Make active: ${role}` }).click();
    await page.getByText(`${role} is now the active profile.`).waitFor();
    await row.getByRole('button', { name: `Active: ${role}`, pressed: true }).waitFor();
    await shot('05-profiles-active');

    const result = await sb.keytray(['credential-process', '--active']);
    assert.equal(result.code, 0, result.stderr);
    const doc = parseCredentialDocument(result.stdout);
    secrets.push(doc.SecretAccessKey, doc.SessionToken!, doc.AccessKeyId);
    assert.match(await sb.identityOf(doc), new RegExp(`:assumed-role/${role}/`));
    await page.reload();
    await page.locator(`li[data-profile="${role}"]`).waitFor();
    await assertNoSecretInPage();
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('06-profiles-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows the MFA prompt window with the requesting process when the CLI needs a code', async () => {
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByText('Locked: every session ended.').waitFor();
    const cli = sb.keytray(['credential-process', role]);
    const prompt = await browser.newPage({ viewport: { width: 460, height: 420 } });
    await prompt.goto(`${url}#prompt`);
    await prompt.getByText('Requested by').waitFor();
    assert.equal(await prompt.getByTestId('prompt-profile').innerText(), `${role} (via ${user})`);
    assert.match(await prompt.getByTestId('prompt-requester').innerText(), new RegExp(`pid ${process.pid}`));
    await shot('07-mfa-prompt-window', prompt);
    // A wrong code: the window shows STS's reason and the request stays open; the CLI keeps waiting.
    await prompt.getByLabel('Code from your MFA device').fill(wrongCode(mfa.unusedCode()));
    await prompt.locator('#prompt-code-error').getByText(/STS rejected the MFA code/).waitFor();
    assert.equal(await prompt.getByText('AWS accepted the code').count(), 0);
    assert.equal(await prompt.getByTestId('prompt-profile').innerText(), `${role} (via ${user})`);
    // Six digits send themselves: no Enter needed.
    await prompt.getByLabel('Code from your MFA device').fill(mfa.unusedCode());
    const result = await cli;
    assert.equal(result.code, 0, result.stderr);
    const doc = parseCredentialDocument(result.stdout);
    secrets.push(doc.SecretAccessKey, doc.SessionToken!);
    await prompt.getByText(/AWS accepted the code/).waitFor();
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    await assertNoSecretInPage(prompt);
    await prompt.close();
  });

  it('lists the served session in the activity log with the requesting process', async () => {
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    await page.getByText(new RegExp(`Served "${role}" to .*pid ${process.pid}`)).first().waitFor();
    await shot('08-activity');
    await assertNoSecretInPage();
  });

  it('shows settings and the import wizard, all controls labelled', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('MFA session length for user profiles').waitFor();
    await page.getByLabel('Profiles matching').fill(role.slice(0, 5));
    await page.getByRole('button', { name: /^Serve 1 through credential_process$/ }).waitFor();
    await shot('09-settings');
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByRole('button', { name: 'Look for keys' }).click();
    await page.getByText('No plaintext keys in').waitFor();
    await shot('10-import');
    // Every form control has an accessible name (a label or aria-label), on every view visited.
    const unlabelled = await page.evaluate<string[]>(
      "[...document.querySelectorAll('input, select, button')].filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !(el.textContent || '').trim()).map((el) => el.outerHTML)",
    );
    assert.deepEqual(unlabelled, []);
    await assertNoSecretInPage();
  });

  it('is usable from the keyboard: the navigation is reachable with Tab and follows Enter', async () => {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor();
    // Focus starts on the view's heading; Shift+Tab walks back through the navigation.
    let focused = '';
    for (let i = 0; i < 12 && focused !== 'nav:Add access key'; i++) {
      await page.keyboard.press('Shift+Tab');
      focused = await page.evaluate<string>("(document.activeElement?.closest('nav') ? 'nav:' : '') + (document.activeElement?.textContent || '').trim()");
    }
    assert.equal(focused, 'nav:Add access key');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Add an access key' }).waitFor();
    assert.equal(await page.evaluate<string>('document.activeElement?.tagName'), 'H1', 'focus moves to the new view');
  });
});

/** A six-digit code that is not the device's current one. */
function wrongCode(right: string): string {
  return String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
}
