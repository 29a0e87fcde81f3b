/**
 * Electron glue only: app lifecycle, windows, tray, IPC registration. Everything with a decision in
 * it lives in Electron-free modules (electron/desktop/: desktopApp, trayTemplate, windowSecurity,
 * mfaPromptBroker, …; electron/ipc/: the contract and its door) that the unit tests run under plain Node.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, Menu, Notification, Tray, app, clipboard, ipcMain, nativeImage, powerMonitor, session, shell } from 'electron';
import { registerIpcHandlers } from '../ipc/ipcDoor';
import { TrustedSenders } from '../ipc/senderValidation';
import { installCliForThisProcess, launcherForCredentialProcess } from '../core/install/installCli';
import { startCliModeIfRequested } from '../cli/packagedCliMode';
import { startDesktopApp, type DesktopApp } from '../desktop/desktopApp';
import { toElectronTemplate } from '../desktop/trayTemplate';
import { denyAllPermissions, hardenWebContents, mainWindowOptions, promptWindowOptions, secureWebPreferences, withCspHeader } from '../desktop/windowSecurity';

const RENDERER_PAGE = path.join(__dirname, '..', '..', 'renderer', 'index.html');
const APP_PAGE_URL = pathToFileURL(RENDERER_PAGE).href;
const PRELOAD = path.join(__dirname, '..', 'preload', 'index.js');
const TRAY_ICON = path.join(app.getAppPath(), 'build', 'tray', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');
const STATUS_REFRESH_MS = 30_000;

const log = (line: string) => process.stderr.write(`keytray: ${line}\n`);

// CLI mode first: the installed `keytray` launcher starts this binary with --keytray-cli, and it must
// work while the app runs, so it takes no single-instance lock, window or tray.
if (startCliModeIfRequested(process.argv)) {
  // The command runs and exits by itself.
} else if (!app.requestSingleInstanceLock()) {
  // A second launch only brings the first one forward (see 'second-instance').
  app.quit();
} else {
  // The app's own page never needs remote content; no default menu means no "Reload"/"Toggle DevTools".
  Menu.setApplicationMenu(null);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, APP_PAGE_URL, (what) => log(`blocked ${what}`)));
  app.whenReady().then(start, (err: unknown) => {
    log(`could not start: ${String(err)}`);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  denyAllPermissions(session.defaultSession);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCspHeader(details.responseHeaders) }));

  const trusted = new TrustedSenders(APP_PAGE_URL);
  let mainWindow: BrowserWindow | null = null;
  let promptWindow: BrowserWindow | null = null;
  let quitting = false;

  const track = (win: BrowserWindow) => {
    const id = win.webContents.id;
    trusted.trust(id);
    win.on('closed', () => trusted.forget(id));
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
      // Closing the window keeps Keytray in the tray; Quit is in the tray menu.
      mainWindow.on('close', (e) => {
        if (!quitting) {
          e.preventDefault();
          mainWindow?.hide();
        }
      });
      mainWindow.on('closed', () => (mainWindow = null));
      mainWindow.once('ready-to-show', () => mainWindow?.show());
      void mainWindow.loadFile(RENDERER_PAGE);
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
          if (!quitting) desktop?.prompts.windowClosed();
        });
        promptWindow.on('closed', () => (promptWindow = null));
        promptWindow.once('ready-to-show', () => promptWindow?.show());
        void promptWindow.loadFile(RENDERER_PAGE, { hash: 'prompt' });
      } else {
        promptWindow.show();
        promptWindow.focus();
      }
    },
    hide() {
      promptWindow?.hide();
    },
  };

  let tray: Tray | null = null;
  let desktop: DesktopApp | null = null;
  desktop = await startDesktopApp({
    launcherPath: () => launcherForCredentialProcess(),
    installCli: async () => {
      const message = installCliForThisProcess();
      return { path: launcherForCredentialProcess(), message };
    },
    surface: {
      clipboard,
      promptWindow: promptHost,
      showMainWindow,
      renderTray(template, tooltip) {
        tray ??= new Tray(nativeImage.createFromPath(TRAY_ICON));
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
        app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
      },
      openExternal: (url) => shell.openExternal(url),
      quit: () => app.quit(),
      log,
    },
  });

  registerIpcHandlers(ipcMain, desktop.handlers, (event) => trusted.isTrusted(event), (channel, reason) => log(`refused ${channel}: ${reason}`));

  powerMonitor.on('suspend', () => desktop?.onSystemEvent('suspend'));
  powerMonitor.on('lock-screen', () => desktop?.onSystemEvent('lock-screen'));
  const timer = setInterval(() => desktop?.refresh(), STATUS_REFRESH_MS);

  app.on('second-instance', showMainWindow);
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    clearInterval(timer);
    void desktop?.stop().finally(() => app.quit());
  });

  if (!process.argv.includes('--hidden')) showMainWindow();
}
