import { randomBytes } from 'node:crypto';

/**
 * What the AWS Sign-In emulator (signin.ts) remembers: authorization codes, login sessions, refresh
 * tokens, proof ids, and what the person in the browser does. Kept apart from the handlers so that
 * EmulatorState can hold it without an import cycle.
 */

export const SAME_DEVICE_CLIENT = 'arn:aws:signin:::devtools/same-device';
export const CROSS_DEVICE_CLIENT = 'arn:aws:signin:::devtools/cross-device';
export const MAIN_REGION = 'us-east-1';

/** A session ends 12 hours after the person signed in, however often it was refreshed. */
export const SESSION_LIFETIME_MS = 12 * 3600 * 1000;
/** How long an authorization code can be redeemed. */
export const AUTH_CODE_LIFETIME_MS = 5 * 60 * 1000;
/** How far a proof's `iat` may be from the service's wall clock, either way. */
export const PROOF_IAT_WINDOW_S = 300;
/** AWS issues sign-in credentials for at most 15 minutes. */
export const MAX_EXPIRES_IN_S = 900;

/** What the person in the browser does on the authorize page. */
export type BrowserBehaviour = { mode: 'approve'; userName: string } | { mode: 'deny' } | { mode: 'never' };

export interface CodeRec {
  clientId: string;
  redirectUri: string;
  challenge: string;
  userName: string;
  region: string;
  expiresAt: number;
  used: boolean;
}

export interface LoginSessionRec {
  id: string;
  userName: string;
  principalArn: string;
  clientId: string;
  region: string;
  startedAt: number;
  /** RFC 7638 thumbprint of the key the first token call proved; every refresh must prove it. */
  keyThumbprint: string;
  /** The one refresh token that is valid now. */
  refreshToken: string;
  revoked: boolean;
}

export class SigninState {
  browser: BrowserBehaviour = { mode: 'deny' };
  /** expiresIn of the credentials it issues next (≤ 900). */
  expiresInSeconds = MAX_EXPIRES_IN_S;
  readonly codes = new Map<string, CodeRec>();
  readonly sessions = new Map<string, LoginSessionRec>();
  /** Every refresh token ever issued -> its session; a rotated-away one revokes its session when replayed. */
  readonly refreshTokens = new Map<string, string>();
  /** jti -> emulator time until which it is remembered. */
  private readonly seenJti = new Map<string, number>();
  readonly idTokenKey = randomBytes(32);
  /**
   * How far the service's wall clock is ahead of this machine's. Proof times are checked against wall
   * time (as SigV4 signing times are), not the emulator clock that tests move to expire things, so a
   * skewed client clock is simulated by moving the service's.
   */
  clockOffsetMs = 0;

  serviceWallTime(): number {
    return Date.now() + this.clockOffsetMs;
  }

  rememberJti(jti: string, now: number): boolean {
    for (const [k, until] of this.seenJti) if (until < now) this.seenJti.delete(k);
    if (this.seenJti.has(jti)) return false;
    this.seenJti.set(jti, now + 2 * PROOF_IAT_WINDOW_S * 1000);
    return true;
  }

  secrets(): string[] {
    return [...this.codes.keys(), ...this.refreshTokens.keys()];
  }
}

