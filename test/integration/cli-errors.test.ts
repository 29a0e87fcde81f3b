import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSandbox, type RunResult, type Sandbox } from './harness';

/** A failure is one plain line on stderr naming what, which profile and how to fix it; never a stack. */
function assertOneLineError(r: RunResult, pattern: RegExp, code = 1): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], /^keytray: /);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error: .*\n/, 'no stack trace');
  assert.match(lines[0], pattern);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('clear one-line errors', () => {
  let sb: Sandbox;
  let bob: string, ops: string;
  let serial: string;
  let bobSecret: string;
  let device: { serial: string; unusedCode(): string };

  before(async () => {
    sb = await createSandbox();
    bob = sb.name('bob');
    ops = sb.name('ops');
    const user = sb.emu.createUser(bob);
    bobSecret = user.secretAccessKey;
    device = sb.emu.enableMfa(bob);
    serial = device.serial;
    const role = sb.emu.createRole({ name: 'Ops', trustedPrincipals: [user.arn], requireMfa: true }).arn;
    sb.writeConfig(
      `[profile ${bob}]\nmfa_serial = ${serial}\n\n[profile ${ops}]\nrole_arn = ${role}\nsource_profile = ${bob}\n\n[profile ${sb.name('ghost')}]\nregion = eu-west-1\n`,
    );
    const add = await sb.keytray(['add', bob, '--env'], { env: { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey } });
    assert.equal(add.code, 0, add.stderr);
  });

  after(async () => {
    await sb.keytray(['remove', bob, '--yes']);
    await sb.close();
  });

  test('a wrong MFA code', async () => {
    const r = await sb.keytray(['credential-process', ops, '--mfa-code', '000000']);
    assertOneLineError(r, new RegExp(`MFA code.*profile "${bob}"|profile "${bob}".*MFA`));
    assert.ok(!r.stderr.includes(bobSecret));
  });

  test('a code that is not six digits is refused before STS sees it', async () => {
    const calls = sb.emu.calls.length;
    const r = await sb.keytray(['credential-process', ops, '--mfa-code', '12ab']);
    assertOneLineError(r, /6 digits/);
    assert.equal(sb.emu.calls.length, calls);
  });

  test('no MFA source at all says how to provide a code', async () => {
    const r = await sb.keytray(['credential-process', ops]);
    assertOneLineError(r, /--mfa-code/);
  });

  test('an unknown profile', async () => {
    const r = await sb.keytray(['credential-process', 'nope-not-here']);
    assertOneLineError(r, /nope-not-here/);
  });

  test('a usage error exits 2', async () => {
    const r = await sb.keytray(['credential-process', ops, '--frobnicate']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('STS failing after retries', async () => {
    sb.emu.inject({ kind: 'throttle', action: 'GetSessionToken', times: 20 });
    const before = sb.emu.count('GetSessionToken');
    const r = await sb.keytray(['credential-process', bob, '--mfa-code', device.unusedCode()]);
    sb.emu.clearFaults();
    assertOneLineError(r, /STS is unavailable.*throttling.*attempts/i);
    assert.ok(sb.emu.count('GetSessionToken') - before >= 3, 'it retried with backoff');
  });

  test('STS recovering within the retries succeeds', async () => {
    sb.emu.inject({ kind: 'server-error', action: 'GetSessionToken', times: 1 });
    const r = await sb.keytray(['credential-process', bob, '--mfa-code', device.unusedCode()]);
    sb.emu.clearFaults();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Version, 1);
    assert.equal(sb.emu.count('GetSessionToken', true), 1);
  });

  test('a malformed config names the file and line', async () => {
    const good = fs.readFileSync(sb.configFile, 'utf8');
    fs.writeFileSync(sb.configFile, `${good}\n[profile broken\nregion = x\n`);
    try {
      const r = await sb.keytray(['credential-process', ops]);
      const line = good.split('\n').length + 1;
      assertOneLineError(r, new RegExp(`${sb.configFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*line ${line}`));
    } finally {
      fs.writeFileSync(sb.configFile, good);
    }
  });

  test('a profile cycle names the cycle', async () => {
    const good = fs.readFileSync(sb.configFile, 'utf8');
    fs.writeFileSync(
      sb.configFile,
      `${good}\n[profile loop-a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = loop-b\n\n[profile loop-b]\nrole_arn = arn:aws:iam::111111111111:role/B\nsource_profile = loop-a\n`,
    );
    try {
      const r = await sb.keytray(['credential-process', 'loop-a']);
      assertOneLineError(r, /loop-a -> loop-b -> loop-a/);
    } finally {
      fs.writeFileSync(sb.configFile, good);
    }
  });

  test('an unreachable keychain is not "no credentials"', async () => {
    const r = await sb.keytray(['credential-process', bob, '--mfa-code', '123456'], {
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keytray-bus' },
    });
    assertOneLineError(r, /keychain is unavailable or locked/);
    assert.doesNotMatch(r.stderr, /No access key is stored/);
  });

  test('exec of a command that does not exist exits 127, as a shell does', async () => {
    const r = await sb.keytray(['exec', bob, '--mfa-code', device.unusedCode(), '--', 'keytray-no-such-command']);
    assertOneLineError(r, new RegExp(`Command not found: keytray-no-such-command.*profile "${bob}".*PATH`), 127);
  });

  test('exec of a file that cannot be run exits 126, as a shell does', async () => {
    const notExecutable = path.join(sb.home, 'script.sh');
    fs.writeFileSync(notExecutable, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    // Run as root, the permission bits alone would not stop it; a directory cannot be run by anyone.
    for (const target of [notExecutable, sb.home]) {
      const r = await sb.keytray(['exec', bob, '--', target]);
      if (target === notExecutable && process.getuid?.() === 0 && r.code === 0) continue;
      assertOneLineError(r, new RegExp(`Cannot run ${escape(target)}: permission denied.*chmod \\+x`), 126);
    }
  });

  test('every command that names a profile that does not exist fails with one line', async () => {
    const nosuch = sb.name('nosuch');
    const commands = [
      ['clear', nosuch],
      ['remove', nosuch, '--yes'],
      ['remove', nosuch],
      ['env', nosuch],
      ['env', '--server', nosuch],
      ['exec', '--server', nosuch, '--', 'true'],
      ['exec', nosuch, '--', 'true'],
      ['credential-process', nosuch],
      ['console', nosuch, '--print'],
      ['rotate', nosuch],
      ['setup', nosuch],
      ['setup', nosuch, '--undo'],
    ];
    const results = await Promise.all(commands.map((args) => sb.keytray(args)));
    for (const r of results) assertOneLineError(r, new RegExp(`Profile "${nosuch}" is not in`));
  });

  test('clear of a known profile with nothing cached succeeds', async () => {
    const r = await sb.keytray(['clear', sb.name('ghost')]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('an unusable KEYTRAY_HOME is named, with how to fix it, and nothing hangs', async () => {
    const aFile = path.join(sb.home, 'not-a-directory');
    fs.writeFileSync(aFile, '');
    // Under /proc, Node's recursive mkdir never returns; Keytray must answer all the same.
    for (const [home, why] of [
      [path.join(aFile, 'keytray'), `${aFile} is a file`],
      ['/proc/keytray-test-home', 'cannot create /proc/keytray-test-home: ENOENT'],
    ]) {
      const commands = [['credential-process', bob, '--mfa-code', '123456'], ['clear'], ['add', bob, '--env'], ['agent']];
      const env = { KEYTRAY_HOME: home, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) };
      for (const r of await Promise.all(commands.map((args) => sb.keytray(args, { env })))) {
        assertOneLineError(r, new RegExp(`data directory ${escape(home)} \\(${escape(why)}.*KEYTRAY_HOME`));
        assert.doesNotMatch(r.stderr, /Unexpected failure|report it/);
      }
    }
  });

  test('role settings are checked before any STS call, naming the key, the problem and the profile', async () => {
    const good = fs.readFileSync(sb.configFile, 'utf8');
    const cases: [string, RegExp][] = [
      [`role_arn = arn:aws:iam::12:role/Ops\nsource_profile = ${bob}`, /has a bad role_arn \(.* line \d+\): The account ID "12" should be 12 digits.*Fix role_arn/],
      [`role_arn = Ops\nsource_profile = ${bob}`, /has a bad role_arn .*"Ops" is not a role ARN/],
      [`role_arn =\nsource_profile = ${bob}`, /has a bad role_arn .*: it is empty/],
      [`keytray_role_arn = arn:aws:iam::111111111111:user/ops\nkeytray_source_profile = ${bob}`, /has a bad keytray_role_arn/],
      [`role_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = ${bob}\nmfa_serial = 123`, /has a bad mfa_serial .*"123" is not an MFA device ARN/],
      [`role_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = ${bob}\nexternal_id = has spaces`, /has a bad external_id .*may only use/],
      [`role_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = ${bob}\nduration_seconds = 90`, /line \d+, profile "checked\d": duration_seconds must be .* not "90"/],
      [`role_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = nobody-here`, /has source_profile "nobody-here", which is not in/],
      [`role_arn = arn:aws:iam::111111111111:role/Ops`, /has a role_arn but no source_profile/],
    ];
    sb.writeConfig(`${good}\n${cases.map(([lines], i) => `[profile checked${i}]\n${lines}\n`).join('\n')}`);
    try {
      const calls = sb.emu.calls.length;
      const results = await Promise.all(cases.map((_, i) => sb.keytray(['credential-process', `checked${i}`, '--mfa-code', '123456'])));
      results.forEach((r, i) => {
        assertOneLineError(r, cases[i][1]);
        assert.match(r.stderr, new RegExp(`profile "checked${i}"`, 'i'), 'names the profile');
      });
      assert.equal(sb.emu.calls.length, calls, 'no STS call');
    } finally {
      sb.writeConfig(good);
    }
  });

  test('a bad setting anywhere down the chain is reported for the profile that has it', async () => {
    const good = fs.readFileSync(sb.configFile, 'utf8');
    try {
      sb.writeConfig(good.replace(`mfa_serial = ${serial}`, 'mfa_serial = arn:aws:iam::111111111111:mfa/'));
      const r = await sb.keytray(['credential-process', ops, '--mfa-code', device.unusedCode()]);
      assertOneLineError(r, new RegExp(`Profile "${bob}" has a bad mfa_serial`));
    } finally {
      sb.writeConfig(good);
    }
  });

  test('a profile with no stored key says how to add one', async () => {
    const r = await sb.keytray(['env', sb.name('ghost')]);
    assertOneLineError(r, new RegExp(`No access key is stored.*keytray add ${sb.name('ghost')}`));
  });
});
