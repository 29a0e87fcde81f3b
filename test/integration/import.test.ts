import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { awsCliAvailable, createSandbox, findSecretsOnDisk, parseCredentialDocument, type Sandbox } from './harness';

/** Moving plaintext keys into the keychain, as a user with years of ~/.aws/credentials would. */
describe('keytray import', () => {
  let sb: Sandbox;
  let dave: string, erin: string, frank: string;
  let daveKey: { accessKeyId: string; secretAccessKey: string };
  let frankKey: { accessKeyId: string; secretAccessKey: string };
  let erinKey: { accessKeyId: string; secretAccessKey: string };

  before(async () => {
    sb = await createSandbox();
    dave = sb.name('dave');
    erin = sb.name('erin');
    daveKey = sb.emu.createUser(dave);
    erinKey = sb.emu.createUser(erin);
    frank = sb.name('frank');
    frankKey = sb.emu.createUser(frank);
    fs.writeFileSync(
      sb.credentialsFile,
      [
        '# credentials written by hand in 2019',
        `[${dave}]`,
        `aws_access_key_id = ${daveKey.accessKeyId}`,
        `aws_secret_access_key = ${daveKey.secretAccessKey}`,
        '; keep this note about dave',
        'region = eu-west-1',
        '',
        '[temporary]',
        'aws_access_key_id = ASIAEXAMPLEEXAMPLE00',
        'aws_secret_access_key = tempsecrettempsecrettempsecret',
        'aws_session_token = tokentokentoken',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    sb.writeConfig(
      ['[default]', 'region = us-east-1', '', `[profile ${erin}]`, `aws_access_key_id = ${erinKey.accessKeyId}`, `aws_secret_access_key = ${erinKey.secretAccessKey}`, 'output = json', '', `[profile ${frank}]`, `aws_access_key_id = ${frankKey.accessKeyId}`, `aws_secret_access_key = ${frankKey.secretAccessKey}`, ''].join('\n'),
    );
  });

  after(async () => {
    for (const p of [dave, erin, frank]) await sb.keytray(['remove', p, '--yes']);
    await sb.close();
  });

  test('--remove-plaintext without --yes and without a terminal refuses and changes nothing', async () => {
    const before = fs.readFileSync(sb.credentialsFile, 'utf8');
    const r = await sb.keytray(['import', '--remove-plaintext']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--yes/);
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), before);
  });

  test('--remove-plaintext --yes moves every long-term key and keeps everything else', async () => {
    const r = await sb.keytray(['import', '--remove-plaintext', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Imported \\*+[A-Z0-9]{4} for profile "${dave}"`));
    assert.match(r.stdout, new RegExp(`Imported \\*+[A-Z0-9]{4} for profile "${erin}"`));
    assert.match(r.stdout, /Skipped temporary/);
    assert.ok(!r.stdout.includes(daveKey.secretAccessKey) && !r.stdout.includes(daveKey.accessKeyId));

    const creds = fs.readFileSync(sb.credentialsFile, 'utf8');
    assert.ok(creds.includes('# credentials written by hand in 2019'));
    assert.ok(creds.includes(`[${dave}]\n; keep this note about dave\nregion = eu-west-1\n`), creds);
    assert.ok(creds.includes('aws_session_token = tokentokentoken'), 'temporary credentials are not Keytray\'s to delete');
    const config = fs.readFileSync(sb.configFile, 'utf8');
    assert.ok(config.includes(`[profile ${erin}]\noutput = json\n`), config);
    assert.ok(config.includes(`[profile ${frank}]`), 'a profile left with no keys keeps its section');
    assert.equal(fs.statSync(sb.credentialsFile).mode & 0o777, 0o600, 'file mode kept');
    assert.deepEqual(findSecretsOnDisk(sb.home, [daveKey.secretAccessKey, erinKey.secretAccessKey, frankKey.secretAccessKey]), []);
  });

  test('the imported keys work', async () => {
    for (const p of [dave, erin, frank]) {
      const r = await sb.keytray(['credential-process', p]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(parseCredentialDocument(r.stdout).AccessKeyId, /^ASIA/);
    }
    const plain = await sb.keytray(['credential-process', dave, '--no-session']);
    const doc = parseCredentialDocument(plain.stdout);
    assert.equal(doc.AccessKeyId, daveKey.accessKeyId);
    assert.equal(doc.SessionToken, undefined);
    assert.equal(doc.Expiration, undefined);
  });

  test('the AWS CLI, reading the cleaned files, finds no plaintext key but works through keytray', { skip: !awsCliAvailable() && 'no /usr/bin/aws' }, async () => {
    const bare = await sb.aws(['sts', 'get-caller-identity', '--profile', dave]);
    assert.notEqual(bare.code, 0, 'no key left for the AWS CLI to find');
    assert.match(bare.stderr, /Unable to locate credentials/);
    const setup = await sb.keytray(['setup', erin]);
    assert.equal(setup.code, 0, setup.stderr);
    const viaKeytray = await sb.aws(['sts', 'get-caller-identity', '--profile', erin, '--output', 'json']);
    assert.equal(viaKeytray.code, 0, viaKeytray.stderr);
    assert.match(JSON.parse(viaKeytray.stdout).Arn, new RegExp(`:user/${erin}$`));
  });

  test('running import again finds nothing to do', async () => {
    const files = [sb.configFile, sb.credentialsFile].map((f) => fs.readFileSync(f, 'utf8'));
    const r = await sb.keytray(['import']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No plaintext long-term keys found|Skipped temporary/);
    assert.match(r.stdout, /^No plaintext long-term keys found in /);
    assert.doesNotMatch(r.stdout, /Imported/);
    assert.deepEqual([sb.configFile, sb.credentialsFile].map((f) => fs.readFileSync(f, 'utf8')), files, 'neither file was touched');
  });

  test('--file naming a file that does not exist is an error that names it, and changes nothing', async () => {
    const files = [sb.configFile, sb.credentialsFile].map((f) => fs.readFileSync(f, 'utf8'));
    const missing = `${sb.home}/no/such/file`;
    const r = await sb.keytray(['import', '--file', missing]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `keytray: ${missing} does not exist. Check the path given to --file, or leave --file out to read AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials).\n`,
    );
    assert.deepEqual([sb.configFile, sb.credentialsFile].map((f) => fs.readFileSync(f, 'utf8')), files);
  });

  test('a plaintext key that differs from the stored one is skipped, never stored over it, and its copy stays', async () => {
    const before = fs.readFileSync(sb.credentialsFile, 'utf8');
    // dave's section, left with its note and region by the first import, gets someone else's key.
    const stale = before.replace(`[${dave}]\n`, `[${dave}]\naws_access_key_id = ${frankKey.accessKeyId}\naws_secret_access_key = ${frankKey.secretAccessKey}\n`);
    assert.notEqual(stale, before);
    fs.writeFileSync(sb.credentialsFile, stale);
    try {
      const r = await sb.keytray(['import', '--remove-plaintext', '--yes']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        r.stdout.includes(
          `Skipped ${dave} (access key ****************${daveKey.accessKeyId.slice(-4)} is stored and ${sb.credentialsFile} holds another one, ****************${frankKey.accessKeyId.slice(-4)}; \`keytray add ${dave} --replace\` replaces it after checking it with AWS).`,
        ),
        r.stdout,
      );
      assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), stale, 'the plaintext copy was not deleted');
      const served = await sb.keytray(['credential-process', dave, '--no-session']);
      assert.equal(parseCredentialDocument(served.stdout).AccessKeyId, daveKey.accessKeyId, 'the stored key stayed');
    } finally {
      fs.writeFileSync(sb.credentialsFile, before);
    }
  });
});
