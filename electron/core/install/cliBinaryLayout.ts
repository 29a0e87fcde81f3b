import * as path from 'node:path';

/**
 * Where the packaged command line sits in each installed app, and what ships beside it. The CLI
 * binary is a Node single executable application (build/cliBinary/build.js) that electron-builder
 * copies into the app's resources folder; electron-builder.config.js names the same places, and
 * test/unit/packaging.test.ts checks that the two agree.
 *
 *   macOS    Keytray.app/Contents/Resources/keytray-cli/keytray   (app: Contents/MacOS/Keytray)
 *   Windows  <install dir>\resources\keytray-cli\keytray.exe       (app: <install dir>\Keytray.exe)
 *   Linux    /opt/Keytray/resources/keytray-cli/keytray + keyring.node   (app: /opt/Keytray/keytray-app)
 */
export const CLI_BINARY_RESOURCE_DIR = 'keytray-cli';

/**
 * A single executable can embed one script but no native addon, so on Linux (the one platform where
 * the CLI binary opens the keychain itself) @napi-rs/keyring's binding ships as this file beside it.
 */
export const KEYRING_ADDON_FILE = 'keyring.node';

/** The app's names, as electron-builder.config.js sets them (productName, linux.executableName). */
export const APP_PRODUCT_NAME = 'Keytray';
export const LINUX_APP_EXECUTABLE = 'keytray-app';

export function cliBinaryFileName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'keytray.exe' : 'keytray';
}

/** The CLI binary inside a packaged app, given the app's resources folder (Electron's process.resourcesPath). */
export function cliBinaryInResources(resourcesPath: string, platform: NodeJS.Platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(resourcesPath, CLI_BINARY_RESOURCE_DIR, cliBinaryFileName(platform));
}

/** The app binary of the installed app that a CLI binary at `cliBinary` was shipped in. */
export function appBinaryBesideCliBinary(cliBinary: string, platform: NodeJS.Platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const resources = p.dirname(p.dirname(cliBinary));
  if (platform === 'darwin') return p.join(p.dirname(resources), 'MacOS', APP_PRODUCT_NAME);
  if (platform === 'win32') return p.join(p.dirname(resources), `${APP_PRODUCT_NAME}.exe`);
  return p.join(p.dirname(resources), LINUX_APP_EXECUTABLE);
}
