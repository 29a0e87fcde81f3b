import { join, resolve } from 'node:path';

/**
 * Where files live. AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE are honoured exactly as the AWS CLI
 * does (with `~` expanded); KEYTRAY_HOME moves Keytray's own data directory.
 */
export interface KeytrayPaths {
  configFile: string;
  credentialsFile: string;
  /** Keytray's data: agent socket, locks, the tray's active profile. Never secrets. */
  dataDir: string;
}

export function expandHome(p: string, env: NodeJS.ProcessEnv = process.env): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) return join(homeDir(env), p.slice(1));
  return p;
}

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  // node:os only when the environment does not say: the credential-process fast path reads this.
  return env.HOME || env.USERPROFILE || (require('node:os') as typeof import('node:os')).homedir();
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): KeytrayPaths {
  const home = homeDir(env);
  const configFile = env.AWS_CONFIG_FILE ? resolve(expandHome(env.AWS_CONFIG_FILE, env)) : join(home, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE
    ? resolve(expandHome(env.AWS_SHARED_CREDENTIALS_FILE, env))
    : join(home, '.aws', 'credentials');
  return { configFile, credentialsFile, dataDir: defaultDataDir(env) };
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  if (env.KEYTRAY_HOME) return resolve(expandHome(env.KEYTRAY_HOME, env));
  const home = homeDir(env);
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Keytray');
  if (process.platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Keytray');
  return join(env.XDG_STATE_HOME ? expandHome(env.XDG_STATE_HOME, env) : join(home, '.local', 'state'), 'keytray');
}
