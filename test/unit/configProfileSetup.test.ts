import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsConfig } from '../../electron/core/config/awsConfig';
import { IniDocument } from '../../electron/core/config/iniDocument';
import {
  addProfileSection,
  applySetup,
  assertValidProfileName,
  listPlaintextCredentials,
  removeCredentialKeys,
  undoSetup,
} from '../../electron/core/config/profileSetup';
import { keytrayError } from './keytrayError';

const FILE = '/home/u/.aws/config';
const CREDS = '/home/u/.aws/credentials';
const COMMAND = '/usr/local/bin/keytray credential-process admin';

const ORIGINAL = `# work
[profile alice]
region = eu-west-1

# the admin role, MFA-gated
[profile admin]
role_arn = arn:aws:iam::210987654321:role/Admin   # prod
source_profile=alice
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
s3 =
  max_concurrent_requests = 10
duration_seconds = 3600
; keep this note

[profile other]
region = us-east-1
`;

const SET_UP = `# work
[profile alice]
region = eu-west-1

# the admin role, MFA-gated
[profile admin]
keytray_role_arn = arn:aws:iam::210987654321:role/Admin   # prod
keytray_source_profile=alice
region = eu-west-1
keytray_mfa_serial = arn:aws:iam::123456789012:mfa/alice
s3 =
  max_concurrent_requests = 10
keytray_duration_seconds = 3600
credential_process = ${COMMAND}
; keep this note

[profile other]
region = us-east-1
`;

describe('keytray setup', () => {
  it('renames the definition keys in place and adds credential_process after the last key', () => {
    const doc = IniDocument.parse(ORIGINAL, FILE);
    applySetup(doc, 'admin', COMMAND);
    assert.equal(doc.toString(), SET_UP);
  });

  it('leaves a profile Keytray serves that reads the same as before', () => {
    const doc = IniDocument.parse(ORIGINAL, FILE);
    const before = AwsConfig.fromText(ORIGINAL, FILE).profile('admin');
    applySetup(doc, 'admin', COMMAND);
    const after = AwsConfig.fromText(doc.toString(), FILE).profile('admin');
    assert.deepEqual({ ...after, credentialProcess: undefined, managedByKeytray: false }, { ...before, credentialProcess: undefined });
    assert.equal(after.managedByKeytray, true);
    assert.equal(after.credentialProcess, COMMAND);
  });

  it('changes nothing when run twice', () => {
    const doc = IniDocument.parse(ORIGINAL, FILE);
    applySetup(doc, 'admin', COMMAND);
    const version = doc.version;
    applySetup(doc, 'admin', COMMAND);
    assert.equal(doc.toString(), SET_UP);
    assert.equal(doc.version, version);
  });

  it('replaces an outdated Keytray command in place', () => {
    const doc = IniDocument.parse(SET_UP, FILE);
    applySetup(doc, 'admin', '/opt/keytray/keytray credential-process admin');
    assert.equal(doc.toString(), SET_UP.replace(COMMAND, '/opt/keytray/keytray credential-process admin'));
  });

  it('is undone to the original bytes', () => {
    const inputs = [
      ORIGINAL,
      ORIGINAL.replace(/\n/g, '\r\n'),
      '[default]\nrole_arn = arn:aws:iam::210987654321:role/A\nsource_profile = u', // no final newline
      '[profile admin]\n\tmfa_serial\t=\tGAHT12345678\n\n# next\n[profile u]\n',
      '[profile admin]\n',
    ];
    for (const text of inputs) {
      const name = text.startsWith('[default]') ? 'default' : 'admin';
      const doc = IniDocument.parse(text, FILE);
      applySetup(doc, name, COMMAND);
      assert.notEqual(doc.toString(), text);
      undoSetup(doc, name);
      assert.equal(doc.toString(), text, JSON.stringify(text));
    }
  });

  it('sets up [profile default] when that is the section botocore uses', () => {
    const doc = IniDocument.parse('[profile default]\nrole_arn = r\nsource_profile = u\n', FILE);
    applySetup(doc, 'default', COMMAND);
    assert.equal(doc.toString(), `[profile default]\nkeytray_role_arn = r\nkeytray_source_profile = u\ncredential_process = ${COMMAND}\n`);
  });

  it('refuses to replace another tool\'s credential_process', () => {
    const text = '[profile admin]\nrole_arn = r\ncredential_process = granted credential-process --profile admin\n';
    const doc = IniDocument.parse(text, FILE);
    const err = keytrayError(() => applySetup(doc, 'admin', COMMAND));
    assert.equal(err.code, 'config-invalid');
    assert.match(err.toLine(), /already has its own credential_process.*remove that line first/);
    assert.equal(doc.toString(), text);
  });

  it('refuses keys the AWS CLI would still read after the rename', () => {
    const mixed = IniDocument.parse('[profile admin]\nRole_Arn = r\n', FILE);
    const err = keytrayError(() => applySetup(mixed, 'admin', COMMAND));
    assert.equal(err.code, 'config-invalid');
    assert.match(err.message, /line 2: write Role_Arn in lower case \(role_arn\)/);

    const both = IniDocument.parse('[profile admin]\nrole_arn = a\nkeytray_role_arn = b\n', FILE);
    assert.match(keytrayError(() => applySetup(both, 'admin', COMMAND)).message, /has both role_arn \(line 2\) and keytray_role_arn \(line 3\)/);
    assert.equal(both.toString(), '[profile admin]\nrole_arn = a\nkeytray_role_arn = b\n');
  });

  it('reports an unknown profile with how to add it', () => {
    const err = keytrayError(() => applySetup(IniDocument.parse('[default]\n', FILE), 'ghost', COMMAND));
    assert.equal(err.code, 'unknown-profile');
    assert.match(err.toLine(), /keytray add ghost/);
  });

  it('undo keeps a credential_process that is not Keytray\'s', () => {
    const text = '[profile p]\nkeytray_role_arn = r\ncredential_process = other-tool p\n';
    const doc = IniDocument.parse(text, FILE);
    undoSetup(doc, 'p');
    assert.equal(doc.toString(), '[profile p]\nrole_arn = r\ncredential_process = other-tool p\n');
    const custom = IniDocument.parse('[profile p]\ncredential_process = /opt/kt/kt credential-process p\n', FILE);
    undoSetup(custom, 'p', '/opt/kt/kt credential-process p');
    assert.equal(custom.toString(), '[profile p]\n');
  });
});

describe('keytray add: addProfileSection', () => {
  it('appends the profile and leaves every existing byte alone', () => {
    const text = '# mine\n[default]\nregion=eu-west-1';
    const doc = IniDocument.parse(text, FILE);
    addProfileSection(doc, 'work', [['mfa_serial', 'GAHT12345678']]);
    assert.equal(doc.toString(), '# mine\n[default]\nregion=eu-west-1\n\n[profile work]\nmfa_serial=GAHT12345678');
    assert.ok(doc.toString().startsWith(text));
  });

  it('writes [default] for the default profile', () => {
    const doc = IniDocument.parse('', FILE);
    addProfileSection(doc, 'default', []);
    assert.equal(doc.toString(), '[default]\n');
  });

  it('refuses an existing profile and a bad name', () => {
    const doc = IniDocument.parse('[profile default]\n', FILE);
    assert.equal(keytrayError(() => addProfileSection(doc, 'default', [])).code, 'config-invalid');
    const err = keytrayError(() => addProfileSection(doc, 'my profile', []));
    assert.equal(err.code, 'usage', 'a bad name is the caller\'s input, so it exits 2');
    assert.match(err.message, /cannot contain spaces/);
    assert.doesNotThrow(() => assertValidProfileName('team.admin@corp+1'));
    assert.throws(() => assertValidProfileName('-x'), { code: 'usage' });
  });
});

describe('keytray import --remove-plaintext', () => {
  const credentials = `# keys
[default]
aws_access_key_id = AKIAAAAAAAAAAAAAAAAA
aws_secret_access_key = secret-default
region = eu-west-1

[alice]
AWS_ACCESS_KEY_ID = AKIABBBBBBBBBBBBBBBB
AWS_Secret_Access_Key = secret-alice
aws_security_token = legacy-token

# bob works on billing
[bob]
aws_access_key_id = AKIACCCCCCCCCCCCCCCC
aws_secret_access_key = secret-bob

[half]
aws_access_key_id = AKIADDDDDDDDDDDDDDDD
`;

  it('lists complete plaintext keys, in any letter case, with their section line', () => {
    const found = listPlaintextCredentials(IniDocument.parse(credentials, CREDS));
    assert.deepEqual(found, [
      { section: 'default', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'secret-default', line: 2 },
      { section: 'alice', accessKeyId: 'AKIABBBBBBBBBBBBBBBB', secretAccessKey: 'secret-alice', sessionToken: 'legacy-token', line: 7 },
      { section: 'bob', accessKeyId: 'AKIACCCCCCCCCCCCCCCC', secretAccessKey: 'secret-bob', line: 13 },
    ]);
  });

  it('removes the key lines, drops sections left empty, keeps commented ones and everything else', () => {
    const doc = IniDocument.parse(credentials, CREDS);
    assert.deepEqual(removeCredentialKeys(doc, 'default'), { removedKeys: ['aws_access_key_id', 'aws_secret_access_key'], removedSection: false });
    assert.deepEqual(removeCredentialKeys(doc, 'alice'), {
      removedKeys: ['AWS_ACCESS_KEY_ID', 'AWS_Secret_Access_Key', 'aws_security_token'],
      removedSection: true,
    });
    assert.deepEqual(removeCredentialKeys(doc, 'bob').removedSection, false);
    assert.equal(
      doc.toString(),
      `# keys
[default]
region = eu-west-1

# bob works on billing
[bob]

[half]
aws_access_key_id = AKIADDDDDDDDDDDDDDDD
`,
    );
    assert.equal(doc.toString().includes('secret'), false);
  });

  it('keeps an emptied config-file profile section when asked', () => {
    const doc = IniDocument.parse('[profile p]\naws_access_key_id = A\naws_secret_access_key = B\n', FILE);
    removeCredentialKeys(doc, 'profile p', { keepEmptySection: true });
    assert.equal(doc.toString(), '[profile p]\n');
  });

  it('changes nothing in a section without keys', () => {
    const doc = IniDocument.parse('[empty]\n\n[x]\nk = v\n', CREDS);
    assert.deepEqual(removeCredentialKeys(doc, 'empty'), { removedKeys: [], removedSection: false });
    assert.equal(doc.toString(), '[empty]\n\n[x]\nk = v\n');
  });
});
