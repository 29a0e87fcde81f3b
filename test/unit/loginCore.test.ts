import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { StoredLoginSession } from '../../electron/core/keychain/vaultStore';
import { wireLoginProfile } from '../../electron/core/login/loginProfile';
import { describeRefreshFailure } from '../../electron/core/login/loginSessions';
import { parsePastedCode } from '../../electron/core/login/loginSignIn';
import { authorizeUrl, dpopProof, newDpopKey, principalOfIdToken, SigninRefusal, signinBaseUrl } from '../../electron/core/login/signinProtocol';

/**
 * The pure parts of `keytray login`: endpoints, the authorize URL, DPoP proofs, the pasted code,
 * the idToken, the profile it writes (every other byte kept), and the line for each refusal.
 */

test('the sign-in endpoint follows the region and partition, and the overrides as the JS SDK names them', () => {
  assert.equal(signinBaseUrl('eu-west-1', {}), 'https://eu-west-1.signin.aws.amazon.com');
  assert.equal(signinBaseUrl('cn-north-1', {}), 'https://cn-north-1.signin.amazonaws.cn');
  assert.equal(signinBaseUrl('us-gov-west-1', {}), 'https://us-gov-west-1.signin.amazonaws-us-gov.com');
  assert.equal(signinBaseUrl('eu-west-1', { AWS_ENDPOINT_URL: 'http://a:1/' }), 'http://a:1');
  assert.equal(signinBaseUrl('eu-west-1', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SIGNIN: 'http://b:2' }), 'http://b:2');
});

test('the authorize URL carries exactly the parameters AWS Sign-In takes', () => {
  const url = new URL(authorizeUrl('https://eu-west-1.signin.aws.amazon.com', { clientId: 'arn:aws:signin:::devtools/same-device', state: 's', challenge: 'c', redirectUri: 'http://127.0.0.1:5/oauth/callback' }));
  assert.equal(url.pathname, '/v1/authorize');
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    response_type: 'code',
    client_id: 'arn:aws:signin:::devtools/same-device',
    state: 's',
    code_challenge_method: 'SHA-256',
    scope: 'openid',
    redirect_uri: 'http://127.0.0.1:5/oauth/callback',
    code_challenge: 'c',
  });
});

test('a DPoP proof is an ES256 JWT over the public P-256 key with jti, htm, htu and iat', () => {
  const pem = newDpopKey();
  assert.match(pem, /^-----BEGIN EC PRIVATE KEY-----/);
  const proof = dpopProof(pem, 'POST', 'https://x/v1/token', 1_700_000_000_500);
  const [h, p, sig] = proof.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  assert.equal(header.typ, 'dpop+jwt');
  assert.equal(header.alg, 'ES256');
  assert.deepEqual(Object.keys(header.jwk).sort(), ['crv', 'kty', 'x', 'y'], 'no private part');
  assert.equal(claims.htm, 'POST');
  assert.equal(claims.htu, 'https://x/v1/token');
  assert.equal(claims.iat, 1_700_000_000);
  assert.ok(claims.jti.length >= 16);
  const key = createPublicKey({ key: header.jwk, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')));
  assert.notEqual(JSON.parse(Buffer.from(dpopProof(pem, 'POST', 'https://x/v1/token', 0).split('.')[1], 'base64url').toString()).jti, claims.jti);
});

test('the pasted code is base64 of state and code; anything else is refused', () => {
  assert.deepEqual(parsePastedCode(` ${Buffer.from('state=abc&code=xyz').toString('base64')}\n`), { state: 'abc', code: 'xyz' });
  assert.equal(parsePastedCode('not base64!'), undefined);
  assert.equal(parsePastedCode(Buffer.from('code=xyz').toString('base64')), undefined);
});

test("the principal is the idToken's sub, only when it is an IAM or STS ARN", () => {
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  assert.equal(principalOfIdToken(jwt({ sub: 'arn:aws:iam::111111111111:user/alice' })), 'arn:aws:iam::111111111111:user/alice');
  assert.equal(principalOfIdToken(jwt({ sub: 'alice' })), undefined);
  assert.equal(principalOfIdToken('garbage'), undefined);
});

function configFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-login-profile-'));
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

test('wiring a login profile renames login_session in place and keeps every other byte', () => {
  const before = '# mine\n[default]\nregion = us-east-1\n\n[profile web]  ; comment\nlogin_session = arn:aws:iam::111111111111:user/alice\nregion = eu-west-1\n\n[profile x]\noutput = json\n';
  const file = configFile(before);
  const arn = 'arn:aws:iam::111111111111:user/alice';
  const first = wireLoginProfile(file, 'web', arn, 'eu-west-1', '/opt/keytray/bin/keytray');
  assert.deepEqual(first, { created: false, changed: true });
  assert.equal(
    fs.readFileSync(file, 'utf8'),
    `# mine\n[default]\nregion = us-east-1\n\n[profile web]  ; comment\nkeytray_login_session = ${arn}\nregion = eu-west-1\ncredential_process = /opt/keytray/bin/keytray credential-process web\n\n[profile x]\noutput = json\n`,
  );
  assert.equal(wireLoginProfile(file, 'web', arn, 'eu-west-1', '/opt/keytray/bin/keytray').changed, false, 'running it again changes nothing');
  const other = wireLoginProfile(file, 'web', 'arn:aws:iam::111111111111:user/bob', 'eu-west-1', '/opt/keytray/bin/keytray');
  assert.equal(other.replacedPrincipal, arn);
});

test('a profile that is a role, or served by another tool, is not turned into a login profile', () => {
  const file = configFile('[profile r]\nrole_arn = arn:aws:iam::1:role/x\n\n[profile p]\ncredential_process = granted credential-process --profile p\n');
  const before = fs.readFileSync(file, 'utf8');
  assert.throws(() => wireLoginProfile(file, 'r', 'arn:aws:iam::111111111111:user/a', 'us-east-1', '/k/keytray'), /line 2\) has role_arn, so it is not a sign-in profile/);
  assert.throws(() => wireLoginProfile(file, 'p', 'arn:aws:iam::111111111111:user/a', 'us-east-1', '/k/keytray'), /already has its own credential_process/);
  assert.equal(fs.readFileSync(file, 'utf8'), before);
});

const stored: StoredLoginSession = {
  loginSession: 'arn:aws:iam::111111111111:user/alice',
  region: 'eu-west-1',
  clientId: 'arn:aws:signin:::devtools/same-device',
  refreshToken: 'secret-refresh-token',
  dpopKey: 'pem',
  credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't', expiration: 0 },
};

test('each refusal of a refresh is one line that says what to do, and none quotes the refresh token', () => {
  const line = (error: string, message = 'm', serverTime?: number) =>
    describeRefreshFailure(new SigninRefusal(400, 'AccessDeniedException', error, message, serverTime), 'web', stored, 'https://eu-west-1.signin.aws.amazon.com', {}, 1_000_000_000).toLine();
  assert.equal(line('TOKEN_EXPIRED'), 'The 12-hour sign-in session of profile "web" has ended. Run `keytray login web` to sign in again.');
  assert.match(line('USER_CREDENTIALS_CHANGED'), /password .* changed.*Run `keytray login web`/);
  assert.match(line('INSUFFICIENT_PERMISSIONS'), /signin:CreateOAuth2Token/);
  assert.match(line('invalid_grant'), /does not know the session of profile "web", which was signed in to eu-west-1\. .*Run `keytray login web` \(with --region for another region\)/);
  assert.match(line('INVALID_REQUEST', 'bad proof', 1_000_000_000 + 20 * 60_000), /clock is 20 min behind AWS's/);
  for (const e of ['TOKEN_EXPIRED', 'invalid_grant', 'SOMETHING_NEW']) assert.doesNotMatch(line(e), /secret-refresh-token/);
});
