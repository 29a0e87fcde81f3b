import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { boundedHttpRequest } from '../net/boundedHttpRequest';
import { partitionOf } from '../sts/endpoints';

/**
 * The wire side of AWS Sign-In for developer tools, the service behind `aws login`, as the AWS CLI
 * v2 and `@aws-sdk/credential-provider-login` speak it: the authorize URL the browser opens, and
 * CreateOAuth2Token, an unsigned JSON POST that carries a DPoP proof (RFC 9449) of the session's key.
 */

export const SAME_DEVICE_CLIENT_ID = 'arn:aws:signin:::devtools/same-device';
export const CROSS_DEVICE_CLIENT_ID = 'arn:aws:signin:::devtools/cross-device';

/** A sign-in session refreshes for 12 hours; after that AWS answers TOKEN_EXPIRED. */
export const LOGIN_SESSION_MS = 12 * 3600 * 1000;

/**
 * The sign-in endpoint of a region, or the override, named as the JS SDK names them:
 * AWS_ENDPOINT_URL_SIGNIN, then AWS_ENDPOINT_URL. Sessions are regional, so the region is the one
 * the person signed in to.
 */
export function signinBaseUrl(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.AWS_ENDPOINT_URL_SIGNIN || env.AWS_ENDPOINT_URL;
  if (override) return override.replace(/\/+$/, '');
  switch (partitionOf(region)) {
    case 'aws-cn':
      return `https://${region}.signin.amazonaws.cn`;
    case 'aws-us-gov':
      return `https://${region}.signin.amazonaws-us-gov.com`;
    default:
      return `https://${region}.signin.aws.amazon.com`;
  }
}

// --- the authorize URL ----------------------------------------------------------------------------

export function authorizeUrl(base: string, p: { clientId: string; state: string; challenge: string; redirectUri: string }): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    state: p.state,
    // AWS Sign-In spells the method out; RFC 7636's "S256" is refused. The challenge is S256's all the same.
    code_challenge_method: 'SHA-256',
    scope: 'openid',
    redirect_uri: p.redirectUri,
    code_challenge: p.challenge,
  });
  return `${base}/v1/authorize?${q}`;
}

/** The cross-device flow's redirect target, on the sign-in endpoint itself: it shows the code to paste. */
export function crossDeviceRedirectUri(base: string): string {
  return `${base}/v1/sessions/confirmation`;
}

// --- DPoP -----------------------------------------------------------------------------------------

/**
 * A new P-256 key for one sign-in, as a SEC1 PEM: the form the AWS CLI keeps in its cache file, so an
 * imported session and one Keytray signed in are stored alike.
 */
export function newDpopKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'sec1' }).toString();
}

/** An RFC 9449 proof for one request: ES256 over the public JWK, with jti, htm, htu and iat. */
export function dpopProof(privateKeyPem: string, method: string, url: string, nowMs: number): string {
  const privateKey = createPrivateKey(privateKeyPem);
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (kty !== 'EC' || crv !== 'P-256') throw new Error('the DPoP key is not a P-256 key');
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } };
  const claims = { jti: randomUUID(), htm: method, htu: url, iat: Math.floor(nowMs / 1000) };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  // JWS wants r||s, not the DER that node:crypto produces by default.
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Checks that a stored key can still sign: a damaged keychain item must not surface as a network error. */
export function isUsableDpopKey(pem: string): boolean {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

// --- CreateOAuth2Token ----------------------------------------------------------------------------

export type TokenInput =
  | { clientId: string; grantType: 'authorization_code'; code: string; codeVerifier: string; redirectUri: string }
  | { clientId: string; grantType: 'refresh_token'; refreshToken: string };

export interface TokenOutput {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresInSeconds: number;
  refreshToken: string;
  /** Only on the code grant: a JWT whose `sub` is the signed-in principal. */
  idToken?: string;
}

/** What the service said when it refused a token call. `message` never holds a token. */
export class SigninRefusal extends Error {
  constructor(
    readonly status: number,
    /** X-Amzn-ErrorType, e.g. AccessDeniedException, ValidationException. */
    readonly errorType: string,
    /** The body's `error`, e.g. TOKEN_EXPIRED, AUTHCODE_EXPIRED, INVALID_REQUEST, invalid_grant. */
    readonly error: string,
    message: string,
    /** The service's clock (its Date header), epoch ms, when it sent one. */
    readonly serverTime: number | undefined,
  ) {
    super(message);
    this.name = 'SigninRefusal';
  }
}

export interface TokenCallOptions {
  env: NodeJS.ProcessEnv;
  /** The sign-in region: it names the default endpoint in a network failure. */
  region: string;
  now: () => number;
}

export async function createOAuth2Token(base: string, input: TokenInput, dpopKeyPem: string, options: TokenCallOptions): Promise<TokenOutput> {
  const url = `${base}/v1/token`;
  const proof = dpopProof(dpopKeyPem, 'POST', url, options.now());
  // oneShot: a code and a rotating refresh token are spent once they reach AWS, so never resent.
  const answer = await boundedHttpRequest(options.env, { service: 'SIGNIN', region: options.region, endpoint: base, oneShot: true }, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', DPoP: proof },
    body: JSON.stringify(input),
    maxResponseBytes: 256 * 1024,
  });
  const body = parseJson(answer.body);
  if (answer.status !== 200) {
    const errorType = (answer.headers['x-amzn-errortype'] as string | undefined)?.split(':')[0] ?? 'UnknownError';
    const error = typeof body?.error === 'string' ? body.error : '';
    const message = typeof body?.message === 'string' ? body.message : `HTTP ${answer.status}`;
    const date = Date.parse((answer.headers.date as string | undefined) ?? '');
    throw new SigninRefusal(answer.status, errorType, error, message, Number.isNaN(date) ? undefined : date);
  }
  const token = body?.accessToken as Record<string, unknown> | undefined;
  const out = {
    accessKeyId: token?.accessKeyId,
    secretAccessKey: token?.secretAccessKey,
    sessionToken: token?.sessionToken,
    expiresInSeconds: body?.expiresIn,
    refreshToken: body?.refreshToken,
    idToken: body?.idToken,
  };
  if (
    typeof out.accessKeyId !== 'string' ||
    typeof out.secretAccessKey !== 'string' ||
    typeof out.sessionToken !== 'string' ||
    typeof out.refreshToken !== 'string' ||
    typeof out.expiresInSeconds !== 'number' ||
    (out.idToken !== undefined && typeof out.idToken !== 'string')
  ) {
    throw new SigninRefusal(answer.status, 'InvalidResponse', '', `${url} answered without credentials or a refresh token`, undefined);
  }
  return out as TokenOutput;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The principal in an idToken's `sub`. The token comes straight from the token endpoint over the
 * connection Keytray opened, so, as the AWS CLI does, its claims are read without checking a signature.
 */
export function principalOfIdToken(idToken: string): string | undefined {
  const parts = idToken.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const sub = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')).sub;
    return typeof sub === 'string' && /^arn:aws[\w-]*:(iam|sts)::\d{12}:/.test(sub) ? sub : undefined;
  } catch {
    return undefined;
  }
}
