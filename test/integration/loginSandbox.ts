import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Sandbox } from './harness';

/**
 * Points the sandbox's BROWSER at the stand-in browser (standInBrowser.ts), so `keytray login` opens
 * the emulator's sign-in page the way it opens a real browser. Returns the file where the stand-in
 * logs the URLs it was given.
 */
export function useStandInBrowser(sb: Sandbox): string {
  const log = path.join(sb.home, 'browser.log');
  const browser = path.join(sb.home, 'stand-in-browser');
  fs.writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${path.join(__dirname, 'standInBrowser.js')}" "$@"\n`, { mode: 0o755 });
  sb.env.BROWSER = browser;
  sb.env.KEYTRAY_TEST_BROWSER_LOG = log;
  return log;
}

/** A new emulator user that the person in the browser signs in as, with a profile name for it. */
export function signedInUser(sb: Sandbox, base: string): { profile: string; user: { arn: string; userName: string } } {
  const name = sb.name(base);
  const user = sb.emu.createUser(name);
  sb.emu.signin.browserSignsIn(name);
  return { profile: name, user };
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
