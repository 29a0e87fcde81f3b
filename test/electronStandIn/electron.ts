/**
 * A stand-in for the `electron` module, so that the real electron/main/index.ts runs under Node in
 * the tests (the Electron runtime cannot be downloaded here). register.ts loads it in place of
 * `electron`. It does what the app can observe of Electron and nothing more:
 *
 * - the lifecycle (`whenReady`, `quit` with `before-quit`/`will-quit`, `exit`, SIGTERM quits);
 * - a single-instance lock that works across processes: a lock file in userData, and a second
 *   launch leaves a knock file there that the first one hears as 'second-instance';
 * - windows, the tray, menus, dialogs and notifications, which only record what they were asked.
 *
 * Every call a user would notice is appended as one JSON line to $KEYTRAY_STANDIN_JOURNAL, which
 * the tests read. $KEYTRAY_STANDIN_FAIL names a part that throws, to make a start fail: `tray`
 * (the Tray constructor), `menu` (Menu.buildFromTemplate), `ipc` (ipcMain.handle, after the agent
 * has started).
 *
 * Signatures are taken from the real electron.d.ts (the `Electron.*` types): the checks at the
 * bottom fail to compile if a stand-in drifts from what index.ts calls, for example if Electron's
 * clipboard stopped returning promises.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Journal = Record<string, unknown> & { call: string };

function record(entry: Journal): void {
  const file = process.env.KEYTRAY_STANDIN_JOURNAL;
  if (file) fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

function failIf(part: string): void {
  if (process.env.KEYTRAY_STANDIN_FAIL === part) throw new Error(`the stand-in ${part} failed on purpose`);
}

/** The stand-in's objects are the Electron types' shape only as far as index.ts uses them. */
function asElectron<T>(value: object): T {
  return value as T;
}

const REPO = path.resolve(__dirname, '..', '..', '..');

// ---------------------------------------------------------------------------------------------
// app

class StandInApp extends EventEmitter {
  private readonly paths = new Map<string, string>();
  private lockFile: string | null = null;
  private readonly ready: Promise<void>;
  private quitting = false;
  readonly commandLine = {
    hasSwitch: (name: string): boolean => process.argv.includes(`--${name}`),
  };
  /** macOS's Dock; $KEYTRAY_STANDIN_DOCK=1 gives one on any platform, to test what the app does with it. */
  readonly dock: Electron.App['dock'] = process.platform === 'darwin' || process.env.KEYTRAY_STANDIN_DOCK === '1' ? asElectron<Electron.Dock>(new StandInDock()) : undefined;

  constructor() {
    super();
    this.ready = new Promise((resolve) =>
      setImmediate(() => {
        this.emit('ready');
        resolve();
      }),
    );
    process.on('SIGTERM', () => this.quit());
  }

  getAppPath(): string {
    return REPO;
  }

  getPath(name: Parameters<Electron.App['getPath']>[0]): string {
    const set = this.paths.get(name);
    if (set) return set;
    const home = process.env.HOME ?? os.homedir();
    if (name === 'appData') return process.env.XDG_CONFIG_HOME ?? path.join(home, '.config');
    if (name === 'userData') return path.join(this.getPath('appData'), 'Electron');
    if (name === 'home') return home;
    return path.join(os.tmpdir(), `standin-${name}`);
  }

  setPath(name: string, value: string): void {
    record({ call: 'app.setPath', name, path: value });
    this.paths.set(name, value);
  }

  setAppUserModelId(id: string): void {
    record({ call: 'app.setAppUserModelId', id });
  }

  requestSingleInstanceLock(): boolean {
    const dir = this.getPath('userData');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'SingletonLock');
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch {
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (isAlive(holder)) {
        // Chromium hands the second launch's argv to the first and quits the second.
        fs.writeFileSync(path.join(dir, `SingletonKnock-${process.pid}`), JSON.stringify(process.argv));
        record({ call: 'app.requestSingleInstanceLock', granted: false, holder });
        return false;
      }
      fs.writeFileSync(file, String(process.pid));
    }
    this.lockFile = file;
    fs.watch(dir, { persistent: false }, (_event, name) => {
      if (!name?.toString().startsWith('SingletonKnock-')) return;
      const knock = path.join(dir, name.toString());
      let argv: string[];
      try {
        argv = JSON.parse(fs.readFileSync(knock, 'utf8')) as string[];
        fs.rmSync(knock);
      } catch {
        return;
      }
      record({ call: 'app.second-instance', argv });
      this.emit('second-instance', { preventDefault() {} }, argv, process.cwd(), null);
    });
    record({ call: 'app.requestSingleInstanceLock', granted: true });
    return true;
  }

  releaseSingleInstanceLock(): void {
    record({ call: 'app.releaseSingleInstanceLock' });
    if (this.lockFile) fs.rmSync(this.lockFile, { force: true });
    this.lockFile = null;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  quit(): void {
    record({ call: 'app.quit' });
    if (this.quitting) return;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.quitting = true;
    this.emit('will-quit', { preventDefault() {} });
    // Chromium drops the lock as the process ends.
    if (this.lockFile) fs.rmSync(this.lockFile, { force: true });
    process.exit(0);
  }

  exit(exitCode = 0): void {
    record({ call: 'app.exit', code: exitCode });
    // Like Electron's exit: no before-quit, and the lock stays unless the app released it.
    process.exit(exitCode);
  }

  setLoginItemSettings(settings: Electron.Settings): void {
    record({ call: 'app.setLoginItemSettings', settings });
  }

  getLoginItemSettings(): Electron.LoginItemSettings {
    return { openAtLogin: false, openAsHidden: false, wasOpenedAtLogin: false, wasOpenedAsHidden: false, restoreState: false, status: 'not-registered', executableWillLaunchAtLogin: false, launchItems: [] } as Electron.LoginItemSettings;
  }
}

class StandInDock {
  hide(): void {
    record({ call: 'dock.hide' });
  }
  show(): Promise<void> {
    record({ call: 'dock.show' });
    return Promise.resolve();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const app = new StandInApp();

// ---------------------------------------------------------------------------------------------
// Windows

let nextWebContentsId = 1;

class StandInWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  private destroyed = false;

  send(channel: string, ...args: unknown[]): void {
    record({ call: 'webContents.send', id: this.id, channel, payloadKeys: args[0] && typeof args[0] === 'object' ? Object.keys(args[0]) : [] });
  }
  setWindowOpenHandler(handler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0]): void {
    void handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class BrowserWindow extends EventEmitter {
  readonly webContents = new StandInWebContents();
  private visible = false;
  private destroyed = false;

  constructor(options: Electron.BrowserWindowConstructorOptions = {}) {
    super();
    record({ call: 'BrowserWindow.new', id: this.webContents.id, options });
    app.emit('web-contents-created', { preventDefault() {} }, this.webContents);
    this.visible = options.show !== false;
  }

  loadFile(filePath: string, options?: Electron.LoadFileOptions): Promise<void> {
    record({ call: 'window.loadFile', id: this.webContents.id, file: path.relative(REPO, filePath), hash: options?.hash, exists: fs.existsSync(filePath) });
    // What Chromium does once the page has painted.
    setImmediate(() => this.emit('ready-to-show', { preventDefault() {} }));
    return Promise.resolve();
  }

  show(): void {
    record({ call: 'window.show', id: this.webContents.id });
    if (!this.visible) {
      this.visible = true;
      this.emit('show', { preventDefault() {} });
    }
  }

  hide(): void {
    record({ call: 'window.hide', id: this.webContents.id });
    if (this.visible) {
      this.visible = false;
      this.emit('hide', { preventDefault() {} });
    }
  }

  focus(): void {
    record({ call: 'window.focus', id: this.webContents.id });
  }

  isVisible(): boolean {
    return this.visible;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }
}

// ---------------------------------------------------------------------------------------------
// Tray, menus, images

type StandInMenu = { template: Array<Electron.MenuItemConstructorOptions | Electron.MenuItem> };

/** Labels and roles, nested as in the menu: what the tests compare. */
function describeMenu(template: Array<Electron.MenuItemConstructorOptions | Electron.MenuItem>): unknown[] {
  return template.map((item) => {
    const options = item as Electron.MenuItemConstructorOptions;
    if (options.type === 'separator') return '---';
    const submenu = Array.isArray(options.submenu) ? describeMenu(options.submenu) : undefined;
    return { label: options.label, role: options.role, submenu };
  });
}

export const Menu = {
  buildFromTemplate(template: Array<Electron.MenuItemConstructorOptions | Electron.MenuItem>): Electron.Menu {
    failIf('menu');
    return asElectron<Electron.Menu>({ template } satisfies StandInMenu);
  },
  setApplicationMenu(menu: Electron.Menu | null): void {
    record({ call: 'Menu.setApplicationMenu', menu: menu === null ? null : describeMenu((menu as unknown as StandInMenu).template) });
  },
};

type StandInImage = { path: string };

export const nativeImage = {
  createFromPath(imagePath: string): Electron.NativeImage {
    return asElectron<Electron.NativeImage>({ path: imagePath } satisfies StandInImage);
  },
};

function imagePath(image: Electron.NativeImage | string): string {
  return path.relative(REPO, typeof image === 'string' ? image : (image as unknown as StandInImage).path);
}

export class Tray extends EventEmitter {
  constructor(image: Electron.NativeImage | string) {
    super();
    failIf('tray');
    record({ call: 'Tray.new', image: imagePath(image), exists: fs.existsSync(path.resolve(REPO, imagePath(image))) });
  }
  setToolTip(toolTip: string): void {
    record({ call: 'tray.setToolTip', toolTip });
  }
  setContextMenu(menu: Electron.Menu | null): void {
    record({ call: 'tray.setContextMenu', menu: menu === null ? null : describeMenu((menu as unknown as StandInMenu).template) });
  }
  setImage(image: Electron.NativeImage | string): void {
    record({ call: 'tray.setImage', image: imagePath(image) });
  }
}

export const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: process.env.KEYTRAY_STANDIN_DARK === '1' });

// ---------------------------------------------------------------------------------------------
// Dialogs, notifications, shell, clipboard, power

export const dialog = {
  showErrorBox(title: string, content: string): void {
    record({ call: 'dialog.showErrorBox', title, content });
  },
};

export class Notification extends EventEmitter {
  constructor(private readonly options: Electron.NotificationConstructorOptions = {}) {
    super();
  }
  static isSupported(): boolean {
    return true;
  }
  show(): void {
    record({ call: 'Notification.show', title: this.options.title, body: this.options.body });
  }
}

export const shell = {
  openExternal(url: string, options?: Electron.OpenExternalOptions): Promise<void> {
    void options;
    record({ call: 'shell.openExternal', origin: new URL(url).origin });
    return Promise.resolve();
  },
};

let clipboardText = '';
export const clipboard = {
  readText(): Promise<string> {
    return Promise.resolve(clipboardText);
  },
  writeText(text: string): Promise<void> {
    // Never the text: it may be an env export with credentials in it.
    record({ call: 'clipboard.writeText', empty: text === '' });
    clipboardText = text;
    return Promise.resolve();
  },
};

export const powerMonitor = new EventEmitter();

// ---------------------------------------------------------------------------------------------
// Sessions and IPC

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler: Parameters<Electron.Session['setPermissionRequestHandler']>[0]): void {
      record({ call: 'session.setPermissionRequestHandler', set: handler !== null });
    },
    setPermissionCheckHandler(handler: Parameters<Electron.Session['setPermissionCheckHandler']>[0]): void {
      record({ call: 'session.setPermissionCheckHandler', set: handler !== null });
    },
    webRequest: {
      onHeadersReceived(listener: (details: Electron.OnHeadersReceivedListenerDetails, callback: (response: Electron.HeadersReceivedResponse) => void) => void): void {
        void listener;
        record({ call: 'session.webRequest.onHeadersReceived' });
      },
    },
  },
};

export const ipcMain = {
  handle(channel: string, listener: (event: Electron.IpcMainInvokeEvent, ...args: unknown[]) => unknown): void {
    void listener;
    failIf('ipc');
    record({ call: 'ipcMain.handle', channel });
  },
};

// ---------------------------------------------------------------------------------------------
// Drift checks against electron.d.ts: each line fails to compile if the stand-in's signature is
// not the real one for what index.ts calls.

type Real = typeof import('electron');
/** Compiles only when the stand-in `U` can be used where Electron's `T` is expected. */
type StandsInFor<T, U extends T> = U;
export type SignatureChecks = [
  StandsInFor<Pick<Real['clipboard'], 'readText' | 'writeText'>, typeof clipboard>,
  StandsInFor<
    Pick<Real['app'], 'whenReady' | 'quit' | 'exit' | 'setPath' | 'getPath' | 'getAppPath' | 'requestSingleInstanceLock' | 'releaseSingleInstanceLock' | 'setAppUserModelId' | 'setLoginItemSettings' | 'getLoginItemSettings' | 'dock'>,
    StandInApp
  >,
  StandsInFor<
    Pick<Electron.CommandLine, 'hasSwitch'>,
    StandInApp['commandLine']
  >,
  StandsInFor<Pick<Real['dialog'], 'showErrorBox'>, typeof dialog>,
  StandsInFor<Pick<Real['shell'], 'openExternal'>, typeof shell>,
  StandsInFor<Pick<Electron.Dock, 'hide' | 'show'>, StandInDock>,
  StandsInFor<Pick<Electron.BrowserWindow, 'loadFile' | 'show' | 'hide' | 'focus' | 'isVisible' | 'isDestroyed'>, BrowserWindow>,
  StandsInFor<Pick<Electron.WebContents, 'id' | 'send' | 'setWindowOpenHandler' | 'isDestroyed'>, StandInWebContents>,
  StandsInFor<Pick<Electron.Tray, 'setToolTip' | 'setContextMenu' | 'setImage'>, Tray>,
  StandsInFor<Pick<Real['Menu'], 'buildFromTemplate' | 'setApplicationMenu'>, typeof Menu>,
  StandsInFor<Pick<Real['nativeImage'], 'createFromPath'>, typeof nativeImage>,
  StandsInFor<Pick<Real['Notification'], 'isSupported'>, typeof Notification>,
];
