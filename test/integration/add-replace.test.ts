import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { EmulatorUser } from '../emulator';
import { createSandbox, KEYTRAY_ARGV, type Sandbox } from './harness';

/**
 * `keytray add` over a stored key: a typo in a replacement must never cost the only copy of a
 * working secret. Every refusal is checked by what a user would notice: the line, the exit code,
 * and the old key still serving credentials.
 */
describe('keytray add over a stored key', () => {
  let sb: Sandbox;
  let alice: string;
  let aliceKey: EmulatorUser;
  let bobKey: EmulatorUser;
  /** The same IAM user's second key (IAM allows two per user). */
  let second: { accessKeyId: string; secretAccessKey: string };
  let stored: { accessKeyId: string };

  const add = (key: { accessKeyId: string; secretAccessKey: string }, ...flags: string[]) =>
    sb.keytray(['add', alice, '--env', ...flags], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
  const servedKeyId = async () => {
    const r = await sb.keytray(['credential-process', alice, '--no-session']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).AccessKeyId as string;
  };
  const masked = (id: string) => `****************${id.slice(-4)}`;

  before(async () => {
    sb = await createSandbox();
    alice = sb.name('alice');
    aliceKey = sb.emu.createUser(alice);
    bobKey = sb.emu.createUser(sb.name('bob'));
    second = sb.emu.createAccessKey(alice);
    stored = aliceKey;
    const first = await add(aliceKey);
    assert.equal(first.code, 0, first.stderr);
  });

  after(async () => {
    await sb.keytray(['remove', alice, '--yes']);
    await sb.close();
  });

  test('with no terminal and no --replace it refuses in one line that says to pass --replace', async () => {
    const r = await add(second);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `keytray: Profile "${alice}" already has access key ${masked(aliceKey.accessKeyId)} stored; nothing was changed. Pass --replace to replace it; the new key is checked with AWS first.\n`,
    );
    assert.equal(await servedKeyId(), aliceKey.accessKeyId);
  });

  test('a mistyped secret is refused after AWS rejects it, and the old key keeps working', async () => {
    const r = await add({ accessKeyId: aliceKey.accessKeyId, secretAccessKey: `${aliceKey.secretAccessKey.slice(0, -1)}X` }, '--replace');
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `^keytray: The new access key \\*+${aliceKey.accessKeyId.slice(-4)} for profile "${alice}" failed its check, so the stored key \\*+${aliceKey.accessKeyId.slice(-4)} was kept: ` +
          `AWS rejected the access key \\*+${aliceKey.accessKeyId.slice(-4)} \\(SignatureDoesNotMatch\\) during GetCallerIdentity\\. Check the key you entered, or pass --no-verify when you are offline\\.\n$`,
      ),
    );
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
    assert.ok(!r.stderr.includes(aliceKey.secretAccessKey.slice(0, 12)));
    assert.equal(await servedKeyId(), aliceKey.accessKeyId);
  });

  test("another IAM user's key is refused, naming both users", async () => {
    const r = await add(bobKey, '--replace');
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `keytray: The new access key ${masked(bobKey.accessKeyId)} belongs to ${bobKey.arn}, not to ${aliceKey.arn} like the stored one, so the stored key ${masked(aliceKey.accessKeyId)} was kept for profile "${alice}". Add it under a profile of its own, or run \`keytray remove ${alice}\` first if the profile is to change users.\n`,
    );
    assert.equal(await servedKeyId(), aliceKey.accessKeyId);
  });

  test("--replace with the same user's new key replaces it and says whose it is", async () => {
    const r = await add(second, '--replace');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Replaced access key ${masked(aliceKey.accessKeyId)} of profile "${alice}" with ${masked(second.accessKeyId)}, which AWS says belongs to ${aliceKey.arn}.\n`);
    assert.equal(await servedKeyId(), second.accessKeyId);
    stored = second;
  });

  test('--no-verify replaces without asking AWS, and says it was unchecked', async () => {
    const before = sb.emu.count('GetCallerIdentity');
    // Offline, say: a key AWS has never seen is stored because the user said not to check.
    const unchecked = { accessKeyId: 'AKIAUNCHECKED0000042', secretAccessKey: 'u'.repeat(40) };
    const r = await add(unchecked, '--replace', '--no-verify');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Replaced access key ${masked(stored.accessKeyId)} of profile "${alice}" with ${masked(unchecked.accessKeyId)}, unchecked (--no-verify).\n`);
    assert.equal(sb.emu.count('GetCallerIdentity'), before);
    assert.equal(await servedKeyId(), unchecked.accessKeyId);
    stored = unchecked;
  });

  test('at a terminal it asks; "n" keeps the stored key', { skip: !fs.existsSync('/usr/bin/script') && 'no script(1)' }, async () => {
    const fourth = aliceKey;
    const child = spawn('/usr/bin/script', ['-q', '-e', '-c', `${KEYTRAY_ARGV.join(' ')} add ${alice} --env`, '/dev/null'], {
      env: { ...sb.env, TERM: 'dumb', AWS_ACCESS_KEY_ID: fourth.accessKeyId, AWS_SECRET_ACCESS_KEY: fourth.secretAccessKey },
      stdio: 'pipe',
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (screen += d));
    await waitFor(() => /Replace it with/.test(screen));
    assert.match(screen, new RegExp(`Profile "${alice}" already has access key \\*+${stored.accessKeyId.slice(-4)}\\. Replace it with \\*+${fourth.accessKeyId.slice(-4)}\\? \\[y/N\\]`));
    child.stdin.write('n\r');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 2, screen);
    assert.match(screen, new RegExp(`Cancelled; the stored key \\*+${stored.accessKeyId.slice(-4)} was kept`));
    assert.equal(await servedKeyId(), stored.accessKeyId);
  });

  test('at a terminal "y" replaces a stored key that AWS no longer accepts, and says so', { skip: !fs.existsSync('/usr/bin/script') && 'no script(1)' }, async () => {
    // The stored key is the made-up one from the --no-verify test: AWS rejects it, so it cannot be
    // compared with the new key's user, and nothing is lost by replacing it.
    const child = spawn('/usr/bin/script', ['-q', '-e', '-c', `${KEYTRAY_ARGV.join(' ')} add ${alice} --env`, '/dev/null'], {
      env: { ...sb.env, TERM: 'dumb', AWS_ACCESS_KEY_ID: aliceKey.accessKeyId, AWS_SECRET_ACCESS_KEY: aliceKey.secretAccessKey },
      stdio: 'pipe',
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (screen += d));
    await waitFor(() => /Replace it with/.test(screen));
    child.stdin.write('y\r');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, screen);
    assert.match(screen, new RegExp(`Replaced access key \\*+${stored.accessKeyId.slice(-4)} of profile "${alice}" with \\*+${aliceKey.accessKeyId.slice(-4)}, which AWS says belongs to ${aliceKey.arn.replace(/[/]/g, '\\/')}; AWS no longer accepted the old key\\.`));
    assert.equal(await servedKeyId(), aliceKey.accessKeyId);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the terminal');
    await new Promise((r) => setTimeout(r, 25));
  }
}
