import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { prebuiltBindingPackage } from '../../electron/core/keychain/secretBackend';
import { appBinaryBesideCliBinary, CLI_BINARY_RESOURCE_DIR, cliBinaryFileName, cliBinaryInResources, KEYRING_ADDON_FILE } from '../../electron/core/install/cliBinaryLayout';
import { renderLauncher } from '../../electron/core/install/launcherScript';

/**
 * The electron-builder configuration, checked without building: the Electron runtime cannot be
 * downloaded here. The same checks must fail on broken copies, or passing them would prove nothing.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const { validatePackagingConfig, REQUIRED_FUSES } = require(path.join(REPO, 'build', 'validatePackagingConfig.js')) as {
  validatePackagingConfig(config: Record<string, unknown>, rootDir: string, options?: { fuses?: Record<string, boolean>; schema?: boolean }): Promise<string[]>;
  REQUIRED_FUSES: Record<string, boolean>;
};
const CONFIG_FILE = path.join(REPO, 'electron-builder.config.js');
// The config is a plain JS object; tests reach into it freely to break copies of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loadConfig = (): Record<string, any> => structuredClone(require(CONFIG_FILE));

/** A copy of the files the config refers to, to break one at a time. */
function copyOfProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-packaging-'));
  fs.cpSync(path.join(REPO, 'build'), path.join(dir, 'build'), { recursive: true });
  fs.copyFileSync(CONFIG_FILE, path.join(dir, 'electron-builder.config.js'));
  return dir;
}

describe('electron-builder configuration', () => {
  test('is accepted by electron-builder and passes every check', async () => {
    assert.deepEqual(await validatePackagingConfig(loadConfig(), REPO), []);
  });

  test('targets dmg+zip with the hardened runtime, nsis, and AppImage+deb with a desktop entry', () => {
    const c = loadConfig();
    assert.deepEqual(c.mac.target, ['dmg', 'zip']);
    assert.equal(c.mac.hardenedRuntime, true);
    assert.deepEqual(c.win.target, ['nsis']);
    assert.deepEqual(c.linux.target, ['AppImage', 'deb']);
    assert.equal(c.linux.desktop.entry.Name, 'Keytray');
    assert.match(c.linux.desktop.entry.Categories, /Utility/);
    assert.ok(c.asarUnpack.some((p: string) => p.includes('@napi-rs/keyring')));
    assert.ok(c.files.includes('!dist/test/**'), 'tests and the browser dev harness are not shipped');
  });

  test('fails when a referenced icon is deleted', async () => {
    const dir = copyOfProject();
    fs.rmSync(path.join(dir, 'build', 'icon.png'));
    const problems = await validatePackagingConfig(loadConfig(), dir);
    assert.ok(problems.includes('missing resource build/icon.png'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('mac.icon must name an existing file')));
  });

  test('fails when a tray image is missing or the wrong size', async () => {
    const dir = copyOfProject();
    fs.rmSync(path.join(dir, 'build', 'tray', 'trayTemplate@2x.png'));
    fs.copyFileSync(path.join(dir, 'build', 'tray', 'tray@2x.png'), path.join(dir, 'build', 'tray', 'tray-dark.png'));
    const problems = await validatePackagingConfig(loadConfig(), dir, { schema: false });
    assert.ok(problems.includes('missing resource build/tray/trayTemplate@2x.png'), problems.join('\n'));
    assert.ok(problems.includes('build/tray/tray-dark.png must be a 16x16 PNG'), problems.join('\n'));
  });

  test('fails when a fuse is flipped in the afterPack hook', async () => {
    const dir = copyOfProject();
    const hook = path.join(dir, 'build', 'afterPack.js');
    fs.writeFileSync(hook, fs.readFileSync(hook, 'utf8').replace('RunAsNode: false', 'RunAsNode: true'));
    const problems = await validatePackagingConfig(loadConfig(), dir, { schema: false });
    assert.deepEqual(problems, ['fuse RunAsNode must be off (afterPack sets true)']);
    for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
      const flipped = await validatePackagingConfig(loadConfig(), REPO, { schema: false, fuses: { ...REQUIRED_FUSES, [name]: !value } });
      assert.equal(flipped.length, 1, `${name}: ${flipped.join('; ')}`);
    }
  });

  test('fails without asarUnpack for the keyring, with dev files shipped, or with a dropped target', async () => {
    const c = loadConfig();
    c.asarUnpack = ['**/*.node'];
    c.files = c.files.filter((f: string) => f !== '!dist/test/**');
    c.linux.target = ['AppImage'];
    c.mac.hardenedRuntime = false;
    const problems = await validatePackagingConfig(c, REPO, { schema: false });
    assert.equal(problems.length, 4, problems.join('\n'));
  });

  test('fails on a key electron-builder does not know', async () => {
    const problems = await validatePackagingConfig({ ...loadConfig(), maac: {} }, REPO);
    assert.match(problems[0], /^electron-builder rejects the configuration/);
  });

  test('the afterPack hook flips the fuses in an Electron binary', async () => {
    // A stand-in binary with Electron's fuse wire at its defaults (RunAsNode on, asar checks off).
    const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
    const { FuseState } = require('@electron/fuses/dist/constants');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-afterpack-'));
    const wire = Buffer.from([0x31, 0x30, 0x31, 0x31, 0x30, 0x30, 0x30, 0x31]);
    fs.writeFileSync(path.join(out, 'keytray'), Buffer.concat([Buffer.alloc(64, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), wire, Buffer.alloc(64, 7)]));
    // The CLI binary that extraResources would have copied (an ELF header is all afterPack reads).
    fs.mkdirSync(path.join(out, 'resources', 'keytray-cli'), { recursive: true });
    fs.writeFileSync(path.join(out, 'resources', 'keytray-cli', 'keytray'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    const hook = require(path.join(REPO, 'build', 'afterPack.js'));
    await hook.default({ appOutDir: out, electronPlatformName: 'linux', arch: 1, packager: { executableName: 'keytray', appInfo: { productFilename: 'Keytray' } } });
    const fuses = await getCurrentFuseWire(path.join(out, 'keytray'));
    for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
      assert.equal(fuses[FuseV1Options[name]], value ? FuseState.ENABLE : FuseState.DISABLE, name);
    }
  });

  test('electron-builder is installed and runs', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'electron-builder', 'cli.js'), '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /--config/);
    assert.match(r.stdout, /--linux/);
  });
});

describe('the packaged command line in each target', () => {
  const CLI = 'keytray-cli';
  const shipped = (platformKey: string) => loadConfig()[platformKey].extraResources.find((r: { to: string }) => r.to === CLI);

  test('each platform ships the CLI binary from dist/cli-binary in its resources, with the keyring binding only on Linux', () => {
    assert.deepEqual(shipped('mac'), { from: 'dist/cli-binary', to: CLI_BINARY_RESOURCE_DIR, filter: [cliBinaryFileName('darwin')] });
    assert.deepEqual(shipped('win'), { from: 'dist/cli-binary', to: CLI_BINARY_RESOURCE_DIR, filter: [cliBinaryFileName('win32')] });
    assert.deepEqual(shipped('linux'), { from: 'dist/cli-binary', to: CLI_BINARY_RESOURCE_DIR, filter: [cliBinaryFileName('linux'), KEYRING_ADDON_FILE] });
    assert.ok(loadConfig().files.includes('!dist/cli-binary/**'), 'a whole Node runtime must not be packed into app.asar as well');
  });

  test("the launcher --install-cli writes points at the CLI binary, and the binary finds the app beside it", () => {
    const c = loadConfig();
    // Where each installer puts the app, and what the packaged app's resourcesPath is then.
    const installs = [
      { platform: 'darwin', resources: `/Applications/${c.productName}.app/Contents/Resources`, app: `/Applications/${c.productName}.app/Contents/MacOS/${c.productName}` },
      { platform: 'win32', resources: `C:\\Users\\ann\\AppData\\Local\\Programs\\${c.productName}\\resources`, app: `C:\\Users\\ann\\AppData\\Local\\Programs\\${c.productName}\\${c.productName}.exe` },
      { platform: 'linux', resources: `/opt/${c.productName}/resources`, app: `/opt/${c.productName}/${c.linux.executableName}` },
    ] as const;
    for (const { platform, resources, app } of installs) {
      const binary = cliBinaryInResources(resources, platform);
      const launcher = renderLauncher({ cliBinary: binary }, platform === 'win32' ? 'C:\\bin\\keytray.cmd' : '/usr/local/bin/keytray', platform);
      assert.ok(launcher.includes(platform === 'win32' ? `"${binary}" %*` : `exec '${binary}' "$@"`), launcher);
      assert.ok(!launcher.includes('--keytray-cli'), 'the launcher never starts the app binary and its Chromium');
      assert.equal(appBinaryBesideCliBinary(binary, platform), app, `${platform}: the hand-off to the app finds the binary electron-builder names`);
    }
  });

  test('the deb puts keytray on PATH as a link to the CLI binary in /opt', () => {
    const c = loadConfig();
    const mapping = c.deb.fpm.find((a: string) => a.endsWith('=/usr/bin/keytray'));
    assert.ok(mapping, 'deb.fpm maps a file onto /usr/bin/keytray');
    const link = mapping.slice(0, -'=/usr/bin/keytray'.length);
    assert.equal(fs.readlinkSync(link), cliBinaryInResources(`/opt/${c.productName}/resources`, 'linux'));
    assert.notEqual(c.linux.executableName, 'keytray', 'the app binary does not take the CLI name');
  });

  test('macOS Info.plist gets LSUIElement, so neither the tray app nor CLI mode shows a Dock icon', () => {
    assert.equal(loadConfig().mac.extendInfo.LSUIElement, true);
  });

  test('the checks fail without LSUIElement, the Linux keyring binding, the asar exclusion or the deb link', async () => {
    const c = loadConfig();
    delete c.mac.extendInfo;
    c.linux.extraResources = [{ from: 'dist/cli-binary', to: CLI, filter: ['keytray'] }];
    c.files = c.files.filter((f: string) => f !== '!dist/cli-binary/**');
    c.deb.fpm = [];
    const problems = await validatePackagingConfig(c, REPO, { schema: false });
    assert.deepEqual(problems.sort(), [
      'deb.fpm must map a link to /opt/Keytray/resources/keytray-cli/keytray onto /usr/bin/keytray (got no mapping)',
      'files must exclude !dist/cli-binary/** (the CLI binary ships in extraResources, not in app.asar)',
      'linux.extraResources must copy exactly keytray and keyring.node from dist/cli-binary to keytray-cli',
      'mac.extendInfo.LSUIElement must be true (a tray app: no Dock icon for each CLI call)',
    ]);
  });

  test('afterPack refuses a package whose CLI binary is missing or built for another platform', () => {
    const { checkCliBinary } = require(path.join(REPO, 'build', 'afterPack.js'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-afterpack-cli-'));
    const mac = { appOutDir: out, electronPlatformName: 'darwin', packager: { appInfo: { productFilename: 'Keytray' } } };
    assert.throws(() => checkCliBinary(mac), /keytray-cli\/keytray is missing; run `npm run build:cli-binary` on darwin/);
    const inApp = path.join(out, 'Keytray.app', 'Contents', 'Resources', 'keytray-cli', 'keytray');
    fs.mkdirSync(path.dirname(inApp), { recursive: true });
    fs.writeFileSync(inApp, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])); // a Linux (ELF) build
    assert.throws(() => checkCliBinary(mac), /is not a Mach-O executable/);
    fs.writeFileSync(inApp, Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]));
    assert.doesNotThrow(() => checkCliBinary(mac));
  });
});

describe('the keyring binding', () => {
  test("the prebuilt package loaded first (skipping the index's 2 ms probe) is installed and unpacked from the asar", () => {
    const pkg = prebuiltBindingPackage(process.platform, process.arch);
    assert.ok(pkg, `no prebuilt package is named for ${process.platform}-${process.arch}`);
    const resolved = require.resolve(pkg, { paths: [REPO] });
    assert.match(resolved, /\.node$/, 'the package resolves to the native binding itself');
    assert.ok(loadConfig().asarUnpack.some((glob: string) => glob === 'node_modules/@napi-rs/keyring*/**'), 'its directory is unpacked');
  });
});
