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
import type { z } from 'zod';
import type {
  agentMessageSchema,
  agentRequestSchema,
  clientReplySchema,
  requesterSchema,
  wireEndpointSchema,
  wireServedCredentialsSchema,
} from './agentSchemas';

// Every wire type is derived from its schema in agentSchemas.ts. Type-only imports: the fast path
// bundles this file and must not load zod.
export type Requester = z.infer<typeof requesterSchema>;
export type AgentRequest = z.infer<typeof agentRequestSchema>;
export type AgentMessage = z.infer<typeof agentMessageSchema>;
export type ClientReply = z.infer<typeof clientReplySchema>;
export type WireServedCredentials = z.infer<typeof wireServedCredentialsSchema>;
export type WireEndpoint = z.infer<typeof wireEndpointSchema>;

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
