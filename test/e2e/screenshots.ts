import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, browserStandIn, createSandbox } from '../integration/harness';
import { chromiumMissing, launchChromium, startDevWebProcess } from './uiHarness';

/**
 * `npm run screenshots`: the README's pictures, taken from a demo world that looks like a real
 * vault (a user with MFA, roles in other accounts, a chained deploy role, a CI user, an IAM
 * Identity Center portal with two accounts, an `aws login` profile), with live sessions from the
 * emulator. The person at the browser is a BROWSER stand-in. Paths under the demo HOME show as ~,
 * so no temporary path lands in docs/screenshots/.
 */
const OUT = path.join(REPO, 'docs', 'screenshots');

async function main(): Promise<void> {
  if (chromiumMissing) throw new Error(chromiumMissing);
  const sb = await createSandbox();
  const names: string[] = [];
  try {
    const u = sb.emu.createUser('alice', { account: '111111111111' });
    const mfa = sb.emu.enableMfa('alice');
    const admin = sb.emu.createRole({ name: 'Admin', trustedPrincipals: [u.arn], requireMfa: true }).arn;
    const ci = sb.emu.createUser('ci-bot', { account: '111111111111' });
    const consoleUser = sb.emu.createUser('console-dana', { account: '111111111111' });
    sb.emu.signin.browserSignsIn('console-dana');
    sb.emu.sso.createUser('alice');
    sb.emu.sso.assign('alice', { accountId: '210987654321', accountName: 'dev', roleName: 'AdministratorAccess' });
    sb.emu.sso.assign('alice', { accountId: '210987654321', accountName: 'dev', roleName: 'ReadOnly' });
    sb.emu.sso.assign('alice', { accountId: '333333333333', accountName: 'prod', roleName: 'ReadOnly' });
    sb.env.BROWSER = browserStandIn(sb.home).env.BROWSER;
    sb.writeConfig(
      `[sso-session acme]\nsso_start_url = ${sb.emu.sso.startUrl}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n` +
        `[sso-session acme-lab]\nsso_start_url = ${sb.emu.sso.startUrl}\nsso_region = eu-west-1\n\n` +
        `[profile dev-admin]\nsso_session = acme\nsso_account_id = 210987654321\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n\n` +
        `[profile console-dana]\nlogin_session = ${consoleUser.arn}\nregion = eu-west-1\n\n` +
      `[profile alice]\nregion = eu-west-1\nmfa_serial = ${mfa.serial}\n\n` +
        `[profile admin]\nrole_arn = ${admin}\nsource_profile = alice\nmfa_serial = ${mfa.serial}\n\n` +
        `[profile deploy]\nrole_arn = arn:aws:iam::333333333333:role/Deploy\nsource_profile = admin\nexternal_id = deploy-pipeline\nduration_seconds = 3600\n\n` +
        `[profile prod-readonly]\nrole_arn = arn:aws:iam::444444444444:role/ReadOnly\nsource_profile = alice\n\n` +
        `[profile staging-admin]\nrole_arn = arn:aws:iam::555555555555:role/Admin\nsource_profile = alice\n\n` +
        `[profile ci-bot]\nregion = us-east-1\n`,
    );
    for (const [name, key] of [['alice', u], ['ci-bot', ci]] as const) {
      names.push(name);
      const r = await sb.keytray(['add', name, '--env'], { env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey } });
      if (r.code !== 0) throw new Error(r.stderr);
    }
    const started = await sb.keytray(['credential-process', 'admin', '--mfa-code', mfa.unusedCode()]);
    if (started.code !== 0) throw new Error(started.stderr);
    for (const args of [['sso', 'login', 'acme'], ['login', 'console-dana']]) {
      const signedIn = await sb.keytray(args);
      if (signedIn.code !== 0) throw new Error(signedIn.stderr);
    }

    const dev = await startDevWebProcess(sb.env);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1180, height: 800 } });
      await page.goto(`${dev.url}#profiles`);
      await page.locator('li[data-profile="admin"]').waitFor();
      await page.locator('li[data-profile="admin"]').getByRole('button', { name: 'Make active: admin' }).click();
      await page.getByText('admin is now the active profile.').waitFor();
      await page.locator('li[data-profile="admin"] .row-select').click();
      await page.locator('.detail h2').getByText('admin').waitFor();
      fs.mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: path.join(OUT, 'profiles.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: path.join(OUT, 'profiles-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });

      // IAM Identity Center: the session's detail with a preview of the profiles for its accounts.
      await page.locator('li[data-sso-session="acme"] .row-select').click();
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByTestId('populate-preview').waitFor();
      await page.screenshot({ path: path.join(OUT, 'sso-session.png') });
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByTestId('populate-result').filter({ hasText: /^Done in / }).waitFor();
      // The profiles it wrote, grouped by account name, and a login profile's detail.
      await page.getByRole('searchbox', { name: 'Search profiles' }).fill('console');
      await page.locator('li[data-profile="console-dana"] .row-select').click();
      await page.getByTestId('detail-principal').waitFor();
      await page.getByRole('searchbox', { name: 'Search profiles' }).fill('');
      // The accounts' groups come after the users': scroll the list to them.
      await page.evaluate("document.querySelector('.list-scroller').scrollTo(0, 1e6)");
      await page.locator('li.group-heading[data-group="prod"]').waitFor();
      await page.screenshot({ path: path.join(OUT, 'accounts-and-login.png') });

      // Device authorization in the prompt window: the code to compare with the page's.
      sb.emu.sso.browser('ignore');
      const signInPrompt = await browser.newPage({ viewport: { width: 560, height: 420 } });
      await signInPrompt.goto(`${dev.url}#prompt`);
      await page.locator('li[data-sso-session="acme-lab"] .row-select').click();
      await page.getByRole('button', { name: 'Sign in with a code…' }).click();
      await signInPrompt.getByTestId('signin-user-code').waitFor();
      await signInPrompt.screenshot({ path: path.join(OUT, 'signin-prompt.png') });
      await signInPrompt.getByRole('button', { name: 'Cancel sign-in' }).click();
      await signInPrompt.getByRole('heading', { name: 'No request is waiting' }).waitFor();
      await signInPrompt.close();
      sb.emu.sso.browser('approve');

      await sb.keytray(['clear']);
      const cli = sb.keytray(['credential-process', 'deploy']);
      const prompt = await browser.newPage({ viewport: { width: 560, height: 460 } });
      await prompt.goto(`${dev.url}#prompt`);
      await prompt.getByRole('heading', { name: 'A program asks for an MFA code' }).waitFor();
      await prompt.screenshot({ path: path.join(OUT, 'mfa-prompt.png') });
      await prompt.getByRole('button', { name: 'Cancel request' }).click();
      await cli;
    } finally {
      await browser.close();
      await dev.stop();
    }
    process.stdout.write(`Wrote profiles.png, profiles-dark.png, sso-session.png, accounts-and-login.png, signin-prompt.png and mfa-prompt.png to ${path.relative(REPO, OUT)}/\n`);
  } finally {
    for (const name of names) await sb.keytray(['remove', name, '--yes']);
    await sb.keytray(['sso', 'logout', 'acme']);
    await sb.keytray(['logout', 'console-dana']);
    await sb.keytray(['clear']);
    await sb.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
