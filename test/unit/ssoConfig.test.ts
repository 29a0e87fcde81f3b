import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsConfig } from '../../electron/core/config/awsConfig';
import { applySetup, undoSetup } from '../../electron/core/config/profileSetup';
import { KeytrayError } from '../../electron/core/errors';
import { ssoRoleTarget, ssoSessionForCommand } from '../../electron/core/sso/ssoConfig';
import { applyPopulate, planPopulate, profileNameFor } from '../../electron/core/sso/ssoPopulate';

/** IAM Identity Center settings as the AWS CLI reads them, and populate's plan, with no network. */

const FILE = '/home/u/.aws/config';
const SESSION = `[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n`;

const config = (text: string) => AwsConfig.fromText(text, FILE);
const sso = (c: AwsConfig, name: string) => {
  const p = c.profile(name);
  assert.equal(p.kind, 'sso');
  return p as Extract<ReturnType<AwsConfig['profile']>, { kind: 'sso' }>;
};
const lineOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KeytrayError);
    return e.toLine();
  }
  throw new Error('expected a failure');
};

test('an sso-session profile, also once setup renamed its keys', () => {
  const text = `${SESSION}\n[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n`;
  const target = ssoRoleTarget(config(text), sso(config(text), 'dev'));
  assert.deepEqual(target, {
    profile: 'dev',
    accountId: '123456789012',
    roleName: 'Admin',
    session: { key: 'corp', name: 'corp', startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', scopes: ['sso:account:access'], loginCommand: 'keytray sso login corp' },
  });
  const c = config(text);
  applySetup(c.document, 'dev', '/usr/local/bin/keytray credential-process dev');
  assert.match(c.document.toString(), /\[profile dev\]\nkeytray_sso_session = corp\nkeytray_sso_account_id = 123456789012\nkeytray_sso_role_name = Admin\ncredential_process = /);
  assert.deepEqual(ssoRoleTarget(c, sso(c, 'dev')), target, 'Keytray reads the keytray_ keys');
  undoSetup(c.document, 'dev', '/usr/local/bin/keytray credential-process dev');
  assert.equal(c.document.toString(), text, 'undo gives back every byte');
});

test('the legacy form: start URL and region on the profile, no scopes, keyed by the URL', () => {
  const c = config(`[profile old]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\n`);
  const { session } = ssoRoleTarget(c, sso(c, 'old'));
  assert.match(session.key, /^legacy-[0-9a-f]{16}$/);
  assert.deepEqual(session.scopes, []);
  assert.equal(session.loginCommand, 'keytray sso login --profile old');
  assert.equal(session.name, undefined);
});

test('each config mistake is one line naming the file, the line and the fix', () => {
  const mismatch = config(`${SESSION}\n[profile dev]\nsso_session = corp\nsso_start_url = https://other.awsapps.com/start\nsso_account_id = 123456789012\nsso_role_name = Admin\n`);
  assert.equal(
    lineOf(() => ssoRoleTarget(mismatch, sso(mismatch, 'dev'))),
    'Profile "dev" has sso_start_url = https://other.awsapps.com/start, but [sso-session corp] has https://corp.awsapps.com/start. Remove sso_start_url from the profile; the sso-session section is what counts.',
  );
  const noRole = config(`${SESSION}\n[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n`);
  assert.equal(
    lineOf(() => ssoRoleTarget(noRole, sso(noRole, 'dev'))),
    `Profile "dev" in ${FILE} (line 6) has no sso_role_name. Add the account and permission set it should use, or run \`keytray sso populate corp\` to write a profile per assignment.`,
  );
  const shortId = config(`${SESSION}\n[profile dev]\nsso_session = corp\nsso_account_id = 12345\nsso_role_name = Admin\n`);
  assert.match(lineOf(() => ssoRoleTarget(shortId, sso(shortId, 'dev'))), /sso_account_id = 12345, which is not a 12-digit account ID/);
});

test('sso login picks the only session, or asks which one', () => {
  assert.equal(ssoSessionForCommand(config(SESSION), {}).name, 'corp');
  const two = config(`${SESSION}\n[sso-session other]\nsso_start_url = https://o.awsapps.com/start\nsso_region = us-east-1\n`);
  assert.equal(lineOf(() => ssoSessionForCommand(two, {})), 'Name the sso-session to use. One of: corp, other.');
  assert.equal(lineOf(() => ssoSessionForCommand(config(''), {})), `There is no [sso-session NAME] section in ${FILE}. Add one with sso_start_url and sso_region, as \`aws configure sso\` writes it.`);
  const user = config(`[profile alice]\nregion = eu-west-1\n`);
  assert.match(lineOf(() => ssoSessionForCommand(user, { profile: 'alice' })), /^Profile "alice" is not an IAM Identity Center profile\./);
});

test('populate: one profile per assignment, recognised by account and role whatever its name', () => {
  const c = config(`${SESSION}\n[profile mine]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n[profile prod-Admin]\nregion = eu-west-1\n\n[profile stale]\nsso_session = corp\nsso_account_id = 333333333333\nsso_role_name = Old\n`);
  const session = ssoSessionForCommand(c, { session: 'corp' });
  const plan = planPopulate(
    c,
    session,
    [
      { accountId: '111111111111', accountName: 'dev', roleName: 'Admin' },
      { accountId: '222222222222', accountName: 'prod', roleName: 'Admin' },
      { accountId: '222222222222', accountName: 'My Prod (EU)', roleName: 'ReadOnly' },
    ],
    '',
  );
  assert.deepEqual(plan.kept.map((k) => k.profile), ['mine']);
  assert.deepEqual(plan.nameTaken.map((k) => k.profile), ['prod-Admin'], 'an unrelated profile keeps its name');
  assert.deepEqual(plan.add.map((k) => k.profile), ['My-Prod-EU-ReadOnly']);
  assert.deepEqual(plan.gone, [{ profile: 'stale', accountId: '333333333333', roleName: 'Old' }]);
  const before = c.document.toString();
  assert.equal(applyPopulate(c, session, plan, { prune: false, launcher: '/usr/local/bin/keytray' }), true);
  assert.ok(c.document.toString().startsWith(before));
  assert.ok(c.document.toString().includes('[profile stale]'), 'kept without --prune');
  assert.equal(profileNameFor('team-', { accountId: '1', accountName: '', roleName: 'R' }), 'team-1-R');
  assert.equal(lineOf(() => planPopulate(c, session, [], '-x')), '--prefix "-x" cannot start a profile name. Use letters, digits and _ . @ + = , - only.');
});
