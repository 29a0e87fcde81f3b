import { createHash, createHmac, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AUTH_CODE_LIFETIME_MS,
  CROSS_DEVICE_CLIENT,
  MAX_EXPIRES_IN_S,
  PROOF_IAT_WINDOW_S,
  SAME_DEVICE_CLIENT,
  SESSION_LIFETIME_MS,
  type BrowserBehaviour,
  type LoginSessionRec,
} from './signinState';
import type { EmulatorState } from './state';

export { CROSS_DEVICE_CLIENT, MAIN_REGION, SAME_DEVICE_CLIENT } from './signinState';

/**
 * AWS Sign-In for developer tools, the service behind `aws login` (AWS CLI 2.32+,
 * `@aws-sdk/credential-provider-login`): the browser's authorize page and the CreateOAuth2Token
 * endpoint, as strict as the public clients suggest AWS is.
 *
 *   GET  /v1/authorize              the page the browser opens; the person in it is a test setting
 *   GET  /v1/sessions/confirmation  the page that shows the cross-device code to paste
 *   POST /v1/token                  CreateOAuth2Token: unsigned JSON, a DPoP proof (RFC 9449) always
 *
 * The credentials it issues are STS sessions of the signed-in IAM user, so the STS emulator on the
 * same port accepts them (GetCallerIdentity, AssumeRole as role chaining).
 *
 * Regions: sign-in sessions are regional. The main port is `us-east-1`; `listenRegion` opens another
 * port that answers as another region's endpoint, with the same state, so a test can refresh a
 * session at the wrong region.
 */

export interface SigninAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  action: string;
  errorCode?: string;
  reason?: string;
  principalArn?: string;
}

const json = (status: number, value: unknown, extra: Record<string, string> = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify(value),
});

/** A Sign-In error as the smithy restJson protocol carries it: the type in a header, `error` and `message` in the body. */
class SigninError extends Error {
  constructor(
    readonly status: number,
    readonly type: 'ValidationException' | 'AccessDeniedException' | 'InternalServerException' | 'TooManyRequestsError',
    readonly error: string,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

const invalidRequest = (message: string, reason: string) => new SigninError(400, 'ValidationException', 'INVALID_REQUEST', message, reason);
const denied = (error: string, message: string, reason: string) => new SigninError(400, 'AccessDeniedException', error, message, reason);

// --- the authorize page ----------------------------------------------------------------------------

const AUTHORIZE_PARAMS = ['response_type', 'client_id', 'state', 'code_challenge_method', 'scope', 'redirect_uri', 'code_challenge'];

function page(status: number, title: string, extra: Record<string, string> = {}, body = ''): Omit<SigninAnswer, 'action'> {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...extra }, body: `<!doctype html><title>${title}</title><h1>${title}</h1>${body}` };
}

/** Why an authorize request is not one AWS Sign-In would show a sign-in page for, or undefined. */
function authorizeProblem(params: URLSearchParams, origin: string): string | undefined {
  for (const name of new Set(params.keys())) {
    if (!AUTHORIZE_PARAMS.includes(name)) return `unknown parameter ${name}`;
    if (params.getAll(name).length > 1) return `parameter ${name} is repeated`;
  }
  for (const name of AUTHORIZE_PARAMS) if (!params.get(name)) return `missing ${name}`;
  if (params.get('response_type') !== 'code') return 'response_type must be code';
  if (params.get('scope') !== 'openid') return 'scope must be openid';
  // Not the RFC 7636 name S256: AWS Sign-In spells it out.
  if (params.get('code_challenge_method') !== 'SHA-256') return 'code_challenge_method must be SHA-256';
  if (!/^[A-Za-z0-9_-]{43}$/.test(params.get('code_challenge')!)) return 'code_challenge must be an unpadded base64url SHA-256 digest';
  const clientId = params.get('client_id')!;
  const redirectUri = params.get('redirect_uri')!;
  if (clientId === SAME_DEVICE_CLIENT) {
    const m = /^http:\/\/127\.0\.0\.1:(\d{1,5})\/oauth\/callback$/.exec(redirectUri);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) return 'redirect_uri must be http://127.0.0.1:PORT/oauth/callback for the same-device client';
  } else if (clientId === CROSS_DEVICE_CLIENT) {
    if (redirectUri !== `${origin}/v1/sessions/confirmation`) return 'redirect_uri must be this endpoint\'s /v1/sessions/confirmation for the cross-device client';
  } else {
    return `unknown client_id ${clientId}`;
  }
  return undefined;
}

function authorize(state: EmulatorState, params: URLSearchParams, origin: string, region: string): SigninAnswer {
  const problem = authorizeProblem(params, origin);
  if (problem) return { ...page(400, `Invalid request: ${problem}`), action: 'Authorize', errorCode: 'INVALID_REQUEST', reason: problem };
  const signin = state.signin;
  const redirectUri = params.get('redirect_uri')!;
  const back = new URL(redirectUri);
  back.searchParams.set('state', params.get('state')!);
  const behaviour = signin.browser;
  if (behaviour.mode === 'never') {
    // The person never finishes signing in: the page just stays open.
    return { ...page(200, 'Sign in to AWS'), action: 'Authorize', reason: 'browser-never-returns' };
  }
  if (behaviour.mode === 'deny') {
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('error_description', 'The user denied the request');
    return { ...page(302, 'Denied', { location: back.toString() }), action: 'Authorize', errorCode: 'access_denied', reason: 'browser-denied' };
  }
  const user = state.users.get(behaviour.userName);
  if (!user) throw new Error(`the browser signs in as ${behaviour.userName}, who is not an emulator user`);
  const code = randomBytes(24).toString('base64url');
  signin.codes.set(code, {
    clientId: params.get('client_id')!,
    redirectUri,
    challenge: params.get('code_challenge')!,
    userName: user.userName,
    region,
    expiresAt: state.clock.now() + AUTH_CODE_LIFETIME_MS,
    used: false,
  });
  back.searchParams.set('code', code);
  return { ...page(302, 'Signed in', { location: back.toString() }), action: 'Authorize', principalArn: user.arn };
}

/**
 * The cross-device client's redirect target: it shows the person the code to paste into the
 * terminal, base64 of `state=…&code=…`, as the AWS CLI parses it.
 */
function confirmation(params: URLSearchParams): SigninAnswer {
  if (params.get('error')) return { ...page(200, 'Access denied'), action: 'Confirmation', errorCode: params.get('error')! };
  const code = params.get('code');
  const st = params.get('state');
  if (!code || !st) return { ...page(400, 'Invalid request: missing code or state'), action: 'Confirmation', errorCode: 'INVALID_REQUEST' };
  const verification = Buffer.from(`state=${encodeURIComponent(st)}&code=${encodeURIComponent(code)}`).toString('base64');
  return { ...page(200, 'Enter this code in your terminal', {}, `<code id="verification-code">${verification}</code>`), action: 'Confirmation' };
}

// --- DPoP (RFC 9449) -------------------------------------------------------------------------------

/** Checks a proof for `POST {htu}`; returns the RFC 7638 thumbprint of its key. */
function verifyProof(state: EmulatorState, proofs: string[] | undefined, htu: string): string {
  if (!proofs || proofs.length === 0) throw invalidRequest('Missing DPoP proof', 'dpop-missing');
  if (proofs.length > 1) throw invalidRequest('More than one DPoP proof', 'dpop-repeated');
  const parts = proofs[0].split('.');
  if (parts.length !== 3) throw invalidRequest('Invalid DPoP proof: not a JWT', 'dpop-malformed');
  let header: { typ?: unknown; alg?: unknown; jwk?: Record<string, unknown> };
  let claims: { jti?: unknown; htm?: unknown; htu?: unknown; iat?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw invalidRequest('Invalid DPoP proof: not a JWT', 'dpop-malformed');
  }
  if (header.typ !== 'dpop+jwt') throw invalidRequest('Invalid DPoP proof: typ must be dpop+jwt', 'dpop-typ');
  if (header.alg !== 'ES256') throw invalidRequest('Invalid DPoP proof: alg must be ES256', 'dpop-alg');
  const jwk = header.jwk;
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw invalidRequest('Invalid DPoP proof: jwk must be a P-256 public key', 'dpop-jwk');
  }
  if ('d' in jwk) throw invalidRequest('Invalid DPoP proof: jwk must not contain a private key', 'dpop-private-jwk');
  let key;
  try {
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as JsonWebKey, format: 'jwk' });
  } catch {
    throw invalidRequest('Invalid DPoP proof: jwk is not a point on P-256', 'dpop-jwk');
  }
  const signature = Buffer.from(parts[2], 'base64url');
  // JWS ES256 signatures are r||s, 64 bytes, not DER.
  const valid = signature.length === 64 && verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!valid) throw invalidRequest('Invalid DPoP proof: bad signature', 'dpop-signature');
  if (claims.htm !== 'POST') throw invalidRequest('Invalid DPoP proof: htm does not match the request method', 'dpop-htm');
  if (claims.htu !== htu) throw invalidRequest('Invalid DPoP proof: htu does not match the request URI', 'dpop-htu');
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) throw invalidRequest('Invalid DPoP proof: missing iat', 'dpop-iat');
  const now = state.signin.serviceWallTime();
  if (Math.abs(claims.iat - now / 1000) > PROOF_IAT_WINDOW_S) {
    throw invalidRequest('Invalid DPoP proof: iat is outside the acceptable window', 'dpop-iat-window');
  }
  if (typeof claims.jti !== 'string' || claims.jti.length < 8) throw invalidRequest('Invalid DPoP proof: missing jti', 'dpop-jti');
  if (!state.signin.rememberJti(claims.jti, now)) throw invalidRequest('Invalid DPoP proof: jti was already used', 'dpop-jti-replay');
  return jwkThumbprint(jwk.x, jwk.y);
}

export function jwkThumbprint(x: string, y: string): string {
  // RFC 7638: the required members in lexicographic order, no whitespace.
  return createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`).digest('base64url');
}

// --- CreateOAuth2Token -----------------------------------------------------------------------------

function idTokenFor(state: EmulatorState, rec: LoginSessionRec, origin: string): string {
  const now = Math.floor(state.clock.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ sub: rec.principalArn, aud: rec.clientId, iss: `${origin}/signin`, session_arn: rec.principalArn, iat: now, exp: now + 900 }),
  ).toString('base64url');
  const sig = createHmac('sha256', state.signin.idTokenKey).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

function issue(state: EmulatorState, rec: LoginSessionRec, origin: string, withIdToken: boolean) {
  const signin = state.signin;
  const user = state.users.get(rec.userName)!;
  const expiresIn = Math.min(signin.expiresInSeconds, MAX_EXPIRES_IN_S);
  // Console sign-in asks for the user's MFA device, so the session counts as MFA-authenticated.
  const session = state.issueSession(
    { kind: 'session-token', account: user.account, userName: user.userName, mfaAuthenticated: !!user.mfa, chained: false },
    expiresIn,
  );
  rec.refreshToken = `aws_sr_${randomBytes(36).toString('base64url')}`;
  signin.refreshTokens.set(rec.refreshToken, rec.id);
  return {
    accessToken: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
    tokenType: 'aws_sigv4',
    expiresIn,
    refreshToken: rec.refreshToken,
    ...(withIdToken ? { idToken: idTokenFor(state, rec, origin) } : {}),
  };
}

function str(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw invalidRequest(`${name} is required`, `missing-${name}`);
  return v;
}

function createToken(state: EmulatorState, body: Record<string, unknown>, thumbprint: string, origin: string, region: string, out: { principalArn?: string }) {
  const signin = state.signin;
  const now = state.clock.now();
  const clientId = str(body, 'clientId');
  if (clientId !== SAME_DEVICE_CLIENT && clientId !== CROSS_DEVICE_CLIENT) throw invalidRequest('Unknown clientId', 'unknown-client');
  const grantType = str(body, 'grantType');

  if (grantType === 'authorization_code') {
    const code = signin.codes.get(str(body, 'code'));
    const verifier = str(body, 'codeVerifier');
    const redirectUri = str(body, 'redirectUri');
    if (!code || code.region !== region) throw denied('AUTHCODE_EXPIRED', 'The authorization code is invalid or has expired', code ? 'code-other-region' : 'code-unknown');
    // Single use: a second redemption fails even if the first one was refused.
    if (code.used) throw denied('AUTHCODE_EXPIRED', 'The authorization code is invalid or has expired', 'code-reused');
    code.used = true;
    if (now >= code.expiresAt) throw denied('AUTHCODE_EXPIRED', 'The authorization code is invalid or has expired', 'code-expired');
    if (code.clientId !== clientId) throw invalidRequest('The authorization code was issued to another client', 'code-client');
    if (code.redirectUri !== redirectUri) throw invalidRequest('redirectUri does not match the authorization request', 'code-redirect');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw invalidRequest('codeVerifier must be 43 to 128 unreserved characters', 'verifier-format');
    if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
      throw invalidRequest('codeVerifier does not match the code challenge', 'verifier-mismatch');
    }
    const user = state.users.get(code.userName)!;
    const rec: LoginSessionRec = {
      id: randomBytes(12).toString('hex'),
      userName: user.userName,
      principalArn: user.arn,
      clientId,
      region,
      startedAt: now,
      keyThumbprint: thumbprint,
      refreshToken: '',
      revoked: false,
    };
    signin.sessions.set(rec.id, rec);
    out.principalArn = user.arn;
    return issue(state, rec, origin, true);
  }

  if (grantType === 'refresh_token') {
    const token = str(body, 'refreshToken');
    const rec = signin.sessions.get(signin.refreshTokens.get(token) ?? '');
    if (!rec || rec.region !== region) throw denied('invalid_grant', 'The refresh token is invalid', rec ? 'refresh-other-region' : 'refresh-unknown');
    out.principalArn = rec.principalArn;
    if (rec.revoked) throw denied('invalid_grant', 'The refresh token is invalid', 'refresh-revoked');
    if (rec.refreshToken !== token) {
      // A rotated-away token came back: someone holds a copy. OAuth's advice is to end the session.
      rec.revoked = true;
      throw denied('invalid_grant', 'The refresh token is invalid', 'refresh-replayed');
    }
    if (rec.clientId !== clientId) throw invalidRequest('The refresh token was issued to another client', 'refresh-client');
    if (rec.keyThumbprint !== thumbprint) throw denied('INVALID_REQUEST', 'The DPoP proof is not signed with the key bound to this session', 'dpop-key-mismatch');
    if (now >= rec.startedAt + SESSION_LIFETIME_MS) throw denied('TOKEN_EXPIRED', 'Your session has expired', 'session-expired');
    return issue(state, rec, origin, false);
  }

  throw invalidRequest(`Unsupported grantType ${grantType}`, 'grant-type');
}

// --- routing ---------------------------------------------------------------------------------------

export function isSigninPath(path: string): boolean {
  return path === '/v1/authorize' || path === '/v1/token' || path === '/v1/sessions/confirmation';
}

export interface SigninRequest {
  method: string;
  path: string;
  query: string;
  host: string;
  contentType: string;
  headers: Map<string, string[]>;
  body: Buffer;
}

/** Answers one sign-in request as the endpoint of `region`. */
export async function handleSignin(state: EmulatorState, req: SigninRequest, region: string): Promise<SigninAnswer> {
  const origin = `http://${req.host}`;
  const params = new URLSearchParams(req.query);
  if (req.path === '/v1/authorize' && req.method === 'GET') return authorize(state, params, origin, region);
  if (req.path === '/v1/sessions/confirmation' && req.method === 'GET') return confirmation(params);
  if (req.path !== '/v1/token' || req.method !== 'POST') return { ...page(405, 'Method not allowed'), action: 'Signin', errorCode: 'MethodNotAllowed' };

  const out: { principalArn?: string } = {};
  // The service's clock: what a client compares with to notice that its own clock is off.
  const date = { date: new Date(state.signin.serviceWallTime()).toUTCString(), 'x-amzn-requestid': randomBytes(16).toString('hex') };
  try {
    if (req.query !== '') throw invalidRequest('Unexpected query string', 'query');
    if (req.contentType.split(';')[0].trim().toLowerCase() !== 'application/json') throw invalidRequest('Content-Type must be application/json', 'content-type');
    if (req.headers.has('authorization')) throw invalidRequest('CreateOAuth2Token is not signed', 'signed');
    const thumbprint = verifyProof(state, req.headers.get('dpop'), `${origin}/v1/token`);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw invalidRequest('The request body is not JSON', 'body-json');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body is not a JSON object', 'body-json');
    const faults = state.takeFaults('CreateOAuth2Token');
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    if (faults.error) throw new SigninError(faults.error.status, faults.error.status >= 500 ? 'InternalServerException' : 'TooManyRequestsError', 'server_error', faults.error.message, 'injected');
    const result = createToken(state, body as Record<string, unknown>, thumbprint, origin, region, out);
    return { ...json(200, result, date), action: 'CreateOAuth2Token', principalArn: out.principalArn };
  } catch (err) {
    if (!(err instanceof SigninError)) throw err;
    return {
      ...json(err.status, { error: err.error, message: err.message }, { ...date, 'x-amzn-errortype': err.type }),
      action: 'CreateOAuth2Token',
      errorCode: err.error,
      reason: err.reason,
      principalArn: out.principalArn,
    };
  }
}

/** Test-facing control of the sign-in service (what the person in the browser does, how long credentials last). */
export interface SigninControl {
  /** The person signs in as this IAM user and approves. */
  browserSignsIn(userName: string): void;
  browserDenies(): void;
  browserNeverReturns(): void;
  /** expiresIn of the next credentials (1..900). */
  setExpiresIn(seconds: number): void;
  /** The service's clock runs this far ahead of this machine's (negative: behind), as a skewed client clock would look to AWS. */
  setClockOffset(ms: number): void;
  /** A second endpoint with the same state that answers as `region`'s sign-in endpoint. */
  listenRegion(region: string): Promise<string>;
  /** The login session a refresh token belongs to, for tests that check rotation. */
  sessionOfRefreshToken(token: string): { principalArn: string; region: string; startedAt: number } | undefined;
}

/** POST /__emulator/signin/browser {"mode":"approve","userName":"alice"} and /__emulator/signin/expires-in?seconds=N */
export function handleSigninControl(state: EmulatorState, method: string, path: string, query: URLSearchParams, body: string) {
  const text = (status: number, t: string) => ({ status, contentType: 'text/plain; charset=utf-8', body: t });
  if (method === 'POST' && path === '/__emulator/signin/browser') {
    try {
      setBrowser(state, JSON.parse(body) as BrowserBehaviour);
    } catch (e) {
      return text(400, `bad browser behaviour: ${(e as Error).message}`);
    }
    return text(204, '');
  }
  if (method === 'POST' && path === '/__emulator/signin/expires-in') {
    try {
      setExpiresIn(state, Number(query.get('seconds')));
    } catch (e) {
      return text(400, (e as Error).message);
    }
    return text(204, '');
  }
  return text(404, `no control endpoint ${method} ${path}`);
}

function setBrowser(state: EmulatorState, b: BrowserBehaviour): void {
  if (b.mode === 'approve') {
    if (!state.users.has(b.userName)) throw new Error(`no emulator user ${b.userName}`);
    state.signin.browser = { mode: 'approve', userName: b.userName };
  } else if (b.mode === 'deny' || b.mode === 'never') {
    state.signin.browser = { mode: b.mode };
  } else {
    throw new Error('mode is approve, deny or never');
  }
}

function setExpiresIn(state: EmulatorState, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRES_IN_S) throw new Error(`expiresIn must be 1..${MAX_EXPIRES_IN_S}`);
  state.signin.expiresInSeconds = seconds;
}

export function signinControl(state: EmulatorState, serveRegion: (region: string) => Promise<http.Server>): SigninControl {
  const regional = new Map<string, string>();
  return {
    browserSignsIn: (userName) => setBrowser(state, { mode: 'approve', userName }),
    browserDenies: () => setBrowser(state, { mode: 'deny' }),
    browserNeverReturns: () => setBrowser(state, { mode: 'never' }),
    setExpiresIn: (seconds) => setExpiresIn(state, seconds),
    setClockOffset(ms) {
      if (!Number.isFinite(ms)) throw new Error('the clock offset is a number of ms');
      state.signin.clockOffsetMs = ms;
    },
    async listenRegion(region) {
      const known = regional.get(region);
      if (known) return known;
      const server = await serveRegion(region);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      regional.set(region, url);
      return url;
    },
    sessionOfRefreshToken(token) {
      const rec = state.signin.sessions.get(state.signin.refreshTokens.get(token) ?? '');
      return rec && { principalArn: rec.principalArn, region: rec.region, startedAt: rec.startedAt };
    },
  };
}
