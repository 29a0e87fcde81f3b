import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  CONTENT_SECURITY_POLICY,
  denyAllPermissions,
  hardenWebContents,
  isNavigationAllowed,
  mainWindowOptions,
  promptWindowOptions,
  withCspHeader,
  type HardenableWebContents,
} from '../../electron/desktop/windowSecurity';

const REPO = path.resolve(__dirname, '..', '..', '..');
const APP_PAGE = 'file:///opt/Keytray/dist/renderer/index.html';

describe('window options', () => {
  for (const [name, options] of [
    ['main window', mainWindowOptions('/app/preload.js')],
    ['MFA prompt window', promptWindowOptions('/app/preload.js')],
  ] as const) {
    it(`${name}: isolated, sandboxed, no Node, web security on, nothing remote`, () => {
      const web = options.webPreferences!;
      assert.equal(web.contextIsolation, true);
      assert.equal(web.sandbox, true);
      assert.equal(web.nodeIntegration, false);
      assert.equal(web.nodeIntegrationInWorker, false);
      assert.equal(web.nodeIntegrationInSubFrames, false);
      assert.equal(web.webSecurity, true);
      assert.equal(web.allowRunningInsecureContent, false);
      assert.equal(web.webviewTag, false);
      assert.equal(web.experimentalFeatures, false);
      assert.equal(web.navigateOnDragDrop, false);
      assert.equal(web.preload, '/app/preload.js');
      assert.equal(options.show, false, 'shown on ready-to-show, never as a blank window');
    });
  }

  it('keeps the MFA prompt on top and fixed in size', () => {
    const o = promptWindowOptions('/p.js');
    assert.equal(o.alwaysOnTop, true);
    assert.equal(o.resizable, false);
  });
});

describe('content security policy', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name, values];
  }));

  it('allows only the app\'s own files: no inline script, no eval, no remote origin', () => {
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    assert.deepEqual(directives.get('form-action'), ["'none'"]);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('is the same string in renderer/index.html', () => {
    const html = fs.readFileSync(path.join(REPO, 'renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    assert.ok(meta, 'index.html has a CSP meta tag');
    assert.equal(meta[1], CONTENT_SECURITY_POLICY);
    assert.doesNotMatch(html, /<script>(?!<\/script>)|\son\w+=/, 'no inline script or handler attributes');
  });

  it('is added to every response and replaces a looser one', () => {
    const headers = withCspHeader({ 'content-security-policy': ["default-src *"], 'X-Other': 'kept' });
    assert.deepEqual(headers, { 'X-Other': ['kept'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

/** A webContents stand-in that records listeners so the test can fire Electron's events. */
function fakeContents() {
  const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
  let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  const contents: HardenableWebContents = {
    on: (event, listener) => listeners.set(event, listener),
    setWindowOpenHandler: (h) => void (openHandler = h),
  };
  const fire = (event: string, url: string) => {
    let prevented = false;
    listeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler!({ url }) };
}

describe('hardenWebContents', () => {
  it('denies navigation away from the app page and allows its hash views', () => {
    const blocked: string[] = [];
    const { contents, fire } = fakeContents();
    hardenWebContents(contents, APP_PAGE, (what) => blocked.push(what));
    assert.equal(fire('will-navigate', 'https://evil.example/phish?x=1'), true);
    assert.equal(fire('will-navigate', 'file:///etc/passwd'), true);
    assert.equal(fire('will-redirect', 'http://127.0.0.1:8080/'), true);
    assert.equal(fire('will-navigate', `${APP_PAGE}#settings`), false);
    // The log names the origin only: a URL's path or query could carry a token.
    assert.deepEqual(blocked, ['navigation to https://evil.example', 'navigation to file:…', 'redirect to http://127.0.0.1:8080']);
  });

  it('denies every window.open and webview', () => {
    const { contents, fire, open } = fakeContents();
    hardenWebContents(contents, APP_PAGE);
    assert.deepEqual(open('https://aws.amazon.com/'), { action: 'deny' });
    assert.deepEqual(open(`${APP_PAGE}#prompt`), { action: 'deny' });
    assert.equal(fire('will-attach-webview', APP_PAGE), true);
  });

  it('isNavigationAllowed rejects look-alike paths', () => {
    assert.equal(isNavigationAllowed('file:///opt/Keytray/dist/renderer/index.html.evil', APP_PAGE), false);
    assert.equal(isNavigationAllowed('javascript:alert(1)', APP_PAGE), false);
  });
});

describe('denyAllPermissions', () => {
  it('refuses every permission request and check', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: ((wc: unknown, p: string) => boolean) | undefined;
    denyAllPermissions({ setPermissionRequestHandler: (h) => void (request = h), setPermissionCheckHandler: (h) => void (check = h) });
    let granted: boolean | undefined;
    request!({}, 'media', (g) => (granted = g));
    assert.equal(granted, false);
    assert.equal(check!({}, 'clipboard-read'), false);
  });
});
