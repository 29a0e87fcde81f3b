/**
 * electron-builder configuration: `npx electron-builder --config electron-builder.config.js`
 * after `npm run build`. test/unit/packaging.test.ts checks it with build/validatePackagingConfig.js,
 * because the Electron runtime cannot be downloaded in CI and the build itself cannot run there.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** build/linux/keytray.desktop is the source of the Linux [Desktop Entry]; electron-builder adds Exec and Icon. */
function desktopEntry(file = path.join(__dirname, 'build', 'linux', 'keytray.desktop')) {
  const entry = {};
  let inEntry = false;
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    if (/^\[.*\]$/.test(line.trim())) {
      inEntry = line.trim() === '[Desktop Entry]';
      continue;
    }
    const eq = line.indexOf('=');
    if (inEntry && eq > 0) entry[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return entry;
}

/**
 * The packaged command line (build/cliBinary/build.js, run on each platform before packing) ships
 * in the app's resources, never inside app.asar: electron/core/install/cliBinaryLayout.ts names the
 * same places, and the launcher `--install-cli` writes points there.
 */
const CLI_BINARY_DIR = 'dist/cli-binary';
const cliBinary = (...names) => [{ from: CLI_BINARY_DIR, to: 'keytray-cli', filter: names }];

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'dev.keytray.app',
  productName: 'Keytray',
  copyright: 'Copyright © Keytray contributors',
  directories: { buildResources: 'build', output: 'release' },
  // Only what the app runs: compiled main, preload, core, CLI and the renderer bundle. Tests, the
  // browser dev harness (dist/test/devweb) and sources stay out. The tray images are read at run
  // time, and build resources are not packed unless listed.
  // The CLI binary is a whole Node runtime: it goes to extraResources per platform, not into the asar.
  files: ['package.json', 'dist/**', '!dist/test/**', '!dist/cli-binary/**', '!dist/cli-binary-work/**', '!dist/**/*.map', '!**/*.ts', 'build/tray/**'],
  asar: true,
  // A native module cannot be loaded from inside an asar archive; its .node file is unpacked beside it.
  asarUnpack: ['node_modules/@napi-rs/keyring*/**', '**/*.node'],
  // @napi-rs/keyring is N-API and ships prebuilt per platform: no rebuild against Electron's headers.
  npmRebuild: false,
  afterPack: './build/afterPack.js',
  mac: {
    target: ['dmg', 'zip'],
    category: 'public.app-category.developer-tools',
    icon: 'build/icon.png',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    // A tray app: no Dock icon and no app menu while no window is open, and none for CLI mode.
    extendInfo: { LSUIElement: true },
    // The CLI binary never opens the keychain on macOS, so it needs no keyring binding beside it.
    extraResources: cliBinary('keytray'),
  },
  win: {
    target: ['nsis'],
    icon: 'build/icon.png',
    extraResources: cliBinary('keytray.exe'),
  },
  nsis: {
    // A per-user install, like the CLI launcher's user PATH entry: no administrator needed.
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
  },
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icon.png',
    category: 'Utility',
    // Not `keytray`: the deb links /usr/bin/<executableName>, and that name belongs to the CLI launcher.
    executableName: 'keytray-app',
    maintainer: 'Keytray contributors <keytray@users.noreply.github.com>',
    desktop: { entry: desktopEntry() },
    // On Linux the CLI binary reads the Secret Service itself, with the keyring binding beside it.
    extraResources: cliBinary('keytray', 'keyring.node'),
  },
  deb: {
    // The Secret Service: without a provider the keychain is unavailable and Keytray says so.
    recommends: ['gnome-keyring | kwalletmanager'],
    // `keytray` on PATH: a link, packed as a file of the package, to the CLI binary in /opt/Keytray,
    // so dpkg removes it with the package. fpm copies a symlink as a symlink.
    fpm: [`${path.join(__dirname, 'build', 'linux', 'keytray-on-path')}=/usr/bin/keytray`],
  },
  // The static AppImage runtime: the legacy one needs libfuse2, which Ubuntu 22.04 and later no
  // longer install, so the AppImage would not start there. With it, AppRun adds --no-sandbox only
  // where unprivileged user namespaces are off (Ubuntu 24.04's AppArmor default), and the app then
  // says in its window that Chromium's sandbox is off and how to get it back.
  toolsets: { appimage: '1.0.3' },
  publish: null,
};

module.exports = config;
