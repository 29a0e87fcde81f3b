import { createHash, randomBytes } from 'node:crypto';

/**
 * PKCE (RFC 7636) for public clients that sign in through a browser: the verifier stays in this
 * process, only its S256 challenge travels in the authorize URL, so a code intercepted on the way
 * back (another local process on the loopback port, a browser extension) is worthless.
 */
export interface PkcePair {
  /** 64 base64url characters (RFC 7636 allows 43 to 128 of [A-Za-z0-9-._~]). Never log it. */
  verifier: string;
  /** BASE64URL(SHA256(verifier)), sent as code_challenge with code_challenge_method=S256. */
  challenge: string;
  method: 'S256';
}

export function createPkcePair(): PkcePair {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier), method: 'S256' };
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** An unguessable `state` for one authorization request; the redirect must bring it back. */
export function createOAuthState(): string {
  return randomBytes(24).toString('base64url');
}
