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
  test('the sh launcher quotes every path literally and starts the app in CLI mode', () => {
    const text = renderLauncher({ appBinary: "/Apps/Key'tray $X/keytray" }, '/usr/local/bin/keytray', 'linux');
    assert.match(text, /^#!\/bin\/sh\n/);
    assert.ok(text.includes(`exec ${shQuote("/Apps/Key'tray $X/keytray")} '--keytray-cli' '--' "$@"`), text);
    assert.ok(text.includes("KEYTRAY_LAUNCHER='/usr/local/bin/keytray'"));
  });

  test('the cmd launcher uses CRLF, forwards %*, and refuses % in a path', () => {
    const text = renderLauncher({ appBinary: 'C:\\Program Files\\Keytray\\Keytray.exe' }, 'C:\\Users\\ann\\AppData\\Local\\Keytray\\bin\\keytray.cmd', 'win32');
    assert.ok(text.includes('\r\n"C:\\Program Files\\Keytray\\Keytray.exe" "--keytray-cli" "--" %*\r\n'), text);
    assert.ok(text.startsWith('@echo off\r\n'));
    assert.throws(() => renderLauncher({ appBinary: 'C:\\%TEMP%\\Keytray.exe' }, 'C:\\bin\\keytray.cmd', 'win32'), KeytrayError);
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

  test('writes an executable launcher, replaces its own, and reports whether the prefix is on PATH', () => {
    const prefix = path.join(tmp(), 'bin');
    const first = installCli({ prefix, appBinary: '/opt/Keytray/keytray', platform: 'linux', env: { PATH: '/usr/bin' } });
    assert.equal(first.path, path.join(prefix, 'keytray'));
    assert.equal(first.onPath, false);
    assert.match(first.message, /add .* to your PATH/);
    assert.equal(fs.statSync(first.path).mode & 0o777, 0o755);
    const second = installCli({ prefix, appBinary: '/Applications/Keytray.app/Contents/MacOS/Keytray', platform: 'linux', env: { PATH: `/usr/bin:${prefix}/` } });
    assert.equal(second.onPath, true);
    assert.ok(fs.readFileSync(second.path, 'utf8').includes('/Applications/Keytray.app/Contents/MacOS/Keytray'));
    assert.equal(uninstallCli({ prefix, platform: 'linux' }), second.path);
    assert.equal(fs.existsSync(second.path), false);
    assert.equal(uninstallCli({ prefix, platform: 'linux' }), null);
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
    const r = installCli({ prefix, appBinary: '/c/Keytray/Keytray.exe', platform: 'win32', env: {} });
    assert.equal(path.basename(r.path), 'keytray.cmd');
    assert.match(r.message, /user PATH/);
  });
});
