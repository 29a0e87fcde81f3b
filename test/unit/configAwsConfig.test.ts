import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  AwsConfig,
  isKeytrayCredentialProcess,
  profileNameOfSection,
  resolveProfileChain,
  sectionNameFor,
} from '../../electron/core/config/awsConfig';
import { keytrayError } from './keytrayError';

const FILE = '/home/u/.aws/config';

const CONFIG = `# my profiles
[default]
region = eu-west-1

[profile alice]
mfa_serial = arn:aws:iam::123456789012:mfa/alice
mfa_process = ykman oath accounts code -s aws

[profile admin]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = alice
mfa_serial = arn:aws:iam::123456789012:mfa/alice
external_id = ext-1
role_session_name = alice-admin
duration_seconds = 3600

[profile deploy]
keytray_role_arn = arn:aws:iam::210987654321:role/Deploy
keytray_source_profile = admin
role_arn =
credential_process = /usr/local/bin/keytray credential-process deploy

[sso-session corp]
sso_region = us-east-1

[profile "quoted name"]
region = us-west-2

[services dev]
s3 =
  endpoint_url = http://localhost:4566
`;

describe('AwsConfig profiles', () => {
  const config = AwsConfig.fromText(CONFIG, FILE);

  it('lists [default] and [profile NAME] sections only, in file order', () => {
    assert.deepEqual(config.profileNames(), ['default', 'alice', 'admin', 'deploy', 'quoted name']);
    assert.ok(config.has('alice'));
    assert.ok(!config.has('corp'));
  });

  it('reads a user profile', () => {
    assert.deepEqual(config.profile('alice'), {
      name: 'alice',
      mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
      mfaProcess: 'ykman oath accounts code -s aws',
      managedByKeytray: false,
      kind: 'user',
    });
  });

  it('reads every role setting', () => {
    assert.deepEqual(config.profile('admin'), {
      name: 'admin',
      roleArn: 'arn:aws:iam::210987654321:role/Admin',
      sourceProfile: 'alice',
      mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
      externalId: 'ext-1',
      roleSessionName: 'alice-admin',
      durationSeconds: 3600,
      managedByKeytray: false,
      kind: 'role',
    });
  });

  it('prefers keytray_ keys and ignores empty values', () => {
    const deploy = config.profile('deploy');
    assert.equal(deploy.kind, 'role');
    assert.equal(deploy.roleArn, 'arn:aws:iam::210987654321:role/Deploy');
    assert.equal(deploy.sourceProfile, 'admin');
    assert.equal(deploy.managedByKeytray, true);
    const both = AwsConfig.fromText('[profile p]\nrole_arn = plain\nkeytray_role_arn = prefixed\nsource_profile = x\n', FILE);
    const p = both.profile('p');
    assert.equal(p.kind === 'role' && p.roleArn, 'prefixed');
  });

  it('knows a profile is Keytray\'s from its keytray_ keys alone', () => {
    const c = AwsConfig.fromText('[profile p]\nkeytray_mfa_serial = GAHT12345678\n', FILE);
    assert.equal(c.profile('p').managedByKeytray, true);
    assert.equal(c.profile('p').mfaSerial, 'GAHT12345678');
  });

  it('reads [DEFAULT] as configparser does: inherited by every profile, never a profile itself', () => {
    const c = AwsConfig.fromText('[DEFAULT]\nregion = eu-west-1\n[profile p]\nmfa_serial = GAHT12345678\n', FILE, {
      text: '[DEFAULT]\noutput = json\n[q]\naws_access_key_id = AKIA0000\n',
      fileName: 'credentials',
    });
    assert.deepEqual(c.profileNames(), ['p', 'q']);
    assert.equal(c.profile('p').region, 'eu-west-1');
    assert.equal(c.has('DEFAULT'), false);
  });

  it('unwraps a quoted profile name as botocore does', () => {
    assert.equal(config.profile('quoted name').region, 'us-west-2');
  });

  it('takes the later of [default] and [profile default], as botocore does', () => {
    const c = AwsConfig.fromText('[default]\nregion = a\n\n[profile default]\nregion = b\n', FILE);
    assert.deepEqual(c.profileNames(), ['default']);
    assert.equal(c.profile('default').region, 'b');
    assert.equal(c.sectionOf('default'), 'profile default');
  });

  it('says how to add an unknown profile', () => {
    const err = keytrayError(() => config.profile('nobody'));
    assert.equal(err.code, 'unknown-profile');
    assert.match(err.toLine(), /Profile "nobody" is not in \/home\/u\/\.aws\/config\./);
    assert.match(err.toLine(), /keytray add nobody/);
    assert.match(err.toLine(), /\[profile nobody\]/);
  });

  it('rejects a duration outside 900..43200, naming file, profile and line', () => {
    for (const bad of ['600', '50000', '1h', '3600.5']) {
      const c = AwsConfig.fromText(`[default]\n\n[profile slow]\nrole_arn = r\nduration_seconds = ${bad}\n`, FILE);
      const err = keytrayError(() => c.profile('slow'));
      assert.equal(err.code, 'config-invalid');
      assert.match(err.toLine(), new RegExp(`^/home/u/\\.aws/config line 5, profile "slow": duration_seconds must be .* not "${bad.replace('.', '\\.')}"`));
    }
    assert.equal(AwsConfig.fromText('[profile p]\nkeytray_duration_seconds = 43200\n', FILE).profile('p').durationSeconds, 43200);
  });
});

describe('AwsConfig with a credentials file', () => {
  it('adds credentials-only profiles as user profiles after the config ones', () => {
    const c = AwsConfig.fromText('[profile admin]\nrole_arn = r\nsource_profile = bob\n', FILE, {
      text: '[bob]\naws_access_key_id = AKIAEXAMPLE\n\n[admin]\n',
      fileName: '/home/u/.aws/credentials',
    });
    assert.deepEqual(c.profileNames(), ['admin', 'bob']);
    assert.deepEqual(c.profile('bob'), { name: 'bob', managedByKeytray: false, kind: 'user' });
    assert.deepEqual(resolveProfileChain(c, 'admin').map((p) => p.name), ['admin', 'bob']);
  });

  it('loads missing files as empty ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-config-'));
    try {
      const c = AwsConfig.load({ configFile: path.join(dir, 'config'), credentialsFile: path.join(dir, 'credentials') });
      assert.deepEqual(c.profileNames(), []);
      assert.equal(c.fingerprint.exists, false);
      assert.equal(c.credentials?.fingerprint.exists, false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('edits the file as it is on disk, through the atomic writer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-config-'));
    try {
      const file = path.join(dir, 'config');
      fs.writeFileSync(file, '# mine\n[default]\nregion = a\n');
      const stale = AwsConfig.load({ configFile: file });
      const first = AwsConfig.edit(file, (c) => {
        c.document.set('default', 'output', 'json');
        return c.profile('default').region;
      });
      assert.deepEqual(first, { result: 'a', changed: true });
      assert.equal(fs.readFileSync(file, 'utf8'), '# mine\n[default]\nregion = a\noutput = json\n');
      // A second edit starts from the file, not from a copy loaded before the first one.
      AwsConfig.edit(file, (c) => c.document.set('default', 'region', 'b'));
      assert.equal(fs.readFileSync(file, 'utf8'), '# mine\n[default]\nregion = b\noutput = json\n');
      assert.equal(stale.profile('default').region, 'a');
      assert.deepEqual(AwsConfig.edit(file, (c) => c.document.set('default', 'region', 'b')).changed, false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file and line of a malformed file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-config-'));
    try {
      const file = path.join(dir, 'config');
      fs.writeFileSync(file, '[default]\nregion = a\nthis is not ini\n');
      const err = keytrayError(() => AwsConfig.load({ configFile: file }));
      assert.equal(err.code, 'config-malformed');
      assert.ok(err.message.startsWith(`${file} line 3:`), err.message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveProfileChain', () => {
  const chainText = `[profile user]
mfa_serial = arn:aws:iam::123456789012:mfa/user

[profile hop1]
role_arn = arn:aws:iam::111111111111:role/One
source_profile = user

[profile hop2]
keytray_role_arn = arn:aws:iam::222222222222:role/Two
keytray_source_profile = hop1
source_profile = ignored-because-prefixed-wins
`;

  it('walks from the requested role down to the user profile', () => {
    const c = AwsConfig.fromText(chainText, FILE);
    assert.deepEqual(resolveProfileChain(c, 'hop2').map((p) => p.name), ['hop2', 'hop1', 'user']);
    assert.deepEqual(resolveProfileChain(c, 'user').map((p) => p.name), ['user']);
  });

  it('names the cycle', () => {
    const c = AwsConfig.fromText(
      '[profile start]\nrole_arn = r\nsource_profile = a\n\n[profile a]\nrole_arn = r\nsource_profile = b\n\n[profile b]\nrole_arn = r\nsource_profile = a\n',
      FILE,
    );
    const err = keytrayError(() => resolveProfileChain(c, 'start'));
    assert.equal(err.code, 'config-cycle');
    assert.equal(err.message, `Profile cycle: a -> b -> a in ${FILE}`);
    assert.match(err.toLine(), /source_profile/);
    const self = AwsConfig.fromText('[profile me]\nrole_arn = r\nsource_profile = me\n', FILE);
    assert.equal(keytrayError(() => resolveProfileChain(self, 'me')).message, `Profile cycle: me -> me in ${FILE}`);
  });

  it('needs a source_profile for a role and says credential_source is unsupported', () => {
    const c = AwsConfig.fromText('[default]\n\n[profile ec2]\nrole_arn = r\ncredential_source = Ec2InstanceMetadata\n', FILE);
    const err = keytrayError(() => resolveProfileChain(c, 'ec2'));
    assert.equal(err.code, 'config-invalid');
    assert.match(err.toLine(), /Profile "ec2" in \/home\/u\/\.aws\/config \(line 3\) has a role_arn but no source_profile/);
    assert.match(err.toLine(), /credential_source/);
  });

  it('names both profiles when source_profile points nowhere', () => {
    const c = AwsConfig.fromText('[profile role]\nrole_arn = r\nsource_profile = ghost\n', FILE);
    const err = keytrayError(() => resolveProfileChain(c, 'role'));
    assert.equal(err.code, 'unknown-profile');
    assert.match(err.message, /Profile "role" has source_profile "ghost", which is not in/);
    assert.match(err.toLine(), /keytray add ghost/);
  });

  it('reports the requested profile itself when it is unknown', () => {
    const err = keytrayError(() => resolveProfileChain(AwsConfig.fromText('', FILE), 'nope'));
    assert.equal(err.code, 'unknown-profile');
    assert.match(err.message, /Profile "nope" is not in/);
  });
});

describe('profile naming helpers', () => {
  it('maps profile names to section names', () => {
    assert.equal(sectionNameFor('default'), 'default');
    assert.equal(sectionNameFor('admin'), 'profile admin');
    assert.equal(sectionNameFor('admin', 'credentials'), 'admin');
  });

  it('reads section headers as botocore does', () => {
    assert.equal(profileNameOfSection('default'), 'default');
    assert.equal(profileNameOfSection('profile default'), 'default');
    assert.equal(profileNameOfSection('profile   spaced'), 'spaced');
    assert.equal(profileNameOfSection("profile 'q'"), 'q');
    assert.equal(profileNameOfSection('profile two words'), undefined);
    assert.equal(profileNameOfSection('profile'), undefined);
    assert.equal(profileNameOfSection('profilex'), undefined);
    assert.equal(profileNameOfSection(' default'), undefined);
    assert.equal(profileNameOfSection('sso-session corp'), undefined);
  });

  it('recognises Keytray\'s credential_process and not other tools\'', () => {
    assert.ok(isKeytrayCredentialProcess('/usr/local/bin/keytray credential-process admin'));
    assert.ok(isKeytrayCredentialProcess('"/Applications/Keytray.app/Contents/MacOS/Keytray" credential-process admin'));
    assert.ok(isKeytrayCredentialProcess('"C:\\Program Files\\Keytray\\Keytray.exe" credential-process admin'));
    assert.ok(isKeytrayCredentialProcess('/usr/bin/node /opt/keytray/bin/keytray.js credential-process admin'));
    assert.ok(!isKeytrayCredentialProcess('granted credential-process --profile admin'));
    assert.ok(!isKeytrayCredentialProcess('aws-vault export --format=json admin'));
    assert.ok(!isKeytrayCredentialProcess('/usr/local/bin/keytray env admin'));
    assert.ok(!isKeytrayCredentialProcess(undefined));
  });
});

describe('AwsConfig at scale', () => {
  it('parses and lists 2,000 profiles', () => {
    const parts: string[] = ['[default]\nregion = eu-west-1\n'];
    for (let i = 0; i < 2000; i++) {
      parts.push(
        `\n# team ${i}\n[profile p${i}]\nrole_arn = arn:aws:iam::123456789012:role/R${i}\nsource_profile = ${i === 0 ? 'default' : `p${i - 1}`}\nregion = us-east-1\n`,
      );
    }
    const text = parts.join('');
    const config = AwsConfig.fromText(text, FILE);
    const names = config.profileNames();
    assert.equal(names.length, 2001);
    assert.equal(names[2000], 'p1999');
    const p1234 = config.profile('p1234');
    assert.equal(p1234.kind === 'role' && p1234.roleArn, 'arn:aws:iam::123456789012:role/R1234');
    assert.equal(resolveProfileChain(config, 'p1999').length, 2001);
    assert.equal(config.document.toString(), text);
  });
});
