import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { credentialDocument } from '../../electron/core/export/credentialDocument';
import { defaultEnvFormat, formatEnvExport, shQuote } from '../../electron/core/export/envExport';

const session = {
  accessKeyId: 'ASIAEXAMPLE123456789',
  secretAccessKey: 'abc/def+ghi=jkl',
  sessionToken: 'FwoGZXIvYXdzE//token+with/slashes==',
  expiration: Date.UTC(2026, 0, 1, 12, 0, 0, 123),
};

function bash(script: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', ['-c', script], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
  );
}

describe('env exports', () => {
  test('the credential_process document has Version 1 and a UTC expiration with Z and no milliseconds', () => {
    assert.deepEqual(credentialDocument(session), {
      Version: 1,
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: '2026-01-01T12:00:00Z',
    });
    assert.deepEqual(credentialDocument({ accessKeyId: 'AKIAX', secretAccessKey: 's' }), { Version: 1, AccessKeyId: 'AKIAX', SecretAccessKey: 's' });
  });

  test('expirations are padded UTC whatever the local time zone, with milliseconds dropped not rounded', () => {
    for (const iso of ['2027-02-03T04:05:06.999Z', '2026-12-31T23:59:59.500Z', '2028-02-29T00:00:00.000Z']) {
      const doc = credentialDocument({ ...session, expiration: Date.parse(iso) });
      assert.equal(doc.Expiration, `${iso.slice(0, 19)}Z`);
    }
  });

  test('sh output, eval\'d by bash, sets the session and unsets what would override it', async () => {
    const out = formatEnvExport(session, 'eu-west-1', 'sh');
    const printed = await bash(`${out}\nenv | grep -E '^AWS_' | sort`, { AWS_SECURITY_TOKEN: 'stale', AWS_PROFILE: 'old', AWS_DEFAULT_PROFILE: 'old' });
    assert.deepEqual(printed.trim().split('\n'), [
      'AWS_ACCESS_KEY_ID=ASIAEXAMPLE123456789',
      'AWS_CREDENTIAL_EXPIRATION=2026-01-01T12:00:00Z',
      'AWS_DEFAULT_REGION=eu-west-1',
      'AWS_REGION=eu-west-1',
      `AWS_SECRET_ACCESS_KEY=${session.secretAccessKey}`,
      `AWS_SESSION_TOKEN=${session.sessionToken}`,
    ]);
  });

  test('sh quoting survives quotes, dollars and backticks', async () => {
    const nasty = `it's $HOME \`id\` "x" \\ end`;
    assert.equal(await bash(`printf %s ${shQuote(nasty)}`), nasty);
  });

  test('no region means no region variables', () => {
    assert.doesNotMatch(formatEnvExport(session, undefined, 'sh'), /AWS_REGION/);
  });

  test('each shell gets its own syntax', () => {
    assert.match(formatEnvExport(session, undefined, 'fish'), /^set -gx AWS_SESSION_TOKEN 'FwoGZXIvYXdzE\/\/token\+with\/slashes=='$/m);
    assert.match(formatEnvExport(session, undefined, 'fish'), /^set -e AWS_SECURITY_TOKEN$/m);
    assert.match(formatEnvExport(session, undefined, 'powershell'), /^\$Env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE123456789'$/m);
    assert.match(formatEnvExport(session, undefined, 'powershell'), /^Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue$/m);
    assert.match(formatEnvExport(session, undefined, 'cmd'), /^set AWS_PROFILE=$/m);
    assert.match(formatEnvExport(session, undefined, 'cmd'), /^set AWS_SECRET_ACCESS_KEY=abc\/def\+ghi=jkl$/m);
    assert.match(formatEnvExport(session, undefined, 'dotenv'), /^AWS_SESSION_TOKEN=FwoG/m);
    assert.equal(JSON.parse(formatEnvExport(session, undefined, 'json')).Version, 1);
  });

  test('cmd and dotenv refuse a value they cannot write safely rather than export it wrong', () => {
    const odd = { ...session, sessionToken: 'a b&c' };
    assert.throws(() => formatEnvExport(odd, undefined, 'cmd'), /cannot be written safely for cmd.exe/);
    assert.throws(() => formatEnvExport(odd, undefined, 'dotenv'), /cannot be written safely as dotenv/);
  });
});

describe('the default env format', () => {
  test('is PowerShell on Windows and sh elsewhere, for the CLI, the window and the tray alike', () => {
    assert.equal(defaultEnvFormat('win32'), 'powershell');
    assert.equal(defaultEnvFormat('linux'), 'sh');
    assert.equal(defaultEnvFormat('darwin'), 'sh');
  });
});
