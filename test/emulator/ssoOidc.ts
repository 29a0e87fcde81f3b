import { sameString } from './auth';
import { s256, type OidcClient, type SsoState } from './ssoState';

/**
 * The IAM Identity Center OIDC service (oidc.REGION.amazonaws.com, API 2019-06-10) as the AWS SDK
 * and CLI call it: RegisterClient, StartDeviceAuthorization and CreateToken (restJson1, POST), plus
 * the two pages a person opens in a browser: `/authorize` (authorization code with PKCE) and
 * `/device` (device authorization's verification page).
 *
 * Strict where AWS is: registrations expire; PKCE is S256 only and the verifier must match;
 * the redirect URI must be a registered one (any port on a loopback address, RFC 8252 7.3) and the
 * same at CreateToken; codes, device codes and refresh tokens work once; polling faster than the
 * interval answers slow_down and lengthens it.
 */

export interface JsonResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For the call log. */
  action: string;
  errorCode?: string;
  reason?: string;
}

export class SsoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly oauthError?: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export function jsonOk(action: string, value: unknown): JsonResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value), action };
}

export function jsonError(action: string, e: SsoApiError): JsonResponse {
  // OIDC errors carry the OAuth `error` and `error_description`; the portal's carry `message`.
  const body = e.oauthError ? { error: e.oauthError, error_description: e.message } : { message: e.message };
  return {
    status: e.status,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': `${e.code}:http://internal.amazon.com/coral/com.amazonaws.switchboard/` },
    body: JSON.stringify(body),
    action,
    errorCode: e.code,
    reason: e.reason,
  };
}

const oidc = {
  invalidRequest: (message: string, reason?: string) => new SsoApiError(400, 'InvalidRequestException', message, 'invalid_request', reason),
  invalidClient: (message: string, reason?: string) => new SsoApiError(401, 'InvalidClientException', message, 'invalid_client', reason),
  invalidGrant: (message: string, reason?: string) => new SsoApiError(400, 'InvalidGrantException', message, 'invalid_grant', reason),
  unsupportedGrant: (grant: string) => new SsoApiError(400, 'UnsupportedGrantTypeException', `Unsupported grant type: ${grant}`, 'unsupported_grant_type'),
  unauthorizedClient: (message: string) => new SsoApiError(400, 'UnauthorizedClientException', message, 'unauthorized_client'),
  invalidScope: (message: string) => new SsoApiError(400, 'InvalidScopeException', message, 'invalid_scope'),
  invalidRedirect: (message: string) => new SsoApiError(400, 'InvalidRedirectUriException', message, 'invalid_redirect_uri'),
  pending: () => new SsoApiError(400, 'AuthorizationPendingException', 'Authorization is still pending', 'authorization_pending', 'authorization-pending'),
  slowDown: () => new SsoApiError(400, 'SlowDownException', 'Client is polling too fast', 'slow_down', 'slow-down'),
  expiredToken: (message: string, reason: string) => new SsoApiError(400, 'ExpiredTokenException', message, 'expired_token', reason),
  accessDenied: () => new SsoApiError(400, 'AccessDeniedException', 'The user denied the authorization request', 'access_denied', 'access-denied'),
};

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const GRANT_TYPES = ['authorization_code', 'refresh_token', DEVICE_GRANT];
const KNOWN_SCOPES = /^sso:account:access$|^codewhisperer:\w+$|^openid$/;

function bodyJson(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const v = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw oidc.invalidRequest('The request body is not a JSON object', 'bad-json');
}

function str(o: Record<string, unknown>, key: string, required: true): string;
function str(o: Record<string, unknown>, key: string, required?: false): string | undefined;
function str(o: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw oidc.invalidRequest(`${key} is required`, `missing-${key}`);
    return undefined;
  }
  if (typeof v !== 'string' || v === '') throw oidc.invalidRequest(`${key} must be a non-empty string`, `bad-${key}`);
  return v;
}

function strList(o: Record<string, unknown>, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw oidc.invalidRequest(`${key} must be a list of strings`, `bad-${key}`);
  return v as string[];
}

/** A redirect URI as registered matches one sent with any port when both are loopback (RFC 8252 7.3). */
export function redirectMatches(registered: string, sent: string): boolean {
  if (registered === sent) return true;
  try {
    const r = new URL(registered);
    const s = new URL(sent);
    const loopback = (h: string) => h === '127.0.0.1' || h === '[::1]';
    return r.protocol === 'http:' && s.protocol === 'http:' && loopback(r.hostname) && r.hostname === s.hostname && r.pathname === s.pathname && r.search === s.search;
  } catch {
    return false;
  }
}

function liveClient(sso: SsoState, clientId: string | undefined, clientSecret: string | undefined): OidcClient {
  const client = clientId ? sso.clients.get(clientId) : undefined;
  if (!client || clientSecret === undefined || !sameString(clientSecret, client.clientSecret)) throw oidc.invalidClient('Invalid client credentials', 'unknown-client');
  if (sso.now() >= client.expiresAt) throw oidc.invalidClient('The client registration has expired', 'client-expired');
  return client;
}

export function registerClient(sso: SsoState, body: string): JsonResponse {
  const o = bodyJson(body);
  const clientName = str(o, 'clientName', true);
  const clientType = str(o, 'clientType', true);
  if (clientType !== 'public') throw oidc.invalidRequest('clientType must be public', 'client-type');
  const scopes = strList(o, 'scopes') ?? [];
  for (const s of scopes) if (!KNOWN_SCOPES.test(s)) throw oidc.invalidScope(`Invalid scope: ${s}`);
  const grantTypes = strList(o, 'grantTypes') ?? [DEVICE_GRANT, 'refresh_token'];
  for (const g of grantTypes) if (!GRANT_TYPES.includes(g)) throw oidc.invalidRequest(`Invalid grant type: ${g}`, 'grant-type');
  const redirectUris = strList(o, 'redirectUris') ?? [];
  const issuerUrl = str(o, 'issuerUrl');
  if (grantTypes.includes('authorization_code')) {
    if (redirectUris.length === 0) throw oidc.invalidRedirect('redirectUris are required for the authorization_code grant');
    for (const u of redirectUris) {
      let url: URL;
      try {
        url = new URL(u);
      } catch {
        throw oidc.invalidRedirect(`Invalid redirect URI: ${u}`);
      }
      // A public client may only redirect to itself: https, or http on a loopback address.
      if (!(url.protocol === 'https:' || (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]')))) {
        throw oidc.invalidRedirect(`Redirect URI must be https or http on a loopback address: ${u}`);
      }
    }
    if (!issuerUrl) throw oidc.invalidRequest('issuerUrl is required for the authorization_code grant', 'missing-issuerUrl');
    if (!sso.startUrls.has(issuerUrl)) throw oidc.invalidRequest(`Unknown issuer ${issuerUrl}`, 'unknown-issuer');
  }
  const client = sso.registerClient({ clientName, scopes, grantTypes, redirectUris, issuerUrl });
  return jsonOk('RegisterClient', {
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    // Both are epoch seconds on the wire.
    clientIdIssuedAt: Math.floor(client.issuedAt / 1000),
    clientSecretExpiresAt: Math.floor(client.expiresAt / 1000),
    authorizationEndpoint: undefined,
    tokenEndpoint: undefined,
  });
}

export function startDeviceAuthorization(sso: SsoState, body: string, baseUrl: string): JsonResponse {
  const o = bodyJson(body);
  const client = liveClient(sso, str(o, 'clientId', true), str(o, 'clientSecret', true));
  if (!client.grantTypes.includes(DEVICE_GRANT)) throw oidc.unauthorizedClient('The client is not registered for the device_code grant');
  const startUrl = str(o, 'startUrl', true);
  if (!sso.startUrls.has(startUrl)) throw oidc.invalidRequest(`Invalid start URL ${startUrl}`, 'unknown-start-url');
  const grant = sso.startDevice(client.clientId, startUrl);
  return jsonOk('StartDeviceAuthorization', {
    deviceCode: grant.deviceCode,
    userCode: grant.userCode,
    verificationUri: `${baseUrl}/device`,
    verificationUriComplete: `${baseUrl}/device?user_code=${grant.userCode}`,
    expiresIn: Math.round((grant.expiresAt - sso.now()) / 1000),
    interval: grant.intervalSeconds,
  });
}

export function createToken(sso: SsoState, body: string): JsonResponse {
  const o = bodyJson(body);
  const clientId = str(o, 'clientId', true);
  const clientSecret = str(o, 'clientSecret', true);
  const grantType = str(o, 'grantType', true);
  if (!GRANT_TYPES.includes(grantType)) throw oidc.unsupportedGrant(grantType);
  const client = liveClient(sso, clientId, clientSecret);
  if (!client.grantTypes.includes(grantType)) throw oidc.unauthorizedClient(`The client is not registered for the ${grantType} grant`);

  if (grantType === DEVICE_GRANT) {
    const deviceCode = str(o, 'deviceCode', true);
    const grant = sso.deviceGrants.get(deviceCode);
    if (!grant || grant.clientId !== client.clientId) throw oidc.invalidGrant('Invalid device code provided', 'unknown-device-code');
    if (grant.used) throw oidc.invalidGrant('Device code has already been used', 'device-code-reused');
    const now = sso.now();
    if (now >= grant.expiresAt) throw oidc.expiredToken('Device code has expired', 'device-code-expired');
    const tooSoon = grant.lastPollAt !== undefined && now - grant.lastPollAt < grant.intervalSeconds * 1000 - 50;
    grant.lastPollAt = now;
    if (tooSoon) {
      grant.intervalSeconds += sso.settings.slowDownIncrementSeconds;
      throw oidc.slowDown();
    }
    if (!grant.decision) throw oidc.pending();
    if (!grant.decision.approved) throw oidc.accessDenied();
    grant.used = true;
    return tokenResponse(sso.issueToken(client, grant.decision.user, client.scopes), sso.now());
  }

  if (grantType === 'authorization_code') {
    const code = str(o, 'code', true);
    const redirectUri = str(o, 'redirectUri', true);
    const verifier = str(o, 'codeVerifier', true);
    const grant = sso.authCodes.get(code);
    if (!grant || grant.clientId !== client.clientId) throw oidc.invalidGrant('Invalid authorization code', 'unknown-code');
    if (grant.used) throw oidc.invalidGrant('Authorization code has already been used', 'code-reused');
    grant.used = true;
    if (sso.now() >= grant.expiresAt) throw oidc.invalidGrant('Authorization code has expired', 'code-expired');
    if (redirectUri !== grant.redirectUri) throw oidc.invalidGrant('redirectUri does not match the authorization request', 'redirect-mismatch');
    // RFC 7636: 43 to 128 characters of [A-Za-z0-9-._~].
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || !sameString(s256(verifier), grant.codeChallenge)) {
      throw oidc.invalidGrant('Code verifier does not match the code challenge', 'pkce-mismatch');
    }
    return tokenResponse(sso.issueToken(client, grant.user, grant.scopes), sso.now());
  }

  const refreshToken = str(o, 'refreshToken', true);
  const t = sso.tokensByRefresh.get(refreshToken);
  if (!t || t.clientId !== client.clientId) throw oidc.invalidGrant('Invalid refresh token provided', 'unknown-refresh-token');
  if (t.refreshUsed) throw oidc.invalidGrant('Refresh token has already been used', 'refresh-token-reused');
  if (t.refreshRevoked) throw oidc.invalidGrant('Refresh token has been revoked', 'refresh-token-revoked');
  if (sso.now() >= t.refreshExpiresAt) throw oidc.expiredToken('Refresh token has expired', 'refresh-token-expired');
  // Rotation: the old refresh token (and its access token) end; the new pair carries on.
  t.refreshUsed = true;
  t.accessRevoked = true;
  return tokenResponse(sso.issueToken(client, t.user, t.scopes), sso.now());
}

function tokenResponse(t: ReturnType<SsoState['issueToken']>, now: number): JsonResponse {
  return jsonOk('CreateToken', {
    accessToken: t.accessToken,
    tokenType: 'Bearer',
    expiresIn: Math.round((t.accessExpiresAt - now) / 1000),
    refreshToken: t.refreshToken,
  });
}

export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  action: string;
  reason?: string;
}

const page = (status: number, text: string, action: string, reason?: string): PageResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><title>AWS access portal (emulator)</title><p>${text.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</p>`,
  action,
  reason,
});

/**
 * GET /authorize: the sign-in page. Errors that make the redirect URI untrustworthy are shown as a
 * page, never redirected; after that the person's decision comes back to the loopback redirect URI.
 */
export function authorizePage(sso: SsoState, query: URLSearchParams): PageResponse {
  sso.pagesOpened.authorize++;
  const action = 'Authorize';
  const client = sso.clients.get(query.get('client_id') ?? '');
  if (!client) return page(400, 'Unknown client_id', action, 'unknown-client');
  if (sso.now() >= client.expiresAt) return page(400, 'The client registration has expired', action, 'client-expired');
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!client.redirectUris.some((r) => redirectMatches(r, redirectUri))) return page(400, 'redirect_uri is not registered for this client', action, 'redirect-unregistered');
  const state = query.get('state');
  const back = (params: Record<string, string>): PageResponse => {
    const url = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (state !== null) url.searchParams.set('state', state);
    return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' }, body: '', action, reason: params.error };
  };
  if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
  if (!client.grantTypes.includes('authorization_code')) return back({ error: 'unauthorized_client' });
  if (!state) return back({ error: 'invalid_request', error_description: 'state is required' });
  if (query.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
  const challenge = query.get('code_challenge') ?? '';
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return back({ error: 'invalid_request', error_description: 'code_challenge must be 43 base64url characters' });
  const scopes = (query.get('scopes') ?? '').split(/[\s,]+/).filter(Boolean);
  if (scopes.some((s) => !client.scopes.includes(s))) return back({ error: 'invalid_scope' });

  const decision = sso.browser.decision;
  if (decision === 'ignore') return page(200, 'Sign in to continue', action, 'ignored');
  if (decision === 'deny') return back({ error: 'access_denied', error_description: 'The user denied the request' });
  const user = sso.browser.user;
  if (!user) return page(200, 'Sign in to continue (no user signed in)', action, 'no-user');
  const grant = sso.issueAuthCode({ clientId: client.clientId, redirectUri, codeChallenge: challenge, scopes: scopes.length ? scopes : client.scopes, user });
  return back({ code: grant.code });
}

/** GET /device?user_code=…: the verification page; the person approves, denies or walks away. */
export function devicePage(sso: SsoState, query: URLSearchParams): PageResponse {
  sso.pagesOpened.device++;
  const grant = sso.deviceByUserCode(query.get('user_code') ?? '');
  if (!grant) return page(200, 'Enter the code shown in your terminal', 'DeviceVerification', 'no-code');
  return decideDevice(sso, grant.userCode, sso.browser.decision, sso.browser.user);
}

export function decideDevice(sso: SsoState, userCode: string, decision: 'approve' | 'deny' | 'ignore', user: string | undefined): PageResponse {
  const action = 'DeviceVerification';
  const grant = sso.deviceByUserCode(userCode);
  if (!grant) return page(404, `Unknown user code ${userCode}`, action, 'unknown-user-code');
  if (sso.now() >= grant.expiresAt) return page(400, 'This code has expired', action, 'device-code-expired');
  if (decision === 'ignore') return page(200, 'Waiting for you to confirm', action, 'ignored');
  if (decision === 'deny') {
    grant.decision = { approved: false };
    return page(200, 'Request denied', action, 'denied');
  }
  if (!user || !sso.users.has(user)) return page(400, `No SSO user ${user ?? '(none)'} to sign in as`, action, 'no-user');
  grant.decision = { approved: true, user };
  return page(200, 'Request approved. You can close this window.', action);
}
