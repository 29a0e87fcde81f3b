import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsConfig } from '../../electron/core/config/awsConfig';
import { profilesOf, resolveChain } from '../../electron/core/sessions/profileChain';

const FILE = '/home/u/.aws/config';

const TEXT = `[profile alice]
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice

[profile audit]
keytray_role_arn = arn:aws:iam::333333333333:role/Audit
keytray_source_profile = admin
region = us-west-2
external_id = shared-id
`;

describe('a profile chain as one value', () => {
  test('each hop knows its profile, its source, the root user and the first region from it down', () => {
    const chain = resolveChain(AwsConfig.fromText(TEXT, FILE), 'audit');
    assert.deepEqual(profilesOf(chain).map((p) => p.name), ['audit', 'admin', 'alice']);
    assert.equal(chain.kind, 'role');
    assert.equal(chain.profile.roleArn, 'arn:aws:iam::333333333333:role/Audit');
    assert.equal(chain.profile.sourceProfile, 'admin');
    assert.equal(chain.region, 'us-west-2', "the profile's own region first");
    assert.equal(chain.root.name, 'alice');
    assert.equal(chain.source.kind, 'role');
    assert.equal(chain.source.region, 'eu-west-1', "a role without a region takes its source's");
    assert.equal(chain.source.root.name, 'alice');
  });

  test("a hop's definition covers it and every hop below, so editing a source changes the roles above it", () => {
    const before = resolveChain(AwsConfig.fromText(TEXT, FILE), 'audit');
    const after = resolveChain(AwsConfig.fromText(TEXT.replace('mfa/alice', 'mfa/alice-new'), FILE), 'audit');
    assert.notEqual(after.definition, before.definition);
    assert.equal(before.kind === 'role' && before.source.kind === 'role' && before.source.source.kind, 'user');
    const beforeAlice = resolveChain(AwsConfig.fromText(TEXT, FILE), 'alice');
    assert.ok(before.definition.endsWith(beforeAlice.definition.slice(1)), 'the root hop is the tail of every definition');
    const external = resolveChain(AwsConfig.fromText(TEXT.replace('shared-id', 'other-id'), FILE), 'admin');
    assert.equal(external.definition, resolveChain(AwsConfig.fromText(TEXT, FILE), 'admin').definition, 'a profile above is not part of it');
  });

  test('a user profile is its own root', () => {
    const chain = resolveChain(AwsConfig.fromText(TEXT, FILE), 'alice');
    assert.equal(chain.kind, 'user');
    assert.equal(chain.root, chain.profile);
    assert.equal(chain.region, 'eu-west-1');
  });
});
