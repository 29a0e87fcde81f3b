import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { REPO, createSandbox, type Sandbox } from '../integration/harness';
import type { EmulatorUser, MfaDevice } from '../emulator';
import { axeViolations, chromiumMissing, horizontalOverflow, launchChromium, startDevWebProcess, type DevWebProcess } from './uiHarness';

/**
 * Every view of the window and the prompt window, in light and dark, at 320 and 1440 CSS px, with
 * 2,000 profiles: axe-core finds nothing, nothing scrolls sideways, the list stays small in the DOM,
 * search and the keyboard work, and what the issue saw broken stays fixed.
 */
const OUTPUT = path.join(REPO, 'test', 'output');
const BULK = 2000;
if (chromiumMissing) process.stdout.write(`# skipping the Chromium views test: ${chromiumMissing}\n`);

describe('every view, at 320 and 1440 px, light and dark, with 2,000 profiles', { skip: chromiumMissing, timeout: 240_000 }, () => {
  let sb: Sandbox;
  let dev: DevWebProcess;
  let browser: Browser;
  let page: Page;
  let user: string;
  let role: string;
  let chained: string;
  let carol: string;
  let plaintextUser: string;
  let longName: string;
  let alice: EmulatorUser;
  let mfa: MfaDevice;
  let roleArn: string;
  const rpcs: string[] = [];

  async function open(hash: string, p: Page = page): Promise<void> {
    // A hash change alone would not reload the page; each view starts from a fresh load.
    await p.goto('about:blank');
    await p.goto(`${dev.url}#${hash}`);
    await p.locator('h1').first().waitFor();
    // The list arrives a moment after the page: wait for it before typing or pressing keys.
    if (hash === 'profiles') await p.locator('#profile-count, .empty').first().filter({ hasText: /\d+ profiles$|No profiles yet/ }).waitFor();
  }

  async function checkView(name: string, p: Page, ready: () => Promise<void>): Promise<void> {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [320, 1440]) {
        await p.setViewportSize({ width, height: width === 320 ? 640 : 900 });
        await p.emulateMedia({ colorScheme });
        await ready();
        const violations = await axeViolations(p);
        assert.deepEqual(violations, [], `${name}, ${colorScheme}, ${width} px: ${JSON.stringify(violations, null, 1)}`);
        if (width === 320) assert.equal(await horizontalOverflow(p), 0, `${name} scrolls sideways at 320 px (${colorScheme})`);
        // One primary action per view: no screen full of blue buttons.
        assert.ok((await p.locator('button.primary:not(:disabled)').count()) <= 1, `${name} has more than one primary button`);
      }
    }
    await p.screenshot({ path: path.join(OUTPUT, `views-${name}.png`), fullPage: true });
  }

  before(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    sb = await createSandbox();
    ({ user, role, key: alice, mfa, roleArn } = sb.userWithMfaRole());
    chained = sb.name('deploy');
    carol = sb.name('carol');
    plaintextUser = sb.name('legacy');
    longName = sb.name(`a-very-long-profile-name-for-the-platform-team-${'x'.repeat(60)}`);
    dev = await startDevWebProcess(sb.env);
    browser = await launchChromium();
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
    page.on('request', (r) => {
      if (r.url().endsWith('/rpc')) rpcs.push(r.postData() ?? '');
    });
  });

  after(async () => {
    await browser?.close();
    await dev?.stop();
    sb?.writeConfig(`[profile ${user}]\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n\n[profile ${carol}]\n`);
    for (const p of [user, carol]) await sb?.keytray(['remove', p, '--yes']);
    await sb?.keytray(['clear']);
    await sb?.close();
  });

  it('an empty vault offers Add key and Import, with no violations', async () => {
    await open('profiles');
    await page.getByRole('heading', { name: 'No profiles yet' }).waitFor();
    await checkView('empty', page, async () => {
      await page.getByRole('button', { name: 'Add key' }).waitFor();
      await page.getByRole('button', { name: 'Import' }).waitFor();
    });
  });

  it('lists 2,000 profiles in at most 2,500 DOM nodes; chained roles say what they come through', async () => {
    const carolKey = sb.emu.createUser(carol);
    // Keys first: storing one clears the sessions of every role built on it, one keychain call each.
    sb.writeConfig(`[profile ${user}]\n\n[profile ${carol}]\n`);
    for (const [name, key] of [[user, alice], [carol, carolKey]] as const) {
      const added = await sb.keytray(['add', name, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
      assert.equal(added.code, 0, added.stderr);
    }
    const bulk = Array.from({ length: BULK }, (_, i) => `[profile bulk-${String(i).padStart(4, '0')}]\nrole_arn = arn:aws:iam::${String(100000000000 + (i % 40))}:role/Team${i % 7}\nsource_profile = ${user}\n`).join('\n');
    sb.writeConfig(
      `[profile ${user}]\nmfa_serial = ${mfa.serial}\nregion = eu-west-1\n\n[profile ${role}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\n\n` +
        `[profile ${chained}]\nrole_arn = arn:aws:iam::333333333333:role/Deploy\nsource_profile = ${role}\n\n[profile ${carol}]\n\n[profile ${plaintextUser}]\n\n` +
        `[profile ${longName}]\nrole_arn = arn:aws:iam::444444444444:role/Long\nsource_profile = ${user}\n\n${bulk}`,
    );
    // A key left in plaintext by another tool: offered for import where the profile shows.
    fs.writeFileSync(sb.credentialsFile, `[${plaintextUser}]\naws_access_key_id = AKIAPLAINTEXTEXAMPL1\naws_secret_access_key = notARealSecretButLongEnough0123456789abcd\n`, { mode: 0o600 });
    await open('profiles');
    await page.getByText(`${BULK + 6} profiles`).waitFor();
    const nodes = await page.evaluate<number>("document.getElementsByTagName('*').length");
    assert.ok(nodes <= 2500, `${nodes} DOM nodes`);
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(chained.slice(0, 6));
    const row = page.locator(`li[data-profile="${chained}"]`);
    assert.match(await row.innerText(), new RegExp(`via ${role}`));
    // A key in plaintext is not "no key stored": the window says where it is and offers to import it.
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(plaintextUser);
    // The scan of the credentials file answers a moment after the list.
    await page.locator(`li[data-profile="${plaintextUser}"]`).getByText('key in plaintext file').waitFor();
    await page.locator(`li[data-profile="${plaintextUser}"] .row-select`).click();
    await page.locator('.detail').getByRole('button', { name: 'Import it' }).waitFor();
  });

  it('filters as the user types, fuzzily, by name, account and role; Ctrl+K and / focus the search', async () => {
    await open('profiles');
    const search = page.getByRole('searchbox', { name: 'Search profiles' });
    await page.locator('h1').first().focus();
    await page.keyboard.press('Control+k');
    assert.equal(await page.evaluate<string>('document.activeElement?.id'), 'profile-search');
    await page.locator('h1').first().focus();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate<string>('document.activeElement?.id'), 'profile-search');
    await search.fill('bulk-1234');
    await page.getByText(`1 of ${BULK + 6} profiles`).waitFor();
    assert.equal(await page.locator('li[data-profile]').first().getAttribute('data-profile'), 'bulk-1234');
    // Fuzzy: letters in order, gaps allowed; an account id; a role name.
    await search.fill('blk1234');
    assert.equal(await page.locator('li[data-profile]').first().getAttribute('data-profile'), 'bulk-1234');
    await search.fill('100000000039');
    await page.getByText(`50 of ${BULK + 6} profiles`).waitFor();
    await search.fill('Deploy');
    assert.equal(await page.locator('li[data-profile]').first().getAttribute('data-profile'), chained);
    await search.fill('');
  });

  it('names that do not fit end in an ellipsis with the full name on hover; nothing in a row overlaps', async () => {
    await open('profiles');
    await page.setViewportSize({ width: 320, height: 640 });
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill('a-very-long');
    const row = page.locator(`li[data-profile="${longName}"]`);
    assert.equal(await row.locator('.row-select').getAttribute('title'), longName);
    const truncated = await page.evaluate<boolean>(
      `(() => { const el = document.querySelector('li[data-profile="${longName}"] .name'); return el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis'; })()`,
    );
    assert.ok(truncated, 'the long name is cut with an ellipsis, not wrapped mid-word');
    const boxes = await page.evaluate<Array<{ left: number; right: number; top: number; bottom: number }>>(
      `[...document.querySelectorAll('li[data-profile="${longName}"] :is(.name, .row-meta, .time-text, .row-action)')].map((el) => el.getBoundingClientRect().toJSON())`,
    );
    assert.equal(boxes.length, 4);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        assert.ok(!overlap, `row parts ${i} and ${j} overlap: ${JSON.stringify([a, b])}`);
      }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('moves through the list with the arrow keys in one tab stop; Enter acts and focus stays on the row', async () => {
    await open('profiles');
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(user);
    await page.getByRole('searchbox', { name: 'Search profiles' }).press('ArrowDown');
    const focusedRowNow = () => page.evaluate<string | null>("document.activeElement?.closest('li')?.getAttribute('data-profile') ?? null");
    // Focus moves after React renders, a moment after the key press: wait for it, briefly.
    const focusedRow = async (): Promise<string | null> => {
      const deadline = Date.now() + 2_000;
      let last = await focusedRowNow();
      while (Date.now() < deadline) {
        await page.waitForTimeout(50);
        const now = await focusedRowNow();
        if (now === last && now !== null) return now;
        last = now;
      }
      return last;
    };
    assert.equal(await focusedRow(), user);
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill('bulk-00');
    await page.getByRole('searchbox', { name: 'Search profiles' }).press('ArrowDown');
    assert.equal(await focusedRow(), 'bulk-0000');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedRow(), 'bulk-0001');
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedRow(), 'bulk-0000');
    // From the search box, two Tabs (the row and its action) leave the list, however long it is.
    await page.getByRole('searchbox', { name: 'Search profiles' }).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    assert.equal(await focusedRow(), null, 'the list is a single stop in the tab order');
    // Enter on a row without a session starts one: it needs a code, so the code form opens.
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(role);
    await page.getByRole('searchbox', { name: 'Search profiles' }).press('ArrowDown');
    await page.keyboard.press('Enter');
    const code = page.getByRole('textbox', { name: `MFA code for ${role}` });
    await code.waitFor();
    assert.equal(await page.evaluate<string>('document.activeElement?.id'), `mfa-${role}`);
    // Escape cancels the form, and focus goes back to the row rather than to <body>.
    await page.keyboard.press('Escape');
    await code.waitFor({ state: 'detached' });
    assert.equal(await focusedRow(), role);
    await page.keyboard.press('Enter');
    await code.waitFor();
    await code.fill(mfa.unusedCode());
    await code.press('Enter');
    await page.locator(`li[data-profile="${role}"]`).getByText(/min left, until \d\d:\d\d/).waitFor();
    assert.equal(await focusedRow(), role, 'focus stays on the row after the action');
  });

  it('issues no RPC while idle: the window is told, it does not poll', async () => {
    await open('profiles');
    await page.getByText(/profiles$/).first().waitFor();
    await page.waitForTimeout(500);
    const before = rpcs.length;
    await page.waitForTimeout(6_000);
    assert.deepEqual(rpcs.slice(before), []);
  });

  it('passes axe and reflows in every view, light and dark, at 320 and 1440 px', async () => {
    await open('profiles');
    await checkView('profiles', page, async () => {
      await page.getByRole('searchbox', { name: 'Search profiles' }).fill('');
      await page.locator(`li[data-profile="${role}"] .row-select`).click();
      await page.locator('.detail h2').getByText(role).waitFor();
    });
    await open('add-user');
    await checkView('add-user', page, () => page.getByLabel('Secret access key').waitFor());
    await open('add-role');
    await checkView('add-role', page, () => page.getByLabel('Role ARN').waitFor());
    await open(`edit/${user}`);
    await checkView('edit', page, () => page.getByRole('heading', { name: `Edit ${user}` }).waitFor());
    await open('import');
    await page.getByRole('button', { name: 'Look for keys' }).click();
    await checkView('import', page, () => page.getByText(plaintextUser).first().waitFor());
    await open('activity');
    await checkView('activity', page, () => page.getByLabel('Outcome').waitFor());
    await open('settings');
    await checkView('settings', page, () => page.getByLabel('Profiles matching').waitFor());
    await open('prompt');
    await checkView('prompt-empty', page, () => page.getByRole('heading', { name: 'No request is waiting' }).waitFor());
  });

  it('the prompt window names the program, pid, command line, role, account and device, counts down, and passes axe; Escape cancels', async () => {
    await sb.keytray(['clear']);
    const cli = sb.keytray(['credential-process', role]);
    const prompt = await page.context().newPage();
    await open('prompt', prompt);
    await prompt.getByRole('heading', { name: 'A program asks for an MFA code' }).waitFor();
    const requester = prompt.getByTestId('prompt-requester');
    assert.ok((await requester.locator('strong.process-name').innerText()).length > 0, 'the process name is in bold');
    assert.match(await requester.innerText(), new RegExp(`pid ${process.pid}`));
    const facts = await prompt.locator('.prompt-facts').innerText();
    assert.ok(facts.includes(roleArn), 'the role ARN is shown');
    assert.ok(facts.includes(roleArn.split(':')[4]), 'the account is shown');
    assert.ok(facts.includes(mfa.serial));
    assert.match(await prompt.getByTestId('prompt-clock').innerText(), /^0:0\d; gives up at \d\d:\d\d:\d\d \(in 1:5\d\)$/);
    await checkView('prompt', prompt, () => prompt.getByLabel('Code from your MFA device').waitFor());
    await prompt.getByLabel('Code from your MFA device').focus();
    await prompt.keyboard.press('Escape');
    const result = await cli;
    assert.equal(result.code, 1);
    assert.match(result.stderr, /MFA cancelled in the Keytray window/);
    await prompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
    await prompt.close();
  });

  it('marks failures and refusals in the activity log, with dates, filterable by profile and outcome', async () => {
    await open('activity');
    await page.getByLabel('Outcome').selectOption('refused');
    const entries = page.locator('.activity-list li');
    await entries.first().waitFor();
    for (const text of await entries.allInnerTexts()) assert.match(text, /refused/);
    assert.match(await page.locator('.activity-list time').first().innerText(), /\b20\d\d\b/, 'entries show the date');
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Profile').selectOption(role);
    for (const text of await entries.allInnerTexts()) assert.ok(text.includes(role), text);
  });

  it('says what a stored key is: the IAM user and its age; a replacement is asked for and verified first', async () => {
    await open('profiles');
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(carol);
    await page.locator(`li[data-profile="${carol}"] .row-select`).click();
    await page.getByRole('button', { name: 'Check key' }).click();
    const check = page.locator('.key-check');
    await check.waitFor();
    assert.match(await check.innerText(), new RegExp(`belongs to ${carol} in account \\d{12}, created .* \\(today\\)`));

    await page.getByRole('button', { name: 'Replace key…' }).click();
    await page.getByRole('heading', { name: 'Add an access key' }).waitFor();
    assert.equal(await page.getByLabel('Profile name').inputValue(), carol);
    await page.getByLabel('Access key ID').fill('AKIAWRONGWRONGWRONG1');
    await page.getByLabel('Secret access key').fill('not-the-secret-of-any-key-0123456789abcd');
    await page.getByRole('button', { name: 'Store key' }).click();
    await page.getByText(/already has access key .* stored; nothing was changed\. Confirm to replace it/).waitFor();
    await page.getByRole('button', { name: 'Replace key' }).click();
    // AWS refuses the new key, so the stored one stays; the message is shown once.
    const refused = page.getByText(/the stored key \*+\w{4} was kept/);
    await refused.waitFor();
    assert.equal(await refused.count(), 1, 'the error appears once');
    const list = await sb.keytray(['list', '--json']);
    const stored = (JSON.parse(list.stdout) as Array<{ name: string; accessKeyIdHint?: string }>).find((r) => r.name === carol);
    assert.ok(stored?.accessKeyIdHint && !stored.accessKeyIdHint.endsWith('ONG1'), 'the old key is still stored');
  });

  it('keeps the secret after an error in another field, shows each message once at its field, and moves focus there', async () => {
    await open('add-user');
    // A role's name: the form cannot turn it into a user profile; the server says so at the name.
    await page.getByLabel('Profile name').fill(role);
    await page.getByLabel('Access key ID').fill('AKIAABCDEFGHIJKLMNOP');
    await page.getByLabel('Secret access key').fill('a-secret-typed-once-0123456789abcdefghij');
    await page.getByRole('button', { name: 'Store key' }).click();
    const message = page.locator('#user-profile-error');
    await message.waitFor().catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nThe page said: ${await page.locator('main').innerText()}`);
    });
    assert.equal(await page.evaluate<string>('document.activeElement?.id'), 'user-profile');
    assert.equal(await page.getByText(await message.innerText(), { exact: true }).count(), 1);
    assert.equal(await page.getByLabel('Secret access key').inputValue(), 'a-secret-typed-once-0123456789abcdefghij');
    // A name past the schema's limit never shows schema text, and never a stale message.
    await page.getByLabel('Profile name').fill('p'.repeat(200));
    assert.equal((await page.getByLabel('Profile name').inputValue()).length, 128);
    await page.waitForTimeout(300);
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Invalid request|Too big|Enter a profile name/);
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor();
  });

  it('rotates a key and removes a profile from the window, each after a confirmation', async () => {
    await open('profiles');
    await page.getByRole('searchbox', { name: 'Search profiles' }).fill(carol);
    await page.locator(`li[data-profile="${carol}"] .row-select`).click();
    const keyHint = page.locator('.detail code').filter({ hasText: /^\*+\w{4}$/ });
    const hintBefore = await keyHint.first().innerText();
    await page.getByRole('button', { name: 'Rotate key…' }).click();
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.getByText(new RegExp(`Rotated the key of ${carol}`)).waitFor({ timeout: 30_000 });
    // The detail pane shows the new key once the list it is built from arrives.
    await keyHint.filter({ hasNotText: hintBefore }).first().waitFor();

    await page.getByRole('button', { name: 'Remove from Keytray…' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Remove from Keytray…' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText(new RegExp(`Removed the key and \\d+ session\\(s\\) of ${carol}`)).waitFor();
    const list = JSON.parse((await sb.keytray(['list', '--json'])).stdout) as Array<{ name: string; hasKey: boolean }>;
    assert.equal(list.find((r) => r.name === carol)?.hasKey, false);
  });
});
