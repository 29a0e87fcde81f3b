import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { canOpenBrowser, createPkcePair, openerCommands, s256Challenge, startLoopbackRedirect, systemUrlOpener } from '../../electron/core/browserSignin';
import { KeytrayError } from '../../electron/core/errors';

/** The browser sign-in pieces shared by `keytray sso login` and `keytray login`. */

const base = { path: '/oauth/callback', timeoutMs: 5000, serviceName: 'IAM Identity Center', retryCommand: 'keytray sso login corp' };

test('PKCE: a fresh verifier of legal characters and its S256 challenge (RFC 7636 appendix B)', () => {
  const { verifier, challenge, method } = createPkcePair();
  assert.match(verifier, /^[A-Za-z0-9_-]{64}$/);
  assert.equal(challenge, s256Challenge(verifier));
  assert.equal(method, 'S256');
  assert.equal(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  assert.notEqual(createPkcePair().verifier, verifier);
});

test('BROWSER is honoured as xdg-open reads it: a list, %s for the URL, else the URL appended', () => {
  const url = 'https://x.example/a?b=1&c=2';
  assert.deepEqual(openerCommands(url, { env: { BROWSER: 'firefox --new-tab %s:lynx' } }), [
    { command: 'firefox', args: ['--new-tab', url] },
    { command: 'lynx', args: [url] },
  ]);
  assert.deepEqual(openerCommands(url, { env: {}, platform: 'linux' }), [{ command: 'xdg-open', args: [url] }]);
  assert.deepEqual(openerCommands(url, { env: {}, platform: 'darwin' }), [{ command: 'open', args: [url] }]);
  assert.deepEqual(openerCommands(url, { env: {}, platform: 'win32' }), [{ command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] }]);
});

test('a BROWSER entry that names a program under a path with spaces is run as it is, and Windows lists entries with ;', () => {
  const url = 'https://x.example/a';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray browser '));
  const program = path.join(dir, 'Google Chrome');
  fs.writeFileSync(program, '#!/bin/sh\n', { mode: 0o755 });
  try {
    assert.deepEqual(openerCommands(url, { env: { BROWSER: `${program}:lynx -dump` }, platform: 'darwin' }), [
      { command: program, args: [url] },
      { command: 'lynx', args: ['-dump', url] },
    ]);
    // With words after it, the entry is not one program file: it is split as xdg-open splits it.
    assert.deepEqual(openerCommands(url, { env: { BROWSER: `${program} --new-window` }, platform: 'linux' }), [
      { command: program.split(' ')[0], args: [...program.split(' ').slice(1), '--new-window', url] },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const chrome = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
  assert.deepEqual(openerCommands(url, { env: { BROWSER: `${chrome};firefox` }, platform: 'win32', isProgramFile: (e) => e === chrome }), [
    { command: chrome, args: [url] },
    { command: 'firefox', args: [url] },
  ]);
});

test('no local browser over SSH or on Linux without a display, unless BROWSER says otherwise', () => {
  assert.equal(canOpenBrowser({ env: {}, platform: 'linux' }), false);
  assert.equal(canOpenBrowser({ env: { DISPLAY: ':0' }, platform: 'linux' }), true);
  assert.equal(canOpenBrowser({ env: { WAYLAND_DISPLAY: 'wayland-0' }, platform: 'linux' }), true);
  assert.equal(canOpenBrowser({ env: { DISPLAY: ':0', SSH_CONNECTION: '1 2 3 4' }, platform: 'linux' }), false);
  assert.equal(canOpenBrowser({ env: { SSH_TTY: '/dev/pts/1' }, platform: 'darwin' }), false);
  assert.equal(canOpenBrowser({ env: {}, platform: 'darwin' }), true);
  assert.equal(canOpenBrowser({ env: { BROWSER: 'w3m', SSH_TTY: '/dev/pts/1' }, platform: 'linux' }), true);
});

test('the opener runs BROWSER without a shell and reports one that cannot run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-browser-'));
  const out = path.join(dir, 'opened');
  const script = path.join(dir, 'browser.js');
  fs.writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(out)}, process.argv.slice(2).join('\\n'));`);
  const url = 'https://x.example/?q=$(touch pwned);a=`b`';
  await systemUrlOpener({ env: { ...process.env, BROWSER: `${process.execPath} ${script}` } })(url);
  assert.equal(fs.readFileSync(out, 'utf8'), url);
  assert.equal(fs.existsSync(path.join(process.cwd(), 'pwned')), false);
  await assert.rejects(systemUrlOpener({ env: { BROWSER: '/nonexistent/browser' } })(url), (e: KeytrayError) => {
    assert.match(e.toLine(), /Could not open a browser \(\/nonexistent\/browser not found\)\. Set BROWSER/);
    return true;
  });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the loopback listener takes the code only with the right state, once', async () => {
  const lb = await startLoopbackRedirect({ ...base, state: 'good-state' });
  assert.match(lb.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
  const wrong = await fetch(`${lb.redirectUri}?code=evil&state=bad-state`);
  assert.equal(wrong.status, 400, 'a forged redirect is refused and the wait goes on');
  assert.equal((await fetch(lb.redirectUri.replace('/oauth/callback', '/other?code=x&state=good-state'))).status, 404);
  const ok = await fetch(`${lb.redirectUri}?code=the-code&state=good-state`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /You can close this window/);
  assert.equal(await lb.code, 'the-code');
  await assert.rejects(fetch(`${lb.redirectUri}?code=again&state=good-state`), 'it stopped listening');
});

test('an aborted signal ends the wait at once with its reason, and a browser coming back later finds nobody', async () => {
  const controller = new AbortController();
  const lb = await startLoopbackRedirect({ ...base, state: 's', timeoutMs: 60_000, signal: controller.signal });
  const started = Date.now();
  const reason = new KeytrayError('signin-cancelled', 'The sign-in to IAM Identity Center session "corp" was cancelled in the Keytray window');
  controller.abort(reason);
  await assert.rejects(lb.code, (e) => e === reason);
  assert.ok(Date.now() - started < 1000);
  await new Promise((r) => setImmediate(r));
  await assert.rejects(fetch(`${lb.redirectUri}?code=late&state=s`), 'it stopped listening');

  // Aborted without a reason of its own (AbortController's default): a plain "cancelled" line.
  const plain = new AbortController();
  plain.abort();
  const early = await startLoopbackRedirect({ ...base, state: 's', signal: plain.signal });
  await assert.rejects(early.code, (e: KeytrayError) => {
    assert.equal(e.code, 'signin-cancelled');
    assert.equal(e.toLine(), 'The IAM Identity Center sign-in was cancelled. Run `keytray sso login corp` to sign in.');
    return true;
  });
});

test('a denial in the browser and a browser that never returns each end with one line', async () => {
  const denied = await startLoopbackRedirect({ ...base, state: 's' });
  await fetch(`${denied.redirectUri}?error=access_denied&state=s`);
  await assert.rejects(denied.code, (e: KeytrayError) => {
    assert.equal(e.code, 'sso-denied');
    assert.equal(e.toLine(), 'The sign-in to IAM Identity Center was denied in the browser. Run `keytray sso login corp` again and allow the request.');
    return true;
  });
  const started = Date.now();
  const silent = await startLoopbackRedirect({ ...base, state: 's', timeoutMs: 300 });
  await assert.rejects(silent.code, (e: KeytrayError) => {
    assert.equal(e.code, 'sso-timeout');
    assert.match(e.toLine(), /^The browser did not come back from the IAM Identity Center sign-in within 0 s\. Run `keytray sso login corp` again/);
    return true;
  });
  assert.ok(Date.now() - started < 2000);
});
