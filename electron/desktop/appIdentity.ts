import * as path from 'node:path';

/**
 * The app's names, as the installers know them. Windows shows a notification only for an app
 * whose AppUserModelID matches its Start-menu shortcut, which the NSIS installer creates with
 * electron-builder's `appId`; a test checks the two are equal.
 */
export const APP_ID = 'dev.keytray.app';
export const PRODUCT_NAME = 'Keytray';

/**
 * Where Chromium keeps its profile (caches, local storage). Electron's default is
 * `<appData>/<productName>`, which on macOS and Windows is Keytray's own data directory (agent
 * socket, locks, settings). A `Chromium` folder of its own keeps Chromium's files out of Keytray's,
 * and keeps the single-instance lock, which Electron puts there, apart from Keytray's locks.
 */
export function chromiumProfileDir(appData: string): string {
  return path.join(appData, PRODUCT_NAME, 'Chromium');
}
