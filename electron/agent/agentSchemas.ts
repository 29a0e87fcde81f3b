import { z } from 'zod';
import { MAX_SESSION_SECONDS, MIN_DURATION_SECONDS } from '../core/config/validation';
import { ERROR_CODES, type SerializedError } from '../core/errors';
import type { CredentialRequest, ServedCredentials } from '../core/sessions/sessionEngine';

/**
 * The agent's wire messages, as schemas. The agent checks what it receives against them after the
 * token and before any use (the same rule as the app's IPC: validate every payload at the door),
 * and agentProtocol.ts derives every wire type from them, so the two cannot drift. Only the agent
 * loads this at run time; the fast-path client imports its types alone.
 */
export const requesterSchema = z.object({
  pid: z.number().int().nonnegative(),
  /** The parent's pid and command line: for credential_process, the tool that asked (aws, terraform). */
  parentPid: z.number().int().positive().optional(),
  command: z.string().max(4096).optional(),
});

export const credentialRequestSchema = z.object({
  profile: z.string().min(1).max(256),
  durationSeconds: z.number().int().min(MIN_DURATION_SECONDS).max(MAX_SESSION_SECONDS).optional(),
  noSession: z.boolean().optional(),
  forceRefresh: z.boolean().optional(),
  region: z.string().max(64).optional(),
}) satisfies z.ZodType<CredentialRequest>;

/**
 * The AWS config files the client reads. A profile name means what these files say, so an agent
 * that reads other files (the client runs with its own AWS_CONFIG_FILE) declines the request and
 * the client does the work itself.
 */
const clientConfigFiles = { configFile: z.string().min(1).max(4096), credentialsFile: z.string().min(1).max(4096) };

const servingRequest = {
  token: z.string(),
  request: credentialRequestSchema,
  mfaCode: z.string().max(16).optional(),
  requester: requesterSchema,
  ...clientConfigFiles,
};

export const agentRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('credentials'), ...servingRequest }),
  /** A credentials endpoint for `keytray env --server`, hosted by the agent. */
  z.object({ op: z.literal('endpoint'), ...servingRequest }),
  z.object({ op: z.literal('stop'), token: z.string() }),
]);

export const serializedErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  profile: z.string().optional(),
  hint: z.string().optional(),
}) satisfies z.ZodType<SerializedError>;

export const clientReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('mfa-code'), code: z.string().max(16) }),
  z.object({ type: z.literal('mfa-error'), error: serializedErrorSchema }),
]);

export const wireServedCredentialsSchema = z.object({
  profile: z.string(),
  credentials: z.object({
    accessKeyId: z.string(),
    secretAccessKey: z.string(),
    sessionToken: z.string().optional(),
    expiration: z.number().optional(),
  }),
  region: z.string().optional(),
  source: z.enum(['cache', 'sts', 'long-term']),
  warnings: z.array(z.string()),
}) satisfies z.ZodType<ServedCredentials>;

/** A credentials endpoint the agent hosts for `keytray env --server`: its URL and bearer token. */
export const wireEndpointSchema = z.object({ url: z.string(), token: z.string(), region: z.string().optional() });

/** What the agent sends: an MFA question or heartbeats while it works, then one result (or a decline). */
export const agentMessageSchema = z.union([
  z.object({ type: z.literal('mfa-needed'), profile: z.string(), serial: z.string(), mfaProcess: z.string().optional() }),
  /** Sent every AGENT_HEARTBEAT_MS while a request is being worked on (STS calls, a prompt window). */
  z.object({ type: z.literal('working') }),
  z.object({
    type: z.literal('result'),
    ok: z.literal(true),
    served: wireServedCredentialsSchema.optional(),
    endpoint: wireEndpointSchema.optional(),
    pid: z.number().optional(),
  }),
  z.object({ type: z.literal('result'), ok: z.literal(false), error: serializedErrorSchema }),
  z.object({ type: z.literal('declined'), reason: z.literal('other-config-files') }),
]);
