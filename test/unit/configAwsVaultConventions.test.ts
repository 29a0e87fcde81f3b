import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsConfig } from '../../electron/core/config/awsConfig';
import { applyIncludeResolution, planIncludeResolution } from '../../electron/core/config/awsVaultConventions';
import { IniDocument } from '../../electron/core/config/iniDocument';

const FILE = '/home/u/.aws/config';
const ADMIN_ARN = 'arn:aws:iam::210987654321:role/Admin';

/** `keytray import` of a config that leans on aws-vault's include_profile. */
function importIncludes(text: string): string {
  const doc = IniDocument.parse(text, FILE);
  const plan = planIncludeResolution(doc);
  assert.deepEqual(plan.problems, []);
  applyIncludeResolution(doc, plan.resolutions);
  return doc.toString();
}

describe('aws-vault include_profile on import', () => {
  it('writes inherited settings as plain keys into a profile Keytray does not serve', () => {
    const text = importIncludes(`[profile base]\nrole_arn = ${ADMIN_ARN}\nsource_profile = alice\n\n[profile admin]\ninclude_profile = base\n`);
    assert.ok(text.endsWith(`[profile admin]\ninclude_profile = base\nrole_arn = ${ADMIN_ARN}\nsource_profile = alice\n`), text);
  });

  it("writes keytray_ keys into a profile served by Keytray's credential_process, so the AWS CLI keeps calling Keytray", () => {
    // `keytray setup` on a profile with no definition keys of its own adds only credential_process.
    const command = '/usr/local/bin/keytray credential-process admin';
    const text = importIncludes(
      `[profile base]\nrole_arn = ${ADMIN_ARN}\nsource_profile = alice\nregion = eu-west-1\n\n` +
        `[profile admin]\ninclude_profile = base\ncredential_process = ${command}\n`,
    );
    assert.ok(
      text.endsWith(
        `[profile admin]\ninclude_profile = base\ncredential_process = ${command}\n` +
          `region = eu-west-1\nkeytray_role_arn = ${ADMIN_ARN}\nkeytray_source_profile = alice\n`,
      ),
      text,
    );
    const admin = AwsConfig.fromText(text, FILE).profile('admin');
    assert.equal(admin.managedByKeytray, true);
    assert.equal(admin.kind === 'role' && admin.roleArn, ADMIN_ARN);
    assert.equal(admin.kind === 'role' && admin.sourceProfile, 'alice');
  });
});
