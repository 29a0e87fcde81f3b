import { timingSafeEqual } from 'node:crypto';
import { errors } from './errors';
import { checkRequestTime, checkService, ParsedAuth, verifySignature, WireRequest } from './sigv4';
import { EmulatorState, Principal } from './state';

/** The services this endpoint answers; the SigV4 credential scope names one of them. */
export const SERVED_SERVICES = ['sts', 'iam'] as const;

/**
 * Turns a parsed SigV4 signature into the calling principal, in the order AWS checks:
 * scope and signing time, then the access key, then the signature with that key's secret, then the
 * session token of temporary credentials and its expiry on the emulator clock.
 */
export function authenticate(state: EmulatorState, req: WireRequest, auth: ParsedAuth, realNowMs: number): Principal {
  checkService(auth, SERVED_SERVICES);
  checkRequestTime(auth, realNowMs);

  const key = state.accessKeys.get(auth.accessKeyId);
  if (key) {
    // A deleted key is gone from the map; a deactivated one fails the same way (as in IAM).
    if (key.status !== 'Active') throw errors.invalidClientTokenId('inactive-key');
    verifySignature(req, auth, key.secretAccessKey);
    // Long-term keys carry no token; AWS rejects one sent alongside them.
    if (auth.sessionToken !== undefined) throw errors.invalidClientTokenId('token-with-long-term-key');
    return state.principalOfUserKey(key);
  }

  const session = state.sessions.get(auth.accessKeyId);
  if (!session) throw errors.invalidClientTokenId('unknown-access-key');
  verifySignature(req, auth, session.secretAccessKey);
  if (auth.sessionToken === undefined || !sameString(auth.sessionToken, session.sessionToken)) {
    throw errors.invalidClientTokenId(auth.sessionToken === undefined ? 'missing-session-token' : 'wrong-session-token');
  }
  if (session.revoked) throw errors.invalidClientTokenId('revoked-session');
  if (state.clock.now() >= session.expiresAt) throw errors.expiredToken();
  return state.principalOfSession(session);
}

export function sameString(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
