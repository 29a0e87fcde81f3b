import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  AssumeRoleCommand,
  Credentials,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, GetUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { Emulator, signRequest, startEmulator, totp } from '../emulator';

/**
 * The emulator is only worth something if it is strict, so these tests drive it with the real AWS
 * SDK v3 clients (and the real AWS CLI) and check that it accepts what AWS accepts and refuses what
 * AWS refuses, with AWS's error codes.
 *
 * The server runs in this process: child processes are started asynchronously (execFile/spawn),
 * never with *Sync, or the server could not answer them.
 */

const execFileAsync = promisify(execFile);

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function emulator(t: { after(fn: () => Promise<void>): void }): Promise<Emulator> {
  const emu = await startEmulator();
  t.after(() => emu.close());
  return emu;
}

function sts(emu: Emulator, credentials: Creds, region = 'us-east-1'): STSClient {
  return new STSClient({ region, endpoint: emu.url, credentials, maxAttempts: 1 });
}

function iam(emu: Emulator, credentials: Creds): IAMClient {
  return new IAMClient({ region: 'us-east-1', endpoint: emu.url, credentials, maxAttempts: 1 });
}

function creds(c: Credentials | undefined): Creds {
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

interface AwsFailure {
  name: string;
  status?: number;
  message: string;
}

/** Asserts that an SDK call fails and returns what the SDK made of the error. */
async function failure(p: Promise<unknown>): Promise<AwsFailure> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  assert.fail('expected the call to fail');
}

/** TOTP codes change every 30 s; a code read a moment ago may belong to the previous step. */
function assertCurrentCode(code: string, secretBase32: string, nowMs: number): void {
  assert.ok([totp(secretBase32, nowMs), totp(secretBase32, nowMs - 30_000)].includes(code), `code ${code} is not current`);
}

/** Expirations are whole seconds after issue; allow for the call's own time. */
function assertExpiresIn(expiration: Date | undefined, beforeMs: number, seconds: number): void {
  assert.ok(expiration);
  const delta = expiration.getTime() - beforeMs - seconds * 1000;
  assert.ok(delta > -1000 && delta < 5000, `expiration off by ${delta} ms`);
}

function roleArnOf(name: string, account = '111111111111'): string {
  return `arn:aws:iam::${account}:role/${name}`;
}

// --- SigV4 ---------------------------------------------------------------------------------------

test('a correctly signed request is accepted and identifies the IAM user', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  assert.match(alice.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
  assert.equal(alice.secretAccessKey.length, 40);
  // A region other than us-east-1 also signs fine: STS endpoints are regional.
  const out = await sts(emu, alice, 'eu-west-1').send(new GetCallerIdentityCommand({}));
  assert.equal(out.Arn, 'arn:aws:iam::111111111111:user/alice');
  assert.equal(out.Account, '111111111111');
  assert.match(out.UserId!, /^AIDA[A-Z0-9]{17}$/);
  assert.deepEqual(
    emu.calls.map((c) => [c.action, c.ok, c.principalArn]),
    [['GetCallerIdentity', true, alice.arn]],
  );
});

test('a wrong secret gives SignatureDoesNotMatch and an unknown key InvalidClientTokenId', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const wrongSecret = await failure(sts(emu, { ...alice, secretAccessKey: alice.secretAccessKey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }).send(new GetCallerIdentityCommand({})));
  assert.equal(wrongSecret.name, 'SignatureDoesNotMatch');
  assert.equal(wrongSecret.status, 403);

  const unknown = await failure(sts(emu, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: alice.secretAccessKey }).send(new GetCallerIdentityCommand({})));
  assert.equal(unknown.name, 'InvalidClientTokenId');
  assert.equal(unknown.message, 'The security token included in the request is invalid.');
  assert.equal(emu.count('GetCallerIdentity', false), 2);
});

test('a request signed more than 15 minutes from wall time is refused as expired', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const skewed = new STSClient({ region: 'us-east-1', endpoint: emu.url, credentials: alice, maxAttempts: 1, systemClockOffset: -16 * 60 * 1000 });
  const err = await failure(skewed.send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, 'SignatureDoesNotMatch');
  assert.match(err.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
  // Moving the emulator's credential clock must not matter: signing time is checked against wall time.
  emu.clock.advance(60 * 60 * 1000);
  await sts(emu, alice).send(new GetCallerIdentityCommand({}));
});

test('a tampered body, a wrong service scope and an unsigned request are all refused', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

  const signed = signRequest({ method: 'POST', url: emu.url + '/', body, headers, credentials: alice, service: 'sts' });
  const tampered = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: body + '&Extra=1' });
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

  const ec2 = signRequest({ method: 'POST', url: emu.url + '/', body, headers, credentials: alice, service: 'ec2' });
  const wrongService = await fetch(ec2.url, { method: 'POST', headers: ec2.headers, body });
  assert.equal(wrongService.status, 403);
  assert.match(await wrongService.text(), /Credential should be scoped to correct service/);

  const unsigned = await fetch(emu.url + '/', { method: 'POST', headers, body });
  assert.equal(unsigned.status, 403);
  assert.match(await unsigned.text(), /<Code>MissingAuthenticationToken<\/Code>/);

  const ok = await fetch(signed.url, { method: 'POST', headers: signed.headers, body });
  assert.equal(ok.status, 200);
});

test('GET with a signed query string and a presigned URL are accepted', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const get = signRequest({ method: 'GET', url: `${emu.url}/?Action=GetCallerIdentity&Version=2011-06-15`, credentials: alice, service: 'sts' });
  const res = await fetch(get.url, { headers: get.headers });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<Arn>arn:aws:iam::111111111111:user\/alice<\/Arn>/);

  const presigned = signRequest({
    method: 'GET',
    url: `${emu.url}/?Action=GetCallerIdentity&Version=2011-06-15`,
    credentials: alice,
    service: 'sts',
    presignExpiresSeconds: 60,
  });
  const res2 = await fetch(presigned.url);
  assert.equal(res2.status, 200);
  // Changing a signed query parameter breaks the signature.
  const res3 = await fetch(presigned.url.replace('Version=2011-06-15', 'Version=2011-06-16'));
  assert.equal(res3.status, 403);
});

test('responses have the real awsQuery XML shapes and headers', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const body = 'Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900';
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const signed = signRequest({ method: 'POST', url: emu.url + '/', body, headers, credentials: alice, service: 'sts' });
  const res = await fetch(signed.url, { method: 'POST', headers: signed.headers, body });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(res.headers.get('date'));
  const xml = await res.text();
  assert.match(
    xml,
    /^<GetSessionTokenResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetSessionTokenResult><Credentials><AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId><SecretAccessKey>[A-Za-z0-9+/]{40}<\/SecretAccessKey><SessionToken>[A-Za-z0-9+/=]{200,}<\/SessionToken><Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration><\/Credentials><\/GetSessionTokenResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetSessionTokenResponse>$/,
  );

  const badBody = 'Action=NoSuchThing&Version=2011-06-15';
  const bad = signRequest({ method: 'POST', url: emu.url + '/', body: badBody, headers, credentials: alice, service: 'sts' });
  const res2 = await fetch(bad.url, { method: 'POST', headers: bad.headers, body: badBody });
  assert.equal(res2.status, 400);
  assert.match(
    await res2.text(),
    /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation NoSuchThing for version 2011-06-15<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
  );
});

// --- GetSessionToken and MFA ------------------------------------------------------------------------

test('GetSessionToken with MFA returns session credentials that need their token', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const mfa = emu.enableMfa('alice');
  assert.equal(mfa.serial, 'arn:aws:iam::111111111111:mfa/alice');
  assertCurrentCode(mfa.code(), mfa.secretBase32, emu.clock.now());

  const before = emu.clock.now();
  const out = await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code(), DurationSeconds: 3600 }));
  const session = creds(out.Credentials);
  assert.match(session.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assertExpiresIn(out.Credentials!.Expiration, before, 3600);

  const who = await sts(emu, session).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, alice.arn);

  const noToken = await failure(sts(emu, { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new GetCallerIdentityCommand({})));
  assert.equal(noToken.name, 'InvalidClientTokenId');
  const wrongToken = await failure(sts(emu, { ...session, sessionToken: session.sessionToken!.slice(0, -4) + 'AAAA' }).send(new GetCallerIdentityCommand({})));
  assert.equal(wrongToken.name, 'InvalidClientTokenId');

  // Session credentials cannot make another session.
  const again = await failure(sts(emu, session).send(new GetSessionTokenCommand({})));
  assert.equal(again.name, 'AccessDenied');
  assert.equal(again.message, 'Cannot call GetSessionToken with session credentials');
});

test('a reused MFA code is refused and recorded as reused; a wrong or foreign code is refused', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  emu.createUser('bob');
  const mfa = emu.enableMfa('alice');
  const bobMfa = emu.enableMfa('bob');
  const code = mfa.code();
  await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: code }));

  const reused = await failure(sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: code })));
  assert.equal(reused.name, 'AccessDenied');
  assert.equal(reused.message, 'MultiFactorAuthentication failed with invalid MFA one time pass code.');
  const last = emu.calls[emu.calls.length - 1];
  assert.equal(last.errorCode, 'AccessDenied');
  assert.equal(last.mfaCodeReused, true);

  // A code ten steps away is not within the ±1 step window.
  const wrong = await failure(sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code(emu.clock.now() + 300_000) })));
  assert.equal(wrong.name, 'AccessDenied');
  assert.equal(emu.calls[emu.calls.length - 1].reason, 'mfa-code-invalid');
  assert.equal(emu.calls[emu.calls.length - 1].mfaCodeReused, undefined);

  // Bob's device cannot authenticate Alice.
  const foreign = await failure(sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: bobMfa.serial, TokenCode: bobMfa.code() })));
  assert.equal(foreign.name, 'AccessDenied');

  // Malformed codes fail model validation, as in AWS.
  const malformed = await failure(sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: '12345' })));
  assert.equal(malformed.name, 'ValidationError');
  assert.equal(malformed.status, 400);

  // The next step's code is fresh and works once the clock moves on.
  emu.clock.advance(30_000);
  await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code() }));
});

test('GetSessionToken enforces its DurationSeconds range', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  for (const DurationSeconds of [899, 129601]) {
    const err = await failure(sts(emu, alice).send(new GetSessionTokenCommand({ DurationSeconds })));
    assert.equal(err.name, 'ValidationError');
    assert.equal(err.status, 400);
  }
  const before = emu.clock.now();
  const out = await sts(emu, alice).send(new GetSessionTokenCommand({}));
  assertExpiresIn(out.Credentials!.Expiration, before, 43200); // the default is 12 hours
});

test('session credentials expire on the emulator clock', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const out = await sts(emu, alice).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
  const session = creds(out.Credentials);
  await sts(emu, session).send(new GetCallerIdentityCommand({}));
  emu.clock.advance(901_000);
  const err = await failure(sts(emu, session).send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, 'ExpiredToken');
  assert.equal(err.status, 403);
  assert.equal(err.message, 'The security token included in the request is expired');
});

test('sessions ended early: expired ones answer ExpiredToken, revoked ones InvalidClientTokenId, others live on', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const bob = emu.createUser('bob');
  const aliceSession = creds((await sts(emu, alice).send(new GetSessionTokenCommand({}))).Credentials);
  const bobSession = creds((await sts(emu, bob).send(new GetSessionTokenCommand({}))).Credentials);
  assert.equal(emu.endSessions({ userName: 'alice' }, 'expire'), 1);
  assert.equal((await failure(sts(emu, aliceSession).send(new GetCallerIdentityCommand({})))).name, 'ExpiredToken');
  await sts(emu, bobSession).send(new GetCallerIdentityCommand({}));
  const aliceAgain = creds((await sts(emu, alice).send(new GetSessionTokenCommand({}))).Credentials);
  const res = await fetch(`${emu.url}/__emulator/end-sessions?how=revoke&user=alice`, { method: 'POST' });
  assert.equal(await res.text(), '1', 'the expired one is not ended twice');
  const revoked = await failure(sts(emu, aliceAgain).send(new GetCallerIdentityCommand({})));
  assert.equal(revoked.name, 'InvalidClientTokenId');
  assert.equal(emu.calls.at(-1)?.reason, 'revoked-session');
  assert.throws(() => emu.endSessions({ userName: 'nobody' }, 'expire'), /no live session/);
  const bad = await fetch(`${emu.url}/__emulator/end-sessions?how=later&user=bob`, { method: 'POST' });
  assert.equal(bad.status, 400);
});

// --- AssumeRole -------------------------------------------------------------------------------------

test('AssumeRole honours trust, returns the assumed-role identity, and denies unknown roles', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const bob = emu.createUser('bob');
  const { arn } = emu.createRole({ name: 'dev', trustedPrincipals: [alice.arn] });
  const out = await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'alice-cli' }));
  assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::111111111111:assumed-role/dev/alice-cli');
  assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z0-9]{17}:alice-cli$/);
  const who = await sts(emu, creds(out.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, 'arn:aws:sts::111111111111:assumed-role/dev/alice-cli');

  const untrusted = await failure(sts(emu, bob).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'bob' })));
  assert.equal(untrusted.name, 'AccessDenied');
  assert.equal(untrusted.message, `User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`);

  const missing = roleArnOf('nope');
  const unknown = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: 'alice' })));
  assert.equal(unknown.message, `User: ${alice.arn} is not authorized to perform: sts:AssumeRole on resource: ${missing}`);

  const badName = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'has space' })));
  assert.equal(badName.name, 'ValidationError');
  const shortName = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'a' })));
  assert.equal(shortName.name, 'ValidationError');
});

test('an account-root trust admits any principal of that account, also across accounts', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const outsider = emu.createUser('eve', { account: '333333333333' });
  const { arn } = emu.createRole({ name: 'deploy', account: '222222222222', trustedPrincipals: ['arn:aws:iam::111111111111:root'] });
  const out = await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'x1' }));
  assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::222222222222:assumed-role/deploy/x1');
  const who = await sts(emu, creds(out.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, '222222222222');
  assert.equal((await failure(sts(emu, outsider).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'x2' })))).name, 'AccessDenied');
});

test('AssumeRole on an MFA-gated role needs an MFA session or a valid code on the call', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const mfa = emu.enableMfa('alice');
  const { arn } = emu.createRole({ name: 'admin', trustedPrincipals: [alice.arn], requireMfa: true });

  const noMfa = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 's' + 1 })));
  assert.equal(noMfa.name, 'AccessDenied');
  assert.equal(emu.calls[emu.calls.length - 1].reason, 'mfa-required');

  // A session without MFA does not help either.
  const plain = creds((await sts(emu, alice).send(new GetSessionTokenCommand({}))).Credentials);
  assert.equal((await failure(sts(emu, plain).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 's2' })))).name, 'AccessDenied');

  // A code on the call itself works once.
  const code = mfa.code();
  await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 's3', SerialNumber: mfa.serial, TokenCode: code }));
  const reused = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 's4', SerialNumber: mfa.serial, TokenCode: code })));
  assert.equal(reused.message, 'MultiFactorAuthentication failed with invalid MFA one time pass code.');
  assert.equal(emu.calls[emu.calls.length - 1].mfaCodeReused, true);

  // An MFA session assumes it with no further code, and passes MFA on to the role session.
  emu.clock.advance(30_000);
  const mfaSession = creds((await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code() }))).Credentials);
  const admin = creds((await sts(emu, mfaSession).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 's5' }))).Credentials);
  const { arn: inner } = emu.createRole({ name: 'inner', trustedPrincipals: [arn], requireMfa: true });
  const chained = await sts(emu, admin).send(new AssumeRoleCommand({ RoleArn: inner, RoleSessionName: 's6' }));
  assert.equal(chained.AssumedRoleUser?.Arn, 'arn:aws:sts::111111111111:assumed-role/inner/s6');

  // A role session owns no MFA device: a serial sent with it is refused.
  emu.clock.advance(30_000);
  const fromRole = await failure(sts(emu, admin).send(new AssumeRoleCommand({ RoleArn: inner, RoleSessionName: 's7', SerialNumber: mfa.serial, TokenCode: mfa.code() })));
  assert.equal(fromRole.name, 'AccessDenied');
});

test('AssumeRole checks the external ID', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const { arn } = emu.createRole({ name: 'vendor', trustedPrincipals: [alice.arn], externalId: 'ext-123' });
  assert.equal((await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'a1' })))).name, 'AccessDenied');
  assert.equal((await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'a2', ExternalId: 'ext-999' })))).name, 'AccessDenied');
  await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'a3', ExternalId: 'ext-123' }));
  assert.deepEqual(
    emu.calls.map((c) => c.reason ?? 'ok'),
    ['external-id-missing', 'external-id-wrong', 'ok'],
  );
});

test('AssumeRole enforces MaxSessionDuration and the 1-hour role-chaining cap', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const mfa = emu.enableMfa('alice');
  const { arn: short } = emu.createRole({ name: 'short', trustedPrincipals: [alice.arn] });
  const { arn: long } = emu.createRole({ name: 'long', trustedPrincipals: [alice.arn, short], maxSessionDuration: 43200 });

  const tooLong = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: short, RoleSessionName: 'd1', DurationSeconds: 7200 })));
  assert.equal(tooLong.name, 'ValidationError');
  assert.equal(tooLong.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

  // From the long-term key, a long role session is fine.
  const before = emu.clock.now();
  const direct = await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: long, RoleSessionName: 'd2', DurationSeconds: 28800 }));
  assertExpiresIn(direct.Credentials!.Expiration, before, 28800);

  // From a role session: chaining, capped at one hour.
  const shortSession = creds((await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: short, RoleSessionName: 'd3' }))).Credentials);
  const chain = await failure(sts(emu, shortSession).send(new AssumeRoleCommand({ RoleArn: long, RoleSessionName: 'd4', DurationSeconds: 7200 })));
  assert.equal(chain.name, 'ValidationError');
  assert.equal(chain.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  await sts(emu, shortSession).send(new AssumeRoleCommand({ RoleArn: long, RoleSessionName: 'd5', DurationSeconds: 3600 }));

  // From a GetSessionToken session: the same cap.
  const mfaSession = creds((await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code() }))).Credentials);
  const fromSession = await failure(sts(emu, mfaSession).send(new AssumeRoleCommand({ RoleArn: long, RoleSessionName: 'd6', DurationSeconds: 7200 })));
  assert.equal(fromSession.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');

  const tooShort = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: long, RoleSessionName: 'd7', DurationSeconds: 600 })));
  assert.equal(tooShort.name, 'ValidationError');
});

// --- faults -------------------------------------------------------------------------------------------

test('injected throttling, server errors and latency hit the matching action only', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const { arn } = emu.createRole({ name: 'dev', trustedPrincipals: [alice.arn] });
  emu.inject({ kind: 'throttle', action: 'AssumeRole', times: 2 });

  await sts(emu, alice).send(new GetCallerIdentityCommand({}));
  for (let i = 0; i < 2; i++) {
    const err = await failure(sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'r' + i })));
    assert.equal(err.name, 'Throttling');
    assert.equal(err.status, 400);
    assert.equal(err.message, 'Rate exceeded');
  }
  await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'r3' }));
  assert.equal(emu.count('AssumeRole'), 3);
  assert.equal(emu.count('AssumeRole', false), 2);
  assert.equal(emu.count('AssumeRole', true), 1);

  emu.inject({ kind: 'server-error' });
  const err = await failure(sts(emu, alice).send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, 'InternalFailure');
  assert.equal(err.status, 500);

  emu.inject({ kind: 'server-error', status: 503 });
  const unavailable = await failure(sts(emu, alice).send(new GetCallerIdentityCommand({})));
  assert.equal(unavailable.name, 'ServiceUnavailable');
  assert.equal(unavailable.status, 503);

  emu.inject({ kind: 'latency', latencyMs: 300, action: 'GetCallerIdentity' });
  const started = Date.now();
  await sts(emu, alice).send(new GetCallerIdentityCommand({}));
  assert.ok(Date.now() - started >= 290, 'latency applied');

  emu.inject({ kind: 'throttle', times: 5 });
  emu.clearFaults();
  await sts(emu, alice).send(new GetCallerIdentityCommand({}));

  emu.resetCalls();
  assert.equal(emu.calls.length, 0);
});

test('a badly signed request does not consume an injected fault', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  emu.inject({ kind: 'throttle' });
  assert.equal((await failure(sts(emu, { ...alice, secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})))).name, 'SignatureDoesNotMatch');
  assert.equal((await failure(sts(emu, alice).send(new GetCallerIdentityCommand({})))).name, 'Throttling');
});

// --- IAM -------------------------------------------------------------------------------------------------

test('IAM keeps at most two access keys per user, and a deleted key stops working', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const client = iam(emu, alice);
  const user = await client.send(new GetUserCommand({}));
  assert.equal(user.User?.Arn, alice.arn);

  const created = await client.send(new CreateAccessKeyCommand({}));
  const second = { accessKeyId: created.AccessKey!.AccessKeyId!, secretAccessKey: created.AccessKey!.SecretAccessKey! };
  assert.match(second.accessKeyId, /^AKIA/);
  assert.deepEqual(new Set(emu.accessKeysOf('alice')), new Set([alice.accessKeyId, second.accessKeyId]));
  const listed = await client.send(new ListAccessKeysCommand({}));
  assert.equal(listed.AccessKeyMetadata?.length, 2);

  const third = await failure(client.send(new CreateAccessKeyCommand({})));
  assert.equal(third.name, 'LimitExceededException'); // the SDK's name for Code LimitExceeded
  assert.equal(third.status, 409);
  assert.equal(third.message, 'Cannot exceed quota for AccessKeysPerUser: 2');
  assert.throws(() => emu.createAccessKey('alice'), /AccessKeysPerUser/);

  // Rotate: the new key works, the old one is deleted and fails at once.
  await iam(emu, second).send(new DeleteAccessKeyCommand({ AccessKeyId: alice.accessKeyId }));
  assert.deepEqual(emu.accessKeysOf('alice'), [second.accessKeyId]);
  assert.equal((await failure(sts(emu, alice).send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
  await sts(emu, second).send(new GetCallerIdentityCommand({}));

  const gone = await failure(iam(emu, second).send(new DeleteAccessKeyCommand({ AccessKeyId: alice.accessKeyId })));
  assert.equal(gone.name, 'NoSuchEntityException');
  assert.equal(gone.status, 404);
});

test('IAM accepts MFA sessions but not plain GetSessionToken or role sessions', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const mfa = emu.enableMfa('alice');
  const { arn } = emu.createRole({ name: 'dev', trustedPrincipals: [alice.arn] });

  const plain = creds((await sts(emu, alice).send(new GetSessionTokenCommand({}))).Credentials);
  const denied = await failure(iam(emu, plain).send(new ListAccessKeysCommand({})));
  assert.equal(denied.name, 'AccessDenied');
  assert.match(denied.message, /MFA/);

  const withMfa = creds((await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code() }))).Credentials);
  const keys = await iam(emu, withMfa).send(new ListAccessKeysCommand({}));
  assert.deepEqual(keys.AccessKeyMetadata?.map((k) => k.AccessKeyId), [alice.accessKeyId]);

  const role = creds((await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'r1' }))).Credentials);
  assert.equal((await failure(iam(emu, role).send(new GetUserCommand({})))).name, 'AccessDenied');
});

// --- GetFederationToken and console sign-in ------------------------------------------------------------------

async function signinToken(emu: Emulator, c: Creds, extra = ''): Promise<Response> {
  const session = encodeURIComponent(JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken }));
  return fetch(`${emu.signinUrl}?Action=getSigninToken&Session=${session}${extra}`);
}

test('federation: role and federated-user sessions get a sign-in token; GetSessionToken sessions do not', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const { arn } = emu.createRole({ name: 'dev', trustedPrincipals: [alice.arn] });
  const role = creds((await sts(emu, alice).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'console' }))).Credentials);

  const res = await signinToken(emu, role, '&SessionDuration=1800');
  assert.equal(res.status, 200);
  const { SigninToken } = (await res.json()) as { SigninToken: string };
  assert.ok(SigninToken.length > 100);
  assert.deepEqual(emu.verifySigninToken(SigninToken), { arn: 'arn:aws:sts::111111111111:assumed-role/dev/console' });

  const destination = 'https://console.aws.amazon.com/ec2/';
  const login = await fetch(
    `${emu.signinUrl}?Action=login&Issuer=${encodeURIComponent('https://keytray.local')}&Destination=${encodeURIComponent(destination)}&SigninToken=${encodeURIComponent(SigninToken)}`,
    { redirect: 'manual' },
  );
  assert.equal(login.status, 302);
  assert.equal(login.headers.get('location'), destination);
  const badLogin = await fetch(`${emu.signinUrl}?Action=login&Destination=${encodeURIComponent(destination)}&SigninToken=nope`, { redirect: 'manual' });
  assert.equal(badLogin.status, 400);

  // IAM user path: GetFederationToken with the long-term key, then sign in.
  const fed = await sts(emu, alice).send(new GetFederationTokenCommand({ Name: 'alice', Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' }));
  assert.equal(fed.FederatedUser?.Arn, 'arn:aws:sts::111111111111:federated-user/alice');
  const fedCreds = creds(fed.Credentials);
  const who = await sts(emu, fedCreds).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, 'arn:aws:sts::111111111111:federated-user/alice');
  assert.equal(who.UserId, '111111111111:alice');
  const fedToken = await signinToken(emu, fedCreds);
  assert.equal(fedToken.status, 200);
  // Federated users may call no STS action but GetCallerIdentity.
  assert.equal((await failure(sts(emu, fedCreds).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'f1' })))).name, 'AccessDenied');

  const gst = creds((await sts(emu, alice).send(new GetSessionTokenCommand({}))).Credentials);
  assert.equal((await signinToken(emu, gst)).status, 400);
  assert.equal((await failure(sts(emu, gst).send(new GetFederationTokenCommand({ Name: 'alice' })))).name, 'AccessDenied');
  const badPolicy = await failure(sts(emu, alice).send(new GetFederationTokenCommand({ Name: 'alice', Policy: '{nope' })));
  assert.equal(badPolicy.name, 'MalformedPolicyDocumentException');

  // Expired credentials get no token; tokens themselves expire after 15 minutes.
  emu.clock.advance(3601_000);
  assert.equal((await signinToken(emu, role)).status, 400);
  assert.equal(emu.verifySigninToken(SigninToken), null);
});

// --- control endpoints, CLI entry point, real AWS CLI ----------------------------------------------------------

test('control endpoints serve TOTP codes, calls, faults and the clock', async (t) => {
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const mfa = emu.enableMfa('alice');
  const code = await (await fetch(`${emu.url}/__emulator/totp?serial=${encodeURIComponent(mfa.serial)}`)).text();
  assertCurrentCode(code, mfa.secretBase32, emu.clock.now());
  await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: code }));
  const fresh = await (await fetch(`${emu.url}/__emulator/totp?serial=${encodeURIComponent(mfa.serial)}&unused=1`)).text();
  assert.notEqual(fresh, code);
  await sts(emu, alice).send(new GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: fresh }));

  assert.equal((await fetch(`${emu.url}/__emulator/fault`, { method: 'POST', body: JSON.stringify({ kind: 'throttle', action: 'GetCallerIdentity' }) })).status, 204);
  assert.equal((await failure(sts(emu, alice).send(new GetCallerIdentityCommand({})))).name, 'Throttling');

  const before = emu.clock.now();
  await fetch(`${emu.url}/__emulator/advance?ms=60000`, { method: 'POST' });
  assert.ok(emu.clock.now() - before >= 60_000);

  const calls = (await (await fetch(`${emu.url}/__emulator/calls`)).json()) as Array<{ action: string; ok: boolean }>;
  assert.deepEqual(
    calls.map((c) => [c.action, c.ok]),
    [
      ['GetSessionToken', true],
      ['GetSessionToken', true],
      ['GetCallerIdentity', false],
    ],
  );
  assert.equal((await fetch(`${emu.url}/__emulator/totp?serial=nope`)).status, 404);
});

test('cli.js seeds users and roles, prints them on one line, and stops on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-cli-'));
  const seedFile = path.join(dir, 'seed.json');
  fs.writeFileSync(
    seedFile,
    JSON.stringify({
      users: [{ name: 'alice', mfa: true }],
      roles: [{ name: 'admin', trustedPrincipals: ['arn:aws:iam::111111111111:user/alice'], requireMfa: true }],
    }),
  );
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'emulator', 'cli.js'), '--seed', seedFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    const info = JSON.parse(line) as {
      url: string;
      users: Array<{ userName: string; arn: string; accessKeyId: string; secretAccessKey: string; mfa?: { serial: string; secretBase32: string } }>;
      roles: Array<{ arn: string }>;
    };
    const [alice] = info.users;
    assert.equal(alice.arn, 'arn:aws:iam::111111111111:user/alice');
    assert.ok(alice.mfa);
    // An out-of-process actor fetches the code from the control endpoint, as an mfa_process script would.
    const code = await (await fetch(`${info.url}/__emulator/totp?serial=${encodeURIComponent(alice.mfa.serial)}`)).text();
    assertCurrentCode(code, alice.mfa.secretBase32, Date.now());
    const client = new STSClient({ region: 'us-east-1', endpoint: info.url, credentials: alice, maxAttempts: 1 });
    const out = await client.send(new AssumeRoleCommand({ RoleArn: info.roles[0].arn, RoleSessionName: 'cli', SerialNumber: alice.mfa.serial, TokenCode: code }));
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::111111111111:assumed-role/admin/cli');
    client.destroy();
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the real AWS CLI v2 signs requests the emulator accepts', async (t) => {
  if (!fs.existsSync('/usr/bin/aws')) {
    t.skip('skipped: /usr/bin/aws is not installed');
    console.log('# skipped the AWS CLI test: /usr/bin/aws is not installed');
    return;
  }
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-awscli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = path.join(dir, 'config');
  const credentials = path.join(dir, 'credentials');
  fs.writeFileSync(config, '');
  fs.writeFileSync(credentials, '');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    AWS_ACCESS_KEY_ID: alice.accessKeyId,
    AWS_SECRET_ACCESS_KEY: alice.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_PAGER: '',
  };
  const { stdout } = await execFileAsync('/usr/bin/aws', ['sts', 'get-caller-identity', '--endpoint-url', emu.url, '--output', 'json'], { env });
  assert.equal(JSON.parse(stdout).Arn, alice.arn);

  // And the CLI surfaces the emulator's errors as AWS errors.
  const bad = await execFileAsync('/usr/bin/aws', ['sts', 'get-caller-identity', '--endpoint-url', emu.url], {
    env: { ...env, AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) },
  }).then(
    () => assert.fail('expected the CLI to fail'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(bad.code, 254);
  assert.match(bad.stderr, /SignatureDoesNotMatch/);
});

test('boto3 signs requests the emulator accepts', async (t) => {
  const python = '/usr/bin/python3';
  const probe = fs.existsSync(python) ? await execFileAsync(python, ['-c', 'import boto3']).then(() => true, () => false) : false;
  if (!probe) {
    t.skip('skipped: /usr/bin/python3 with boto3 is not available');
    console.log('# skipped the boto3 test: /usr/bin/python3 with boto3 is not available');
    return;
  }
  const emu = await emulator(t);
  const alice = emu.createUser('alice');
  const mfa = emu.enableMfa('alice');
  // Secrets travel in the environment, never in argv.
  const script = [
    'import boto3, json, os',
    "kw = dict(endpoint_url=os.environ['EMU_URL'], region_name='eu-central-1', aws_access_key_id=os.environ['KEY_ID'], aws_secret_access_key=os.environ['SECRET'])",
    "sts = boto3.client('sts', **kw)",
    "s = sts.get_session_token(SerialNumber=os.environ['SERIAL'], TokenCode=os.environ['CODE'])['Credentials']",
    "iam = boto3.client('iam', **dict(kw, region_name='us-east-1', aws_access_key_id=s['AccessKeyId'], aws_secret_access_key=s['SecretAccessKey'], aws_session_token=s['SessionToken']))",
    "print(json.dumps({'arn': iam.get_user()['User']['Arn'], 'exp': s['Expiration'].isoformat()}))",
  ].join('\n');
  const { stdout } = await execFileAsync(python, ['-c', script], {
    env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir(), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', EMU_URL: emu.url, KEY_ID: alice.accessKeyId, SECRET: alice.secretAccessKey, SERIAL: mfa.serial, CODE: mfa.code() },
  });
  const out = JSON.parse(stdout) as { arn: string; exp: string };
  assert.equal(out.arn, alice.arn);
  assert.match(out.exp, /\+00:00$/);
});
