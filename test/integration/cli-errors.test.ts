import assert from 'node:assert/strict';
import * as fs from 'node:fs';
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

  test('a profile with no stored key says how to add one', async () => {
    const r = await sb.keytray(['env', sb.name('ghost')]);
    assertOneLineError(r, new RegExp(`No access key is stored.*keytray add ${sb.name('ghost')}`));
  });
});
