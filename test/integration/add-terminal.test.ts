import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createSandbox, KEYTRAY_ARGV, type Sandbox } from './harness';

/** `keytray add` at a real (pseudo-)terminal: the secret is typed, never echoed, never on disk. */
describe('keytray add at a terminal', { skip: !fs.existsSync('/usr/bin/script') && 'no script(1) for a pseudo-terminal' }, () => {
  let sb: Sandbox;
  let name: string;

  before(async () => {
    sb = await createSandbox();
    name = sb.name('typed');
  });

  after(async () => {
    await sb.keytray(['remove', name, '--yes']);
    await sb.close();
  });

  test('prompts for the key id, hides the secret, and stores a key that works', async () => {
    const user = sb.emu.createUser(name);
    const child = spawn('/usr/bin/script', ['-q', '-e', '-c', `${KEYTRAY_ARGV.join(' ')} add ${name}`, '/dev/null'], {
      env: { ...sb.env, TERM: 'dumb' },
      stdio: 'pipe',
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (screen += d));
    await waitFor(() => /Access key ID for/.test(screen));
    child.stdin.write(`${user.accessKeyId}\r`);
    await waitFor(() => /Secret access key \(hidden\)/.test(screen));
    child.stdin.write(`${user.secretAccessKey}\r`);
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, screen);
    assert.match(screen, /Stored access key/);
    assert.ok(!screen.includes(user.secretAccessKey), 'the secret was not echoed');

    const r = await sb.keytray(['credential-process', name, '--no-session']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).AccessKeyId, user.accessKeyId);
    assert.match(fs.readFileSync(sb.configFile, 'utf8'), new RegExp(`\\[profile ${name}\\]`));
  });

  test('with no terminal and no --env it says how to provide the key', async () => {
    const r = await sb.keytray(['add', sb.name('nobody')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keytray: No terminal to prompt for the key on.*--env/);
  });

  test('a temporary session key is refused as a long-term key', async () => {
    const r = await sb.keytray(['add', sb.name('temp'), '--env'], {
      env: { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE00', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) },
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /temporary \(ASIA…\) session key/);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the terminal');
    await new Promise((r) => setTimeout(r, 25));
  }
}
