import { Command, CommanderError, Option } from 'commander';
import { MAX_SESSION_SECONDS, MIN_DURATION_SECONDS } from '../core/config/validation';
import { ENV_FORMATS } from '../core/export/envExport';
import { asKeytrayError, KeytrayError, oneLine } from '../core/errors';

// Resolved from dist/electron/cli at run time, where package.json sits three levels up.
const VERSION: string = require('../../../package.json').version;

/** Adds the options that every credential-serving command takes. */
function withCredentialOptions(cmd: Command): Command {
  return cmd
    .argument('[profile]', 'profile name from ~/.aws/config')
    .option('--active', 'use the profile the tray made active')
    .option('--mfa-code <code>', 'MFA code to use if one is needed')
    .option('--duration <seconds>', `session duration (${MIN_DURATION_SECONDS}-${MAX_SESSION_SECONDS} s, or e.g. 1h)`)
    .option('--no-session', 'use the long-term key without GetSessionToken')
    .option('--region <region>', 'region to report with the credentials');
}

export function buildProgram(): Command {
  const program = new Command('keytray')
    .description('A vault for AWS credentials: keys in the OS keychain, MFA sessions served on demand.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  program
    .command('add')
    .description('store a long-term access key in the keychain')
    .argument('<profile>')
    .option('--env', 'read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment')
    .option('--stdin', 'read a credential_process JSON document, e.g. from `aws-vault export --format=json --no-session`')
    .option('--mfa-serial <arn>', "write the user's MFA device into the profile (mfa_serial)")
    .option('--region <region>', 'write the region into the profile')
    .option('--replace', 'replace a stored key without asking (the new key is still checked with AWS)')
    .option('--no-verify', 'do not check a replacement key with GetCallerIdentity (offline)')
    .action(async (profile, opts) => (await import('./commands/keyCommands')).addCommand(profile, opts));

  program
    .command('import')
    .description('move plaintext keys from ~/.aws/credentials into the keychain')
    .option('--file <file>', 'credentials file to read (default: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)')
    .option('--remove-plaintext', 'delete the keys from the plaintext file, keeping everything else')
    .option('--yes', 'do not ask for confirmation')
    .action(async (opts) => (await import('./commands/keyCommands')).importCommand(opts));

  program
    .command('list')
    .description('profiles, stored keys and cached sessions')
    .option('--json', 'machine-readable output')
    .action(async (opts) => (await import('./commands/listCommand')).listCommand(opts));

  program
    .command('activity')
    .description("the app's activity log: which process received which profile's credentials")
    .option('--json', 'machine-readable output')
    .action(async (opts) => (await import('./commands/activityCommand')).activityCommand(opts));

  program
    .command('remove')
    .description('delete the stored key and sessions of a profile')
    .argument('<profile>')
    .option('--yes', 'do not ask for confirmation')
    .action(async (profile, opts) => (await import('./commands/keyCommands')).removeCommand(profile, opts));

  program
    .command('clear')
    .description('forget cached sessions (of one profile, or all)')
    .argument('[profile]')
    .action(async (profile) => (await import('./commands/keyCommands')).clearCommand(profile));

  withCredentialOptions(program.command('credential-process'))
    .description('print the credential_process JSON document')
    .action(async (profile, opts) => (await import('./commands/serveCommands')).credentialProcessCommand(profile, opts));

  withCredentialOptions(program.command('env'))
    .description('print shell code that exports the session')
    .addOption(new Option('--format <format>', 'output format').choices([...ENV_FORMATS]))
    .option('--server', "export a running agent's local credentials endpoint instead of keys")
    .action(async (profile, opts) => (await import('./commands/serveCommands')).envCommand(profile, opts));

  withCredentialOptions(program.command('exec'))
    .description('run a command with the session in its environment')
    .option('--server', 'serve refreshing credentials from a local endpoint instead of exporting keys')
    .argument('[command...]', 'command and arguments, after --')
    // Keytray's own options go anywhere before `--`; everything after it is the command, untouched.
    .action(async (profile, command, opts) => (await import('./commands/serveCommands')).execCommand(profile, command, opts));

  withCredentialOptions(program.command('console'))
    .description('open the AWS console signed in as the profile')
    .option('--print', 'print the sign-in URL (a secret for 15 minutes) instead of opening a browser')
    .option('--destination <path>', 'console page to open, e.g. s3/home')
    .action(async (profile, opts) => (await import('./commands/consoleCommand')).consoleCommand(profile, opts));

  program
    .command('rotate')
    .description("replace the profile's access key with a new one")
    .argument('<profile>')
    .option('--mfa-code <code>', 'MFA code to use if one is needed')
    .action(async (profile, opts) => (await import('./commands/rotateCommand')).rotateCommand(profile, opts));

  program
    .command('setup')
    .description('serve a profile through credential_process (renames its keys to keytray_*)')
    .argument('<profile>')
    .option('--undo', 'restore the profile')
    .action(async (profile, opts) => (await import('./commands/setupCommand')).setupCommand(profile, opts));

  program
    .command('install-cli')
    .description('put a `keytray` launcher on PATH (/usr/local/bin if writable, else ~/.local/bin)')
    .option('--prefix <dir>', 'directory to install the launcher into')
    .option('--uninstall', 'remove the launcher')
    .action(async (opts) => {
      process.stdout.write(`${(await import('../core/install/installCli')).installCliForThisProcess(opts)}\n`);
    });

  const sso = program.command('sso').description('IAM Identity Center: sign in, sign out, write profiles for your assignments');
  sso
    .command('login')
    .description('sign in to IAM Identity Center in the browser (honours BROWSER), or with --device-code from any device')
    .argument('[session]', 'the [sso-session NAME] to sign in to (the only one if omitted)')
    .option('--profile <profile>', "sign in to the profile's session (legacy sso_start_url profiles too)")
    .option('--device-code', 'sign in by entering a code on any device instead of a browser redirect')
    .option('--timeout <seconds>', 'how long to wait for the sign-in to finish (default 300)')
    .action(async (session, opts) => (await import('./commands/ssoCommands')).ssoLoginCommand(session, opts));
  sso
    .command('logout')
    .description('end the SSO session and forget its tokens and role credentials')
    .argument('[session]', 'the sso-session (all of them if omitted)')
    .action(async (session) => (await import('./commands/ssoCommands')).ssoLogoutCommand(session));
  sso
    .command('populate')
    .description('write a profile for every account and role you are assigned')
    .argument('<session>')
    .option('--prefix <prefix>', 'start every profile name with this')
    .option('--dry-run', 'show what would change, write nothing')
    .option('--prune', 'remove profiles of this session whose assignment is gone')
    .action(async (session, opts) => (await import('./commands/ssoCommands')).ssoPopulateCommand(session, opts));

  program
    .command('login')
    .description('sign in with AWS Sign-In in the browser (`aws login` sessions), kept in the keychain')
    .argument('<profile>')
    .option('--region <region>', 'region to sign in to (default: the profile\'s, then AWS_REGION, then us-east-1)')
    .option('--remote', 'sign in on another device: show the URL and read the code it gives back')
    .option('--timeout <seconds>', 'how long to wait for the browser (default 300)')
    .action(async (profile, opts) => (await import('./commands/loginCommands')).loginCommand(profile, opts));

  program
    .command('logout')
    .description('forget the AWS Sign-In session of a profile')
    .argument('<profile>')
    .action(async (profile) => (await import('./commands/loginCommands')).logoutCommand(profile));

  program
    .command('agent')
    .description('run the agent in the foreground, like ssh-agent')
    .option('--stop', 'stop the running agent')
    .action(async (opts) => (await import('./commands/agentCommand')).agentCommand(opts));

  return program;
}

/** Runs the CLI: one plain line on failure, exit 2 for usage errors and 1 for everything else. */
export async function runCli(argv: string[]): Promise<void> {
  // `keytray list | head -1` closes stdout early: end quietly with the status so far, as the
  // packaged CLI mode does, instead of a stack trace from an unhandled EPIPE. Only stdout is
  // guarded here: the agent client settles its own rejections, later than Node's hook would see.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
  try {
    const program = buildProgram();
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0 after printing.
      if (err.exitCode === 0) process.exit(0);
      process.stderr.write(`keytray: ${oneLine(err.message.replace(/^error:\s*/i, ''))}. See \`keytray --help\`.\n`);
      process.exit(2);
    }
    const e = err instanceof KeytrayError ? err : asKeytrayError(err);
    // For developers only: the stack of an unexpected failure. Users get the one line.
    if (process.env.KEYTRAY_DEBUG && !(err instanceof KeytrayError)) process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
    process.stderr.write(`keytray: ${e.toLine()}\n`);
    process.exit(e.exitCode);
  }
}
