import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSandbox, KEYTRAY_ARGV, type Sandbox } from './harness';

/**
 * `keytray list | head -1` stops reading after one line. The rest of the output then meets a closed
 * pipe (EPIPE), which is not the command's failure: it must end quietly, not with a stack trace.
 */
describe('a reader that stops early', () => {
  let sb: Sandbox;

  before(async () => {
    sb = await createSandbox();
    // Well past a pipe's 64 KiB buffer, so the write really meets the closed pipe.
    sb.writeConfig(Array.from({ length: 3000 }, (_, i) => `[profile pipe-${i}-${sb.name('p')}]\nregion = eu-west-1\n`).join('\n'));
  });

  after(async () => {
    await sb.close();
  });

  test('keytray list | head -1 prints one line and no error', async () => {
    const cli = KEYTRAY_ARGV.map((a) => `'${a}'`).join(' ');
    const r = await sb.run('bash', ['-c', `${cli} list | head -1; echo "status=\${PIPESTATUS[0]}" >&2`]);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stdout, /^PROFILE\s+KIND/);
    assert.equal(r.stderr.trim(), 'status=0', 'no stack trace, no error line, status 0');
  });
});
