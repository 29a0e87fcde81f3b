/**
 * Electron glue only: app lifecycle, windows, tray, IPC registration. Everything with a decision in
 * it lives in Electron-free modules (electron/desktop/: desktopApp, trayTemplate, windowSecurity,
 * applicationMenu, appLogFile, …; electron/ipc/: the contract and its door) that the unit tests run
 * under plain Node. test/electronStandIn/ runs this very file under Node too, with a stand-in for
 * the `electron` module.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, Menu, Notification, Tray, app, clipboard, dialog, ipcMain, nativeImage, nativeTheme, powerMonitor, session, shell } from 'electron';
import { PUSH_PREFIX } from '../ipc/channels';
import { registerIpcHandlers } from '../ipc/ipcDoor';
import { TrustedSenders } from '../ipc/senderValidation';
import { asKeytrayError } from '../core/errors';
import { installCliForThisProcess, launcherForCredentialProcess } from '../core/install/installCli';
import { resolvePaths } from '../core/paths';
import { cliModeArgs, startCliModeIfRequested } from '../cli/packagedCliMode';
import { guardCliProcess, unreadableStdinError } from '../cli/cliProcessGuard';
import { startDesktopApp, type DesktopApp } from '../desktop/desktopApp';
import { toElectronTemplate } from '../desktop/trayTemplate';
import { denyAllPermissions, hardenWebContents, mainWindowOptions, promptWindowOptions, secureWebPreferences, withCspHeader } from '../desktop/windowSecurity';
import { AppLogFile, appLogFile } from '../desktop/appLogFile';
import { applicationMenuTemplate } from '../desktop/applicationMenu';
import { APP_ID, PRODUCT_NAME, chromiumProfileDir } from '../desktop/appIdentity';
import { assertPermanentAppLocation } from '../desktop/appLocation';
import { autostartEntryPath, setLinuxStartAtLogin } from '../desktop/linuxAutostart';
import { linuxTrayHost, platformSupport, type TrayHost } from '../desktop/platformSupport';
import { trayIconFile } from '../desktop/trayIcon';

const RENDERER_PAGE = path.join(__dirname, '..', '..', 'renderer', 'index.html');
const APP_PAGE_URL = pathToFileURL(RENDERER_PAGE).href;
const PRELOAD = path.join(__dirname, '..', 'preload', 'index.js');
const TRAY_DIR = path.join(app.getAppPath(), 'build', 'tray');

const logFile = new AppLogFile(appLogFile(resolvePaths().dataDir));
/** stderr for a terminal that started the app, the log file for everyone else. */
const log = (line: string) => {
  process.stderr.write(`keytray: ${line}\n`);
  logFile.write(line);
};

const cliArgs = cliModeArgs(process.argv);
if (cliArgs !== null) runCommandLine(cliArgs);
else runDesktopApp();

/**
 * CLI mode: the installed `keytray` launcher starts this binary with --keytray-cli, and it must work
 * while the app runs, so it takes no single-instance lock, window, tray or Dock icon.
 */
function runCommandLine(args: string[]): void {
  // Before anything can throw: Electron would otherwise show its "A JavaScript error occurred"
  // dialog for an uncaught error and leave the process running.
  guardCliProcess(process, (code) => app.exit(code));
  app.dock?.hide();
  try {
    if (args[0] === 'install-cli') assertPermanentAppLocation(process.execPath, process.platform);
    const stdinProblem = unreadableStdinError(process.platform, args);
    if (stdinProblem) throw stdinProblem;
  } catch (err) {
    const e = asKeytrayError(err);
    process.stderr.write(`keytray: ${e.toLine()}\n`);
    app.exit(e.exitCode);
    return;
  }
  startCliModeIfRequested(process.argv, (code) => app.exit(code));
}

function runDesktopApp(): void {
  // Before the single-instance lock, which Electron keeps in userData (see chromiumProfileDir).
  app.setPath('userData', chromiumProfileDir(app.getPath('appData')));
  // Windows shows notifications only for the AppUserModelID of the installer's shortcut.
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  if (!app.requestSingleInstanceLock()) {
    // A second launch only brings the first one forward (see 'second-instance').
    app.quit();
    return;
  }
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, APP_PAGE_URL, (what) => log(`blocked ${what}`)));
  let desktop: DesktopApp | null = null;
  app
    .whenReady()
    .then(() => start((started) => (desktop = started)))
    .catch((err: unknown) => failedStart(err, desktop));
}

/**
 * A start that failed must not leave an invisible process behind: holding the single-instance
 * lock, every later launch would quit silently, and an agent with no window would keep CLI
 * requests waiting. So: say why (dialog and log), stop the agent, release the lock, exit.
 */
async function failedStart(err: unknown, desktop: DesktopApp | null): Promise<void> {
  const reason = asKeytrayError(err).toLine();
  log(`could not start: ${reason}`);
  await desktop?.stop().catch((stopErr: unknown) => log(`could not stop the agent: ${asKeytrayError(stopErr).toLine()}`));
  app.releaseSingleInstanceLock();
  dialog.showErrorBox('Keytray could not start', `${reason}\n\nThe log is ${logFile.file}.`);
  app.exit(1);
}

async function start(onStarted: (desktop: DesktopApp) => void): Promise<void> {
  const template = applicationMenuTemplate(process.platform, PRODUCT_NAME);
  // Elsewhere no menu at all: Chromium's own shortcuts cover text fields, and there is no "Reload"
  // or "Toggle DevTools" to reach.
  Menu.setApplicationMenu(template ? Menu.buildFromTemplate(template) : null);
  denyAllPermissions(session.defaultSession);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCspHeader(details.responseHeaders) }));

  const trusted = new TrustedSenders(APP_PAGE_URL);
  let mainWindow: BrowserWindow | null = null;
  let promptWindow: BrowserWindow | null = null;
  let quitting = false;
  let desktop: DesktopApp | null = null;

  /** macOS: a tray app shows a Dock icon only while one of its windows is on screen. */
  const updateDock = () => {
    if (!app.dock) return;
    const visible = [mainWindow, promptWindow].some((w) => w !== null && !w.isDestroyed() && w.isVisible());
    if (visible) void app.dock.show().catch((err: unknown) => log(`could not show the Dock icon: ${asKeytrayError(err).toLine()}`));
    else app.dock.hide();
  };

  const track = (win: BrowserWindow) => {
    const id = win.webContents.id;
    trusted.trust(id);
    win.on('closed', () => trusted.forget(id));
    win.on('show', updateDock);
    win.on('hide', updateDock);
    win.on('closed', updateDock);
  };

  const showMainWindow = () => {
    if (!mainWindow) {
      // The security flags are restated at the call site so reviewers and static checkers
      // (electronegativity) see them here; windowSecurity.ts holds the tested source of truth.
      mainWindow = new BrowserWindow({
        ...mainWindowOptions(PRELOAD),
        webPreferences: { ...secureWebPreferences(PRELOAD), contextIsolation: true, sandbox: true, nodeIntegration: false },
      });
      track(mainWindow);
      // Closing the window keeps Keytray in the tray; Quit is in the tray menu and the window.
      mainWindow.on('close', (e) => {
        if (!quitting) {
          e.preventDefault();
          mainWindow?.hide();
        }
      });
      mainWindow.on('closed', () => (mainWindow = null));
      mainWindow.once('ready-to-show', () => mainWindow?.show());
      void mainWindow.loadFile(RENDERER_PAGE).catch((err: unknown) => log(`could not load the window: ${asKeytrayError(err).toLine()}`));
    } else {
      mainWindow.show();
      mainWindow.focus();
    }
  };

  const promptHost = {
    show() {
      if (!promptWindow) {
        promptWindow = new BrowserWindow({
          ...promptWindowOptions(PRELOAD),
          webPreferences: { ...secureWebPreferences(PRELOAD), contextIsolation: true, sandbox: true, nodeIntegration: false },
        });
        track(promptWindow);
        // Closing the window is a cancel: every waiting CLI gets "MFA cancelled" instead of a hang.
        promptWindow.on('close', () => {
          if (!quitting) desktop?.promptWindowClosed();
        });
        promptWindow.on('closed', () => (promptWindow = null));
        promptWindow.once('ready-to-show', () => promptWindow?.show());
        void promptWindow.loadFile(RENDERER_PAGE, { hash: 'prompt' }).catch((err: unknown) => log(`could not load the prompt window: ${asKeytrayError(err).toLine()}`));
      } else {
        promptWindow.show();
        promptWindow.focus();
      }
    },
    hide() {
      promptWindow?.hide();
    },
  };

  // Asked before the tray is built, in parallel with nothing: a Linux desktop without a tray host
  // must get the window even when started hidden, or Keytray would be unreachable.
  const trayHost: TrayHost = process.platform === 'linux' ? await linuxTrayHost() : 'available';
  const sandboxOff = app.commandLine.hasSwitch('no-sandbox');
  const support = platformSupport(process.platform, trayHost, process.platform === 'linux' ? autostartEntryPath(process.env) : undefined, sandboxOff);
  if (support.trayMessage) log(support.trayMessage);
  if (support.sandboxMessage) log(support.sandboxMessage);

  let tray: Tray | null = null;
  const trayImage = () => trayIconFile(TRAY_DIR, process.platform, nativeTheme.shouldUseDarkColors);
  desktop = await startDesktopApp({
    launcherPath: () => launcherForCredentialProcess(),
    installCli: async () => {
      assertPermanentAppLocation(process.execPath, process.platform);
      const message = installCliForThisProcess();
      return { path: launcherForCredentialProcess(), message };
    },
    support: () => support,
    surface: {
      clipboard,
      promptWindow: promptHost,
      showMainWindow,
      renderTray(template, tooltip) {
        if (!tray) {
          tray = new Tray(nativeImage.createFromPath(trayImage()));
          // Windows users expect a left click on the tray icon to open the app; the menu is on the right.
          if (process.platform === 'win32') tray.on('click', showMainWindow);
        }
        tray.setToolTip(tooltip);
        tray.setContextMenu(Menu.buildFromTemplate(toElectronTemplate(template, (action) => void desktop?.runTrayAction(action))));
      },
      notify(title, body, action) {
        if (!Notification.isSupported()) return;
        // Buttons show on macOS; elsewhere clicking the notification itself runs the action.
        const n = new Notification({ title, body, silent: false, actions: action ? [{ type: 'button', text: action.label }] : [] });
        if (action) {
          n.on('action', () => action.run());
          n.on('click', () => action.run());
        }
        n.show();
      },
      setStartAtLogin(enabled) {
        if (process.platform === 'linux') {
          // Electron's login items do nothing on Linux; the XDG autostart entry does the same job.
          const command = process.defaultApp ? [process.execPath, app.getAppPath()] : [process.execPath];
          setLinuxStartAtLogin(enabled, command, process.env);
        } else {
          // macOS ignores `args`: there the app asks getLoginItemSettings() whether it was opened at login.
          app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
        }
      },
      openExternal: (url) => shell.openExternal(url),
      quit: () => app.quit(),
      log,
      push(event, payload) {
        for (const win of [mainWindow, promptWindow]) if (win && !win.isDestroyed()) win.webContents.send(PUSH_PREFIX + event, payload);
      },
    },
  });
  onStarted(desktop);

  // The tray's glyph follows the panel: white on a dark taskbar, black on a light one (macOS tints its template itself).
  nativeTheme.on('updated', () => tray?.setImage(nativeImage.createFromPath(trayImage())));

  registerIpcHandlers(ipcMain, desktop.handlers, (event) => trusted.isTrusted(event), (channel, reason) => log(`refused ${channel}: ${reason}`));

  powerMonitor.on('suspend', () => void desktop?.onSystemEvent('suspend'));
  powerMonitor.on('lock-screen', () => void desktop?.onSystemEvent('lock-screen'));

  app.on('second-instance', showMainWindow);
  // macOS: a click on the Dock icon or opening the app again in Finder reopens the window.
  app.on('activate', showMainWindow);
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void desktop
      ?.stop()
      .catch((err: unknown) => log(`could not stop cleanly: ${asKeytrayError(err).toLine()}`))
      .finally(() => app.quit());
  });

  const openedAtLogin = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
  const startHidden = (process.argv.includes('--hidden') || openedAtLogin) && support.trayHost !== 'missing';
  if (!startHidden) showMainWindow();
  updateDock();
}
