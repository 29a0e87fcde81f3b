import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { GetRoleCredentialsCommand, ListAccountRolesCommand, ListAccountsCommand, LogoutCommand, SSOClient } from '@aws-sdk/client-sso';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startEmulator, type Emulator } from '../emulator';

/**
 * The IAM Identity Center half of the emulator, driven with the real SDK clients: it must refuse
 * what AWS refuses (expired registrations, a wrong PKCE verifier, reused codes and refresh tokens,
 * polling too fast, unassigned roles, logged-out tokens), or the sign-in tests would prove nothing.
 */

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const ACCOUNT = '210987654321';

async function emulator(t: { after(fn: () => Promise<void>): void }): Promise<Emulator> {
  const emu = await startEmulator();
  t.after(() => emu.close());
  emu.sso.createUser('dana');
  emu.sso.assign('dana', { accountId: ACCOUNT, accountName: 'dev', roleName: 'Admin' });
  return emu;
}

const oidcOf = (emu: Emulator) => new SSOOIDCClient({ region: 'eu-west-1', endpoint: emu.url, maxAttempts: 1 });
const portalOf = (emu: Emulator) => new SSOClient({ region: 'eu-west-1', endpoint: emu.url, maxAttempts: 1 });

async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number; error?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number }; error?: string };
    return { name: err.name, status: err.$metadata?.httpStatusCode, error: err.error };
  }
  throw new Error('expected the call to fail');
}

const verifierPair = () => {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

async function pkceClient(emu: Emulator, scopes = ['sso:account:access']) {
  const reg = await oidcOf(emu).send(
    new RegisterClientCommand({
      clientName: 'keytray-test',
      clientType: 'public',
      scopes,
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['http://127.0.0.1/oauth/callback'],
      issuerUrl: emu.sso.startUrl,
    }),
  );
  return { clientId: reg.clientId!, clientSecret: reg.clientSecret!, reg };
}

/** Opens the authorize URL as the browser would and returns where it was sent back to. */
async function authorize(emu: Emulator, clientId: string, challenge: string, extra: Record<string, string> = {}): Promise<URL | number> {
  const url = new URL(`${emu.url}/authorize`);
  const params = { response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:4567/oauth/callback', state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256', scopes: 'sso:account:access', ...extra };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  return res.status === 302 ? new URL(res.headers.get('location')!) : res.status;
}

async function pkceToken(emu: Emulator) {
  const c = await pkceClient(emu);
  const { verifier, challenge } = verifierPair();
  const back = (await authorize(emu, c.clientId, challenge)) as URL;
  const out = await oidcOf(emu).send(
    new CreateTokenCommand({ ...c, grantType: 'authorization_code', code: back.searchParams.get('code')!, redirectUri: 'http://127.0.0.1:4567/oauth/callback', codeVerifier: verifier }),
  );
  return { ...c, token: out };
}

test('RegisterClient gives epoch-second times, and an expired registration is refused', async (t) => {
  const emu = await emulator(t);
  const { clientId, clientSecret, reg } = await pkceClient(emu);
  assert.ok(Math.abs(reg.clientIdIssuedAt! - Date.now() / 1000) < 5);
  assert.equal(reg.clientSecretExpiresAt! - reg.clientIdIssuedAt!, 90 * 24 * 3600);
  emu.sso.expire('client');
  const f = await failure(oidcOf(emu).send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'refresh_token', refreshToken: 'x' })));
  assert.equal(f.name, 'InvalidClientException');
  assert.equal(f.status, 401);
  const wrong = await failure(oidcOf(emu).send(new CreateTokenCommand({ clientId, clientSecret: 'nope', grantType: 'refresh_token', refreshToken: 'x' })));
  assert.equal(wrong.name, 'InvalidClientException');
});

test('PKCE: the redirect carries code and state; the verifier, redirect URI and single use are enforced', async (t) => {
  const emu = await emulator(t);
  const c = await pkceClient(emu);
  const { verifier, challenge } = verifierPair();
  const back = (await authorize(emu, c.clientId, challenge)) as URL;
  assert.equal(back.origin + back.pathname, 'http://127.0.0.1:4567/oauth/callback', 'any loopback port of the registered URI');
  assert.equal(back.searchParams.get('state'), 'st-1');
  const code = back.searchParams.get('code')!;
  const oidc = oidcOf(emu);
  const send = (over: Record<string, string>) =>
    oidc.send(new CreateTokenCommand({ ...c, grantType: 'authorization_code', code, redirectUri: 'http://127.0.0.1:4567/oauth/callback', codeVerifier: verifier, ...over }));
  assert.equal((await failure(send({ codeVerifier: verifierPair().verifier }))).name, 'InvalidGrantException', 'a wrong verifier');
  // The failed attempt used the code up, as AWS does: a fresh one for the remaining checks.
  const again = async () => ((await authorize(emu, c.clientId, challenge)) as URL).searchParams.get('code')!;
  const code2 = await again();
  assert.equal((await failure(send({ code: code2, redirectUri: 'http://127.0.0.1:9999/other' }))).name, 'InvalidGrantException', 'another redirect URI');
  const code3 = await again();
  const ok = await send({ code: code3 });
  assert.match(ok.accessToken!, /^aoa/);
  assert.match(ok.refreshToken!, /^aor/);
  assert.equal((await failure(send({ code: code3 }))).name, 'InvalidGrantException', 'a code works once');

  assert.equal((await authorize(emu, c.clientId, challenge, { code_challenge_method: 'plain' }) as URL).searchParams.get('error'), 'invalid_request');
  assert.equal(await authorize(emu, c.clientId, challenge, { redirect_uri: 'http://evil.example/cb' }), 400, 'never redirects to an unregistered URI');
  emu.sso.browser('deny');
  assert.equal(((await authorize(emu, c.clientId, challenge)) as URL).searchParams.get('error'), 'access_denied');
  emu.sso.browser('ignore');
  assert.equal(await authorize(emu, c.clientId, challenge), 200, 'a person who walks away: no redirect at all');
});

test('device authorization: pending, slow_down, access_denied, expired_token, then a token once', async (t) => {
  const emu = await emulator(t);
  emu.sso.configure({ slowDownIncrementSeconds: 1 });
  const oidc = oidcOf(emu);
  const reg = await oidc.send(new RegisterClientCommand({ clientName: 'k', clientType: 'public', scopes: ['sso:account:access'] }));
  const client = { clientId: reg.clientId!, clientSecret: reg.clientSecret! };
  const start = () => oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: emu.sso.startUrl }));
  assert.equal((await failure(oidc.send(new StartDeviceAuthorizationCommand({ ...client, startUrl: 'https://other.awsapps.com/start' })))).name, 'InvalidRequestException');

  const dev = await start();
  assert.equal(dev.interval, 1);
  assert.match(dev.verificationUriComplete!, new RegExp(`user_code=${dev.userCode}$`));
  const poll = (deviceCode = dev.deviceCode!) => oidc.send(new CreateTokenCommand({ ...client, grantType: DEVICE, deviceCode }));
  assert.equal((await failure(poll())).name, 'AuthorizationPendingException');
  assert.equal((await failure(poll())).name, 'SlowDownException', 'polled again at once');
  await new Promise((r) => setTimeout(r, 2100));
  assert.equal((await failure(poll())).name, 'AuthorizationPendingException', 'the longer interval was honoured');
  emu.sso.decideDevice(dev.userCode!, 'approve');
  await new Promise((r) => setTimeout(r, 2100));
  const tok = await poll();
  assert.match(tok.accessToken!, /^aoa/);
  await new Promise((r) => setTimeout(r, 2100));
  assert.equal((await failure(poll())).name, 'InvalidGrantException', 'a device code works once');

  const denied = await start();
  emu.sso.decideDevice(denied.userCode!, 'deny');
  assert.equal((await failure(poll(denied.deviceCode!))).name, 'AccessDeniedException');
  const late = await start();
  emu.sso.expire('device');
  assert.equal((await failure(poll(late.deviceCode!))).name, 'ExpiredTokenException');
});

test('refresh tokens rotate: the old refresh and access tokens stop working', async (t) => {
  const emu = await emulator(t);
  const { clientId, clientSecret, token } = await pkceToken(emu);
  const oidc = oidcOf(emu);
  const refreshed = await oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'refresh_token', refreshToken: token.refreshToken! }));
  assert.notEqual(refreshed.refreshToken, token.refreshToken);
  assert.equal((await failure(oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'refresh_token', refreshToken: token.refreshToken! })))).name, 'InvalidGrantException');
  const portal = portalOf(emu);
  assert.equal((await failure(portal.send(new ListAccountsCommand({ accessToken: token.accessToken! })))).name, 'UnauthorizedException');
  assert.equal((await portal.send(new ListAccountsCommand({ accessToken: refreshed.accessToken! }))).accountList?.length, 1);
  emu.sso.revokeRefreshTokens();
  assert.equal((await failure(oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'refresh_token', refreshToken: refreshed.refreshToken! })))).name, 'InvalidGrantException');
});

test('a legacy registration without scopes gets no refresh token', async (t) => {
  const emu = await emulator(t);
  const oidc = oidcOf(emu);
  const reg = await oidc.send(new RegisterClientCommand({ clientName: 'legacy', clientType: 'public' }));
  const dev = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl: emu.sso.startUrl }));
  emu.sso.decideDevice(dev.userCode!, 'approve');
  const tok = await oidc.send(new CreateTokenCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, grantType: DEVICE, deviceCode: dev.deviceCode }));
  assert.ok(tok.accessToken);
  assert.equal(tok.refreshToken, undefined);
});

test('the portal checks the token on every call; role credentials are STS sessions of the emulator', async (t) => {
  const emu = await emulator(t);
  emu.sso.assign('dana', { accountId: ACCOUNT, accountName: 'dev', roleName: 'ReadOnly' });
  emu.sso.assign('dana', { accountId: '333333333333', accountName: 'prod', roleName: 'ReadOnly' });
  emu.sso.configure({ pageSize: 1 });
  const { token } = await pkceToken(emu);
  const accessToken = token.accessToken!;
  const portal = portalOf(emu);

  assert.equal((await failure(portal.send(new GetRoleCredentialsCommand({ accessToken: 'aoa-forged', accountId: ACCOUNT, roleName: 'Admin' })))).name, 'UnauthorizedException');
  const denied = await failure(portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: ACCOUNT, roleName: 'Billing' })));
  assert.equal(denied.name, 'ForbiddenException');
  assert.equal(denied.status, 403);

  const out = await portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: ACCOUNT, roleName: 'Admin' }));
  const rc = out.roleCredentials!;
  assert.ok(Math.abs(rc.expiration! - (Date.now() + 3600_000)) < 5000, 'expiration is epoch ms');
  const creds = { accessKeyId: rc.accessKeyId!, secretAccessKey: rc.secretAccessKey!, sessionToken: rc.sessionToken! };
  const sts = new STSClient({ region: 'eu-west-1', endpoint: emu.url, credentials: creds, maxAttempts: 1 });
  const who = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${emu.sso.roleArn(ACCOUNT, 'Admin').split('/')[1]}/dana`);
  const target = emu.createRole({ name: 'Deploy', account: ACCOUNT, trustedPrincipals: [emu.sso.roleArn(ACCOUNT, 'Admin')] });
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: target.arn, RoleSessionName: 'deploy' }));
  assert.ok(assumed.Credentials?.SessionToken);
  const capped = await failure(sts.send(new AssumeRoleCommand({ RoleArn: target.arn, RoleSessionName: 'deploy', DurationSeconds: 7200 })));
  assert.equal(capped.name, 'ValidationError', 'assuming from SSO role credentials is role chaining');

  const first = await portal.send(new ListAccountsCommand({ accessToken }));
  assert.equal(first.accountList?.length, 1);
  assert.ok(first.nextToken);
  const second = await portal.send(new ListAccountsCommand({ accessToken, nextToken: first.nextToken }));
  assert.equal(second.accountList?.[0].accountName, 'prod');
  assert.equal(second.nextToken, undefined);
  assert.equal((await failure(portal.send(new ListAccountRolesCommand({ accessToken, accountId: ACCOUNT, nextToken: first.nextToken })))).name, 'InvalidRequestException', 'a page token of another listing');
  const roles = await portal.send(new ListAccountRolesCommand({ accessToken, accountId: ACCOUNT }));
  const more = await portal.send(new ListAccountRolesCommand({ accessToken, accountId: ACCOUNT, nextToken: roles.nextToken }));
  assert.deepEqual([...roles.roleList!, ...more.roleList!].map((r) => r.roleName), ['Admin', 'ReadOnly']);

  emu.inject({ kind: 'throttle', action: 'GetRoleCredentials' });
  const throttled = await failure(portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: ACCOUNT, roleName: 'Admin' })));
  assert.equal(throttled.status, 429);
  emu.inject({ kind: 'server-error', action: 'ListAccounts' });
  assert.equal((await failure(portal.send(new ListAccountsCommand({ accessToken })))).status, 500);

  await portal.send(new LogoutCommand({ accessToken }));
  assert.equal((await failure(portal.send(new ListAccountsCommand({ accessToken })))).name, 'UnauthorizedException', 'logged out');
  emu.clock.advance(0);
  assert.ok(emu.issuedSecrets().includes(accessToken), 'tokens count as issued secrets for the on-disk checks');
});
