import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from '../errors';
import { homeDir } from '../paths';
import { LAUNCHER_MARKER, launcherFileName, renderLauncher, type LauncherTarget } from './launcherScript';
import { replaceFile } from '../replaceFile';

export interface InstallCliOptions {
  /** The directory that receives the launcher, e.g. /usr/local/bin. Default: `defaultCliPrefix()`. */
  prefix?: string;
  /** The packaged app's executable (started in CLI mode)… */
  appBinary?: string;
  /** …or, in a checkout, bin/keytray.js, run by `nodeBinary` (default: this Node). */
  nodeScript?: string;
  nodeBinary?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

export interface InstallCliResult {
  path: string;
  /** Whether `prefix` is on PATH now; if not, the message says how to add it. */
  onPath: boolean;
  message: string;
}

/**
 * Puts a `keytray` launcher (`keytray.cmd` on Windows) into `prefix`. Installing again replaces a
 * launcher Keytray wrote (the app may have moved); anything else with that name is left alone,
 * because it belongs to someone else.
 */
export function installCli(options: InstallCliOptions): InstallCliResult {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const prefix = path.resolve(options.prefix ?? defaultCliPrefix(platform, env));
  const target = launcherTarget(options);
  const file = path.join(prefix, launcherFileName(platform));
  const text = renderLauncher(target, file, platform);

  const existing = readIfExists(file);
  if (existing !== null && !existing.includes(LAUNCHER_MARKER)) {
    throw new KeytrayError('io', `${file} exists and was not written by Keytray`, { hint: 'Remove it, or install into another directory.' });
  }
  try {
    fs.mkdirSync(prefix, { recursive: true });
    // Written beside the target and renamed: a half-written launcher would break every AWS call.
    replaceFile(file, text, 0o755);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeytrayError('io', `Cannot write ${file}${code ? ` (${code})` : ''}`, {
      hint: code === 'EACCES' || code === 'EPERM' ? `Install into ${path.join(homeDir(env), '.local', 'bin')} instead, or run with sudo.` : undefined,
    });
  }

  const onPath = isOnPath(prefix, platform, env);
  const message = onPath
    ? `Installed ${file}; run \`keytray --help\` in a new terminal.`
    : platform === 'win32'
      ? `Installed ${file}; add ${prefix} to your user PATH to run \`keytray\`.`
      : `Installed ${file}; add ${prefix} to your PATH (e.g. in ~/.profile) to run \`keytray\`.`;
  return { path: file, onPath, message };
}

/** Removes the launcher if Keytray wrote it. Returns the removed path, or null if there was none. */
export function uninstallCli(options: { prefix?: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv } = {}): string | null {
  const platform = options.platform ?? process.platform;
  const prefix = path.resolve(options.prefix ?? defaultCliPrefix(platform, options.env ?? process.env));
  const file = path.join(prefix, launcherFileName(platform));
  const existing = readIfExists(file);
  if (existing === null) return null;
  if (!existing.includes(LAUNCHER_MARKER)) throw new KeytrayError('io', `${file} was not written by Keytray, so it was left in place`);
  fs.rmSync(file);
  return file;
}

/**
 * /usr/local/bin when this user can write it (it is on every default PATH, macOS included);
 * otherwise ~/.local/bin, the XDG place for a user's executables, on PATH by default on Debian,
 * Ubuntu and Fedora. Windows has no shared bin directory: %LOCALAPPDATA%\Keytray\bin, which the
 * install message asks the user to add to their PATH (`windowsUserPathCommand` is not run yet).
 */
export function defaultCliPrefix(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || path.join(homeDir(env), 'AppData', 'Local');
    return path.win32.join(local, 'Keytray', 'bin');
  }
  try {
    fs.accessSync('/usr/local/bin', fs.constants.W_OK);
    return '/usr/local/bin';
  } catch {
    return path.join(homeDir(env), '.local', 'bin');
  }
}

/**
 * The command that appends `dir` to the user's PATH on Windows (HKCU\Environment), for the app to
 * run with execFile once that is wired and tried on Windows (nothing runs it yet). PowerShell's SetEnvironmentVariable broadcasts WM_SETTINGCHANGE so new
 * terminals see it, and unlike `setx` it does not cut PATH at 1,024 characters. The directory is
 * passed as an argument, never spliced into the script, so its characters cannot become code.
 */
export function windowsUserPathCommand(dir: string): { file: string; args: string[] } {
  const script = [
    'param($d)',
    "$p = [Environment]::GetEnvironmentVariable('Path', 'User')",
    "$parts = @($p -split ';' | Where-Object { $_ -ne '' })",
    "if ($parts -notcontains $d) { [Environment]::SetEnvironmentVariable('Path', (($parts + $d) -join ';'), 'User') }",
  ].join('; ');
  return { file: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', `& { ${script} }`, dir] };
}

function launcherTarget(options: InstallCliOptions): LauncherTarget {
  if (options.appBinary && options.nodeScript) throw new KeytrayError('usage', 'Give either the app binary or the node script to install, not both');
  if (options.appBinary) return { appBinary: path.resolve(options.appBinary) };
  if (options.nodeScript) return { nodeScript: path.resolve(options.nodeScript), nodeBinary: options.nodeBinary ?? process.execPath };
  throw new KeytrayError('usage', 'Nothing to install: neither the app binary nor the node script is known');
}

function isOnPath(dir: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  const sep = platform === 'win32' ? ';' : ':';
  const norm = (p: string) => (platform === 'win32' ? p.replace(/[\\/]+$/, '').toLowerCase() : p.replace(/\/+$/, ''));
  return (env.PATH ?? env.Path ?? '').split(sep).some((p) => p !== '' && norm(p) === norm(dir));
}

function readIfExists(file: string): string | null {
  try {
    // The app's first installer linked ~/.local/bin/keytray to bin/keytray.js; that link is ours too.
    if (fs.lstatSync(file).isSymbolicLink() && /[\\/]bin[\\/]keytray\.js$/.test(fs.readlinkSync(file))) return LAUNCHER_MARKER;
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeytrayError('io', `Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * What the launcher should start, for the running Keytray: the packaged app binary in CLI mode, or
 * in a checkout bin/keytray.js under this Node. An AppImage runs from a mount that vanishes when
 * it exits, so its launcher points at the .AppImage file itself ($APPIMAGE, set by its runtime).
 */
export function launcherTargetOfThisProcess(env: NodeJS.ProcessEnv = process.env): Pick<InstallCliOptions, 'appBinary' | 'nodeScript'> {
  const packaged = Boolean(process.versions.electron) && !(process as { defaultApp?: boolean }).defaultApp;
  if (packaged) return { appBinary: env.APPIMAGE || process.execPath };
  // dist/electron/core/install -> the checkout's bin/keytray.js
  return { nodeScript: path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'keytray.js') };
}

/** `keytray install-cli [--prefix DIR] [--uninstall]` and the app's "Install command line tool". */
export function installCliForThisProcess(options: { prefix?: string; uninstall?: boolean } = {}): string {
  if (options.uninstall) {
    const removed = uninstallCli({ prefix: options.prefix });
    return removed ? `Removed ${removed}.` : 'No Keytray launcher was installed there.';
  }
  return installCli({ prefix: options.prefix, ...launcherTargetOfThisProcess() }).message;
}

/**
 * The launcher a credential_process line should name for the running Keytray: KEYTRAY_LAUNCHER (set
 * by an installed launcher), the checkout's bin/keytray.js, or a packaged app's installed launcher.
 * A packaged app without one has nothing stable to point at (its binary moves with updates), so the
 * user is asked to install the command-line tool first.
 */
export function launcherForCredentialProcess(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KEYTRAY_LAUNCHER) return path.resolve(env.KEYTRAY_LAUNCHER);
  const target = launcherTargetOfThisProcess(env);
  if (target.nodeScript) return target.nodeScript;
  const installed = path.join(defaultCliPrefix(platform, env), launcherFileName(platform));
  if (readIfExists(installed)?.includes(LAUNCHER_MARKER)) return installed;
  throw new KeytrayError('usage', 'The keytray command-line tool is not installed yet', {
    hint: 'Install it from Settings (Install command line tool), then try again.',
  });
}
