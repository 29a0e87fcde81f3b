import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from '../errors';
import { homeDir } from '../paths';
import { cliBinaryInResources, KEYRING_ADDON_FILE } from './cliBinaryLayout';
import { LAUNCHER_MARKER, launcherFileName, renderLauncher, type LauncherTarget } from './launcherScript';
import { replaceFile } from '../replaceFile';

export interface InstallCliOptions {
  /** The directory that receives the launcher, e.g. /usr/local/bin. Default: `defaultCliPrefix()`. */
  prefix?: string;
  /** The packaged CLI binary (shipped in the app's resources, or this process when it is that binary)… */
  cliBinary?: string;
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
  const target = launcherTarget(options, platform, env);
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

function launcherTarget(options: InstallCliOptions, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): LauncherTarget {
  if (options.cliBinary && options.nodeScript) throw new KeytrayError('usage', 'Give either the CLI binary or the node script to install, not both');
  if (options.cliBinary) return { cliBinary: stableCliBinary(path.resolve(options.cliBinary), platform, env) };
  if (options.nodeScript) return { nodeScript: path.resolve(options.nodeScript), nodeBinary: options.nodeBinary ?? process.execPath };
  throw new KeytrayError('usage', 'Nothing to install: neither the CLI binary nor the node script is known');
}

/**
 * A path for the CLI binary that outlives this run. An AppImage runs from a mount that vanishes when
 * it exits, so its CLI binary (and the keyring binding beside it) is copied out to the user's data
 * folder; installing again after an update copies the new one. A macOS app still on its disk image
 * or translocated by Gatekeeper has no lasting path at all, so the user is asked to move it first.
 */
function stableCliBinary(binary: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  const transient = transientLocation(binary, platform, env);
  if (transient === 'disk-image' || transient === 'translocated') {
    throw new KeytrayError('usage', `Keytray is running from ${transient === 'disk-image' ? 'its disk image' : 'a temporary copy macOS made of it'}, a path that disappears`, {
      hint: 'Move Keytray.app to /Applications, open it from there, and install the command line tool again.',
    });
  }
  if (!fs.existsSync(binary)) {
    throw new KeytrayError('io', `The command-line binary ${binary} is missing`, { hint: 'Reinstall Keytray; the app ships it in its resources folder.' });
  }
  if (transient !== 'appimage') return binary;
  const dir = path.join(env.XDG_DATA_HOME || path.join(homeDir(env), '.local', 'share'), 'keytray', 'cli');
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of [path.basename(binary), KEYRING_ADDON_FILE]) {
      const from = path.join(path.dirname(binary), name);
      if (!fs.existsSync(from)) continue;
      // Copied beside and renamed: an `aws` call running the old copy keeps its file, and no caller
      // ever starts a half-written binary.
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      fs.copyFileSync(from, tmp);
      fs.chmodSync(tmp, 0o755);
      fs.renameSync(tmp, path.join(dir, name));
    }
  } catch (err) {
    throw new KeytrayError('io', `Cannot copy the command-line binary to ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'Free some disk space or fix that folder\'s permissions, then install the command line tool again.',
    });
  }
  return path.join(dir, path.basename(binary));
}

/**
 * Where a path disappears: inside an AppImage's mount (its runtime sets APPDIR, /tmp/.mount_…, for
 * everything started from it), on a mounted macOS disk image, or in Gatekeeper's translocated copy.
 */
function transientLocation(file: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): 'appimage' | 'disk-image' | 'translocated' | null {
  if (platform === 'darwin') return file.startsWith('/Volumes/') ? 'disk-image' : file.includes('/AppTranslocation/') ? 'translocated' : null;
  if (platform !== 'linux') return null;
  const mount = env.APPDIR ? path.resolve(env.APPDIR) : null;
  return (mount !== null && file.startsWith(mount + path.sep)) || /^\/tmp\/\.mount_[^/]+\//.test(file) ? 'appimage' : null;
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
 * What the launcher should start, for the running Keytray: the packaged CLI binary (this process, or
 * the one in a packaged app's resources), or in a checkout bin/keytray.js under this Node.
 */
export function launcherTargetOfThisProcess(platform: NodeJS.Platform = process.platform): Pick<InstallCliOptions, 'cliBinary' | 'nodeScript'> {
  const shipped = shippedCliBinaryOfThisProcess(platform);
  if (shipped) return { cliBinary: shipped };
  // dist/electron/core/install -> the checkout's bin/keytray.js
  return { nodeScript: path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'keytray.js') };
}

/** The CLI binary itself when this process is it; the one in the app's resources for the packaged app; else null. */
function shippedCliBinaryOfThisProcess(platform: NodeJS.Platform): string | null {
  if (runningAsSingleExecutable()) return process.execPath;
  const packaged = Boolean(process.versions.electron) && !(process as { defaultApp?: boolean }).defaultApp;
  if (packaged) return cliBinaryInResources((process as { resourcesPath?: string }).resourcesPath ?? path.dirname(process.execPath), platform);
  return null;
}

function runningAsSingleExecutable(): boolean {
  try {
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    // Electron's Node and Nodes before 20.12 have no node:sea; neither runs as the CLI binary.
    return false;
  }
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
 * by an installed launcher), the checkout's bin/keytray.js, an installed launcher, or the packaged
 * CLI binary itself where its path lasts (the deb's /opt/Keytray, /Applications, the Windows install
 * folder). An AppImage's binary vanishes with its mount, so there the user is asked to install the
 * command-line tool first.
 */
export function launcherForCredentialProcess(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KEYTRAY_LAUNCHER) return path.resolve(env.KEYTRAY_LAUNCHER);
  const target = launcherTargetOfThisProcess(platform);
  if (target.nodeScript) return target.nodeScript;
  const installed = path.join(defaultCliPrefix(platform, env), launcherFileName(platform));
  if (readIfExists(installed)?.includes(LAUNCHER_MARKER)) return installed;
  const binary = target.cliBinary;
  if (binary && fs.existsSync(binary) && transientLocation(binary, platform, env) === null) return binary;
  throw new KeytrayError('usage', 'The keytray command-line tool is not installed yet', {
    hint: 'Install it from Settings (Install command line tool), then try again.',
  });
}
