import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsConfig } from '../../electron/core/config/awsConfig';
import { KeytrayError } from '../../electron/core/errors';
import type { StoredKey } from '../../electron/core/keychain/vaultStore';
import type { IamAccessKeys } from '../../electron/core/rotate/iamAccessKeys';
import { keyAgeDays, rotateAccessKey, type KeyRotationDeps } from '../../electron/core/rotate/keyRotation';
import type { RequestContext } from '../../electron/core/sessions/sessionEngine';
import type { StsGateway } from '../../electron/core/sts/stsGateway';
import type { AwsCredentials } from '../../electron/core/types';

/**
 * Key rotation against small fakes of IAM, STS and the keychain that record what happened, so each
 * failure point can be hit exactly. The emulator-backed tests in test/integration/rotate*.test.ts
 * cover the same flow end to end.
 */

const OLD = { accessKeyId: 'AKIAOLDOLDOLDOLD1111', secretAccessKey: 'old-secret-0000000000000000000000000000', storedAt: 0 };
const MFA_SESSION = { accessKeyId: 'ASIAMFAMFAMFAMFA2222', secretAccessKey: 'mfa-secret', sessionToken: 'mfa-token', expiration: 9e12 };
const ctx: RequestContext = { mfa: async () => '123456' };

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

interface World {
  deps: KeyRotationDeps;
  keychain: Map<string, StoredKey>;
  /** Keys that exist at AWS. */
  awsKeys: Map<string, string>;
  log: string[];
  iamCallers: string[];
  slept: number[];
  fail: Partial<Record<'create' | 'delete-old' | 'delete-new' | 'verify' | 'store', Error>>;
  /** GetCallerIdentity answers InvalidClientTokenId this many times before the new key works. */
  propagationFailures: number;
}

function world(configText: string, profile = 'alice'): World {
  const w: World = {
    keychain: new Map([[profile, { ...OLD }]]),
    awsKeys: new Map([[OLD.accessKeyId, OLD.secretAccessKey]]),
    log: [],
    iamCallers: [],
    slept: [],
    fail: {},
    propagationFailures: 0,
    deps: undefined as unknown as KeyRotationDeps,
  };
  let n = 0;
  const iam: IamAccessKeys = {
    async createAccessKey(c: AwsCredentials) {
      w.log.push('CreateAccessKey');
      w.iamCallers.push(c.accessKeyId);
      if (w.fail.create) throw w.fail.create;
      if (w.awsKeys.size >= 2) throw awsError('LimitExceeded', 409);
      const key = { accessKeyId: `AKIANEWNEWNEWNEW${String(++n).padStart(4, '0')}`, secretAccessKey: `new-secret-${n}`, userName: 'alice' };
      w.awsKeys.set(key.accessKeyId, key.secretAccessKey);
      return key;
    },
    async deleteAccessKey(c: AwsCredentials, id: string) {
      w.log.push(`DeleteAccessKey ${id.slice(-4)}`);
      w.iamCallers.push(c.accessKeyId);
      if (id === OLD.accessKeyId && w.fail['delete-old']) throw w.fail['delete-old'];
      if (id !== OLD.accessKeyId && w.fail['delete-new']) throw w.fail['delete-new'];
      if (!w.awsKeys.delete(id)) throw awsError('NoSuchEntity', 404);
    },
    async listAccessKeys() {
      return [...w.awsKeys.keys()].map((accessKeyId) => ({ accessKeyId, status: 'Active', createdAt: Date.UTC(2026, 0, 2) }));
    },
  };
  const sts = {
    async getCallerIdentity(c: AwsCredentials) {
      w.log.push('GetCallerIdentity');
      if (w.fail.verify) throw w.fail.verify;
      if (w.propagationFailures-- > 0) throw awsError('InvalidClientTokenId', 403);
      if (w.awsKeys.get(c.accessKeyId) !== c.secretAccessKey) throw awsError('InvalidClientTokenId', 403);
      return { arn: 'arn:aws:iam::111111111111:user/alice', account: '111111111111', userId: 'AIDA' };
    },
  } as unknown as StsGateway;
  w.deps = {
    store: {
      getLongTermKey: (p) => w.keychain.get(p) ?? null,
      setLongTermKey: (p, k) => {
        if (w.fail.store && k.accessKeyId !== OLD.accessKeyId) throw w.fail.store;
        w.log.push(`keychain ${k.accessKeyId.slice(-4)}`);
        w.keychain.set(p, k);
      },
    },
    engine: {
      getCredentials: async (request) => {
        w.log.push(`session ${request.profile}`);
        return { profile: request.profile, credentials: MFA_SESSION, source: 'cache', warnings: [] };
      },
    },
    loadConfig: () => AwsConfig.fromText(configText, '/tmp/config'),
    iamFor: () => iam,
    stsFor: () => sts,
    clearSessions: (p) => {
      w.log.push(`clear ${p}`);
      return [p];
    },
    clock: { now: () => 86_400_000 * 100 },
    env: {},
    sleep: async (ms) => void w.slept.push(ms),
  };
  return w;
}

const WITH_MFA = '[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\n[profile admin]\nrole_arn = arn:aws:iam::111111111111:role/Admin\nsource_profile = alice\n';
const WITHOUT_MFA = '[profile alice]\nregion = eu-west-1\n';

describe('key rotation', () => {
  test('follows the documented order and calls IAM with the MFA session when the profile has mfa_serial', async () => {
    const w = world(WITH_MFA);
    const result = await rotateAccessKey(w.deps, 'alice', ctx);
    assert.deepEqual(w.log, ['session alice', 'CreateAccessKey', 'keychain 0001', 'GetCallerIdentity', 'DeleteAccessKey 1111', 'clear alice']);
    assert.deepEqual(w.iamCallers, [MFA_SESSION.accessKeyId, MFA_SESSION.accessKeyId]);
    assert.equal(w.keychain.get('alice')!.accessKeyId, result.newAccessKeyId);
    assert.equal(w.keychain.get('alice')!.storedAt, 86_400_000 * 100, 'the age of the key starts now');
    assert.deepEqual([...w.awsKeys.keys()], [result.newAccessKeyId]);
    assert.equal(result.oldAccessKeyId, OLD.accessKeyId);
  });

  test('without mfa_serial the old key itself calls IAM', async () => {
    const w = world(WITHOUT_MFA);
    await rotateAccessKey(w.deps, 'alice', ctx);
    assert.ok(!w.log.includes('session alice'));
    assert.deepEqual(w.iamCallers, [OLD.accessKeyId, OLD.accessKeyId]);
  });

  test('waits for a new key that STS does not know yet, with growing pauses', async () => {
    const w = world(WITHOUT_MFA);
    w.propagationFailures = 3;
    await rotateAccessKey(w.deps, 'alice', ctx);
    assert.deepEqual(w.slept, [500, 1000, 2000]);
    assert.equal(w.log.filter((l) => l === 'GetCallerIdentity').length, 4);
  });

  test('a key that never starts working is deleted and the old key stays', async () => {
    const w = world(WITHOUT_MFA);
    w.propagationFailures = 1000;
    const err = await rotateAccessKey(w.deps, 'alice', ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof KeytrayError && err.code === 'rotate-incomplete');
    assert.match(err.toLine(), /did not work: AWS still did not accept it after \d+ s.*old key \*+1111 is still the profile's key/);
    assert.ok(w.slept.reduce((a, b) => a + b, 0) <= 10_000, 'bounded wait');
    assert.equal(w.keychain.get('alice')!.accessKeyId, OLD.accessKeyId);
    assert.deepEqual([...w.awsKeys.keys()], [OLD.accessKeyId]);
  });

  test('a failure during verification undoes the rotation, and says so in one line without secrets', async () => {
    const w = world(WITH_MFA);
    w.fail.verify = awsError('ServiceUnavailable', 503);
    const err = await rotateAccessKey(w.deps, 'alice', ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof KeytrayError);
    const line = err.toLine();
    assert.match(line, /Key rotation stopped: the new key \*+0001 did not work: STS is unavailable .*HTTP 503.*old key \*+1111 is still/);
    assert.match(line, /STS is unavailable for GetCallerIdentity \(HTTP 503 ServiceUnavailable after \d+ attempts\)/, 'the failing service is STS, not IAM');
    assert.match(line, /profile "alice"/);
    for (const secret of [OLD.secretAccessKey, 'new-secret-1', OLD.accessKeyId, 'AKIANEWNEWNEWNEW0001', MFA_SESSION.sessionToken]) assert.ok(!line.includes(secret));
    assert.equal(w.keychain.get('alice')!.accessKeyId, OLD.accessKeyId);
    assert.deepEqual([...w.awsKeys.keys()], [OLD.accessKeyId]);
    assert.ok(!w.log.some((l) => l.startsWith('clear')), 'sessions built on the working old key are kept');
  });

  test('a keychain that refuses the new key leaves everything as it was', async () => {
    const w = world(WITHOUT_MFA);
    w.fail.store = new KeytrayError('keychain-unavailable', 'The keychain is locked');
    const err = await rotateAccessKey(w.deps, 'alice', ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof KeytrayError);
    assert.match(err.toLine(), /keychain did not keep the new key \(The keychain is locked\)/);
    assert.deepEqual([...w.awsKeys.keys()], [OLD.accessKeyId]);
    assert.equal(w.keychain.get('alice')!.accessKeyId, OLD.accessKeyId);
  });

  test('when the new key cannot be deleted either, the message says which key to delete', async () => {
    const w = world(WITHOUT_MFA);
    w.fail.verify = awsError('InternalFailure', 500);
    w.fail['delete-new'] = awsError('InternalFailure', 500);
    const err = await rotateAccessKey(w.deps, 'alice', ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof KeytrayError);
    assert.match(err.toLine(), /could not be deleted at AWS.*Delete the key ending in 0001 of IAM user alice/);
  });

  test('a failure deleting the old key keeps the new key and says how to finish', async () => {
    const w = world(WITH_MFA);
    w.fail['delete-old'] = awsError('AccessDenied', 403);
    const err = await rotateAccessKey(w.deps, 'alice', ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof KeytrayError && err.code === 'rotate-incomplete');
    const line = err.toLine();
    assert.match(line, /now uses the new key \*+0001, but the old key \*+1111 is still active at AWS: AWS denied DeleteAccessKey/);
    assert.match(line, /Delete the key ending in 1111 of IAM user alice in the IAM console, or with `aws iam delete-access-key --user-name alice/);
    assert.ok(!line.includes(OLD.accessKeyId));
    assert.equal(w.keychain.get('alice')!.accessKeyId, 'AKIANEWNEWNEWNEW0001');
    assert.ok(w.log.includes('clear alice'));
  });

  test('an old key already deleted at AWS is not an error', async () => {
    const w = world(WITHOUT_MFA);
    w.fail['delete-old'] = awsError('NoSuchEntity', 404);
    await rotateAccessKey(w.deps, 'alice', ctx);
  });

  test('IAM throttling stops before anything changes and names IAM and its endpoint variable', async () => {
    const w = world(WITHOUT_MFA);
    w.fail.create = awsError('Throttling', 400);
    const err = await rotateAccessKey(w.deps, 'alice', ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof KeytrayError && err.code === 'sts-unavailable');
    assert.match(err.toLine(), /IAM is unavailable for CreateAccessKey \(throttling after \d+ attempts\).*AWS_ENDPOINT_URL_IAM/);
    assert.deepEqual([...w.awsKeys.keys()], [OLD.accessKeyId]);
    assert.equal(w.keychain.get('alice')!.accessKeyId, OLD.accessKeyId);
  });

  test('two keys already: the limit message names the unused key and changes nothing', async () => {
    const w = world(WITHOUT_MFA);
    w.awsKeys.set('AKIASPARESPARESPARE9', 'x');
    const err = await rotateAccessKey(w.deps, 'alice', ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof KeytrayError && err.code === 'iam-limit');
    assert.match(err.toLine(), /already has 2 access keys.*This profile uses \*+1111; delete the unused one: \*+ARE9 \(active, created 2026-01-02\).*keytray rotate alice/);
    assert.equal(w.keychain.get('alice')!.accessKeyId, OLD.accessKeyId);
  });

  test('a role profile is refused and pointed at its source', async () => {
    const w = world(WITH_MFA);
    await assert.rejects(rotateAccessKey(w.deps, 'admin', ctx), (e: unknown) => e instanceof KeytrayError && e.code === 'usage' && /keytray rotate alice/.test(e.toLine()));
  });

  test('no stored key says how to add one', async () => {
    const w = world(WITHOUT_MFA);
    w.keychain.clear();
    await assert.rejects(rotateAccessKey(w.deps, 'alice', ctx), (e: unknown) => e instanceof KeytrayError && e.code === 'no-stored-key');
  });

  test("the key's age in days, for the app's Rotate key item", () => {
    assert.equal(keyAgeDays({ storedAt: 0 }, { now: () => 86_400_000 * 93 + 5 }), 93);
    assert.equal(keyAgeDays({ storedAt: 10 }, { now: () => 0 }), 0);
  });
});
