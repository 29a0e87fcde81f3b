import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromLoginCredentials } from '@aws-sdk/credential-provider-login';
import { CROSS_DEVICE_CLIENT, SAME_DEVICE_CLIENT, startEmulator, type Emulator } from '../emulator';
import { authorizeUrl, dpopProof, newDpopKey, newPkce, postToken, signInLikeAwsCli, writeAwsCliCache } from '../emulator/awsLoginStandIn';

/**
 * The AWS Sign-In part of the emulator (`aws login`), checked against the real client where one
 * exists (@aws-sdk/credential-provider-login refreshes through it) and for every refusal the issue
 * asks for: authorize parameters, codes, DPoP proofs, refresh token binding and rotation, 12 hours.
 */

async function emulator(t: { after(fn: () => Promise<void>): void }): Promise<Emulator> {
  const emu = await startEmulator();
  t.after(() => emu.close());
  return emu;
}

const REDIRECT = 'http://127.0.0.1:50123/oauth/callback';

function validAuthorize(emu: Emulator, change: Record<string, string | null> = {}): string {
  const url = new URL(authorizeUrl(emu.url, { state: 's-1', challenge: newPkce().challenge, redirectUri: REDIRECT }));
  for (const [k, v] of Object.entries(change)) {
    if (v === null) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return url.toString();
}

test('authorize accepts exactly the parameters the public clients send and redirects with a code', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const res = await fetch(validAuthorize(emu), { redirect: 'manual' });
  assert.equal(res.status, 302);
  const back = new URL(res.headers.get('location')!);
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
  assert.equal(back.searchParams.get('state'), 's-1');
  assert.ok(back.searchParams.get('code'));
  assert.equal(emu.calls.at(-1)?.principalArn, alice.arn);

  const refused: Array<[Record<string, string | null>, RegExp]> = [
    [{ code_challenge_method: 'S256' }, /SHA-256/],
    [{ response_type: 'token' }, /response_type/],
    [{ scope: 'openid profile' }, /scope/],
    [{ state: null }, /missing state/],
    [{ code_challenge: null }, /missing code_challenge/],
    [{ code_challenge: 'short' }, /code_challenge/],
    [{ client_id: 'arn:aws:signin:::devtools/other' }, /client_id/],
    [{ redirect_uri: 'http://localhost:50123/oauth/callback' }, /redirect_uri/],
    [{ redirect_uri: 'http://127.0.0.1:50123/callback' }, /redirect_uri/],
    [{ client_id: CROSS_DEVICE_CLIENT }, /redirect_uri/],
    [{ prompt: 'login' }, /unknown parameter prompt/],
  ];
  for (const [change, why] of refused) {
    const r = await fetch(validAuthorize(emu, change), { redirect: 'manual' });
    assert.equal(r.status, 400, JSON.stringify(change));
    assert.match(await r.text(), why);
  }
});

test('a denying person redirects with access_denied; one who never signs in leaves the page open', async (t) => {
  const emu = await emulator(t);
  emu.createUser('alice');
  emu.signin.browserDenies();
  const denied = await fetch(validAuthorize(emu), { redirect: 'manual' });
  const back = new URL(denied.headers.get('location')!);
  assert.equal(back.searchParams.get('error'), 'access_denied');
  assert.equal(back.searchParams.get('code'), null);
  emu.signin.browserNeverReturns();
  const open = await fetch(validAuthorize(emu), { redirect: 'manual' });
  assert.equal(open.status, 200);
  assert.equal(open.headers.get('location'), null);
});

test('the code grant gives credentials STS accepts as the user, and a role can be assumed from them', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  emu.enableMfa('alice');
  const role = emu.createRole({ name: 'admin', trustedPrincipals: [alice.arn], requireMfa: true });
  emu.signin.browserSignsIn('alice');
  const login = await signInLikeAwsCli(emu.url);
  assert.equal(login.loginSession, alice.arn);
  assert.ok(login.token.expiresIn <= 900);
  assert.match(login.token.accessToken.accessKeyId, /^ASIA/);
  const creds = { ...login.token.accessToken };
  const sts = new STSClient({ region: 'us-east-1', endpoint: emu.url, credentials: creds, maxAttempts: 1 });
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, alice.arn);
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'web' }));
  assert.match(assumed.AssumedRoleUser?.Arn ?? '', /assumed-role\/admin\/web$/);
});

/** An approved authorize request's code and the verifier that goes with it. */
async function freshCode(emu: Emulator, clientId = SAME_DEVICE_CLIENT, redirectUri = REDIRECT) {
  const pkce = newPkce();
  const res = await fetch(authorizeUrl(emu.url, { clientId, state: 'x', challenge: pkce.challenge, redirectUri }), { redirect: 'manual' });
  return { code: new URL(res.headers.get('location')!).searchParams.get('code')!, verifier: pkce.verifier, location: res.headers.get('location')! };
}

test('codes are single use, short-lived, and bound to the client, the redirect URI and the verifier', async (t) => {
  const emu = await emulator(t);
  emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const key = newDpopKey();
  const htu = `${emu.url}/v1/token`;
  const redeem = (code: string, verifier: string, change: Record<string, string> = {}) =>
    postToken(emu.url, { clientId: SAME_DEVICE_CLIENT, grantType: 'authorization_code', code, codeVerifier: verifier, redirectUri: REDIRECT, ...change }, dpopProof(key, htu));

  const a = await freshCode(emu);
  assert.equal((await redeem(a.code, a.verifier)).status, 200);
  const again = await redeem(a.code, a.verifier);
  assert.equal(again.status, 400);
  assert.equal(again.errorType, 'AccessDeniedException');
  assert.equal(again.json.error, 'AUTHCODE_EXPIRED');

  const b = await freshCode(emu);
  const wrongVerifier = await redeem(b.code, newPkce().verifier);
  assert.equal(wrongVerifier.errorType, 'ValidationException');
  assert.equal(wrongVerifier.json.error, 'INVALID_REQUEST');
  assert.match(wrongVerifier.json.message, /codeVerifier/);

  const c = await freshCode(emu);
  assert.match((await redeem(c.code, c.verifier, { redirectUri: 'http://127.0.0.1:1/oauth/callback' })).json.message, /redirectUri/);
  const d = await freshCode(emu);
  assert.match((await redeem(d.code, d.verifier, { clientId: CROSS_DEVICE_CLIENT })).json.message, /another client/);

  const e = await freshCode(emu);
  emu.clock.advance(5 * 60 * 1000 + 1000);
  const late = await redeem(e.code, e.verifier);
  assert.equal(late.json.error, 'AUTHCODE_EXPIRED');
});

test('the cross-device page shows the code to paste: base64 of state and code', async (t) => {
  const emu = await emulator(t);
  emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const confirmation = `${emu.url}/v1/sessions/confirmation`;
  const { location } = await freshCode(emu, CROSS_DEVICE_CLIENT, confirmation);
  const html = await (await fetch(location)).text();
  const pasted = /<code id="verification-code">([^<]+)<\/code>/.exec(html)![1];
  const fields = new URLSearchParams(Buffer.from(pasted, 'base64').toString('utf8'));
  assert.equal(fields.get('state'), 'x');
  assert.ok(fields.get('code'));
});

test('every token call needs a valid DPoP proof', async (t) => {
  const emu = await emulator(t);
  emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const login = await signInLikeAwsCli(emu.url);
  const htu = `${emu.url}/v1/token`;
  const refreshBody = { clientId: SAME_DEVICE_CLIENT, grantType: 'refresh_token', refreshToken: login.token.refreshToken };
  const cases: Array<[string | undefined, RegExp]> = [
    [undefined, /Missing DPoP/],
    ['not.a.jwt.at.all', /not a JWT/],
    [dpopProof(login.key, htu, { typ: 'JWT' }), /typ/],
    [dpopProof(login.key, htu, { htm: 'GET' }), /htm/],
    [dpopProof(login.key, `${emu.url}/v1/token?x=1`), /htu/],
    [dpopProof(login.key, htu, { iat: Math.floor(Date.now() / 1000) - 600 }), /iat/],
    [dpopProof(login.key, htu, { signWith: newDpopKey() }), /signature/],
  ];
  for (const [proof, why] of cases) {
    const r = await postToken(emu.url, refreshBody, proof);
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'INVALID_REQUEST');
    assert.match(r.json.message, why);
  }
  // A client clock 10 minutes behind the service's: the proof is refused, and the Date header shows why.
  emu.signin.setClockOffset(10 * 60 * 1000);
  const skewed = await fetch(`${emu.url}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', dpop: dpopProof(login.key, htu) },
    body: JSON.stringify(refreshBody),
  });
  assert.match(((await skewed.json()) as { message: string }).message, /iat is outside/);
  assert.ok(Math.abs(Date.parse(skewed.headers.get('date')!) - Date.now() - 600_000) < 5_000);
  emu.signin.setClockOffset(0);
  const jti = 'a-unique-jti-0001';
  assert.equal((await postToken(emu.url, refreshBody, dpopProof(login.key, htu, { jti }))).status, 200);
  assert.match((await postToken(emu.url, refreshBody, dpopProof(login.key, htu, { jti }))).json.message, /jti was already used/);
});

test('refresh tokens are bound to the proof key, rotated, and end 12 hours after sign-in', async (t) => {
  const emu = await emulator(t);
  emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const login = await signInLikeAwsCli(emu.url);
  const htu = `${emu.url}/v1/token`;
  const refresh = (token: string, key = login.key) =>
    postToken(emu.url, { clientId: SAME_DEVICE_CLIENT, grantType: 'refresh_token', refreshToken: token }, dpopProof(key, htu));

  const other = await refresh(login.token.refreshToken, newDpopKey());
  assert.equal(other.errorType, 'AccessDeniedException');
  assert.match(other.json.message, /key bound to this session/);

  const first = await refresh(login.token.refreshToken);
  assert.equal(first.status, 200);
  assert.notEqual(first.json.refreshToken, login.token.refreshToken);
  assert.equal(first.json.idToken, undefined);
  const second = await refresh(first.json.refreshToken);
  assert.equal(second.status, 200);

  emu.clock.advance(12 * 3600 * 1000);
  const ended = await refresh(second.json.refreshToken);
  assert.equal(ended.errorType, 'AccessDeniedException');
  assert.equal(ended.json.error, 'TOKEN_EXPIRED');
});

test('a rotated-away refresh token that comes back ends the session', async (t) => {
  const emu = await emulator(t);
  emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const login = await signInLikeAwsCli(emu.url);
  const htu = `${emu.url}/v1/token`;
  const refresh = (token: string) => postToken(emu.url, { clientId: SAME_DEVICE_CLIENT, grantType: 'refresh_token', refreshToken: token }, dpopProof(login.key, htu));
  const next = await refresh(login.token.refreshToken);
  assert.equal((await refresh(login.token.refreshToken)).json.error, 'invalid_grant');
  assert.equal((await refresh(next.json.refreshToken)).json.error, 'invalid_grant');
});

test('a session refreshes only at the region it was signed in to', async (t) => {
  const emu = await emulator(t);
  emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const login = await signInLikeAwsCli(emu.url);
  const euWest = await emu.signin.listenRegion('eu-west-1');
  const r = await postToken(euWest, { clientId: SAME_DEVICE_CLIENT, grantType: 'refresh_token', refreshToken: login.token.refreshToken }, dpopProof(login.key, `${euWest}/v1/token`));
  assert.equal(r.json.error, 'invalid_grant');
  assert.equal(emu.calls.at(-1)?.reason, 'refresh-other-region');
});

/** The real JS SDK provider, reading an AWS CLI cache file in a temporary directory. */
async function sdkRefresh(emu: Emulator, cacheFileOf: (dir: string) => void): Promise<{ creds: { accessKeyId: string }; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-login-cache-'));
  const configFile = path.join(dir, 'config');
  cacheFileOf(path.join(dir, 'cache'));
  const saved = process.env.AWS_LOGIN_CACHE_DIRECTORY;
  process.env.AWS_LOGIN_CACHE_DIRECTORY = path.join(dir, 'cache');
  try {
    const provider = fromLoginCredentials({
      profile: 'web',
      configFilepath: configFile,
      filepath: path.join(dir, 'credentials'),
      clientConfig: { endpoint: emu.url, region: 'us-east-1', maxAttempts: 1 },
    } as Parameters<typeof fromLoginCredentials>[0]);
    return { creds: await provider(), dir };
  } finally {
    if (saved === undefined) delete process.env.AWS_LOGIN_CACHE_DIRECTORY;
    else process.env.AWS_LOGIN_CACHE_DIRECTORY = saved;
  }
}

test("@aws-sdk/credential-provider-login's refresh succeeds against the emulator; a proof signed with another key fails", async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  emu.signin.browserSignsIn('alice');
  const login = await signInLikeAwsCli(emu.url);
  const { creds, dir } = await sdkRefresh(emu, (cache) => {
    fs.writeFileSync(path.join(path.dirname(cache), 'config'), `[profile web]\nlogin_session = ${login.loginSession}\nregion = us-east-1\n`);
    writeAwsCliCache(cache, login, { expiresAt: new Date(Date.now() - 1000) });
  });
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.notEqual(creds.accessKeyId, login.token.accessToken.accessKeyId, 'the SDK refreshed');
  const sts = new STSClient({ region: 'us-east-1', endpoint: emu.url, credentials: creds as never, maxAttempts: 1 });
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, alice.arn);
  assert.equal(emu.count('CreateOAuth2Token', true), 2);

  // The same session, but the file's key is not the one the session is bound to.
  const login2 = await signInLikeAwsCli(emu.url);
  await assert.rejects(
    sdkRefresh(emu, (cache) => {
      fs.writeFileSync(path.join(path.dirname(cache), 'config'), `[profile web]\nlogin_session = ${login2.loginSession}\nregion = us-east-1\n`);
      writeAwsCliCache(cache, { ...login2, key: newDpopKey() }, { expiresAt: new Date(Date.now() - 1000) });
    }),
    /re-authenticate|reauthenticate/i,
  );
  assert.equal(emu.calls.at(-1)?.reason, 'dpop-key-mismatch');
});
