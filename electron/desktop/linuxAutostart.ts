import * as fs from 'node:fs';
import * as path from 'node:path';
import { expandHome, homeDir } from '../core/paths';
import { replaceFile } from '../core/replaceFile';

/**
 * "Start at login" on Linux. Electron's setLoginItemSettings does nothing there; desktops that
 * follow the XDG Autostart specification (GNOME, KDE, Xfce, Cinnamon, MATE, …) start every
 * `~/.config/autostart/*.desktop` entry at login, so Keytray writes its own.
 */
export const AUTOSTART_FILE_NAME = 'keytray.desktop';

export function autostartEntryPath(env: NodeJS.ProcessEnv): string {
  const configHome = env.XDG_CONFIG_HOME ? expandHome(env.XDG_CONFIG_HOME, env) : path.join(homeDir(env), '.config');
  return path.join(configHome, 'autostart', AUTOSTART_FILE_NAME);
}

/**
 * The command to start at login: the app binary (and, unpackaged, the app folder Electron runs).
 * Inside an AppImage the binary lives in a mount that is gone after the AppImage exits; the
 * AppImage runtime names the file itself in $APPIMAGE.
 */
export function autostartCommand(command: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return env.APPIMAGE ? [env.APPIMAGE] : [...command];
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Keytray',
    'Comment=Keep AWS access keys in the keychain and hand out MFA sessions',
    `Exec=${[...command, '--hidden'].map(desktopExecArgument).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the entry; the return value says where. */
export function setLinuxStartAtLogin(enabled: boolean, command: readonly string[], env: NodeJS.ProcessEnv): string {
  const file = autostartEntryPath(env);
  if (enabled) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    replaceFile(file, autostartEntry(autostartCommand(command, env)), 0o644);
  } else {
    fs.rmSync(file, { force: true });
  }
  return file;
}

/**
 * Quotes one argument of an Exec line as the Desktop Entry specification says: inside double
 * quotes, `"`, `` ` ``, `$` and `\` are escaped with a backslash; `%` is doubled, since `%x` is a
 * field code. The spec then asks for the whole value's backslashes to be escaped once more.
 */
export function desktopExecArgument(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg.replace(/%/g, '%%');
  const quoted = `"${arg.replace(/(["`$\\])/g, '\\$1').replace(/%/g, '%%')}"`;
  return quoted.replace(/\\/g, '\\\\');
}
