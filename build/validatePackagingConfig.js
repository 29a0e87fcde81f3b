/**
 * Checks the electron-builder configuration without building: the Electron runtime cannot be
 * downloaded in CI, so a broken icon path, a lost fuse or a missing asarUnpack would otherwise
 * only show up in a release. Returns a list of problems (empty when the config is sound), so a
 * test can prove that each check fires on a broken copy. `node build/validatePackagingConfig.js`
 * prints them and exits 1 when there are any.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The fuses the shipped binary must have (Electron's security checklist). */
const REQUIRED_FUSES = Object.freeze({
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
});

/** Files the app or the packages need at a fixed path, with the PNG size each must have. */
const REQUIRED_RESOURCES = Object.freeze({
  'build/icon.png': 512,
  'build/tray/tray.png': 16,
  'build/tray/tray@2x.png': 32,
  'build/tray/trayTemplate.png': 16,
  'build/tray/trayTemplate@2x.png': 32,
  'build/tray/tray-dark.png': 16,
  'build/tray/tray-dark@2x.png': 32,
  'build/tray/tray-light.png': 16,
  'build/tray/tray-light@2x.png': 32,
  'build/linux/keytray.desktop': null,
});

async function validatePackagingConfig(config, rootDir, options = {}) {
  const problems = [];
  const exists = (rel) => typeof rel === 'string' && fs.existsSync(path.resolve(rootDir, rel));
  const need = (ok, message) => {
    if (!ok) problems.push(message);
  };

  // electron-builder's own schema: unknown or misspelt keys are errors there too.
  if (options.schema !== false) {
    try {
      const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
      const { DebugLogger } = require('builder-util');
      await validateConfiguration(config, new DebugLogger(false));
    } catch (err) {
      problems.push(`electron-builder rejects the configuration: ${String(err.message).split('\n').slice(0, 3).join(' ')}`);
    }
  }

  need(config.directories?.buildResources === 'build', 'directories.buildResources must be "build"');
  const files = config.files ?? [];
  need(files.includes('dist/**'), 'files must include dist/**');
  need(files.includes('!dist/test/**'), 'files must exclude !dist/test/** (tests and the browser dev harness)');
  need(files.some((f) => f.startsWith('build/tray')), 'files must include build/tray/** (the tray images are read at run time)');

  need(config.asar === true || config.asar === undefined, 'asar must be on');
  const unpack = [].concat(config.asarUnpack ?? []);
  need(unpack.some((p) => p.includes('@napi-rs/keyring')), 'asarUnpack must unpack node_modules/@napi-rs/keyring* (a native module cannot load from asar)');

  for (const [rel, size] of Object.entries(REQUIRED_RESOURCES)) {
    if (!exists(rel)) {
      problems.push(`missing resource ${rel}`);
      continue;
    }
    if (size !== null) {
      const dims = pngSize(path.resolve(rootDir, rel));
      need(dims && dims.width === size && dims.height === size, `${rel} must be a ${size}x${size} PNG`);
    }
  }

  const mac = config.mac ?? {};
  need(sameSet(targetsOf(mac), ['dmg', 'zip']), 'mac.target must be dmg and zip');
  need(mac.hardenedRuntime === true, 'mac.hardenedRuntime must be true');
  for (const key of ['icon', 'entitlements', 'entitlementsInherit']) need(exists(mac[key]), `mac.${key} must name an existing file (got ${mac[key]})`);
  if (exists(mac.entitlements)) {
    const plist = fs.readFileSync(path.resolve(rootDir, mac.entitlements), 'utf8');
    need(plist.includes('com.apple.security.cs.allow-jit'), `${mac.entitlements} must allow JIT, which V8 needs under the hardened runtime`);
    for (const risky of ['disable-library-validation', 'allow-dyld-environment-variables']) {
      need(!new RegExp(`<key>[^<]*${risky}</key>`).test(plist), `${mac.entitlements} must not grant ${risky}`);
    }
  }

  const win = config.win ?? {};
  need(sameSet(targetsOf(win), ['nsis']), 'win.target must be nsis');
  need(exists(win.icon), `win.icon must name an existing file (got ${win.icon})`);

  const linux = config.linux ?? {};
  need(sameSet(targetsOf(linux), ['AppImage', 'deb']), 'linux.target must be AppImage and deb');
  need(exists(linux.icon), `linux.icon must name an existing file (got ${linux.icon})`);
  const entry = linux.desktop?.entry ?? {};
  for (const key of ['Name', 'Comment', 'Categories']) need(typeof entry[key] === 'string' && entry[key] !== '', `linux.desktop.entry.${key} must be set`);

  problems.push(...cliBinaryProblems(config, rootDir, options));

  // Fuses are flipped by the afterPack hook; its FUSES table is what ships.
  need(exists(config.afterPack), `afterPack must name an existing file (got ${config.afterPack})`);
  let fuses = options.fuses;
  if (!fuses && exists(config.afterPack)) {
    const hook = require(path.resolve(rootDir, config.afterPack));
    need(typeof hook.default === 'function', `${config.afterPack} must export the hook as default`);
    fuses = hook.FUSES;
  }
  const { FuseV1Options } = require('@electron/fuses');
  for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
    need(fuses?.[name] === value, `fuse ${name} must be ${value ? 'on' : 'off'} (afterPack sets ${fuses?.[name]})`);
    need(name in FuseV1Options, `@electron/fuses has no fuse named ${name}`);
  }
  return problems;
}

/**
 * The packaged command line: each platform ships the CLI binary from dist/cli-binary in its
 * resources (the keyring binding only where the CLI binary opens the keychain itself), never in the
 * asar; names agree with electron/core/install/cliBinaryLayout.ts, which the launcher and the CLI
 * binary's hand-off to the app use; the deb puts `keytray` on PATH; macOS shows no Dock icon for it.
 */
function cliBinaryProblems(config, rootDir, options) {
  const problems = [];
  const need = (ok, message) => {
    if (!ok) problems.push(message);
  };
  const layout = options.layout ?? compiled('electron/core/install/cliBinaryLayout.js');
  const { keychainAccessFor } = options.policy ?? compiled('electron/cli/keychainAccessPolicy.js');
  need((config.files ?? []).includes('!dist/cli-binary/**'), 'files must exclude !dist/cli-binary/** (the CLI binary ships in extraResources, not in app.asar)');
  need(config.productName === layout.APP_PRODUCT_NAME, `productName must be ${layout.APP_PRODUCT_NAME}, where the CLI binary looks for the app`);
  need(config.linux?.executableName === layout.LINUX_APP_EXECUTABLE, `linux.executableName must be ${layout.LINUX_APP_EXECUTABLE}`);
  for (const [platform, key] of [['darwin', 'mac'], ['win32', 'win'], ['linux', 'linux']]) {
    const names = [layout.cliBinaryFileName(platform)];
    if (keychainAccessFor(platform, 'cli-binary').opensKeychain) names.push(layout.KEYRING_ADDON_FILE);
    const entries = [].concat(config[key]?.extraResources ?? []).filter((r) => r && typeof r === 'object' && r.to === layout.CLI_BINARY_RESOURCE_DIR);
    const ok = entries.length === 1 && entries[0].from === 'dist/cli-binary' && sameSet([].concat(entries[0].filter ?? []), names);
    need(ok, `${key}.extraResources must copy exactly ${names.join(' and ')} from dist/cli-binary to ${layout.CLI_BINARY_RESOURCE_DIR}`);
  }
  need(config.mac?.extendInfo?.LSUIElement === true, 'mac.extendInfo.LSUIElement must be true (a tray app: no Dock icon for each CLI call)');

  const onPath = [].concat(config.deb?.fpm ?? []).find((arg) => typeof arg === 'string' && arg.endsWith('=/usr/bin/keytray'));
  const expected = layout.cliBinaryInResources(`/opt/${layout.APP_PRODUCT_NAME}/resources`, 'linux');
  let target = null;
  try {
    if (onPath) target = fs.readlinkSync(path.resolve(rootDir, onPath.slice(0, -'=/usr/bin/keytray'.length)));
  } catch {
    // Reported below: the mapped file must be a link.
  }
  need(target === expected, `deb.fpm must map a link to ${expected} onto /usr/bin/keytray (got ${onPath ? (target ?? 'a file that is not a link') : 'no mapping'})`);
  return problems;
}

/** The compiled layout and policy in dist/ (npm run build), so the checks use the names the code uses. */
function compiled(rel) {
  const file = path.resolve(__dirname, '..', 'dist', rel);
  if (!fs.existsSync(file)) throw new Error(`${rel} is missing from dist/; run \`npm run build\` first`);
  return require(file);
}

function targetsOf(platform) {
  return [].concat(platform.target ?? []).map((t) => (typeof t === 'string' ? t : t.target));
}

function sameSet(a, b) {
  return a.length === b.length && b.every((x) => a.includes(x));
}

/** Width and height from a PNG's IHDR, or null when the file is not a PNG. */
function pngSize(file) {
  const head = Buffer.alloc(24);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 24, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.readUInt32BE(0) !== 0x89504e47 || head.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

module.exports = { validatePackagingConfig, REQUIRED_FUSES, REQUIRED_RESOURCES, pngSize };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  validatePackagingConfig(require(path.join(root, 'electron-builder.config.js')), root).then((problems) => {
    for (const p of problems) process.stderr.write(`packaging: ${p}\n`);
    if (problems.length === 0) process.stdout.write('packaging: the electron-builder configuration is sound\n');
    process.exit(problems.length ? 1 : 0);
  });
}
