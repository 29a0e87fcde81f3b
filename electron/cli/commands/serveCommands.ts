import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { KeytrayError } from '../../core/errors';
import { credentialProcessOutput } from '../../core/export/credentialDocument';
import { defaultEnvFormat, ENV_FORMATS, ENV_VARS_TO_UNSET, formatEnvExport, isEnvFormat, sessionEnvironment, type EnvFormat } from '../../core/export/envExport';
import { resolveChain } from '../../core/sessions/profileChain';
import type { ServedCredentials } from '../../core/sessions/sessionEngine';
import { showWarnings } from '../warningOutput';
import { cliPaths, cliRequestContext, getVault, parseDuration, profileArgument, type CredentialOptions } from '../cliContext';

/** Serves credentials for a profile: through a running agent when there is one, else in process. */
export async function serveCredentials(profileArg: string | undefined, options: CredentialOptions): Promise<ServedCredentials> {
  const profile = profileArgument(profileArg, options);
  const request = {
    profile,
    durationSeconds: parseDuration(options.duration),
    noSession: options.session === false,
    region: options.region,
  };
  const { requestThroughAgent } = await import('../agentClient');
  const viaAgent = await requestThroughAgent(cliPaths(), request, options);
  const served = viaAgent ?? (await getVault().engine.getCredentials(request, cliRequestContext(options)));
  showWarnings(served.warnings);
  return served;
}

export async function credentialProcessCommand(profile: string | undefined, options: CredentialOptions): Promise<void> {
  const served = await serveCredentials(profile, options);
  process.stdout.write(credentialProcessOutput(served.credentials));
}

export async function envCommand(profile: string | undefined, options: CredentialOptions & { format?: string; server?: boolean }): Promise<void> {
  const format = options.format ?? defaultEnvFormat(process.platform);
  if (!isEnvFormat(format)) {
    throw new KeytrayError('usage', `Unknown --format "${format}"`, { hint: `Use one of: ${ENV_FORMATS.join(', ')}.` });
  }
  if (options.server) return envWithServer(profile, options, format);
  const served = await serveCredentials(profile, options);
  process.stdout.write(formatEnvExport(served.credentials, served.region, format));
}


/**
 * Runs a command with the session in its environment. Signals are forwarded so Ctrl-C reaches the
 * child, and its exit status (or the signal that ended it) becomes ours, as a shell would report it.
 */
export async function execCommand(profileArg: string | undefined, commandArgs: string[], options: CredentialOptions & { server?: boolean }): Promise<never> {
  // Commander passes the `--` separator through along with the command. With --active there is no
  // PROFILE, but commander still fills that slot with the first word after `--`: it is the command's.
  const operands = options.active && profileArg !== undefined ? [profileArg, ...commandArgs] : commandArgs;
  const profile = options.active ? undefined : profileArg;
  const command = operands[0] === '--' ? operands.slice(1) : operands;
  if (command.length === 0) {
    throw new KeytrayError('usage', 'Missing the command to run', { hint: 'Use `keytray exec PROFILE -- CMD [ARGS...]`.' });
  }
  if (options.server) return execWithServer(profile, command, options);
  const served = await serveCredentials(profile, options);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ENV_VARS_TO_UNSET) delete env[name];
  Object.assign(env, sessionEnvironment(served.credentials, served.region));
  env.KEYTRAY_PROFILE = served.profile;
  return runChild(command, env, served.profile);
}

export function runChild(command: string[], env: NodeJS.ProcessEnv, profile?: string): Promise<never> {
  return new Promise((_, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    const forwarded: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    if (process.platform !== 'win32') for (const s of forwarded) process.on(s, forward);
    child.on('error', (err: NodeJS.ErrnoException) => {
      for (const s of forwarded) process.removeListener(s, forward);
      reject(spawnFailure(command[0], err, profile));
    });
    child.on('exit', (code, signal) => {
      for (const s of forwarded) process.removeListener(s, forward);
      if (signal) {
        // Die of the same signal so our parent sees what the child did.
        process.kill(process.pid, signal);
        process.exit(128 + (os.constants.signals[signal] ?? 0));
      }
      process.exit(code ?? 1);
    });
  });
}

/** Why a command could not start, with the status a shell gives: 127 not found, 126 not runnable. */
function spawnFailure(program: string, err: NodeJS.ErrnoException, profile: string | undefined): KeytrayError {
  if (err.code === 'ENOENT') {
    return new KeytrayError('command-not-found', `Command not found: ${program}`, { profile, hint: 'Check the command name and your PATH.' });
  }
  const why = err.code === 'EACCES' ? 'permission denied' : err.code === 'ENOEXEC' ? 'not an executable format' : (err.code ?? err.message);
  return new KeytrayError('command-not-runnable', `Cannot run ${program}: ${why}`, {
    profile,
    hint: 'Check that it is an executable file (chmod +x) and not a directory.',
  });
}

/**
 * `exec --server`: CMD gets AWS_CONTAINER_CREDENTIALS_FULL_URI and a bearer token instead of keys,
 * and this process serves it fresh sessions until it exits, so CMD can outlive any one session.
 * The first session is fetched before CMD starts, so an MFA prompt happens now and not under an
 * SDK's one-second timeout.
 */
async function execWithServer(profileArg: string | undefined, command: string[], options: CredentialOptions): Promise<never> {
  refuseNoSessionWithServer(options);
  const profile = profileArgument(profileArg, options);
  // The profile is resolved once, here: the active profile may change while CMD runs.
  const resolved: CredentialOptions = { ...options, active: false };
  const first = await serveCredentials(profile, resolved);
  // --mfa-code is single-use; later refreshes ask the other sources (mfa_process, agent, terminal).
  const later: CredentialOptions = { ...resolved, mfaCode: undefined };
  const { startCredentialsServer } = await import('../../core/credentialsServer/credentialsServer');
  const { environmentForEndpoint } = await import('../../core/credentialsServer/endpointEnvironment');
  const server = await startCredentialsServer({ profile, credentials: async () => (await serveCredentials(profile, later)).credentials });
  const env = environmentForEndpoint(process.env, server, first.region);
  env.KEYTRAY_PROFILE = profile;
  return runChild(command, env, profile);
}

/** `env --server`: exports the endpoint that a running agent hosts, since this process ends at once. */
async function envWithServer(profileArg: string | undefined, options: CredentialOptions, format: EnvFormat): Promise<void> {
  refuseNoSessionWithServer(options);
  const profile = profileArgument(profileArg, options);
  // Checked here too, so that a profile that does not exist is named as such even with no agent.
  resolveChain(getVault().loadConfig(), profile);
  const { requestCredentialsEndpoint } = await import('../agentClient');
  const endpoint = await requestCredentialsEndpoint(
    cliPaths(),
    { profile, durationSeconds: parseDuration(options.duration), region: options.region },
    options,
  );
  if (!endpoint) {
    throw new KeytrayError('agent', 'No Keytray agent is running to host the credentials endpoint', {
      profile,
      hint: 'Start `keytray agent` or the Keytray app, or use `keytray exec --server PROFILE -- CMD`.',
    });
  }
  const { formatEndpointExport } = await import('../../core/credentialsServer/endpointEnvironment');
  process.stdout.write(formatEndpointExport(endpoint, endpoint.region ?? options.region, format));
}

function refuseNoSessionWithServer(options: CredentialOptions): void {
  if (options.session === false) {
    throw new KeytrayError('usage', '--server serves sessions, not long-term keys', { hint: 'Drop --no-session.' });
  }
}
