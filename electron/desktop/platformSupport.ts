import { execFile } from 'node:child_process';
import type { AppSupport } from '../ipc/contract';

/**
 * What the desktop can and cannot do on this platform, said in the window rather than left to be
 * found out: a setting that does nothing here carries a note, and a missing tray host is reported.
 */
export type TrayHost = AppSupport['trayHost'];

export function platformSupport(platform: NodeJS.Platform, trayHost: TrayHost, autostartFile?: string, sandboxOff = false): AppSupport {
  const settingNotes: AppSupport['settingNotes'] = {};
  if (platform === 'linux') {
    // Electron reports 'lock-screen' only on macOS and Windows; Linux has no portal for it.
    settingNotes.lockOnScreenLock = 'Linux does not tell apps when the screen locks, so this setting has no effect here. Lock on sleep still works; use Lock in the tray or the window before you step away.';
    if (autostartFile) settingNotes.startAtLogin = `On Linux this writes ${autostartFile}, which desktops that follow the XDG autostart standard (GNOME, KDE, Xfce) start at login.`;
  }
  return {
    platform,
    trayHost,
    settingNotes,
    trayMessage: trayHost === 'missing' ? NO_TRAY_HOST_MESSAGE : undefined,
    sandboxMessage: sandboxOff ? NO_SANDBOX_MESSAGE : undefined,
  };
}

/** The message for a tray that cannot show: without it, closing the window leaves no way to quit. */
export const NO_TRAY_HOST_MESSAGE =
  'Your desktop shows no tray icons (GNOME needs the AppIndicator extension), so Keytray cannot put its menu there. Keep this window open to use Keytray, and quit it with the Quit button.';

/**
 * The AppImage's AppRun passes --no-sandbox where the kernel refuses unprivileged user namespaces
 * (Ubuntu 24.04's AppArmor default). Keytray still runs: its page is local, under a strict CSP,
 * and holds no secret. But the user should know, and how to get the sandbox back.
 */
export const NO_SANDBOX_MESSAGE =
  "Chromium's sandbox is off (Keytray was started with --no-sandbox, as the AppImage does where unprivileged user namespaces are disabled). Install the .deb package, whose sandbox helper works there, to run Keytray sandboxed.";

/**
 * Whether a StatusNotifierItem host is running on the session bus. Electron draws Linux tray icons
 * through it; stock GNOME has none without the AppIndicator extension, and the icon then never
 * shows. Asked with gdbus (part of GLib, present wherever GNOME is); 'unknown' when it cannot ask.
 */
export function linuxTrayHost(env: NodeJS.ProcessEnv = process.env, timeoutMs = 2_000): Promise<TrayHost> {
  return new Promise((resolve) => {
    execFile(
      'gdbus',
      ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', 'org.kde.StatusNotifierWatcher'],
      { env, timeout: timeoutMs },
      (err, stdout) => {
        if (err) return resolve('unknown');
        if (/\(true,?\)/.test(stdout)) return resolve('available');
        if (/\(false,?\)/.test(stdout)) return resolve('missing');
        resolve('unknown');
      },
    );
  });
}
