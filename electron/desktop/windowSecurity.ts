import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { isAppPage } from '../ipc/senderValidation';

/**
 * The Electron security checklist (docs/architecture.md, Desktop and agent) as data and small functions, so a unit test can read
 * every option instead of trusting that main/index.ts set it.
 */

/**
 * No remote content of any kind: scripts and styles from the app's own files only, no inline
 * script, no eval, no frames, no plugins, no form posts. `connect-src 'self'` lets the dev:web
 * harness reach its own origin; in the packaged app the page is a file and connects nowhere.
 * renderer/index.html carries the same string in its meta tag (a test checks they match).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "manifest-src 'none'",
].join('; ');

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: process.env.KEYTRAY_DEVTOOLS === '1',
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1040,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    title: 'Keytray',
    show: false,
    backgroundColor: '#1b1d23',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** Small, always on top and un-resizable: it exists to take six digits and say who is asking. */
export function promptWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 460,
    height: 400,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    alwaysOnTop: true,
    skipTaskbar: false,
    title: 'Keytray — MFA code',
    show: false,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** Navigating within the app page (its hash views) is fine; anything else is someone else's page. */
export function isNavigationAllowed(url: string, appPageUrl: string): boolean {
  return isAppPage(url, appPageUrl);
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of webContents hardening touches; Electron's WebContents satisfies it. */
export interface HardenableWebContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: PreventableEvent, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Denies navigation away from the app page, redirects, webviews and every window.open: a vault
 * window never shows anything but its own page, whatever a bug in the renderer asks for.
 */
export function hardenWebContents(contents: HardenableWebContents, appPageUrl: string, onBlocked: (what: string) => void = () => {}): void {
  const guard = (what: string) => (event: PreventableEvent, url: string) => {
    if (what !== 'webview' && isNavigationAllowed(url, appPageUrl)) return;
    event.preventDefault();
    onBlocked(`${what} to ${safeOrigin(url)}`);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', guard('webview'));
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked(`window.open of ${safeOrigin(url)}`);
    return { action: 'deny' };
  });
}

/** The session's permission hooks: Keytray needs no camera, notifications API, geolocation, … */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Adds the CSP header to every response, on top of the meta tag, so no page can loosen it. */
export function withCspHeader(responseHeaders: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(responseHeaders ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') headers[k] = Array.isArray(v) ? v : [v];
  }
  headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return headers;
}

/** The log names where a blocked navigation wanted to go, never its full URL (it may carry a token). */
function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? `${u.protocol}…` : u.origin;
  } catch {
    return 'an invalid URL';
  }
}
