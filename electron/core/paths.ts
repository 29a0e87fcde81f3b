import * as os from 'node:os';
import * as path from 'node:path';

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
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) return path.join(homeDir(env), p.slice(1));
  return p;
}

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): KeytrayPaths {
  const home = homeDir(env);
  const configFile = env.AWS_CONFIG_FILE ? path.resolve(expandHome(env.AWS_CONFIG_FILE, env)) : path.join(home, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE
    ? path.resolve(expandHome(env.AWS_SHARED_CREDENTIALS_FILE, env))
    : path.join(home, '.aws', 'credentials');
  return { configFile, credentialsFile, dataDir: defaultDataDir(env) };
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  if (env.KEYTRAY_HOME) return path.resolve(expandHome(env.KEYTRAY_HOME, env));
  const home = homeDir(env);
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Keytray');
  if (process.platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Keytray');
  return path.join(env.XDG_STATE_HOME ? expandHome(env.XDG_STATE_HOME, env) : path.join(home, '.local', 'state'), 'keytray');
}
