import { createHash, randomBytes } from 'node:crypto';

/** The emulator clock (state.ts owns it; only its reading is needed here). */
interface Clock {
  now(): number;
}

/**
 * What the IAM Identity Center emulator knows: OIDC client registrations, pending device and
 * authorization-code grants, access and refresh tokens, the directory's users and their account
 * assignments, and what "the person at the browser" does when a sign-in page opens.
 */

export const DEFAULT_START_URL = 'https://d-emulator.awsapps.com/start';

export interface SsoSettings {
  /** RegisterClient: AWS registrations last 90 days. */
  clientSeconds: number;
  /** CreateToken: access tokens (AWS: 1 to 12 hours, per the instance's session settings). */
  accessTokenSeconds: number;
  /** Refresh tokens (AWS: up to 90 days). */
  refreshTokenSeconds: number;
  /** StartDeviceAuthorization: how long a device code may be polled (AWS: 600 s). */
  deviceCodeSeconds: number;
  /** The polling interval the client is told (AWS: 1 s). */
  deviceIntervalSeconds: number;
  /** What RFC 8628 adds to the interval on each slow_down (5 s). */
  slowDownIncrementSeconds: number;
  /** Authorization codes are short-lived. */
  authCodeSeconds: number;
  /** GetRoleCredentials: the permission set's session duration (AWS default 1 hour). */
  roleCredentialSeconds: number;
  /** ListAccounts / ListAccountRoles page size when the caller asks for more or nothing. */
  pageSize: number;
}

export const DEFAULT_SSO_SETTINGS: SsoSettings = {
  clientSeconds: 90 * 24 * 3600,
  accessTokenSeconds: 3600,
  refreshTokenSeconds: 90 * 24 * 3600,
  deviceCodeSeconds: 600,
  deviceIntervalSeconds: 1,
  slowDownIncrementSeconds: 5,
  authCodeSeconds: 300,
  roleCredentialSeconds: 3600,
  pageSize: 20,
};

/** What the person at the browser does with a sign-in page (authorize URL or device verification page). */
export type BrowserDecision = 'approve' | 'deny' | 'ignore';

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  clientName: string;
  scopes: string[];
  grantTypes: string[];
  redirectUris: string[];
  issuerUrl?: string;
  issuedAt: number;
  expiresAt: number;
}

export interface DeviceGrant {
  deviceCode: string;
  userCode: string;
  clientId: string;
  startUrl: string;
  expiresAt: number;
  intervalSeconds: number;
  lastPollAt?: number;
  /** Set when the person approved or denied on the verification page. */
  decision?: { approved: true; user: string } | { approved: false };
  used: boolean;
}

export interface AuthCodeGrant {
  code: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  user: string;
  expiresAt: number;
  used: boolean;
}

export interface SsoToken {
  accessToken: string;
  refreshToken?: string;
  clientId: string;
  user: string;
  scopes: string[];
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /** Logout, or a refresh that rotated it away, ends a token. */
  accessRevoked: boolean;
  refreshUsed: boolean;
  refreshRevoked: boolean;
}

export interface Assignment {
  accountId: string;
  accountName: string;
  emailAddress: string;
  roleName: string;
}

export interface SsoUser {
  userName: string;
  assignments: Assignment[];
}

function token(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export class SsoState {
  settings: SsoSettings = { ...DEFAULT_SSO_SETTINGS };
  readonly startUrls = new Set<string>([DEFAULT_START_URL]);
  readonly clients = new Map<string, OidcClient>();
  readonly deviceGrants = new Map<string, DeviceGrant>();
  readonly authCodes = new Map<string, AuthCodeGrant>();
  readonly tokensByAccess = new Map<string, SsoToken>();
  readonly tokensByRefresh = new Map<string, SsoToken>();
  readonly users = new Map<string, SsoUser>();
  /** Who is signed in to the portal in "the browser", and what they do with the next sign-in page. */
  browser: { user?: string; decision: BrowserDecision } = { decision: 'approve' };
  /** How many times a sign-in page was opened: tests count browser openings. */
  pagesOpened = { authorize: 0, device: 0 };

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  createUser(userName: string): SsoUser {
    if (this.users.has(userName)) throw new Error(`SSO user ${userName} already exists`);
    const user: SsoUser = { userName, assignments: [] };
    this.users.set(userName, user);
    // The first user is the one signed in to the browser unless a test says otherwise.
    this.browser.user ??= userName;
    return user;
  }

  assign(userName: string, a: { accountId: string; accountName?: string; roleName: string }): void {
    const user = this.users.get(userName);
    if (!user) throw new Error(`no SSO user ${userName}`);
    if (!/^\d{12}$/.test(a.accountId)) throw new Error(`an AWS account ID has 12 digits, got ${JSON.stringify(a.accountId)}`);
    const accountName = a.accountName ?? `account-${a.accountId}`;
    user.assignments.push({ accountId: a.accountId, accountName, emailAddress: `aws+${a.accountId}@example.com`, roleName: a.roleName });
  }

  unassign(userName: string, accountId: string, roleName: string): void {
    const user = this.users.get(userName);
    if (!user) throw new Error(`no SSO user ${userName}`);
    user.assignments = user.assignments.filter((a) => !(a.accountId === accountId && a.roleName === roleName));
  }

  registerClient(fields: Omit<OidcClient, 'clientId' | 'clientSecret' | 'issuedAt' | 'expiresAt'>): OidcClient {
    const issuedAt = Math.floor(this.now() / 1000) * 1000;
    const client: OidcClient = {
      ...fields,
      clientId: token('emu-client-', 16),
      clientSecret: token('eyJraWQiOiJlbXUi.', 96),
      issuedAt,
      expiresAt: issuedAt + this.settings.clientSeconds * 1000,
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  startDevice(clientId: string, startUrl: string): DeviceGrant {
    const letters = 'BCDFGHJKLMNPQRSTVWXZ';
    const bytes = randomBytes(8);
    let userCode = '';
    for (let i = 0; i < 8; i++) userCode += (i === 4 ? '-' : '') + letters[bytes[i] % letters.length];
    const grant: DeviceGrant = {
      deviceCode: token('emu-device-', 48),
      userCode,
      clientId,
      startUrl,
      expiresAt: this.now() + this.settings.deviceCodeSeconds * 1000,
      intervalSeconds: this.settings.deviceIntervalSeconds,
      used: false,
    };
    this.deviceGrants.set(grant.deviceCode, grant);
    return grant;
  }

  deviceByUserCode(userCode: string): DeviceGrant | undefined {
    for (const g of this.deviceGrants.values()) if (g.userCode === userCode) return g;
    return undefined;
  }

  issueAuthCode(fields: Omit<AuthCodeGrant, 'code' | 'expiresAt' | 'used'>): AuthCodeGrant {
    const grant: AuthCodeGrant = { ...fields, code: token('emu-code-', 32), expiresAt: this.now() + this.settings.authCodeSeconds * 1000, used: false };
    this.authCodes.set(grant.code, grant);
    return grant;
  }

  /**
   * A refresh token comes only with the `sso:account:access` scope, as in IAM Identity Center: the
   * legacy profile form (no sso-session, no scopes) gets none and must sign in again.
   */
  issueToken(client: OidcClient, user: string, scopes: string[]): SsoToken {
    const now = this.now();
    const t: SsoToken = {
      accessToken: token('aoa', 180),
      refreshToken: scopes.includes('sso:account:access') ? token('aor', 180) : undefined,
      clientId: client.clientId,
      user,
      scopes,
      accessExpiresAt: now + this.settings.accessTokenSeconds * 1000,
      refreshExpiresAt: now + this.settings.refreshTokenSeconds * 1000,
      accessRevoked: false,
      refreshUsed: false,
      refreshRevoked: false,
    };
    this.tokensByAccess.set(t.accessToken, t);
    if (t.refreshToken) this.tokensByRefresh.set(t.refreshToken, t);
    return t;
  }

  /** The user behind a live access token, or undefined. */
  userOfAccessToken(accessToken: string): string | undefined {
    const t = this.tokensByAccess.get(accessToken);
    if (!t || t.accessRevoked || this.now() >= t.accessExpiresAt) return undefined;
    return t.user;
  }

  /** Admin: make every access token (and optionally refresh token, and client) expire now. */
  expire(what: 'access' | 'refresh' | 'client' | 'device'): void {
    const past = this.now() - 1;
    if (what === 'access') for (const t of this.tokensByAccess.values()) t.accessExpiresAt = past;
    if (what === 'refresh') for (const t of this.tokensByAccess.values()) t.refreshExpiresAt = past;
    if (what === 'client') for (const c of this.clients.values()) c.expiresAt = past;
    if (what === 'device') for (const g of this.deviceGrants.values()) g.expiresAt = past;
  }

  /** Admin: an administrator revoked the user's sessions (refresh tokens stop working). */
  revokeRefreshTokens(): void {
    for (const t of this.tokensByAccess.values()) t.refreshRevoked = true;
  }

  /** Every token and client secret issued, for the "nothing on disk" checks. */
  issuedSecrets(): string[] {
    const out: string[] = [];
    for (const c of this.clients.values()) out.push(c.clientSecret);
    for (const t of this.tokensByAccess.values()) {
      out.push(t.accessToken);
      if (t.refreshToken) out.push(t.refreshToken);
    }
    for (const g of this.deviceGrants.values()) out.push(g.deviceCode);
    for (const g of this.authCodes.values()) out.push(g.code);
    return out;
  }

  /**
   * The IAM role Identity Center creates in an account for a permission set:
   * AWSReservedSSO_<PermissionSet>_<16 hex>, stable per account and permission set.
   */
  static reservedRoleName(accountId: string, roleName: string): string {
    return `AWSReservedSSO_${roleName}_${createHash('sha256').update(`${accountId}/${roleName}`).digest('hex').slice(0, 16)}`.slice(0, 64);
  }
}

/** S256 PKCE: BASE64URL(SHA256(verifier)), RFC 7636 section 4.2. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
