// Named imports: a namespace import makes the bundle copy every export of the module at start-up,
// and this file is on the path of every `aws` call. node:net is required only once a token file
// says an agent runs, so the keychain fast path does not pay for it.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { isKeytrayError, KeytrayError, type SerializedError } from '../core/errors';
import type { CredentialRequest, ServedCredentials } from '../core/sessions/sessionEngine';
import type { KeytrayPaths } from '../core/paths';
import {
  AGENT_SILENCE_MS,
  agentSocketPath,
  agentTokenFile,
  type AgentMessage,
  type AgentRequest,
  type ClientReply,
  type Requester,
  type WireEndpoint,
  type WireServedCredentials,
} from '../agent/agentProtocol';

/**
 * Talks to a running agent. Everything heavy (MFA sources, the terminal) is loaded only when the
 * agent asks for a code, so a cache hit costs one socket round trip.
 */

/** Thrown when no agent answers, so the caller does the work itself (SPEC §5). */
class NoAgent extends Error {}

/** Asks a running agent for credentials; null when no agent runs, or it reads other config files. */
export async function requestThroughAgent(
  paths: KeytrayPaths,
  request: CredentialRequest,
  options: { mfaCode?: string } = {},
): Promise<ServedCredentials | null> {
  const { dataDir, configFile, credentialsFile } = paths;
  const result = await askAgent(dataDir, (token) => ({ op: 'credentials', token, request, mfaCode: options.mfaCode, requester: currentRequester(), configFile, credentialsFile }));
  return result?.served ?? null;
}

/**
 * Asks a running agent to host a credentials endpoint for a profile (`keytray env --server`): the
 * shell outlives this process, so only a long-lived host can serve it. Null when no agent runs.
 */
export async function requestCredentialsEndpoint(
  paths: KeytrayPaths,
  request: CredentialRequest,
  options: { mfaCode?: string },
): Promise<WireEndpoint | null> {
  const { dataDir, configFile, credentialsFile } = paths;
  const result = await askAgent(dataDir, (token) => ({ op: 'endpoint', token, request, mfaCode: options.mfaCode, requester: currentRequester(), configFile, credentialsFile }));
  return result?.endpoint ?? null;
}

/** Asks the agent to stop. Returns its pid, or null when none runs. */
export async function stopAgent(dataDir: string): Promise<number | null> {
  const result = await askAgent(dataDir, (token) => ({ op: 'stop', token }));
  return result === null ? null : (result.pid ?? 0);
}

/** One request to the agent, or null when none runs (no token file, nothing listening) or it declines. */
async function askAgent(dataDir: string, message: (token: string) => AgentRequest): Promise<Awaited<ReturnType<typeof exchange>> | null> {
  const token = readToken(dataDir);
  if (token === null) return null;
  try {
    return await exchange(dataDir, message(token));
  } catch (err) {
    if (err instanceof NoAgent) return null;
    throw err;
  }
}

function readToken(dataDir: string): string | null {
  try {
    return readFileSync(agentTokenFile(dataDir), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function currentRequester(): Requester {
  // Our own command line, trimmed. The agent looks up the parent (aws, terraform) itself: reading
  // /proc here would cost every cache hit time the agent can spend after the fact.
  return { pid: process.pid, parentPid: process.ppid, command: process.argv.slice(1).join(' ').slice(0, 1000) };
}

function exchange(dataDir: string, message: AgentRequest): Promise<{ served?: ServedCredentials; endpoint?: WireEndpoint; pid?: number }> {
  return new Promise((resolve, reject) => {
    const { connect } = require('node:net') as typeof import('node:net');
    let connected = false;
    let settled = false;
    let buffered: Buffer = Buffer.alloc(0);
    // Bytes arrive through `onread`, not 'data' events: that skips the Readable stream machinery
    // (and a StringDecoder), whose cold start every cache hit would pay. Lines are decoded whole, so
    // a character split across reads still decodes right.
    const socket = connect({
      path: agentSocketPath(dataDir, message.token),
      onread: {
        buffer: Buffer.allocUnsafe(16 * 1024),
        callback: (length, chunk) => {
          silence.refresh();
          // The read buffer is reused, so the bytes are copied out before the next read.
          buffered = Buffer.concat([buffered, chunk.subarray(0, length)]);
          onLines();
          // Keep reading after the result too, so the agent's end of the connection closes this one.
          return true;
        },
      },
    });
    const settle = (fn: () => void, close = true) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      // After a result the agent ends the connection itself, so the socket is only unref'd: a
      // destroy() here would run Node's cold close path on every cache hit for nothing.
      if (close) socket.destroy();
      else socket.unref();
      fn();
    };

    // A stopped or wedged agent still accepts connections (the kernel queues them) and never answers.
    const silence = setTimeout(() => {
      settle(() => reject(agentFailure(`it sent nothing for ${AGENT_SILENCE_MS / 1000} s`)));
    }, AGENT_SILENCE_MS);
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(message)}\n`);
      // While the agent works, set up stdout (its stream is created on first use): every caller
      // prints the answer, and doing it now overlaps the wait instead of following it.
      void process.stdout;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A missing or stale socket (an agent killed with SIGKILL) means "no agent": do the work here.
      if (!connected) return settle(() => reject(new NoAgent(err.code)));
      settle(() => reject(agentFailure(`the connection to the agent failed (${err.code ?? err.message})`)));
    });
    socket.on('close', () => {
      if (!connected) return settle(() => reject(new NoAgent('closed')));
      settle(() => reject(agentFailure('the agent closed the connection before answering')));
    });
    function onLines(): void {
      let nl: number;
      while (!settled && (nl = buffered.indexOf(0x0a)) >= 0) {
        const line = buffered.toString('utf8', 0, nl);
        buffered = buffered.subarray(nl + 1);
        let msg: AgentMessage;
        try {
          msg = JSON.parse(line) as AgentMessage;
        } catch {
          return settle(() => reject(agentFailure('the agent sent an unreadable answer')));
        }
        if (msg.type === 'result') {
          if (msg.ok) return settle(() => resolve({ served: msg.served && fromWire(msg.served), endpoint: msg.endpoint, pid: msg.pid }), false);
          return settle(() => reject(KeytrayError.fromJSON(msg.error)));
        }
        if (msg.type === 'declined') return settle(() => reject(new NoAgent(msg.reason)));
        if (msg.type === 'mfa-needed') answerMfa(socket, msg);
      }
    }
  });
}

/**
 * The agent needs a code and has no window: the client's own sources after --mfa-code (which
 * travelled with the request) answer, mfa_process then /dev/tty.
 */
function answerMfa(socket: Socket, ask: { profile: string; serial: string; mfaProcess?: string }): void {
  const reply = (r: ClientReply) => socket.write(`${JSON.stringify(r)}\n`);
  // Plain requires: the fast-path bundle leaves these out, and they load from dist/ when needed.
  const { mfaCodeProvider, mfaProcessSource } = require('../core/mfa/mfaCodeSources') as typeof import('../core/mfa/mfaCodeSources');
  const { terminalMfaSource } = require('./terminal') as typeof import('./terminal');
  mfaCodeProvider([mfaProcessSource, terminalMfaSource()])({ profile: ask.profile, serial: ask.serial, mfaProcess: ask.mfaProcess })
    .then((code) => reply({ type: 'mfa-code', code }))
    .catch((err: unknown) => {
      // Duck-typed: the code sources load outside the fast-path bundle, with their own copy of the class.
      const error: SerializedError = isKeytrayError(err) ? err.toJSON() : { code: 'mfa-required', message: String((err as Error)?.message ?? err) };
      reply({ type: 'mfa-error', error });
    });
}

function fromWire(w: WireServedCredentials): ServedCredentials {
  return { profile: w.profile, credentials: w.credentials, region: w.region, source: w.source, warnings: w.warnings ?? [] };
}

function agentFailure(detail: string): KeytrayError {
  return new KeytrayError('agent', `Keytray's agent did not answer: ${detail}`, {
    hint: 'Restart it with `keytray agent --stop` then `keytray agent`, or stop it to let the CLI work alone.',
  });
}
