import { randomBytes } from 'node:crypto';
import { AwsError, errors } from './errors';
import { base32Encode, newTotpSecret, totp, totpCounter } from './totp';

/**
 * Everything the emulator knows: IAM users, their access keys and MFA devices, roles, STS sessions,
 * console sign-in tokens, the request log and pending faults. Handlers read and change it; the
 * server owns one instance.
 */

export interface Clock {
  now(): number;
  advance(ms: number): void;
}

/** Wall time plus an offset that tests move forward to expire sessions or change TOTP steps. */
export function createClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`clock.advance needs a non-negative number of ms, got ${ms}`);
      offset += ms;
    },
  };
}

// --- identifiers that look like AWS's -----------------------------------------------------------

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

export const ids = {
  /** Long-term keys: AKIA + 16 (20 characters). */
  userAccessKeyId: () => 'AKIA' + randomFrom(BASE32, 16),
  /** Temporary keys: ASIA + 16. */
  sessionAccessKeyId: () => 'ASIA' + randomFrom(BASE32, 16),
  secretAccessKey: () => randomFrom(SECRET_CHARS, 40),
  /** Real session tokens are opaque base64 blobs of several hundred characters. */
  sessionToken: () => 'IQoJb3JpZ2luX2VjE' + randomBytes(480).toString('base64'),
  userId: () => 'AIDA' + randomFrom(UPPER_ALNUM, 17),
  roleId: () => 'AROA' + randomFrom(UPPER_ALNUM, 17),
  requestId: () => {
    const h = randomBytes(16).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
  signinToken: () => randomBytes(240).toString('base64url'),
};

// --- records -------------------------------------------------------------------------------------

export interface UserRec {
  userName: string;
  userId: string;
  account: string;
  arn: string;
  createdAt: number;
  mfa?: MfaRec;
}

export interface AccessKeyRec {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

export interface MfaRec {
  serial: string;
  secret: Buffer;
  secretBase32: string;
  userName: string;
  enabledAt: number;
  /** TOTP counters whose code has been accepted once; AWS refuses a code a second time. */
  usedCounters: Set<number>;
}

/** What a test asks for when it creates a role. */
export interface RoleSpec {
  name: string;
  account?: string;
  /** User, role or account-root ARNs: arn:aws:iam::A:user/N, arn:aws:iam::A:role/N, arn:aws:iam::A:root. */
  trustedPrincipals: string[];
  requireMfa?: boolean;
  externalId?: string;
  /** Seconds, 3600..43200; default 3600. */
  maxSessionDuration?: number;
}

export interface RoleRec {
  name: string;
  arn: string;
  account: string;
  roleId: string;
  trustedPrincipals: string[];
  requireMfa: boolean;
  externalId?: string;
  maxSessionDuration: number;
}

export type SessionKind = 'session-token' | 'assumed-role' | 'federated-user';

export interface SessionRec {
  kind: SessionKind;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  account: string;
  mfaAuthenticated: boolean;
  /** The IAM user behind a GetSessionToken or GetFederationToken session. */
  userName?: string;
  role?: RoleRec;
  roleSessionName?: string;
  federatedName?: string;
  /** Made by AssumeRole from temporary credentials (role chaining, 1-hour cap). */
  chained: boolean;
  /** Invalidated before its expiry (the user or role deleted, the token revoked): AWS answers InvalidClientTokenId. */
  revoked?: boolean;
}

/**
 * Which sessions a test ends early: the GetSessionToken sessions of an IAM user, or the sessions of
 * an assumed role (by role ARN).
 */
export interface SessionSelector {
  userName?: string;
  roleArn?: string;
}

/** Who signed a request. */
export interface Principal {
  kind: 'user' | SessionKind;
  arn: string;
  userId: string;
  account: string;
  accessKeyId: string;
  mfaAuthenticated: boolean;
  user?: UserRec;
  session?: SessionRec;
}

export interface SigninTokenRec {
  arn: string;
  expiresAt: number;
  consoleSessionSeconds: number;
}

// --- public shapes shared with index.ts -------------------------------------------------------------

/**
 * `times` defaults to 1. 'throttle' answers 400 Throttling "Rate exceeded"; 'server-error' answers
 * 500 InternalFailure, or 503 ServiceUnavailable with `status: 503`; 'latency' waits `latencyMs`
 * and then answers normally. Faults apply after the signature and credentials were verified.
 */
export type Fault = { kind: 'throttle' | 'server-error' | 'latency'; action?: string; times?: number; latencyMs?: number; status?: 500 | 503 };

export interface CallRecord {
  action: string;
  ok: boolean;
  errorCode?: string;
  principalArn?: string;
  /** Emulator-clock time the request arrived. */
  at: number;
  /** 'sts', 'iam' or 'signin'. */
  service?: string;
  /** Emulator-only detail for a failure, e.g. 'mfa-code-reused', 'mfa-code-invalid', 'injected'. */
  reason?: string;
  /** True when an MFA code was refused because it had already been used for that serial. */
  mfaCodeReused?: boolean;
  /** HTTP status sent. */
  status?: number;
}

export const IAM_ACCESS_KEYS_PER_USER = 2;

export class EmulatorState {
  readonly clock: Clock;
  readonly defaultAccount: string;
  readonly users = new Map<string, UserRec>();
  readonly accessKeys = new Map<string, AccessKeyRec>();
  readonly mfaBySerial = new Map<string, MfaRec>();
  readonly roles = new Map<string, RoleRec>();
  readonly sessions = new Map<string, SessionRec>();
  /** Sessions to end as soon as they are issued (see endSessions' `future`). */
  readonly sessionEndings: { selector: SessionSelector; how: 'expire' | 'revoke' }[] = [];
  readonly signinTokens = new Map<string, SigninTokenRec>();
  readonly calls: CallRecord[] = [];
  faults: Array<Fault & { remaining: number }> = [];

  constructor(clock: Clock, defaultAccount: string) {
    this.clock = clock;
    this.defaultAccount = defaultAccount;
  }

  // --- IAM users and keys ---

  createUser(userName: string, account = this.defaultAccount): UserRec {
    if (!/^[\w+=,.@-]{1,64}$/.test(userName)) throw new Error(`invalid IAM user name ${JSON.stringify(userName)}`);
    assertAccount(account);
    // User names are unique across the whole emulator (not only per account) so that the
    // name-only helpers (accessKeysOf, enableMfa) are unambiguous.
    if (this.users.has(userName)) throw new Error(`user ${userName} already exists`);
    const user: UserRec = {
      userName,
      userId: ids.userId(),
      account,
      arn: `arn:aws:iam::${account}:user/${userName}`,
      createdAt: this.clock.now(),
    };
    this.users.set(userName, user);
    return user;
  }

  requireUser(userName: string): UserRec {
    const user = this.users.get(userName);
    if (!user) throw errors.noSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  keysOf(userName: string): AccessKeyRec[] {
    return [...this.accessKeys.values()].filter((k) => k.userName === userName);
  }

  /** IAM CreateAccessKey, including the AccessKeysPerUser quota (inactive keys count too). */
  createAccessKey(userName: string): AccessKeyRec {
    this.requireUser(userName);
    if (this.keysOf(userName).length >= IAM_ACCESS_KEYS_PER_USER) {
      throw errors.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${IAM_ACCESS_KEYS_PER_USER}`);
    }
    const key: AccessKeyRec = {
      accessKeyId: ids.userAccessKeyId(),
      secretAccessKey: ids.secretAccessKey(),
      userName,
      status: 'Active',
      createdAt: this.clock.now(),
    };
    this.accessKeys.set(key.accessKeyId, key);
    return key;
  }

  /** Finds a user's key, with IAM's NoSuchEntity message when it does not exist. */
  requireAccessKey(userName: string, accessKeyId: string): AccessKeyRec {
    const key = this.accessKeys.get(accessKeyId);
    if (!key || key.userName !== userName) throw errors.noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    return key;
  }

  // --- MFA ---

  enableMfa(userName: string): MfaRec {
    const user = this.requireUser(userName);
    if (user.mfa) throw new Error(`user ${userName} already has an MFA device`);
    const secret = newTotpSecret();
    const mfa: MfaRec = {
      serial: `arn:aws:iam::${user.account}:mfa/${userName}`,
      secret,
      secretBase32: base32Encode(secret),
      userName,
      enabledAt: this.clock.now(),
      usedCounters: new Set(),
    };
    user.mfa = mfa;
    this.mfaBySerial.set(mfa.serial, mfa);
    return mfa;
  }

  /**
   * Checks a SerialNumber/TokenCode pair for `user` and burns the code. AWS accepts the current
   * 30-second step and one on either side, and refuses a code that was accepted before; a wrong,
   * foreign or reused code all give the same AccessDenied text, so `reason` tells them apart.
   */
  consumeMfaCode(user: UserRec | undefined, serial: string, tokenCode: string): void {
    // Role and federated sessions own no MFA device, so any serial they send fails.
    if (!user) throw errors.mfaInvalid('mfa-caller-has-no-device');
    const mfa = this.mfaBySerial.get(serial);
    if (!mfa || mfa.userName !== user.userName) throw errors.mfaInvalid('mfa-serial-mismatch');
    const counter = this.matchingCounter(mfa, tokenCode);
    if (counter === undefined) throw errors.mfaInvalid('mfa-code-invalid');
    if (mfa.usedCounters.has(counter)) throw errors.mfaInvalid('mfa-code-reused');
    mfa.usedCounters.add(counter);
  }

  private matchingCounter(mfa: MfaRec, tokenCode: string): number | undefined {
    const now = this.clock.now();
    const current = totpCounter(now);
    for (const counter of [current, current - 1, current + 1]) {
      if (totp(mfa.secret, counter * 30_000) === tokenCode) return counter;
    }
    return undefined;
  }

  /** A code STS would accept right now: the current step's, else a neighbour's not yet used. */
  unusedCode(serial: string): string | undefined {
    const mfa = this.mfaBySerial.get(serial);
    if (!mfa) return undefined;
    const current = totpCounter(this.clock.now());
    for (const counter of [current, current + 1, current - 1]) {
      if (!mfa.usedCounters.has(counter)) return totp(mfa.secret, counter * 30_000);
    }
    return undefined;
  }

  // --- roles ---

  createRole(spec: RoleSpec): RoleRec {
    const account = spec.account ?? this.defaultAccount;
    assertAccount(account);
    if (!/^[\w+=,.@-]{1,64}$/.test(spec.name)) throw new Error(`invalid role name ${JSON.stringify(spec.name)}`);
    const max = spec.maxSessionDuration ?? 3600;
    // IAM allows MaxSessionDuration between 1 and 12 hours.
    if (!Number.isInteger(max) || max < 3600 || max > 43200) throw new Error(`maxSessionDuration must be 3600..43200, got ${max}`);
    for (const p of spec.trustedPrincipals) {
      if (!/^arn:aws:iam::\d{12}:(root|user\/[\w+=,.@-]+|role\/[\w+=,.@-]+)$/.test(p)) {
        throw new Error(`unsupported trusted principal ${JSON.stringify(p)}; use a user, role or root ARN`);
      }
    }
    const arn = `arn:aws:iam::${account}:role/${spec.name}`;
    if (this.roles.has(arn)) throw new Error(`role ${arn} already exists`);
    const role: RoleRec = {
      name: spec.name,
      arn,
      account,
      roleId: ids.roleId(),
      trustedPrincipals: [...spec.trustedPrincipals],
      requireMfa: spec.requireMfa ?? false,
      externalId: spec.externalId,
      maxSessionDuration: max,
    };
    this.roles.set(arn, role);
    return role;
  }

  // --- sessions ---

  issueSession(fields: Omit<SessionRec, 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiresAt'>, durationSeconds: number): SessionRec {
    // Whole seconds: the wire format has no milliseconds, so the record must not either.
    const issuedAt = Math.floor(this.clock.now() / 1000) * 1000;
    const session: SessionRec = {
      ...fields,
      accessKeyId: ids.sessionAccessKeyId(),
      secretAccessKey: ids.secretAccessKey(),
      sessionToken: ids.sessionToken(),
      expiresAt: issuedAt + durationSeconds * 1000,
    };
    for (const rule of this.sessionEndings) if (sessionMatches(session, rule.selector)) endSession(session, rule.how, issuedAt);
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  /**
   * Ends matching sessions before their time, as AWS does when the clock behind a session moved or
   * the session was revoked. 'expire' makes STS answer ExpiredToken; 'revoke' InvalidClientTokenId.
   * Returns how many sessions it ended; selecting nothing is an error, so a typo cannot pass a test.
   */
  endSessions(selector: SessionSelector, how: 'expire' | 'revoke', options: { future?: boolean } = {}): number {
    if (!selector.userName === !selector.roleArn) throw new Error('select sessions by exactly one of userName or roleArn');
    let ended = 0;
    for (const session of this.sessions.values()) {
      if (!sessionMatches(session, selector) || session.revoked || this.clock.now() >= session.expiresAt) continue;
      endSession(session, how, this.clock.now());
      ended++;
    }
    // `future`: every session issued for them from now on is born ended, as sessions from a region
    // the account has not enabled are refused everywhere. Nothing live to end is fine then.
    if (options.future) this.sessionEndings.push({ selector, how });
    else if (ended === 0) throw new Error(`no live session matches ${JSON.stringify(selector)}`);
    return ended;
  }

  /** The ARN a session acts as, as GetCallerIdentity reports it. */
  principalOfSession(session: SessionRec): Principal {
    const base = { accessKeyId: session.accessKeyId, account: session.account, mfaAuthenticated: session.mfaAuthenticated, session };
    switch (session.kind) {
      case 'session-token': {
        const user = this.users.get(session.userName!)!;
        return { ...base, kind: 'session-token', arn: user.arn, userId: user.userId, user };
      }
      case 'assumed-role':
        return {
          ...base,
          kind: 'assumed-role',
          arn: `arn:aws:sts::${session.account}:assumed-role/${session.role!.name}/${session.roleSessionName}`,
          userId: `${session.role!.roleId}:${session.roleSessionName}`,
        };
      case 'federated-user':
        return {
          ...base,
          kind: 'federated-user',
          arn: `arn:aws:sts::${session.account}:federated-user/${session.federatedName}`,
          userId: `${session.account}:${session.federatedName}`,
          user: this.users.get(session.userName!),
        };
    }
  }

  principalOfUserKey(key: AccessKeyRec): Principal {
    const user = this.users.get(key.userName)!;
    return {
      kind: 'user',
      arn: user.arn,
      userId: user.userId,
      account: user.account,
      accessKeyId: key.accessKeyId,
      mfaAuthenticated: false,
      user,
    };
  }

  // --- faults ---

  inject(fault: Fault): void {
    if (!['throttle', 'server-error', 'latency'].includes(fault.kind)) throw new Error(`unknown fault kind ${JSON.stringify(fault.kind)}`);
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault.times must be a positive integer, got ${times}`);
    if (fault.status !== undefined && !(fault.kind === 'server-error' && (fault.status === 500 || fault.status === 503))) {
      throw new Error('fault.status is 500 or 503, for server-error faults only');
    }
    if (fault.kind === 'latency' && !(typeof fault.latencyMs === 'number' && fault.latencyMs >= 0)) {
      throw new Error('a latency fault needs latencyMs >= 0');
    }
    this.faults.push({ ...fault, remaining: times });
  }

  /**
   * Consumes the faults that apply to one request: every matching latency fault adds its delay,
   * and the first matching error fault decides the failure.
   */
  takeFaults(action: string): { delayMs: number; error?: AwsError } {
    let delayMs = 0;
    let error: AwsError | undefined;
    for (const f of this.faults) {
      if (f.remaining <= 0 || (f.action !== undefined && f.action !== action)) continue;
      if (f.kind === 'latency') {
        delayMs += f.latencyMs!;
        f.remaining--;
      } else if (!error) {
        error = f.kind === 'throttle' ? errors.throttling() : f.status === 503 ? errors.serviceUnavailable() : errors.internalFailure();
        f.remaining--;
      }
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return { delayMs, error };
  }
}

function sessionMatches(session: SessionRec, selector: SessionSelector): boolean {
  return selector.userName
    ? session.kind === 'session-token' && session.userName === selector.userName
    : session.kind === 'assumed-role' && session.role?.arn === selector.roleArn;
}

function endSession(session: SessionRec, how: 'expire' | 'revoke', now: number): void {
  if (how === 'expire') session.expiresAt = Math.min(session.expiresAt, now);
  else session.revoked = true;
}

function assertAccount(account: string): void {
  if (!/^\d{12}$/.test(account)) throw new Error(`an AWS account ID has 12 digits, got ${JSON.stringify(account)}`);
}
