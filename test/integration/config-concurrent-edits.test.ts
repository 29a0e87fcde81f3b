import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { saveProfileForm } from '../../electron/desktop/profileForms';
import { createSandbox, type Sandbox } from './harness';

/**
 * Terraform wrappers, dotfile scripts and the app's toggles edit ~/.aws/config at the same moment.
 * Every `keytray setup` that exits 0 must have its edit on disk, and none may be refused only
 * because another Keytray process wrote first.
 */
describe('concurrent keytray setup of different profiles', () => {
  const PROCESSES = 6;
  const ROUNDS = 4;
  let sb: Sandbox;
  let profiles: string[];
  let original: string;

  before(async () => {
    sb = await createSandbox();
    profiles = Array.from({ length: PROCESSES }, (_, i) => sb.name(`role${i}`));
    original = [
      '# my roles, written by hand',
      '[profile base]',
      'region = eu-west-1',
      '',
      ...profiles.flatMap((p, i) => [`[profile ${p}]`, `role_arn = arn:aws:iam::11111111111${i}:role/R${i}`, 'source_profile = base', '']),
    ].join('\n');
    sb.writeConfig(original);
  });

  after(async () => {
    await sb.close();
  });

  test("the app's form saves, in this process, interleave with CLI setups without losing either", async () => {
    const regions = ['eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-central-1'];
    for (let round = 1; round <= 3; round++) {
      const setups = Promise.all(profiles.map((p) => sb.keytray(['setup', p])));
      // While the children start and edit the file, the window's user form saves base's region
      // now and then (synchronously, under the same lock).
      for (const region of regions) {
        await new Promise((r) => setTimeout(r, 40));
        saveProfileForm(sb.configFile, 'user', false, 'base', { region });
      }
      for (const r of await setups) assert.equal(r.code, 0, r.stderr);
      const text = fs.readFileSync(sb.configFile, 'utf8');
      assert.ok(text.includes(`[profile base]\nregion = ${regions.at(-1)}\n`), text);
      for (const p of profiles) assert.match(text, new RegExp(`\\[profile ${p}\\]\\nkeytray_role_arn = .*\\nkeytray_source_profile = base\\ncredential_process = `));
      const undos = await Promise.all(profiles.map((p) => sb.keytray(['setup', '--undo', p])));
      for (const r of undos) assert.equal(r.code, 0, r.stderr);
      saveProfileForm(sb.configFile, 'user', false, 'base', { region: 'eu-west-1' });
      assert.equal(fs.readFileSync(sb.configFile, 'utf8'), original, `round ${round}: every edit undone, byte for byte`);
    }
  });

  test(`${PROCESSES} processes x ${ROUNDS} rounds of setup and undo: every edit is on disk, every exit is 0`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const setups = await Promise.all(profiles.map((p) => sb.keytray(['setup', p])));
      for (const [i, r] of setups.entries()) assert.equal(r.code, 0, `round ${round}, setup ${profiles[i]}: ${r.stderr}`);
      const wired = fs.readFileSync(sb.configFile, 'utf8');
      for (const [i, p] of profiles.entries()) {
        assert.ok(
          wired.includes(`[profile ${p}]\nkeytray_role_arn = arn:aws:iam::11111111111${i}:role/R${i}\nkeytray_source_profile = base\ncredential_process = `),
          `round ${round}: the setup of ${p} is on disk:\n${wired}`,
        );
      }

      const undos = await Promise.all(profiles.map((p) => sb.keytray(['setup', '--undo', p])));
      for (const [i, r] of undos.entries()) assert.equal(r.code, 0, `round ${round}, undo ${profiles[i]}: ${r.stderr}`);
      assert.equal(fs.readFileSync(sb.configFile, 'utf8'), original, `round ${round}: every undo is on disk, byte for byte`);
    }
    assert.deepEqual(
      fs.readdirSync(`${sb.home}/.aws`).sort(),
      ['config'],
      'no lock or temporary file is left behind',
    );
  });
});
