import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { REPO, browserStandIn, createSandbox, pendingUserCode, type Sandbox } from '../integration/harness';
import type { MfaDevice } from '../emulator';
import { chromiumMissing, launchChromium, startDevWebProcess, viewProblems, type DevWebProcess } from './uiHarness';

/**
 * IAM Identity Center and AWS Sign-In in the window and the prompt window, in Chromium against
 * dev:web (the real desktop app), the strict emulator and the real keychain. The person at the
 * browser is a BROWSER stand-in that opens the page and follows its redirects; what that person
 * does (approve, deny, walk away, confirm a device code) is set on the emulator.
 */
const OUTPUT = path.join(REPO, 'test', 'output');
const DEV = '210987654321';
const PROD = '333333333333';
if (chromiumMissing) process.stdout.write(`# skipping the Chromium sign-in views test: ${chromiumMissing}\n`);

describe('IAM Identity Center and AWS Sign-In in the window', { skip: chromiumMissing, timeout: 240_000 }, () => {
  let sb: Sandbox;
  let dev: DevWebProcess;
  let browser: Browser;
  let page: Page;
  let prompt: Page;
  // Sessions and profiles are named per sandbox: the keychain keeps SSO tokens by session name.
  let corp: string;
  let half: string;
  let devAdmin: string;
  let web: string;
  let webArn: string;
  let prefix: string;
  let mfaUser: string;
  let mfaRole: string;
  let mfa: MfaDevice;
  const rpcs: string[] = [];

  async function open(p: Page, hash: string): Promise<void> {
    await p.goto('about:blank');
    await p.goto(`${dev.url}#${hash}`);
    await p.locator('h1').first().waitFor();
    if (hash === 'profiles') await p.locator('#profile-count').filter({ hasText: /\d+ profiles$/ }).waitFor();
  }

  const ssoRow = (name: string) => page.locator(`li[data-sso-session="${name}"]`);
  const detail = () => page.locator('.detail');

  async function selectSession(name: string): Promise<void> {
    await ssoRow(name).locator('.row-select').click();
    await detail().locator('h2').getByText(name, { exact: true }).waitFor();
  }

  async function assertView(name: string, p: Page, ready: () => Promise<void>): Promise<void> {
    assert.deepEqual(await viewProblems(p, ready), [], name);
    // viewProblems ends at 1440 px in dark: keep that, and the narrow light one, to look at.
    await p.screenshot({ path: path.join(OUTPUT, `signin-${name}-dark.png`), fullPage: true });
    await p.setViewportSize({ width: 320, height: 640 });
    await p.emulateMedia({ colorScheme: 'light' });
    await ready();
    await p.screenshot({ path: path.join(OUTPUT, `signin-${name}-320.png`), fullPage: true });
    await p.setViewportSize({ width: 1440, height: 900 });
    await p.emulateMedia({ colorScheme: 'light' });
    await p.screenshot({ path: path.join(OUTPUT, `signin-${name}.png`), fullPage: true });
  }

  before(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    sb = await createSandbox();
    sb.env.BROWSER = browserStandIn(sb.home).env.BROWSER;
    corp = sb.name('corp');
    half = sb.name('half');
    devAdmin = sb.name('dev-admin');
    web = sb.name('web');
    prefix = `${sb.name('t')}-`;
    sb.emu.sso.createUser('dana');
    sb.emu.sso.assign('dana', { accountId: DEV, accountName: 'dev', roleName: 'Admin' });
    sb.emu.sso.assign('dana', { accountId: PROD, accountName: 'prod', roleName: 'ReadOnly' });
    webArn = sb.emu.createUser(web).arn;
    sb.emu.signin.browserSignsIn(web);
    // A user with MFA and a role, so an MFA request can wait beside a sign-in.
    const carol = sb.userWithMfaRole('carol', 'ops');
    ({ user: mfaUser, role: mfaRole, mfa } = carol);
    sb.writeConfig(
      `[sso-session ${corp}]\nsso_start_url = ${sb.emu.sso.startUrl}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n` +
        `[sso-session ${half}]\nsso_start_url = ${sb.emu.sso.startUrl}\n\n` +
        `[profile ${devAdmin}]\nsso_session = ${corp}\nsso_account_id = ${DEV}\nsso_role_name = Admin\nregion = eu-west-1\n\n` +
        `[profile ${web}]\nlogin_session = ${webArn}\nregion = eu-west-1\n\n` +
        `[profile ${mfaUser}]\nmfa_serial = ${mfa.serial}\n\n[profile ${mfaRole}]\nrole_arn = ${carol.roleArn}\nsource_profile = ${mfaUser}\nmfa_serial = ${mfa.serial}\n`,
    );
    const added = await sb.keytray(['add', mfaUser, '--env'], { env: { AWS_ACCESS_KEY_ID: carol.key.accessKeyId, AWS_SECRET_ACCESS_KEY: carol.key.secretAccessKey } });
    assert.equal(added.code, 0, added.stderr);
    dev = await startDevWebProcess(sb.env);
    browser = await launchChromium();
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    prompt = await context.newPage();
    for (const p of [page, prompt]) {
      p.setDefaultTimeout(15_000);
      p.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
    }
    page.on('request', (r) => {
      if (r.url().endsWith('/rpc')) rpcs.push((JSON.parse(r.postData() ?? '{}') as { channel?: string }).channel ?? '?');
    });
  });

  after(async () => {
    await browser?.close();
    await dev?.stop();
    for (const s of [corp]) await sb?.keytray(['sso', 'logout', s]);
    await sb?.keytray(['logout', web]);
    await sb?.keytray(['remove', mfaUser, '--yes']);
    await sb?.keytray(['clear']);
    await sb?.close();
  });

  it('lists each IAM Identity Center session signed out, with its start URL, its profiles and what is wrong with it', async () => {
    await open(page, 'profiles');
    const row = ssoRow(corp);
    assert.equal(await row.getByTestId('sso-time-left').innerText(), 'signed out');
    assert.match(await row.locator('.row-meta').innerText(), new RegExp(`^${escape(sb.emu.sso.startUrl)} · 1 profile$`));
    assert.equal(await row.getByRole('button', { name: `Sign in: ${corp}` }).isEnabled(), true);
    // A section Keytray cannot use says why, and cannot be signed in to.
    assert.match(await ssoRow(half).locator('.row-problem').innerText(), /has no sso_region/);
    assert.equal(await ssoRow(half).getByRole('button', { name: `Sign in: ${half}` }).isDisabled(), true);
    await selectSession(half);
    assert.match(await detail().getByTestId('sso-problem').innerText(), /has no sso_region/);
  });

  it('signs in through the browser, counts the time down, and signs out back to signed out', async () => {
    await open(page, 'profiles');
    const pagesBefore = sb.emu.sso.pagesOpened().authorize;
    await ssoRow(corp).getByRole('button', { name: `Sign in: ${corp}` }).click();
    await detail().getByText(new RegExp(`^Signed in to IAM Identity Center session ${corp}: `)).waitFor({ timeout: 30_000 });
    assert.equal(sb.emu.sso.pagesOpened().authorize, pagesBefore + 1, 'one sign-in page opened in the browser');
    await ssoRow(corp).getByTestId('sso-time-left').filter({ hasText: /^(59|60) min left, renews by itself$/ }).waitFor();
    assert.match(await detail().getByTestId('sso-detail-time-left').innerText(), /^(59|60) min left, renews by itself$/);
    // The CLI sees the same session: the window's sign-in is in the shared keychain.
    const listed = await sb.keytray(['list']);
    assert.match(listed.stdout, new RegExp(`^IAM Identity Center: ${corp} signed in, \\d+m left$`, 'm'));

    await ssoRow(corp).getByRole('button', { name: `Sign out: ${corp}` }).click();
    await detail().getByText(new RegExp(`^Signed out of ${corp}`)).waitFor();
    await ssoRow(corp).getByTestId('sso-time-left').filter({ hasText: /^signed out$/ }).waitFor();
    assert.equal(await ssoRow(corp).getByRole('button', { name: `Sign in: ${corp}` }).count(), 1);
  });

  it("device authorization shows the emulator's user code in the prompt window, and finishes when the person confirms it", async () => {
    await open(prompt, 'prompt');
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    await open(page, 'profiles');
    await selectSession(corp);
    // The person opens nothing by themselves: they confirm the code on "another device".
    sb.emu.sso.browser('ignore');
    await detail().getByRole('button', { name: 'Sign in with a code…' }).click();
    await prompt.getByRole('heading', { name: 'Continue in your browser', level: 1 }).waitFor();
    const code = await pendingUserCode(sb);
    assert.equal(await prompt.getByTestId('signin-user-code').innerText(), code);
    await prompt.getByText('Check that the page shows this code before you approve:').waitFor();
    assert.match(await prompt.locator('.browser-signin').innerText(), new RegExp(`open ${escape(sb.emu.url)}/device and enter the code`));
    assert.match(await prompt.locator('.browser-signin').innerText(), new RegExp(`IAM Identity Center session ${corp}`));
    assert.match(await prompt.getByTestId('signin-clock').innerText(), /^Gives up at \d\d:\d\d:\d\d \(in \d+:\d\d\)\.$/);
    // Focus lands in the new content, for the keyboard and the screen reader.
    assert.equal(await prompt.evaluate<string | undefined>('document.activeElement?.textContent ?? undefined'), 'Continue in your browser');
    // The window that started it shows the same code inline.
    assert.equal(await detail().getByTestId('signin-user-code').innerText(), code);
    await assertView('prompt-device-code', prompt, () => prompt.getByTestId('signin-user-code').waitFor());

    sb.emu.sso.decideDevice(code, 'approve');
    await detail().getByText(new RegExp(`^Signed in to IAM Identity Center session ${corp}: `)).waitFor({ timeout: 30_000 });
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    sb.emu.sso.browser('approve');
  });

  it('Cancel in the prompt window ends a sign-in the browser never finishes, and the window says so in place', async () => {
    await open(page, 'profiles');
    await ssoRow(corp).getByRole('button', { name: `Sign out: ${corp}` }).click();
    await ssoRow(corp).getByTestId('sso-time-left').filter({ hasText: /^signed out$/ }).waitFor();
    await open(prompt, 'prompt');
    sb.emu.sso.browser('ignore');
    const before = sb.emu.sso.pagesOpened().authorize;
    await ssoRow(corp).getByRole('button', { name: `Sign in: ${corp}` }).click();
    await prompt.getByRole('heading', { name: 'Continue in your browser', level: 1 }).waitFor();
    await prompt.getByText('Finish the sign-in in the browser window that opened.', { exact: false }).waitFor();
    await detail().getByTestId('browser-signin').waitFor();
    assert.equal(await ssoRow(corp).getByRole('button', { name: `Signing in: ${corp}` }).isDisabled(), true, 'no second sign-in while one waits');
    // The pressed button keeps the focus while it waits, so the keyboard does not fall to the page.
    assert.equal(await page.evaluate<string | null>("document.activeElement?.getAttribute('aria-label') ?? null"), `Signing in: ${corp}`);
    // "Open the page again" sends the browser to the same sign-in page once more.
    // The stand-in browser started by the click may reach the page only now, on a loaded machine:
    // the first page is counted before the second is asked for, so each is counted once.
    await waitUntil(() => sb.emu.sso.pagesOpened().authorize === before + 1, 'the sign-in page to open');
    await prompt.getByRole('button', { name: 'Open the page again' }).click();
    await waitUntil(() => sb.emu.sso.pagesOpened().authorize === before + 2, 'the sign-in page to open again');
    await prompt.getByRole('button', { name: 'Cancel sign-in' }).click();
    await prompt.getByText(`Cancelled the sign-in to IAM Identity Center session ${corp}.`).waitFor();
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    // The Sign in that started it hears the one line main sends, where it was pressed, said
    // plainly: the person chose it, so it is no alert.
    const said = detail().locator('p.status.ok').filter({ hasText: /cancelled/ });
    await said.waitFor();
    assert.match(await said.innerText(), new RegExp(corp));
    assert.equal((await said.innerText()).split('\n').length, 1, 'one line');
    assert.equal(await detail().getByRole('alert').count(), 0);
    assert.equal(await ssoRow(corp).getByTestId('sso-time-left').innerText(), 'signed out');
    sb.emu.sso.browser('approve');
  });

  it('an MFA request and a sign-in can wait at once: both show, and Escape cancels the one with focus', async () => {
    await open(prompt, 'prompt');
    sb.emu.sso.browser('ignore');
    await open(page, 'profiles');
    await ssoRow(corp).getByRole('button', { name: `Sign in: ${corp}` }).click();
    await prompt.getByRole('heading', { name: 'Continue in your browser', level: 1 }).waitFor();
    await sb.keytray(['clear', mfaRole]);
    const cli = sb.keytray(['credential-process', mfaRole]);
    await prompt.getByRole('heading', { name: 'Two requests are waiting', level: 1 }).waitFor();
    await prompt.getByRole('heading', { name: 'Continue in your browser', level: 2 }).waitFor();
    await prompt.getByRole('heading', { name: 'A program asks for an MFA code', level: 2 }).waitFor();
    assert.equal(await prompt.evaluate<string | undefined>('document.activeElement?.id'), 'prompt-code', 'the code field has focus');
    await assertView('prompt-both', prompt, () => prompt.getByLabel('Code from your MFA device').waitFor());
    // Escape in the code field is about the code; the sign-in keeps waiting.
    await prompt.getByLabel('Code from your MFA device').focus();
    await prompt.keyboard.press('Escape');
    const refused = await cli;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /MFA cancelled in the Keytray window/);
    await prompt.getByRole('heading', { name: 'Continue in your browser', level: 1 }).waitFor();
    // With only the sign-in left, Escape cancels it.
    await prompt.getByRole('button', { name: 'Open the page again' }).focus();
    await prompt.keyboard.press('Escape');
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    await detail().locator('p.status').filter({ hasText: /cancelled/ }).waitFor();
    sb.emu.sso.browser('approve');
  });

  it('a sign-in a program started names the program and the profile it asked for in the prompt window; Cancel tells the program', async () => {
    await open(prompt, 'prompt');
    sb.emu.sso.browser('ignore');
    const cli = sb.keytray(['credential-process', devAdmin]);
    await prompt.getByRole('heading', { name: 'Continue in your browser', level: 1 }).waitFor({ timeout: 30_000 });
    const requester = prompt.getByTestId('signin-requester');
    assert.ok((await requester.locator('strong.process-name').innerText()).length > 0, 'the program is named in bold');
    // The program that ran `keytray credential-process` (here this test), as the MFA prompt names it.
    assert.match(await requester.innerText(), new RegExp(`pid ${process.pid}\\b`));
    assert.match(await prompt.locator('.browser-signin .prompt-facts').innerText(), new RegExp(`For profile\\s+${devAdmin}`));
    await prompt.getByRole('button', { name: 'Cancel sign-in' }).click();
    const refused = await cli;
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1, `one line: ${refused.stderr}`);
    assert.match(refused.stderr, new RegExp(corp));
    sb.emu.sso.browser('approve');
  });

  it('Start on a signed-out IAM Identity Center profile signs its session in through the browser and starts the role session', async () => {
    await open(page, 'profiles');
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(devAdmin);
    await page.locator(`li[data-profile="${devAdmin}"]`).getByRole('button', { name: `Start: ${devAdmin}` }).click();
    await page.getByText(new RegExp(`^Session for ${devAdmin} started`)).waitFor({ timeout: 30_000 });
    await page.locator(`li[data-profile="${devAdmin}"]`).getByText(/min left, until \d\d:\d\d/).waitFor();
    await ssoRow(corp).getByTestId('sso-time-left').filter({ hasText: /min left, renews by itself$/ }).waitFor();
  });

  it('previews the profiles for my accounts, applies them, and shows them grouped by account name', async () => {
    await open(page, 'profiles');
    await selectSession(corp);
    const before = fs.readFileSync(sb.configFile, 'utf8');
    await detail().getByLabel('Name prefix (optional)').fill(prefix);
    await detail().getByRole('button', { name: 'Preview' }).click();
    const preview = detail().getByTestId('populate-preview');
    await preview.waitFor({ timeout: 30_000 });
    const text = await preview.innerText();
    assert.match(text, /Would add 1 profile:/);
    assert.match(text, new RegExp(`${escape(prefix)}prod-ReadOnly \\(prod ${PROD}, ReadOnly\\)`));
    assert.match(text, /1 profile is already up to date in /);
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before, 'a preview writes nothing');
    await assertView('populate-preview', page, () => preview.waitFor());

    await detail().getByRole('button', { name: 'Apply' }).click();
    const result = detail().getByTestId('populate-result');
    await result.filter({ hasText: /^Done in / }).waitFor({ timeout: 30_000 });
    assert.match(await result.innerText(), /added 1 profile; 1 profile already up to date\.$/);
    const after = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(after.startsWith(before), 'every byte before is kept');
    assert.match(after.slice(before.length), new RegExp(`\\[profile ${escape(prefix)}prod-ReadOnly\\]\\n`));

    // The new profile is in the list at once (no restart), under its account's name and ID.
    const added = `${prefix}prod-ReadOnly`;
    await page.locator(`li[data-profile="${added}"]`).waitFor();
    const prodHeading = page.locator('li.group-heading[data-group="prod"]');
    await prodHeading.waitFor();
    assert.match(await prodHeading.innerText(), new RegExp(`prod\\s+${PROD}\\s+1 profile`));
    const devHeading = page.locator('li.group-heading[data-group="dev"]');
    await devHeading.waitFor();
    assert.match(await devHeading.innerText(), new RegExp(`dev\\s+${DEV}`));
    // The heading comes right before its profile in the list.
    const order = await page.evaluate<string[]>(
      "[...document.querySelectorAll('.profile-rows > li')].sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((li) => li.dataset.group ? 'group:' + li.dataset.group : li.dataset.profile)",
    );
    assert.equal(order[order.indexOf('group:prod') + 1], added);
    // The search matches account names.
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill('prod');
    await page.locator(`li[data-profile="${added}"]`).waitFor();
    assert.equal(await page.locator('li[data-profile]').first().getAttribute('data-profile'), added);
    await assertView('profiles-grouped', page, () => page.locator(`li[data-profile="${added}"]`).waitFor());
  });

  it('a login profile offers Sign in in its row, then shows the principal and both times left, and signs out', async () => {
    await open(page, 'profiles');
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(web);
    const row = page.locator(`li[data-profile="${web}"]`);
    await row.getByRole('button', { name: `Sign in: ${web}` }).click();
    await page
      .getByText(new RegExp(`^Signed in to ${web} as ${escape(webArn)}`))
      .waitFor({ timeout: 30_000 })
      .catch(async (err: unknown) => assert.fail(`${String(err)}\nThe detail said: ${await detail().innerText()}`));
    await detail().getByTestId('detail-principal').filter({ hasText: webArn }).waitFor();
    assert.match(await detail().getByTestId('detail-signin-session').innerText(), /^(11 h 5\d min|12 h) left$/);
    assert.match(await detail().getByTestId('detail-session').innerText(), /^1[45] min left, until \d\d:\d\d$/);
    await row.getByRole('button', { name: `Make active: ${web}` }).waitFor();
    await assertView('login-detail', page, () => detail().getByTestId('detail-principal').waitFor());

    await detail().getByRole('button', { name: 'Sign out' }).click();
    await page.getByText(new RegExp(`^Signed out of ${web}`)).waitFor();
    await row.getByRole('button', { name: `Sign in: ${web}` }).waitFor();
    assert.equal(await detail().getByTestId('detail-signin-session').innerText(), 'not signed in');
    // Sign in again from the detail's own button.
    await detail().getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText(new RegExp(`^Signed in to ${web} as `)).waitFor({ timeout: 30_000 });
    await detail().getByRole('button', { name: 'Sign in again' }).waitFor();
  });

  it('the SSO session detail passes axe and reflows, and the idle window sends no RPC', async () => {
    await open(page, 'profiles');
    await selectSession(corp);
    await assertView('sso-detail', page, () => detail().getByRole('button', { name: 'Preview' }).waitFor());
    await page.waitForTimeout(500);
    const before = rpcs.length;
    await page.waitForTimeout(5_000);
    assert.deepEqual(rpcs.slice(before), [], 'the idle window is told, it does not ask');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`waited 15 s for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
