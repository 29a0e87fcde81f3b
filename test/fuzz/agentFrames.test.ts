import '../fastCheckSeed';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { agentTokenFile } from '../../electron/agent/agentProtocol';
import { agentMessageSchema } from '../../electron/agent/agentSchemas';
import { startAgent, type RunningAgent } from '../../electron/agent/agentServer';
import { createAgentVault } from '../../electron/agent/agentVault';
import { requestThroughAgent } from '../../electron/cli/agentClient';
import { resolvePaths } from '../../electron/core/paths';
import { createSandbox, type Sandbox } from '../integration/harness';
import { watchForCrashes } from './crashWatch';

/**
 * A real agent on its socket, fed what an attacker or a broken client could send: random bytes,
 * frames past the size limit, bad JSON, the wrong token, schema-breaking requests, garbage MFA
 * answers and connections closed halfway. Each connection must end within a deadline with nothing
 * but well-formed refusals on it, the process must see no crash or unhandled rejection, and the
 * agent must still serve a good request afterwards.
 */

/** What one fuzz connection does: the bytes it sends, then how it leaves. */
interface Frame {
  label: string;
  chunks: readonly Buffer[];
  /** 'end': half-close after sending; 'destroy': drop the connection; 'stay': keep it open and wait. */
  leave: 'end' | 'destroy' | 'stay';
  /** Sent after the agent asks for an MFA code, if it does. */
  mfaReply?: Buffer;
}

// Generous for a loaded CI machine: a connection that is answered ends in milliseconds.
const DEADLINE_MS = 5_000;

describe('fuzzing the agent with untrusted frames', () => {
  let sb: Sandbox;
  let agent: RunningAgent;
  let token: string;
  let user: string;
  let mfaUser: string;
  const crashes = watchForCrashes();

  before(async () => {
    sb = await createSandbox();
    user = sb.name('fz-user');
    mfaUser = sb.name('fz-mfa');
    const key = sb.emu.createUser(user);
    const mfaKey = sb.emu.createUser(mfaUser);
    const device = sb.emu.enableMfa(mfaUser);
    sb.writeConfig(`[profile ${user}]\nregion = eu-west-1\n\n[profile ${mfaUser}]\nmfa_serial = ${device.serial}\n`);
    const { vault } = createAgentVault(sb.env);
    vault.store.setLongTermKey(user, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, storedAt: 0 });
    vault.store.setLongTermKey(mfaUser, { accessKeyId: mfaKey.accessKeyId, secretAccessKey: mfaKey.secretAccessKey, storedAt: 0 });
    agent = await startAgent({ vault, requestTimeoutMs: 300, mfaAnswerTimeoutMs: 300 });
    token = fs.readFileSync(agentTokenFile(sb.dataDir), 'utf8').trim();
  });

  after(async () => {
    await agent?.close();
    const { vault } = createAgentVault(sb.env);
    for (const p of [user, mfaUser]) {
      vault.store.deleteLongTermKey(p);
      vault.store.clearSessions(p);
    }
    await sb?.close();
    crashes.stop();
  });

  const line = (value: unknown) => Buffer.from(`${JSON.stringify(value)}\n`);
  const files = () => ({ configFile: sb.configFile, credentialsFile: sb.credentialsFile });
  const requester = { pid: process.pid };

  /** Every kind of frame, each with its own generator. */
  const frames = (): fc.Arbitrary<Frame> => {
    const leave = fc.constantFrom<Frame['leave']>('end', 'destroy', 'stay');
    const bytes = fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b));
    return fc.oneof(
      fc.record({ label: fc.constant('random bytes'), chunks: fc.array(bytes, { minLength: 1, maxLength: 4 }), leave }),
      fc.record({ label: fc.constant('random bytes, then a newline'), chunks: bytes.map((b) => [b, Buffer.from('\n')]), leave }),
      fc.record({
        label: fc.constant('a frame past the size limit'),
        chunks: fc.integer({ min: 64 * 1024 + 1, max: 300 * 1024 }).map((n) => [Buffer.alloc(n, 'a'), Buffer.from('\n')]),
        leave,
      }),
      fc.record({ label: fc.constant('bad JSON'), chunks: fc.string({ maxLength: 200 }).map((t) => [Buffer.from(`{${t}\n`)]), leave }),
      fc.record({ label: fc.constant('any JSON value'), chunks: fc.jsonValue().map((v) => [line(v)]), leave }),
      fc.record({
        label: fc.constant('a wrong token'),
        chunks: fc.string({ maxLength: 80 }).map((t) => [line({ op: 'credentials', token: t, request: { profile: user }, requester, ...files() })]),
        leave,
      }),
      fc.record({
        label: fc.constant('the token with a schema-breaking body'),
        chunks: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 6 }).map((o) => [line({ ...o, token })]),
        leave,
      }),
      fc.record({
        label: fc.constant('the token with a plausible request'),
        chunks: fc
          .record({
            op: fc.constantFrom('credentials', 'endpoint', 'stop', 'read-secret'),
            request: fc.record(
              {
                profile: fc.oneof(fc.string({ maxLength: 300 }), fc.constant(user)),
                durationSeconds: fc.oneof(fc.integer(), fc.double()),
                noSession: fc.boolean(),
                region: fc.string({ maxLength: 80 }),
              },
              { requiredKeys: ['profile'] },
            ),
            mfaCode: fc.string({ maxLength: 20 }),
          })
          .map((r) => [line({ ...r, token, requester, ...files() })]),
        leave,
      }),
      fc.record({
        label: fc.constant('a request split across writes, then cut off'),
        chunks: fc.integer({ min: 1, max: 60 }).map((cut) => {
          const whole = line({ op: 'credentials', token, request: { profile: user }, requester, ...files() });
          return [whole.subarray(0, cut), whole.subarray(cut, cut + 5)];
        }),
        leave: fc.constantFrom<Frame['leave']>('end', 'destroy', 'stay'),
      }),
      fc.record({
        label: fc.constant('an MFA question answered with garbage'),
        chunks: fc.constant([line({ op: 'credentials', token, request: { profile: mfaUser, forceRefresh: true }, requester, ...files() })]),
        leave,
        mfaReply: fc.oneof(bytes, fc.jsonValue().map(line), fc.constant(line({ type: 'mfa-code', code: '12' })), fc.constant(Buffer.alloc(0))),
      }),
    );
  };

  test('every frame gets a clean refusal or a clean close, and the agent keeps serving', async () => {
    const counts = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(frames(), async (frame) => {
        counts.set(frame.label, (counts.get(frame.label) ?? 0) + 1);
        const answer = await exchange(agent.socketPath, frame);
        assert.ok(answer.closedInTime, `${frame.label}: the agent did not close within ${DEADLINE_MS} ms`);
        const messages = answer.text.split('\n').filter(Boolean);
        for (const m of messages) {
          const parsed = agentMessageSchema.safeParse(JSON.parse(m));
          assert.ok(parsed.success, `${frame.label}: not a well-formed agent message: ${m.slice(0, 200)}`);
          // Only the one profile that needs no MFA code can be served (or given an endpoint) here.
          if (parsed.data.type === 'result' && parsed.data.ok) {
            assert.ok(parsed.data.served?.profile === user || parsed.data.endpoint !== undefined, `${frame.label}: served ${m.slice(0, 200)}`);
          }
        }
        assert.ok(messages.filter((m) => m.includes('"type":"result"')).length <= 1, `${frame.label}: more than one result`);
      }),
      { numRuns: 160 },
    );
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`agent fuzz: ${total} connections (${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')})`);

    const served = await requestThroughAgent(resolvePaths(sb.env), { profile: user });
    assert.equal(served?.profile, user, 'a good request is still served');
    assert.match(served.credentials.accessKeyId, /^ASIA/);
    crashes.assertNone();
  });
});

function exchange(socketPath: string, frame: Frame): Promise<{ text: string; closedInTime: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    let text = '';
    let answeredMfa = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedInTime: false });
    }, DEADLINE_MS);
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      text += d.toString('utf8');
      if (frame.mfaReply && !answeredMfa && text.includes('"mfa-needed"')) {
        answeredMfa = true;
        socket.write(frame.mfaReply, () => socket.end());
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedInTime: true });
    });
    socket.on('connect', async () => {
      for (const chunk of frame.chunks) await new Promise<void>((r) => socket.write(chunk, () => r()));
      if (frame.mfaReply) return; // it leaves once it has answered the question
      if (frame.leave === 'end') socket.end();
      else if (frame.leave === 'destroy') socket.destroy();
    });
  });
}
