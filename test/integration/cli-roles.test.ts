import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { awsCliAvailable, createSandbox, findSecretsOnDisk, KEYTRAY_ARGV, REPO, parseCredentialDocument, runProcess, SYSTEM_PYTHON, type Sandbox } from './harness';

/**
 * The first five minutes of a new user, end to end: a key added from the environment, a role that
 * needs MFA, a chained role with an external id, served to the real AWS CLI, boto3 and the JS SDK
 * through credential_process, env exports and exec — against the strict emulator and the real keychain.
 */
describe('keytray with a user, an MFA role and a chained role', () => {
  let sb: Sandbox;
  let alice: string, admin: string, deploy: string;
  let aliceKey: { accessKeyId: string; secretAccessKey: string };
  let mfa: { serial: string; unusedCode(): string };
  let adminArn: string, deployArn: string;
  const secretsSeen: string[] = [];

  before(async () => {
    sb = await createSandbox();
    alice = sb.name('alice');
    admin = sb.name('admin');
    deploy = sb.name('deploy');
    const user = sb.emu.createUser(alice);
    aliceKey = user;
    mfa = sb.emu.enableMfa(alice);
    adminArn = sb.emu.createRole({ name: 'Admin', trustedPrincipals: [user.arn], requireMfa: true }).arn;
    deployArn = sb.emu.createRole({ name: 'Deploy', trustedPrincipals: [adminArn], externalId: 'ext-42' }).arn;
    secretsSeen.push(user.secretAccessKey);
    sb.writeConfig(
      [
        '# My AWS config: keep this comment',
        '[default]',
        'region = us-east-1',
        '',
        `[profile ${alice}]`,
        `mfa_serial = ${mfa.serial}`,
        'region = us-east-1',
        '',
        `[profile ${admin}]`,
        `role_arn = ${adminArn}`,
        `source_profile = ${alice}`,
        `mfa_serial = ${mfa.serial}`,
        '',
        `[profile ${deploy}]`,
        `role_arn = ${deployArn}`,
        `source_profile = ${admin}`,
        'external_id = ext-42',
        '; trailing comment',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await sb.keytray(['remove', alice, '--yes']);
    for (const p of [admin, deploy]) await sb.keytray(['clear', p]);
    await sb.close();
  });

  test('add --env stores the key in the keychain and keeps the config byte for byte', async () => {
    const before = fs.readFileSync(sb.configFile, 'utf8');
    const r = await sb.keytray(['add', alice, '--env'], {
      env: { AWS_ACCESS_KEY_ID: aliceKey.accessKeyId, AWS_SECRET_ACCESS_KEY: aliceKey.secretAccessKey },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Stored access key \*+[A-Z0-9]{4} for profile/);
    assert.ok(!r.stdout.includes(aliceKey.accessKeyId), 'the full key id is masked');
    assert.equal(fs.readFileSync(sb.configFile, 'utf8'), before);

    const list = await sb.keytray(['list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as Array<{ name: string; hasKey: boolean; kind: string }>;
    assert.deepEqual(
      rows.filter((r) => [alice, admin, deploy].includes(r.name)).map((r) => [r.name, r.kind, r.hasKey]),
      [
        [alice, 'user', true],
        [admin, 'role', false],
        [deploy, 'role', false],
      ],
    );
    assert.ok(!list.stdout.includes(aliceKey.secretAccessKey));
  });

  test('add of a new profile appends its section and keeps every existing byte', async () => {
    const before = fs.readFileSync(sb.configFile, 'utf8');
    const extra = sb.name('extra');
    const extraUser = sb.emu.createUser(extra);
    secretsSeen.push(extraUser.secretAccessKey);
    const r = await sb.keytray(['add', extra, '--env'], {
      env: { AWS_ACCESS_KEY_ID: extraUser.accessKeyId, AWS_SECRET_ACCESS_KEY: extraUser.secretAccessKey },
    });
    assert.equal(r.code, 0, r.stderr);
    const afterText = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(afterText.startsWith(before), 'existing text unchanged');
    assert.match(afterText.slice(before.length), new RegExp(`\\[profile ${extra}\\]`));
    await sb.keytray(['remove', extra, '--yes']);
  });

  test('credential-process for the MFA role prints a Version 1 document valid for more than 15 minutes', async () => {
    const r = await sb.keytray(['credential-process', admin, '--mfa-code', mfa.unusedCode()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = parseCredentialDocument(r.stdout);
    assert.match(doc.AccessKeyId, /^ASIA/);
    assert.ok(doc.SessionToken);
    assert.match(doc.Expiration!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(doc.Expiration!) - Date.now() > 15 * 60 * 1000);
    secretsSeen.push(doc.SecretAccessKey, doc.SessionToken!);
    assert.equal(sb.emu.count('GetSessionToken', true), 1);
    assert.equal(sb.emu.count('AssumeRole', true), 1);
  });

  test('the real AWS CLI gets the Admin identity through credential_process with no new STS session', { skip: !awsCliAvailable() && 'no /usr/bin/aws' }, async () => {
    const setup = await sb.keytray(['setup', admin]);
    assert.equal(setup.code, 0, setup.stderr);
    const text = fs.readFileSync(sb.configFile, 'utf8');
    assert.match(text, new RegExp(`keytray_role_arn = ${adminArn.replace(/[/]/g, '\\/')}`));
    assert.match(text, /credential_process = \S*(bin\/keytray\.js|cli-binary\/keytray) credential-process /);

    const r = await sb.aws(['sts', 'get-caller-identity', '--profile', admin, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /:assumed-role\/Admin\//);
    assert.equal(sb.emu.count('AssumeRole', true), 1, 'served from the cache');
    assert.equal(sb.emu.count('GetSessionToken', true), 1);
  });

  test('the chained deploy role works with no new MFA code', async () => {
    const r = await sb.keytray(['credential-process', deploy]);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseCredentialDocument(r.stdout);
    secretsSeen.push(doc.SecretAccessKey, doc.SessionToken!);
    // AWS caps chained role sessions at one hour.
    const left = Date.parse(doc.Expiration!) - Date.now();
    assert.ok(left > 15 * 60 * 1000 && left <= 3600 * 1000 + 5000, `expiration ${doc.Expiration}`);
    assert.equal(sb.emu.count('GetSessionToken', true), 1, 'no new MFA session');
    assert.equal(sb.emu.count('AssumeRole', true), 2);
  });

  test('env --format sh, eval\'d over a stale AWS_SECURITY_TOKEN and AWS_PROFILE, gives the Admin identity', { skip: !awsCliAvailable() && 'no /usr/bin/aws' }, async () => {
    const script = `eval "$(${KEYTRAY_ARGV.map((a) => `'${a}'`).join(' ')} env ${admin} --format sh)" && /usr/bin/aws sts get-caller-identity --output json --endpoint-url "$AWS_ENDPOINT_URL"`;
    const r = await sb.run('bash', ['-c', script], {
      env: { AWS_SECURITY_TOKEN: 'stale-token', AWS_PROFILE: 'no-such-profile', AWS_DEFAULT_PROFILE: 'no-such-profile' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /:assumed-role\/Admin\//);
  });

  test('env prints every format with the session variables and the unsets', async () => {
    const sh = await sb.keytray(['env', admin, '--format', 'sh']);
    assert.equal(sh.code, 0, sh.stderr);
    for (const v of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
      assert.match(sh.stdout, new RegExp(`^export ${v}='`, 'm'));
    }
    for (const v of ['AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) assert.match(sh.stdout, new RegExp(`^unset ${v}$`, 'm'));
    const fish = await sb.keytray(['env', admin, '--format', 'fish']);
    assert.match(fish.stdout, /^set -gx AWS_SESSION_TOKEN '/m);
    const ps = await sb.keytray(['env', admin, '--format', 'powershell']);
    assert.match(ps.stdout, /^\$Env:AWS_ACCESS_KEY_ID = 'ASIA/m);
    const cmd = await sb.keytray(['env', admin, '--format', 'cmd']);
    assert.match(cmd.stdout, /^set AWS_ACCESS_KEY_ID=ASIA/m);
    const dotenv = await sb.keytray(['env', admin, '--format', 'dotenv']);
    assert.match(dotenv.stdout, /^AWS_ACCESS_KEY_ID=ASIA/m);
    const json = await sb.keytray(['env', admin, '--format', 'json']);
    assert.equal(parseCredentialDocument(json.stdout).Version, 1);
    const bad = await sb.keytray(['env', admin, '--format', 'xml']);
    assert.equal(bad.code, 2);
  });

  test('exec runs the AWS CLI as the chained role and passes the exit status through', { skip: !awsCliAvailable() && 'no /usr/bin/aws' }, async () => {
    const r = await sb.keytray(['exec', deploy, '--', '/usr/bin/aws', 'sts', 'get-caller-identity', '--output', 'json', '--endpoint-url', sb.emu.url], {
      env: { AWS_PROFILE: 'stale' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).Arn, /:assumed-role\/Deploy\//);
    const withOptions = await sb.keytray(['exec', deploy, '--region', 'eu-west-3', '--', 'sh', '-c', 'echo "$AWS_REGION $1"', 'sh', '--not-ours']);
    assert.equal(withOptions.code, 0, withOptions.stderr);
    assert.equal(withOptions.stdout.trim(), 'eu-west-3 --not-ours', 'options before -- are keytray\'s, after it the command\'s');
    const failing = await sb.keytray(['exec', deploy, '--', 'sh', '-c', 'exit 7']);
    assert.equal(failing.code, 7);
    const signalled = await sb.keytray(['exec', deploy, '--', 'sh', '-c', 'kill -TERM $$']);
    assert.equal(signalled.signal ?? signalled.code, signalled.signal ? 'SIGTERM' : 143);
  });

  test('boto3 gets the Admin identity through credential_process', { skip: !fs.existsSync(SYSTEM_PYTHON) && 'no /usr/bin/python3' }, async () => {
    const py = `import boto3,sys\ns=boto3.Session(profile_name=sys.argv[1])\nprint(s.client('sts', endpoint_url=sys.argv[2], region_name='us-east-1').get_caller_identity()['Arn'])`;
    const r = await sb.run(SYSTEM_PYTHON, ['-c', py, admin, sb.emu.url]);
    if (r.code !== 0 && /No module named 'boto3'/.test(r.stderr)) return;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /:assumed-role\/Admin\//);
  });

  test('the JS SDK fromProcess and fromIni use the credential_process line', async () => {
    const script = `
      const { fromProcess, fromIni } = require('@aws-sdk/credential-providers');
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      (async () => {
        for (const provider of [fromProcess({ profile: process.argv[1] }), fromIni({ profile: process.argv[1] })]) {
          const sts = new STSClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, credentials: provider });
          console.log((await sts.send(new GetCallerIdentityCommand({}))).Arn);
        }
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const r = await runProcess(process.execPath, ['-e', script, admin], { ...sb.env, NODE_PATH: `${REPO}/node_modules` });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /:assumed-role\/Admin\//);
  });

  test('setup --undo restores the profile exactly', async () => {
    const r = await sb.keytray(['setup', admin, '--undo']);
    assert.equal(r.code, 0, r.stderr);
    const text = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(text.includes(`[profile ${admin}]\nrole_arn = ${adminArn}\nsource_profile = ${alice}\nmfa_serial = ${mfa.serial}\n`), text);
    assert.ok(!text.includes('credential_process'));
  });

  test('clear forgets sessions, and list shows none afterwards', async () => {
    type Row = { name: string; sessionSecondsLeft: number | null };
    const listed = async () => JSON.parse((await sb.keytray(['list', '--json'])).stdout) as Row[];
    const before = await listed();
    assert.ok((before.find((p) => p.name === admin)?.sessionSecondsLeft ?? 0) > 900, 'a session to clear');
    const r = await sb.keytray(['clear']);
    assert.equal(r.code, 0, r.stderr);
    const list = await listed();
    assert.equal(list.find((p) => p.name === admin)?.sessionSecondsLeft, null);
    for (const name of [alice, admin, deploy]) assert.equal(list.find((p) => p.name === name)?.sessionSecondsLeft, null, name);
    // Gone from the keychain, not just from the listing: serving admin needs a new MFA code.
    const served = await sb.keytray(['credential-process', admin]);
    assert.equal(served.code, 1);
    assert.match(served.stderr, /MFA/);
  });

  test('no long-term or session secret is left in any file under HOME', () => {
    assert.deepEqual(findSecretsOnDisk(sb.home, secretsSeen), []);
  });
});
