/** Shapes shared across core. Kept free of any AWS SDK type so the fast path can import them for free. */

/** A set of AWS credentials. Long-term keys have neither a session token nor an expiration. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch milliseconds. */
  expiration?: number;
}

/** A cached STS session, as stored in the keychain and served to clients. */
export interface CachedSession extends AwsCredentials {
  sessionToken: string;
  expiration: number;
  /** The MFA serial that authenticated this session, if any; lets a role reuse its source's MFA. */
  mfaSerial?: string;
  /** 'session' for GetSessionToken, 'role' for AssumeRole, 'sso' for IAM Identity Center GetRoleCredentials. Console federation sessions are never cached. */
  kind: 'session' | 'role' | 'sso';
  /** Fingerprint of the profile chain it was made from; a changed profile is not served a stale session. */
  definition?: string;
  /** The config file's mtime and size when the session was last checked against it (see configStampOf). */
  configStamp?: string;
}

/** Time is passed in so tests can move it; production uses `systemClock`. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
