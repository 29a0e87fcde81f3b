import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { quoteForCredentialProcess } from '../../electron/core/config/credentialProcessSetup';
import { KeytrayError } from '../../electron/core/errors';
import { cliModeArgs } from '../../electron/cli/packagedCliMode';
import { installCli, uninstallCli, windowsUserPathCommand } from '../../electron/core/install/installCli';
import { shQuote } from '../../electron/core/export/envExport';
import { renderLauncher } from '../../electron/core/install/launcherScript';
import { CLI_BINARY_RESOURCE_DIR, cliBinaryInResources, KEYRING_ADDON_FILE } from '../../electron/core/install/cliBinaryLayout';

/** How the AWS CLI (botocore: shlex.split, POSIX) and the JS SDK (/bin/sh -c) split a credential_process line. */
function shlexSplit(line: string): string[] {
  return JSON.parse(execFileSync('python3', ['-c', 'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))', line], { encoding: 'utf8' }));
}
function shSplit(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('quoting the launcher path for credential_process', () => {
  const paths = ['/usr/local/bin/keytray', '/Users/Ann Lee/Applications/Keytray CLI/keytray', "/home/o'brien/bin/keytray", '/opt/key tray (beta)/keytray', '/x/a&b;c|d<e>/keytray'];
  for (const p of paths) {
    test(`${p} splits to the same argv under shlex and /bin/sh`, () => {
      const line = `${quoteForCredentialProcess(p, 'linux')} credential-process admin`;
      const expected = [p, 'credential-process', 'admin'];
      assert.deepEqual(shlexSplit(line), expected);
      assert.deepEqual(shSplit(line), expected);
    });
  }

  test('paths whose meaning differs between shlex, sh and cmd.exe are refused with one line', () => {
    for (const p of ['/a "b"/keytray', '/a\\b/keytray', '/a/$HOME/keytray', '/a/`id`/keytray', '/a/100%/keytray', '/a/hi!/keytray', '/a/new\nline/keytray']) {
      assert.throws(
        () => quoteForCredentialProcess(p, 'linux'),
        (e: unknown) => e instanceof KeytrayError && e.exitCode === 2 && /into credential_process safely/.test(e.toLine()) && !e.toLine().includes('\n'),
        p,
      );
    }
  });

  test('Windows paths keep their backslashes inside double quotes, and % or ! are refused', () => {
    assert.equal(quoteForCredentialProcess('C:\\Users\\Ann Lee\\AppData\\Local\\Keytray\\bin\\keytray.cmd', 'win32'), '"C:\\Users\\Ann Lee\\AppData\\Local\\Keytray\\bin\\keytray.cmd"');
    assert.throws(() => quoteForCredentialProcess('C:\\Users\\%USER%\\keytray.cmd', 'win32'), KeytrayError);
    assert.throws(() => quoteForCredentialProcess('C:\\Wow!\\keytray.cmd', 'win32'), KeytrayError);
  });

  test('profile names need no quotes, and % no longer passes unquoted', () => {
    assert.equal(quoteForCredentialProcess('team.admin-1@prod', 'linux'), 'team.admin-1@prod');
    assert.throws(() => quoteForCredentialProcess('100%', 'linux'), KeytrayError);
  });
});

describe('CLI mode of the app binary', () => {
  test('takes the arguments after --keytray-cli and an optional --', () => {
    assert.deepEqual(cliModeArgs(['/opt/Keytray/keytray', '--keytray-cli', '--', 'list', '--json']), ['list', '--json']);
    assert.deepEqual(cliModeArgs(['/opt/Keytray/keytray', '--keytray-cli', 'exec', 'p', '--', 'env']), ['exec', 'p', '--', 'env']);
    assert.deepEqual(cliModeArgs(['electron', '.', '--keytray-cli', '--', '--version']), ['--version']);
  });

  test('is off for a normal app start, and --install-cli maps to install-cli', () => {
    assert.equal(cliModeArgs(['/opt/Keytray/keytray']), null);
    assert.equal(cliModeArgs(['/opt/Keytray/keytray', '--hidden']), null);
    assert.deepEqual(cliModeArgs(['/opt/Keytray/keytray', '--install-cli']), ['install-cli']);
  });
});

describe('launcher scripts', () => {
  test('the sh launcher quotes every path literally and starts the CLI binary, never the app', () => {
    const text = renderLauncher({ cliBinary: "/Apps/Key'tray $X/resources/keytray-cli/keytray" }, '/usr/local/bin/keytray', 'linux');
    assert.match(text, /^#!\/bin\/sh\n/);
    assert.ok(text.includes(`exec ${shQuote("/Apps/Key'tray $X/resources/keytray-cli/keytray")} "$@"`), text);
    assert.ok(!text.includes('--keytray-cli'), 'the app binary and its Chromium start are not on the hot path');
    assert.ok(text.includes("KEYTRAY_LAUNCHER='/usr/local/bin/keytray'"));
  });

  test('the cmd launcher uses CRLF, forwards %*, and refuses % in a path', () => {
    const binary = 'C:\\Program Files\\Keytray\\resources\\keytray-cli\\keytray.exe';
    const text = renderLauncher({ cliBinary: binary }, 'C:\\Users\\ann\\AppData\\Local\\Keytray\\bin\\keytray.cmd', 'win32');
    assert.ok(text.includes(`\r\n"${binary}" %*\r\n`), text);
    assert.ok(text.startsWith('@echo off\r\n'));
    assert.throws(() => renderLauncher({ cliBinary: 'C:\\%TEMP%\\keytray.exe' }, 'C:\\bin\\keytray.cmd', 'win32'), KeytrayError);
  });

  test('the Windows PATH command passes the directory as an argument, never as code', () => {
    const cmd = windowsUserPathCommand("C:\\Users\\ann'; Remove-Item x; '\\bin");
    assert.equal(cmd.file, 'powershell.exe');
    assert.equal(cmd.args.at(-1), "C:\\Users\\ann'; Remove-Item x; '\\bin");
    assert.ok(!cmd.args.slice(0, -1).join(' ').includes('Remove-Item'));
  });
});

describe('installCli', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'keytray install '));

  /** A stand-in for an installed app: its resources folder with the CLI binary (and the keyring binding). */
  function shippedApp(root: string, platform: NodeJS.Platform): string {
    // Windows' layout with this machine's separators, so the stand-in lands inside `root`.
    const binary = platform === 'win32' ? path.join(root, 'resources', CLI_BINARY_RESOURCE_DIR, 'keytray.exe') : cliBinaryInResources(path.join(root, 'resources'), platform);
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.writeFileSync(binary, '#!/bin/sh\necho cli binary\n', { mode: 0o755 });
    fs.writeFileSync(path.join(path.dirname(binary), KEYRING_ADDON_FILE), 'addon');
    return binary;
  }

  test('writes an executable launcher, replaces its own, and reports whether the prefix is on PATH', () => {
    const prefix = path.join(tmp(), 'bin');
    const deb = shippedApp(path.join(tmp(), 'opt', 'Keytray'), 'linux');
    const first = installCli({ prefix, cliBinary: deb, platform: 'linux', env: { PATH: '/usr/bin' } });
    assert.equal(first.path, path.join(prefix, 'keytray'));
    assert.equal(first.onPath, false);
    assert.match(first.message, /add .* to your PATH/);
    assert.equal(fs.statSync(first.path).mode & 0o777, 0o755);
    const moved = shippedApp(path.join(tmp(), 'Keytray moved'), 'linux');
    const second = installCli({ prefix, cliBinary: moved, platform: 'linux', env: { PATH: `/usr/bin:${prefix}/` } });
    assert.equal(second.onPath, true);
    assert.ok(fs.readFileSync(second.path, 'utf8').includes(`exec ${shQuote(moved)} "$@"`));
    assert.equal(uninstallCli({ prefix, platform: 'linux' }), second.path);
    assert.equal(fs.existsSync(second.path), false);
    assert.equal(uninstallCli({ prefix, platform: 'linux' }), null);
  });

  test("an AppImage's CLI binary and keyring binding are copied out of its mount, which vanishes", () => {
    const mount = path.join(tmp(), '.mount_KeytrXYZ');
    const inMount = shippedApp(mount, 'linux');
    const data = path.join(tmp(), 'data');
    const r = installCli({ prefix: tmp(), cliBinary: inMount, platform: 'linux', env: { APPDIR: mount, XDG_DATA_HOME: data, PATH: '' } });
    const copy = path.join(data, 'keytray', 'cli', 'keytray');
    assert.ok(fs.readFileSync(r.path, 'utf8').includes(`exec ${shQuote(copy)} "$@"`));
    assert.equal(fs.readFileSync(copy, 'utf8'), fs.readFileSync(inMount, 'utf8'));
    assert.equal(fs.statSync(copy).mode & 0o111, 0o111);
    assert.equal(fs.readFileSync(path.join(data, 'keytray', 'cli', KEYRING_ADDON_FILE), 'utf8'), 'addon');
    fs.rmSync(mount, { recursive: true });
    assert.equal(fs.existsSync(copy), true, 'the launcher still has a binary after the AppImage exits');
  });

  test('refuses a macOS app that still runs from its disk image or a translocated copy, and a missing CLI binary, changing nothing', () => {
    const prefix = tmp();
    for (const [binary, reason] of [
      ['/Volumes/Keytray 0.1.0/Keytray.app/Contents/Resources/keytray-cli/keytray', /disk image.*Move Keytray\.app to \/Applications/],
      ['/private/var/folders/x/T/AppTranslocation/AB-CD/d/Keytray.app/Contents/Resources/keytray-cli/keytray', /temporary copy macOS made/],
      [path.join(tmp(), 'Keytray.app', 'Contents', 'Resources', 'keytray-cli', 'keytray'), /command-line binary .* is missing.*Reinstall/],
    ] as const) {
      assert.throws(() => installCli({ prefix, cliBinary: binary, platform: 'darwin', env: {} }), (e: unknown) => e instanceof KeytrayError && reason.test(e.toLine()), binary);
    }
    assert.deepEqual(fs.readdirSync(prefix), []);
  });

  test('never overwrites or removes a keytray file it did not write', () => {
    const prefix = tmp();
    fs.writeFileSync(path.join(prefix, 'keytray'), '#!/bin/sh\necho somebody else\n');
    assert.throws(() => installCli({ prefix, nodeScript: '/repo/bin/keytray.js', platform: 'linux' }), /was not written by Keytray/);
    assert.throws(() => uninstallCli({ prefix, platform: 'linux' }), /was not written by Keytray/);
    assert.equal(fs.readFileSync(path.join(prefix, 'keytray'), 'utf8'), '#!/bin/sh\necho somebody else\n');
  });

  test('replaces the link that the first app installer made', () => {
    const prefix = tmp();
    fs.symlinkSync('/somewhere/keytray/bin/keytray.js', path.join(prefix, 'keytray'));
    const r = installCli({ prefix, nodeScript: '/repo/bin/keytray.js', nodeBinary: '/usr/bin/node', platform: 'linux' });
    assert.equal(fs.lstatSync(r.path).isSymbolicLink(), false);
    assert.ok(fs.readFileSync(r.path, 'utf8').includes("exec '/usr/bin/node' '/repo/bin/keytray.js' \"$@\""));
  });

  test('writes keytray.cmd on Windows', () => {
    const prefix = tmp();
    const r = installCli({ prefix, cliBinary: shippedApp(tmp(), 'win32'), platform: 'win32', env: {} });
    assert.equal(path.basename(r.path), 'keytray.cmd');
    assert.match(r.message, /user PATH/);
  });
});
