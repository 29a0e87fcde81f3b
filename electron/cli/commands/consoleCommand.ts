import { openSecretUrlInBrowser } from '../../core/console/browserLauncher';
import { createConsoleSignin } from '../../core/console/consoleSignin';
import { cliRequestContext, getVault, parseDuration, profileArgument, type CredentialOptions } from '../cliContext';
import { serveCredentials } from './serveCommands';
import { showWarnings } from '../warningOutput';

export interface ConsoleOptions extends CredentialOptions {
  print?: boolean;
  destination?: string;
}

/**
 * `keytray console PROFILE`: opens the AWS console signed in as the profile, or with --print writes
 * the sign-in URL to stdout. The URL is a bearer secret, so it goes nowhere else: not to stderr, not
 * into a browser's argv (see browserLauncher).
 */
export async function consoleCommand(profileArg: string | undefined, options: ConsoleOptions): Promise<void> {
  const profile = profileArgument(profileArg, options);
  const vault = getVault();
  const signin = await createConsoleSignin(
    {
      // Role sessions come through the agent when one runs, so the app's cache and MFA prompt are used.
      engine: {
        getCredentials: async (request) => ({ ...(await serveCredentials(request.profile, { mfaCode: options.mfaCode, region: request.region })), warnings: [] }),
        longTermKey: (name) => vault.engine.longTermKey(name),
      },
      loadConfig: vault.loadConfig,
      env: vault.env,
    },
    { profile, destination: options.destination, region: options.region, durationSeconds: parseDuration(options.duration) },
    cliRequestContext(options),
  );
  showWarnings(signin.warnings);

  if (options.print) {
    process.stdout.write(`${signin.url}\n`);
    return;
  }
  await openSecretUrlInBrowser(signin.url);
  // Said after the fact, so that a failure to open a browser is the only line on stderr.
  const who = signin.identityArn ? ` as ${signin.identityArn}` : '';
  process.stderr.write(`Opened the AWS console${who} for profile "${profile}" in your browser.\n`);
}
