import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ACTIVITY_CAPACITY, activityFile } from '../../electron/core/activity/activityFile';
import { ActivityLog } from '../../electron/desktop/activityLog';
import { createSandbox, type Sandbox } from './harness';

/**
 * The activity log lasts: what the app recorded is there after a restart and in `keytray
 * activity`, with dates, outcomes and the requesting process, bounded in size, never a secret.
 */
describe('the activity log on disk', () => {
  let sb: Sandbox;
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const at = Date.UTC(2026, 0, 15, 9, 30, 0);

  before(async () => {
    sb = await createSandbox();
  });
  after(async () => {
    await sb?.close();
  });

  it('keeps entries across a restart of the app, and prints them with dates and outcomes', async () => {
    const first = new ActivityLog(() => at, undefined, sb.dataDir);
    first.record({ kind: 'served', profile: 'admin', requester: { pid: 4242, command: 'aws s3 ls' }, summary: 'Served "admin" to aws s3 ls (pid 4242) from the cached session.' });
    first.record({ kind: 'served', outcome: 'refused', profile: 'admin', requester: { pid: 4243, command: `terraform plan -var secret=${secret}` }, summary: 'Refused "admin" to terraform (pid 4243): MFA cancelled in the Keytray window' });
    first.record({ kind: 'session-started', outcome: 'failed', profile: 'alice', summary: 'Starting a session for "alice" failed: STS rejected the MFA code.' });

    const restarted = new ActivityLog(() => at, undefined, sb.dataDir);
    assert.deepEqual(
      restarted.list().map((e) => [e.profile, e.outcome ?? 'ok']),
      [
        ['alice', 'failed'],
        ['admin', 'refused'],
        ['admin', 'ok'],
      ],
    );
    assert.ok(!fs.readFileSync(activityFile(sb.dataDir), 'utf8').includes(secret), 'a secret on a command line is redacted before it is written');
    assert.equal(fs.statSync(activityFile(sb.dataDir)).mode & 0o777, 0o600);

    const text = await sb.keytray(['activity']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^2026-01-15 09:30:00Z {2}alice +FAILED {2}Starting a session/);
    assert.match(lines[1], /^2026-01-15 09:30:00Z {2}admin +REFUSED Refused "admin".*\[pid 4243 terraform plan -var \[redacted\]\]$/);
    assert.match(lines[2], /^2026-01-15 09:30:00Z {2}admin {2,}Served "admin"/);

    const json = await sb.keytray(['activity', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const entries = JSON.parse(json.stdout) as Array<{ at: number; outcome?: string; requester?: { pid: number } }>;
    assert.deepEqual(entries.map((e) => e.outcome ?? 'ok'), ['failed', 'refused', 'ok']);
    assert.equal(entries[1].requester?.pid, 4243);
    assert.ok(!json.stdout.includes(secret));
  });

  it('stays bounded: past one and a half times its capacity the file keeps the newest entries', () => {
    const log = new ActivityLog(() => at, ACTIVITY_CAPACITY, sb.dataDir);
    for (let i = 0; i < ACTIVITY_CAPACITY * 1.5 + 10; i++) log.record({ kind: 'config', summary: `entry ${i}` });
    const lines = fs.readFileSync(activityFile(sb.dataDir), 'utf8').trimEnd().split('\n');
    assert.ok(lines.length <= ACTIVITY_CAPACITY * 1.5, `${lines.length} lines`);
    const reread = new ActivityLog(() => at, ACTIVITY_CAPACITY, sb.dataDir).list();
    assert.equal(reread.length, ACTIVITY_CAPACITY);
    assert.equal(reread[0].summary, `entry ${ACTIVITY_CAPACITY * 1.5 + 9}`);
  });

  it('says so when there is nothing yet', async () => {
    const empty = await createSandbox();
    try {
      const r = await empty.keytray(['activity']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^No activity yet\./);
    } finally {
      await empty.close();
    }
  });
});
