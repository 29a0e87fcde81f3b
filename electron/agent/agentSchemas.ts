import { z } from 'zod';
import { MAX_SESSION_SECONDS, MIN_DURATION_SECONDS } from '../core/config/validation';

/**
 * What the agent accepts, checked after the token and before any use (the same rule as the app's
 * IPC: validate every payload at the door). Only the server loads this; the fast-path client does not.
 */
const requester = z.object({
  pid: z.number().int().nonnegative(),
  parentPid: z.number().int().positive().optional(),
  command: z.string().max(4096).optional(),
});

const credentialRequest = z.object({
  profile: z.string().min(1).max(256),
  durationSeconds: z.number().int().min(MIN_DURATION_SECONDS).max(MAX_SESSION_SECONDS).optional(),
  noSession: z.boolean().optional(),
  forceRefresh: z.boolean().optional(),
  region: z.string().max(64).optional(),
});

const configFiles = { configFile: z.string().min(1).max(4096), credentialsFile: z.string().min(1).max(4096) };

export const agentRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('credentials'), token: z.string(), request: credentialRequest, mfaCode: z.string().max(16).optional(), requester, ...configFiles }),
  z.object({ op: z.literal('endpoint'), token: z.string(), request: credentialRequest, mfaCode: z.string().max(16).optional(), requester, ...configFiles }),
  z.object({ op: z.literal('stop'), token: z.string() }),
]);

export const clientReplySchema = z.union([
  z.object({ type: z.literal('mfa-code'), code: z.string().max(16) }),
  z.object({ type: z.literal('mfa-error'), error: z.object({ code: z.string(), message: z.string(), profile: z.string().optional(), hint: z.string().optional() }) }),
]);
