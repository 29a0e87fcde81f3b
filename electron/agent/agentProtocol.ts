/**
 * The agent's wire protocol: newline-delimited JSON over a Unix socket (a named pipe on Windows).
 * Kept free of heavy imports: the credential-process fast path loads it on every `aws` call.
 *
 * A client opens a connection per request and sends one `AgentRequest` carrying the token from the
 * user-only token file. For a credentials request the agent may ask back for an MFA code
 * (`mfa-needed`) when it has no window of its own; the client answers from its own sources.
 * The agent serves sessions for profiles and nothing else: there is no "read a secret by key" call.
 */
import { join } from 'node:path';
import type { SerializedError } from '../core/errors';
import type { CredentialRequest } from '../core/sessions/sessionEngine';
import type { AwsCredentials } from '../core/types';

export interface Requester {
  pid: number;
  /** The parent's pid and command line: for credential_process, the tool that asked (aws, terraform). */
  parentPid?: number;
  command?: string;
}

/**
 * The AWS config files the client reads. A profile name means what these files say, so an agent
 * that reads other files (the client runs with its own AWS_CONFIG_FILE) declines the request and
 * the client does the work itself.
 */
export interface ClientConfigFiles {
  configFile: string;
  credentialsFile: string;
}

export type AgentRequest =
  | ({ op: 'credentials'; token: string; request: CredentialRequest; mfaCode?: string; requester: Requester } & ClientConfigFiles)
  | ({ op: 'endpoint'; token: string; request: CredentialRequest; mfaCode?: string; requester: Requester } & ClientConfigFiles)
  | { op: 'stop'; token: string };

export type AgentMessage =
  | { type: 'mfa-needed'; profile: string; serial: string; mfaProcess?: string }
  /** Sent every AGENT_HEARTBEAT_MS while a request is being worked on (STS calls, a prompt window). */
  | { type: 'working' }
  | { type: 'result'; ok: true; served?: WireServedCredentials; endpoint?: WireEndpoint; pid?: number }
  | { type: 'result'; ok: false; error: SerializedError }
  | { type: 'declined'; reason: 'other-config-files' };

export type ClientReply = { type: 'mfa-code'; code: string } | { type: 'mfa-error'; error: SerializedError };

export interface WireServedCredentials {
  profile: string;
  credentials: AwsCredentials;
  region?: string;
  source: 'cache' | 'sts' | 'long-term';
  warnings: string[];
}

/** A credentials endpoint the agent hosts for `keytray env --server`: its URL and bearer token. */
export interface WireEndpoint {
  url: string;
  token: string;
  region?: string;
}

/**
 * A request may take long for good reasons (a user typing an MFA code, STS calls each bounded by
 * the network policy), so the client does not bound the whole exchange. It bounds the agent's
 * silence instead: a live agent says it is working every AGENT_HEARTBEAT_MS, and a client that hears
 * nothing for AGENT_SILENCE_MS (a stopped, frozen or wedged agent) gives up with a message.
 */
export const AGENT_HEARTBEAT_MS = 5_000;
export const AGENT_SILENCE_MS = 15_000;

export function agentDir(dataDir: string): string {
  return join(dataDir, 'agent');
}

/**
 * Where the agent listens. On Unix, a socket in the 0700 agent directory. On Windows, a named pipe:
 * Node cannot set a pipe's DACL, and the default one gives other users read access only, so they
 * cannot send a request. The pipe is named after the agent's token, which only the user can read,
 * so no other user can create it first and pose as the agent to collect the token or an MFA code.
 */
export function agentSocketPath(dataDir: string, token: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    // Required here only: the Unix fast path does not load node:crypto.
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const id = createHash('sha256').update(`keytray agent pipe\0${token}`).digest('base64url').slice(0, 43);
    return `\\\\.\\pipe\\keytray-agent-${id}`;
  }
  return join(agentDir(dataDir), 'agent.sock');
}

export function agentTokenFile(dataDir: string): string {
  return join(agentDir(dataDir), 'token');
}
