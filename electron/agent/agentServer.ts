import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { KeytrayError, asKeytrayError, type SerializedError } from '../core/errors';
import { mfaCodeProvider, mfaProcessSource, optionCodeSource, type MfaCodeRequest, type MfaCodeSource } from '../core/mfa/mfaCodeSources';
import { askPersonAgainOnRejectedCode, type PersonMfaPrompter } from '../core/mfa/mfaRetry';
import { ProfileEndpoints } from '../core/credentialsServer/profileEndpoints';
import type { ServedCredentials } from '../core/sessions/sessionEngine';
import type { Vault } from '../core/vault';
import {
  AGENT_HEARTBEAT_MS,
  agentDir,
  agentSocketPath,
  agentTokenFile,
  type AgentMessage,
  type AgentRequest,
  type Requester,
} from './agentProtocol';
import { agentRequestSchema, clientReplySchema } from './agentSchemas';
import { replaceFile } from '../core/replaceFile';
import { ensurePrivateDirectory } from '../core/privateDirectory';

/** One served request, for the activity log ("which process received which profile's credentials"). */
export interface AgentActivity {
  at: number;
  profile: string;
  requester: Requester;
  outcome: 'served' | 'failed';
  source?: ServedCredentials['source'];
  error?: string;
}

/**
 * The app's MFA window, when the agent runs inside the desktop app. It receives the requesting
 * process so the window can say who is asking. Headless agents have none and ask the client instead.
 */
export type AgentPrompter = (request: MfaCodeRequest) => Promise<string>;

export interface AgentOptions {
  vault: Vault;
  prompter?: AgentPrompter;
  /**
   * The app's prompt window as a person who can be asked again: with it, a code STS refuses is asked
   * for again in the window while the client keeps waiting, instead of failing the client.
   */
  person?: PersonMfaPrompter;
  onActivity?: (activity: AgentActivity) => void;
  /** Called after a client asked the agent to stop (`keytray agent --stop`); without it, stopping is refused. */
  onStopRequested?: () => void;
  /** How long a connection may take to send its request line; tests shorten it. */
  requestTimeoutMs?: number;
  /** How long a client may take to answer an MFA question; tests shorten it. */
  mfaAnswerTimeoutMs?: number;
}

/** A client writes its request at once; a connection that does not is refused, not kept forever. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Someone reads a code off a device and types it: minutes, not hours. Others wait on this flight. */
const MFA_ANSWER_TIMEOUT_MS = 5 * 60_000;

export interface RunningAgent {
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Starts the agent: a Unix socket in a 0700 directory, authenticated by a token in a 0600 file that
 * only the user can read (Node exposes no SO_PEERCRED, so the token stands in for a peer-user check;
 * the directory mode already keeps other users from reaching the socket).
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { dataDir } = options.vault.paths;
  const dir = agentDir(dataDir);
  ensurePrivateDirectory(dir);
  fs.chmodSync(dir, 0o700);
  await refuseIfRunning(dataDir);
  const token = randomBytes(32).toString('hex');
  const socketPath = agentSocketPath(dataDir, token);
  // Endpoints for `keytray env --server`, one per profile, living as long as the agent.
  const endpoints = new ProfileEndpoints((event) =>
    options.onActivity?.({
      at: Date.now(),
      profile: event.profile,
      requester: { pid: 0, command: 'credentials endpoint' },
      outcome: event.ok ? 'served' : 'failed',
      error: event.ok ? undefined : event.error ?? `refused: ${event.refused ?? event.status}`,
    }),
  );
  const server = net.createServer((socket) => handleConnection(socket, token, options, endpoints));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? alreadyRunning()
          : asKeytrayError(err),
      ),
    );
    server.listen(socketPath, () => resolve());
  });
  if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
  // The token is written only once the socket listens, so a client never reads a token with no agent.
  replaceFile(agentTokenFile(dataDir), token);

  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        fs.rmSync(agentTokenFile(dataDir), { force: true });
        void endpoints.stopAll();
        server.close(() => resolve());
        // Idle keep-alive clients must not hold the agent open.
        server.unref();
      }),
  };
}

/**
 * Refuses to start beside a live agent, and clears what a dead one left (SIGKILL, a crash): on Unix
 * its socket file. On Windows a dead agent's pipe is gone with it, and a live one is found through
 * the pipe its token file names.
 */
async function refuseIfRunning(dataDir: string): Promise<void> {
  const previous = previousAgentPath(dataDir);
  if (previous === null) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(previous);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw alreadyRunning();
  if (process.platform !== 'win32') fs.rmSync(previous, { force: true });
}

function alreadyRunning(): KeytrayError {
  return new KeytrayError('agent', 'Another Keytray agent is already running', { hint: 'Stop it with `keytray agent --stop`.' });
}

function previousAgentPath(dataDir: string): string | null {
  if (process.platform !== 'win32') {
    const socketPath = agentSocketPath(dataDir, '');
    return fs.existsSync(socketPath) ? socketPath : null;
  }
  try {
    return agentSocketPath(dataDir, fs.readFileSync(agentTokenFile(dataDir), 'utf8').trim());
  } catch {
    return null;
  }
}

function tokensMatch(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A request line may not exceed this; nothing legitimate comes close. */
const MAX_LINE = 64 * 1024;

function handleConnection(socket: net.Socket, token: string, options: AgentOptions, endpoints: ProfileEndpoints): void {
  socket.setEncoding('utf8');
  let buffered = '';
  let started = false;
  let refused = false;
  let pendingMfa: { resolve: (code: string) => void; reject: (err: Error) => void } | null = null;
  const send = (m: AgentMessage) => {
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(m)}\n`);
  };
  /** Answers once with the refusal and hangs up; whatever the client sends after it is not read. */
  const fail = (error: SerializedError) => {
    if (refused) return;
    refused = true;
    send({ type: 'result', ok: false, error });
    socket.end(() => socket.destroy());
  };
  const answered = (waiter: NonNullable<typeof pendingMfa>) => {
    pendingMfa = null;
    return waiter;
  };

  socket.setTimeout(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, () => {
    if (!started) fail({ code: 'agent', message: 'Refused: no request arrived in time' });
  });
  socket.on('error', () => undefined);
  socket.on('close', () => pendingMfa && answered(pendingMfa).reject(new KeytrayError('mfa-cancelled', 'The requesting process went away before giving an MFA code')));
  socket.on('data', (chunk: string) => {
    if (refused) return;
    buffered += chunk;
    if (buffered.length > MAX_LINE) return fail({ code: 'agent', message: 'Refused: request too large' });
    let nl: number;
    while (!refused && (nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        msg = undefined;
      }
      if (!started) {
        if (msg === undefined) return fail({ code: 'agent', message: 'Refused: malformed request' });
        started = true;
        socket.setTimeout(0);
        if (!tokensMatch((msg as { token?: unknown } | null)?.token, token)) {
          return fail({ code: 'agent', message: 'Refused: the request did not carry the agent token', hint: 'Only the user who started the agent may use it.' });
        }
        const parsed = agentRequestSchema.safeParse(msg);
        if (!parsed.success) return fail({ code: 'agent', message: 'Refused: malformed request' });
        void dispatch(parsed.data);
      } else if (pendingMfa) {
        // The request is in flight: a bad answer fails that request, which then answers the client.
        const parsed = clientReplySchema.safeParse(msg);
        const waiter = answered(pendingMfa);
        if (parsed.success && parsed.data.type === 'mfa-code') waiter.resolve(parsed.data.code);
        else if (parsed.success && parsed.data.type === 'mfa-error') waiter.reject(KeytrayError.fromJSON(parsed.data.error));
        else waiter.reject(new KeytrayError('mfa-required', 'The requesting process sent no usable MFA code'));
      }
      // Anything else after the request is not a question that was asked: it is ignored.
    }
  });

  const askClient: MfaCodeSource = (req) =>
    new Promise<string>((resolve, reject) => {
      if (socket.destroyed) return reject(new KeytrayError('mfa-cancelled', 'The requesting process went away before giving an MFA code'));
      const timer = setTimeout(() => {
        if (pendingMfa) answered(pendingMfa).reject(new KeytrayError('mfa-cancelled', 'No MFA code arrived in time', { hint: 'Run the command again and enter the code when asked.' }));
      }, options.mfaAnswerTimeoutMs ?? MFA_ANSWER_TIMEOUT_MS);
      timer.unref();
      const settle = <T>(fn: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        fn(v);
      };
      pendingMfa = { resolve: settle(resolve), reject: settle(reject) };
      send({ type: 'mfa-needed', profile: req.profile, serial: req.serial, mfaProcess: req.mfaProcess });
    });

  async function dispatch(request: AgentRequest): Promise<void> {
    if (request.op === 'stop') {
      if (!options.onStopRequested) {
        return fail({ code: 'agent', message: 'The agent is hosted by the Keytray app', hint: 'Quit the app from its tray menu to stop it.' });
      }
      send({ type: 'result', ok: true, pid: process.pid });
      socket.end();
      options.onStopRequested?.();
      return;
    }
    const { configFile, credentialsFile } = options.vault.paths;
    if (request.configFile !== configFile || request.credentialsFile !== credentialsFile) {
      send({ type: 'declined', reason: 'other-config-files' });
      return void socket.end();
    }
    // Named from /proc only when a window or the log shows it, never before a cache hit's answer.
    let named: Requester | undefined;
    const requester = () => (named ??= withParentCommand(request.requester));
    const promptRequester = () => ({ pid: requester().parentPid ?? requester().pid, command: requester().command });
    // Handed to the engine for a browser sign-in the request may start; read from /proc only when
    // that sign-in shows it, never on a cache hit.
    const signInRequester = {
      get pid() {
        return promptRequester().pid;
      },
      get command() {
        return promptRequester().command;
      },
    };
    // The order docs/architecture.md (Sessions) gives: --mfa-code, then mfa_process, then the app's window; headless, the client's own
    // sources (mfa_process, /dev/tty) answer instead.
    const sources: MfaCodeSource[] = options.prompter
      ? [optionCodeSource(request.mfaCode), mfaProcessSource, async (r) => options.prompter!({ ...r, requester: promptRequester() })]
      : [optionCodeSource(request.mfaCode), askClient];
    const { profile, durationSeconds, noSession, forceRefresh, region } = request.request;
    const engine = options.vault.engine;
    // A cache hit answers before the first beat; only real work is heard from while it lasts.
    const heartbeat = setInterval(() => send({ type: 'working' }), AGENT_HEARTBEAT_MS);
    try {
      // Served now even for an endpoint request, so any MFA prompt happens while the client waits,
      // not later under an SDK's one-second endpoint timeout.
      const credentialRequest = { profile, durationSeconds, noSession, forceRefresh, region };
      const person = options.person;
      const served = person
        ? await askPersonAgainOnRejectedCode({
            before: [optionCodeSource(request.mfaCode), mfaProcessSource],
            person: { ask: (r) => person.ask({ ...r, requester: promptRequester() }), finished: (id, outcome) => person.finished?.(id, outcome) },
            now: () => options.vault.clock.now(),
            // The requester also names the program in a browser sign-in the request starts.
            run: (mfa) => engine.getCredentials(credentialRequest, { mfa, requester: signInRequester }),
          })
        : await engine.getCredentials(credentialRequest, { mfa: mfaCodeProvider(sources), requester: signInRequester });
      const record = () => options.onActivity?.({ at: Date.now(), profile, requester: requester(), outcome: 'served', source: served.source });
      if (request.op === 'endpoint') {
        record();
        // Later refreshes have no client to ask: mfa_process or the app's window, else the engine
        // serves the session it has while it is valid.
        const later = mfaCodeProvider(options.prompter ? [mfaProcessSource, async (r) => options.prompter!(r)] : [mfaProcessSource]);
        const endpoint = await endpoints.endpointFor(profile, async () => (await engine.getCredentials({ profile }, { mfa: later })).credentials);
        send({ type: 'result', ok: true, endpoint: { ...endpoint, region: served.region } });
      } else {
        // Answer first: the client is waiting on this, and the log and the close can wait a turn of
        // the event loop for it.
        send({ type: 'result', ok: true, served });
        setImmediate(() => {
          record();
          socket.end();
        });
        return;
      }
    } catch (err) {
      const e = asKeytrayError(err, profile);
      options.onActivity?.({ at: Date.now(), profile, requester: requester(), outcome: 'failed', error: e.toLine() });
      send({ type: 'result', ok: false, error: e.toJSON() });
    } finally {
      clearInterval(heartbeat);
    }
    socket.end();
  }
}

/**
 * On Linux, names the requester by its parent's command line (aws, terraform), which is what the
 * prompt window and activity log should show. The client leaves this to the agent so that a cache
 * hit does not pay for reading /proc; the parent outlives the helper it ran.
 */
function withParentCommand(requester: Requester): Requester {
  if (process.platform !== 'linux' || requester.parentPid === undefined) return requester;
  try {
    const command = fs.readFileSync(`/proc/${requester.parentPid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return command ? { ...requester, command: command.slice(0, 1000) } : requester;
  } catch {
    // /proc may be hidden, or the parent gone; the client's own command line still says something.
    return requester;
  }
}
