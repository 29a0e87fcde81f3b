import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAME_DEVICE_CLIENT } from './signin';

/**
 * What `aws login` (AWS CLI 2.32+) does, reduced to what tests need: the same-device code grant
 * against the emulator, and the plaintext cache file the AWS CLI leaves in ~/.aws/login/cache.
 * Written from the public clients' behaviour and independent of Keytray's code, so tests that use it
 * check Keytray against the AWS CLI's conventions, not against itself.
 */

export interface DpopKey {
  privateKey: KeyObject;
  jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
}

export function newDpopKey(): DpopKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y } = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  return { privateKey, jwk: { kty: 'EC', crv: 'P-256', x, y } };
}

/** An RFC 9449 proof; `overrides` lets a test break one field at a time. */
export function dpopProof(key: DpopKey, htu: string, overrides: { htm?: string; iat?: number; jti?: string; typ?: string; signWith?: DpopKey } = {}): string {
  const header = { alg: 'ES256', typ: overrides.typ ?? 'dpop+jwt', jwk: key.jwk };
  const claims = { jti: overrides.jti ?? randomUUID(), htm: overrides.htm ?? 'POST', htu, iat: overrides.iat ?? Math.floor(Date.now() / 1000) };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: (overrides.signWith ?? key).privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function newPkce(): Pkce {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(base: string, p: { clientId?: string; state: string; challenge: string; redirectUri: string }): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId ?? SAME_DEVICE_CLIENT,
    state: p.state,
    code_challenge_method: 'SHA-256',
    scope: 'openid',
    redirect_uri: p.redirectUri,
    code_challenge: p.challenge,
  });
  return `${base}/v1/authorize?${q}`;
}

/** A CreateOAuth2Token answer: the token fields on success, `error` and `message` on a refusal. */
export interface TokenAnswer {
  accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  idToken: string;
  error?: string;
  message: string;
}

export async function postToken(base: string, body: Record<string, unknown>, proof: string | undefined): Promise<{ status: number; errorType?: string; json: TokenAnswer }> {
  const res = await fetch(`${base}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(proof ? { dpop: proof } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype') ?? undefined, json: (await res.json()) as TokenAnswer };
}

export interface StandInLogin {
  key: DpopKey;
  /** The CreateOAuth2Token answer. */
  token: {
    accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    expiresIn: number;
    refreshToken: string;
    idToken: string;
    tokenType: string;
  };
  loginSession: string;
}

/** Signs in through the emulator's authorize page as the browser would (the emulator's person must approve). */
export async function signInLikeAwsCli(base: string): Promise<StandInLogin> {
  const key = newDpopKey();
  const pkce = newPkce();
  const state = randomUUID();
  const redirectUri = 'http://127.0.0.1:49152/oauth/callback';
  const res = await fetch(authorizeUrl(base, { state, challenge: pkce.challenge, redirectUri }), { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}`);
  const back = new URL(location);
  if (back.searchParams.get('state') !== state || !back.searchParams.get('code')) throw new Error(`authorize redirected to ${back.origin}${back.pathname} without a code`);
  const answer = await postToken(
    base,
    { clientId: SAME_DEVICE_CLIENT, grantType: 'authorization_code', code: back.searchParams.get('code'), codeVerifier: pkce.verifier, redirectUri },
    dpopProof(key, `${base}/v1/token`),
  );
  if (answer.status !== 200) throw new Error(`CreateOAuth2Token answered ${answer.status} ${JSON.stringify(answer.json)}`);
  const sub = JSON.parse(Buffer.from(answer.json.idToken.split('.')[1], 'base64url').toString('utf8')).sub as string;
  return { key, token: answer.json, loginSession: sub };
}

/** The AWS CLI's cache file name for a login session: SHA-256 of the session ARN. */
export function awsCliCacheFile(cacheDir: string, loginSession: string): string {
  return path.join(cacheDir, `${createHash('sha256').update(loginSession).digest('hex')}.json`);
}

/**
 * Writes the AWS CLI's cache file for a sign-in. `expiresAt` defaults to what the AWS CLI writes
 * (now + expiresIn); tests pass a past time to make a client refresh.
 */
export function writeAwsCliCache(cacheDir: string, login: StandInLogin, opts: { expiresAt?: Date; signInRegion?: string } = {}): string {
  const file = awsCliCacheFile(cacheDir, login.loginSession);
  const accountId = login.loginSession.split(':')[4];
  const doc = {
    accessToken: {
      ...login.token.accessToken,
      accountId,
      expiresAt: (opts.expiresAt ?? new Date(Date.now() + login.token.expiresIn * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    tokenType: login.token.tokenType,
    clientId: SAME_DEVICE_CLIENT,
    refreshToken: login.token.refreshToken,
    idToken: login.token.idToken,
    dpopKey: login.key.privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
    ...(opts.signInRegion ? { signInRegion: opts.signInRegion } : {}),
  };
  fs.mkdirSync(cacheDir, { recursive: true });
  // 0644, as the JS SDK leaves it: the plaintext Keytray is there to remove.
  fs.writeFileSync(file, JSON.stringify(doc, null, 2), { mode: 0o644 });
  return file;
}
