import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { applicationMenuTemplate, type AppMenuItem } from '../../electron/desktop/applicationMenu';
import { APP_ID, PRODUCT_NAME, chromiumProfileDir } from '../../electron/desktop/appIdentity';
import { AppLogFile } from '../../electron/desktop/appLogFile';
import { assertPermanentAppLocation, ephemeralAppLocation } from '../../electron/desktop/appLocation';
import { ExpiringClipboard, type ClipboardLike } from '../../electron/desktop/clipboardExport';
import { autostartEntryPath, desktopExecArgument, setLinuxStartAtLogin } from '../../electron/desktop/linuxAutostart';
import { NO_TRAY_HOST_MESSAGE, linuxTrayHost, platformSupport } from '../../electron/desktop/platformSupport';
import { trayIconFile } from '../../electron/desktop/trayIcon';
import { isAppPage } from '../../electron/ipc/senderValidation';
import { KeytrayError } from '../../electron/core/errors';
import { unreadableStdinError } from '../../electron/cli/cliProcessGuard';

/** The Electron-free decisions index.ts makes at launch, each as the user meets it. */
const REPO = path.resolve(__dirname, '..', '..', '..');

function roles(items: AppMenuItem[]): string[] {
  return items.flatMap((item) => ('role' in item ? [item.role] : 'submenu' in item ? roles(item.submenu) : []));
}

describe('the macOS application menu', () => {
  const menu = applicationMenuTemplate('darwin', PRODUCT_NAME)!;
  const submenu = (label: string) => (menu.find((m) => 'label' in m && m.label === label) as { submenu: AppMenuItem[] }).submenu;

  it('gives text fields Cut, Copy, Paste, Select All, Undo and Redo (Cmd+X/C/V/A/Z)', () => {
    for (const role of ['cut', 'copy', 'paste', 'selectAll', 'undo', 'redo']) assert.ok(roles(submenu('Edit')).includes(role), `Edit has ${role}`);
  });

  it('has Quit (Cmd+Q) and Close (Cmd+W), and nothing that reloads the page or opens devtools', () => {
    assert.ok(roles(submenu(PRODUCT_NAME)).includes('quit'));
    assert.ok(roles(submenu('Window')).includes('close'));
    assert.deepEqual(
      roles(menu).filter((r) => /reload|devtools|toggle/i.test(r)),
      [],
    );
  });

  it('is no menu at all on Windows and Linux, where Chromium handles the text shortcuts itself', () => {
    assert.equal(applicationMenuTemplate('win32', PRODUCT_NAME), null);
    assert.equal(applicationMenuTemplate('linux', PRODUCT_NAME), null);
  });
});

describe('the app’s identity', () => {
  it('uses the installer’s appId as the Windows AppUserModelID, so notifications show', () => {
    const config = require(path.join(REPO, 'electron-builder.config.js')) as { appId: string; productName: string };
    assert.equal(APP_ID, config.appId);
    assert.equal(PRODUCT_NAME, config.productName);
  });

  it('names the product and the Linux .desktop file in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { productName: string; desktopName: string };
    const builder = require(path.join(REPO, 'electron-builder.config.js')) as { linux: { executableName: string } };
    assert.equal(pkg.productName, PRODUCT_NAME);
    // electron-builder installs the entry as <executableName>.desktop; Electron reports desktopName as the app id.
    assert.equal(pkg.desktopName, `${builder.linux.executableName}.desktop`);
  });

  it('keeps Chromium’s profile in a folder of its own, not in Keytray’s data directory', () => {
    // Keytray's data directory on macOS and Windows is <appData>/Keytray: what Electron would use as userData.
    const appData = '/Users/me/Library/Application Support';
    assert.equal(chromiumProfileDir(appData), path.join(appData, 'Keytray', 'Chromium'));
    assert.notEqual(chromiumProfileDir(appData), path.join(appData, 'Keytray'));
  });
});

describe('the tray icon', () => {
  it('is the template image on macOS, and the glyph that contrasts with the panel elsewhere', () => {
    const dir = path.join(REPO, 'build', 'tray');
    assert.equal(trayIconFile(dir, 'darwin', true), path.join(dir, 'trayTemplate.png'));
    assert.equal(trayIconFile(dir, 'linux', true), path.join(dir, 'tray-dark.png'));
    assert.equal(trayIconFile(dir, 'win32', false), path.join(dir, 'tray-light.png'));
    for (const file of [trayIconFile(dir, 'darwin', false), trayIconFile(dir, 'linux', true), trayIconFile(dir, 'linux', false)]) {
      assert.ok(fs.existsSync(file) && fs.existsSync(file.replace(/\.png$/, '@2x.png')), `${path.basename(file)} and its @2x exist`);
    }
  });
});

describe('the IPC sender check', () => {
  it('accepts the app page however Chromium and Node spell an install path with [ ] ^ | and spaces', () => {
    const page = '/opt/Key [tray] ^|/app/dist/renderer/index.html';
    const nodeUrl = pathToFileURL(page).href;
    assert.match(nodeUrl, /%5B|%5E|%7C/, 'Node encodes these characters');
    // Chromium leaves [ ] ^ | as they are and encodes only the spaces.
    const chromiumUrl = `file://${page.replace(/ /g, '%20')}#prompt`;
    assert.equal(isAppPage(chromiumUrl, nodeUrl), true);
    assert.equal(isAppPage(`file://${page.replace(/ /g, '%20').replace('index.html', 'other.html')}`, nodeUrl), false);
    assert.equal(isAppPage('file:///opt/Key%20[tray]%20^|/app/dist/renderer/../../x/index.html', nodeUrl), false);
  });

  it('accepts a Windows drive letter in either case, and nothing that does not decode', () => {
    const expected = 'file:///C:/Program%20Files/Keytray/resources/app.asar/dist/renderer/index.html';
    assert.equal(isAppPage('file:///c:/Program Files/Keytray/resources/app.asar/dist/renderer/index.html', expected), true);
    assert.equal(isAppPage('file:///D:/Program%20Files/Keytray/resources/app.asar/dist/renderer/index.html', expected), false);
    assert.equal(isAppPage('file:///C:/Program%ZZFiles/Keytray/resources/app.asar/dist/renderer/index.html', expected), false);
  });
});

describe('install-cli from where the app will not stay', () => {
  it('refuses a mounted disk image and an App Translocation copy, saying what to do', () => {
    const dmg = '/Volumes/Keytray 0.1.0/Keytray.app/Contents/MacOS/Keytray';
    const translocated = '/private/var/folders/xy/T/AppTranslocation/1A2B-3C/d/Keytray.app/Contents/MacOS/Keytray';
    assert.equal(ephemeralAppLocation(dmg, 'darwin'), 'disk-image');
    assert.equal(ephemeralAppLocation(translocated, 'darwin'), 'translocated');
    assert.throws(() => assertPermanentAppLocation(dmg, 'darwin'), (err: KeytrayError) => {
      assert.equal(err.toLine(), 'Keytray is running from its disk image, which goes away when it is ejected, so the command line tool cannot point at it. Drag Keytray to the Applications folder, open it from there, and install the command line tool again.');
      return true;
    });
    assert.throws(() => assertPermanentAppLocation(translocated, 'darwin'), /App Translocation/);
  });

  it('accepts the Applications folder and an app inside a folder of an external disk', () => {
    assert.doesNotThrow(() => assertPermanentAppLocation('/Applications/Keytray.app/Contents/MacOS/Keytray', 'darwin'));
    assert.equal(ephemeralAppLocation('/Volumes/Data/Apps/Keytray.app/Contents/MacOS/Keytray', 'darwin'), null);
    assert.equal(ephemeralAppLocation('/Volumes/x/Keytray.app/y', 'linux'), null);
  });
});

describe('start at login on Linux', () => {
  it('writes an XDG autostart entry that starts the app hidden, and removes it', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-autostart-'));
    try {
      const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg') };
      const file = setLinuxStartAtLogin(true, ['/opt/Key tray/keytray-app'], env);
      assert.equal(file, path.join(home, 'cfg', 'autostart', 'keytray.desktop'));
      const entry = fs.readFileSync(file, 'utf8');
      assert.match(entry, /^\[Desktop Entry\]\nType=Application\nName=Keytray\n/);
      assert.match(entry, /\nExec="\/opt\/Key tray\/keytray-app" --hidden\n/);
      assert.equal(fs.statSync(file).mode & 0o777, 0o644);
      setLinuxStartAtLogin(false, ['/opt/Key tray/keytray-app'], env);
      assert.equal(fs.existsSync(file), false);
      // Turning off what is already off is not an error.
      setLinuxStartAtLogin(false, ['/opt/Key tray/keytray-app'], env);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('names the AppImage file rather than its temporary mount, and defaults to ~/.config', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-autostart-'));
    try {
      const env = { HOME: home, APPIMAGE: '/home/me/Apps/Keytray.AppImage' };
      assert.equal(autostartEntryPath(env), path.join(home, '.config', 'autostart', 'keytray.desktop'));
      setLinuxStartAtLogin(true, ['/tmp/.mount_KeytrXYZ/keytray-app'], env);
      assert.match(fs.readFileSync(autostartEntryPath(env), 'utf8'), /\nExec=\/home\/me\/Apps\/Keytray\.AppImage --hidden\n/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('quotes Exec arguments as the Desktop Entry specification says', () => {
    assert.equal(desktopExecArgument('/usr/bin/keytray-app'), '/usr/bin/keytray-app');
    assert.equal(desktopExecArgument('50%'), '50%%');
    assert.equal(desktopExecArgument('a "b" $c `d` \\e'), '"a \\\\"b\\\\" \\\\$c \\\\`d\\\\` \\\\\\\\e"');
  });
});

describe('what the platform cannot do, said in the window', () => {
  it('says on Linux that screen lock cannot be seen, and where the autostart entry goes', () => {
    const linux = platformSupport('linux', 'available', '/home/me/.config/autostart/keytray.desktop');
    assert.match(linux.settingNotes.lockOnScreenLock!, /^Linux does not tell apps when the screen locks/);
    assert.match(linux.settingNotes.startAtLogin!, /keytray\.desktop/);
    assert.equal(linux.trayMessage, undefined);
    assert.equal(linux.sandboxMessage, undefined);
    assert.match(platformSupport('linux', 'available', undefined, true).sandboxMessage!, /sandbox is off .*Install the \.deb package/);
    assert.deepEqual(platformSupport('darwin', 'available').settingNotes, {});
  });

  it('says when no tray host exists, and finds none on a session bus without one', async () => {
    assert.equal(platformSupport('linux', 'missing').trayMessage, NO_TRAY_HOST_MESSAGE);
    // The tests' private D-Bus runs no StatusNotifierWatcher, like stock GNOME.
    assert.equal(await linuxTrayHost(process.env), 'missing');
    assert.equal(await linuxTrayHost({ PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' }), 'unknown');
  });
});

describe('the app log', () => {
  it('writes time-stamped single lines without secrets, readable by the user only, and rotates by size', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-log-'));
    try {
      const log = new AppLogFile(path.join(dir, 'data', 'keytray.log'), 400, () => new Date('2026-01-02T03:04:05.000Z'));
      assert.equal(log.write('could not start:\nthe key AKIAIOSFODNN7EXAMPLE was refused, secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), true);
      const first = fs.readFileSync(log.file, 'utf8');
      assert.equal(first, '2026-01-02T03:04:05.000Z could not start: the key ****MPLE was refused, secret [redacted]\n');
      assert.equal(fs.statSync(log.file).mode & 0o777, 0o600);
      for (let i = 0; i < 10; i++) log.write(`line ${i} ${'x'.repeat(40)}`);
      assert.ok(fs.statSync(log.file).size <= 400);
      assert.ok(fs.existsSync(`${log.file}.1`));
      assert.ok(fs.statSync(`${log.file}.1`).size <= 400);
      assert.deepEqual(fs.readdirSync(path.dirname(log.file)).sort(), ['keytray.log', 'keytray.log.1']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never throws when it cannot write', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-log-'));
    try {
      // Its "directory" is a file: every write fails.
      fs.writeFileSync(path.join(dir, 'data'), '');
      assert.equal(new AppLogFile(path.join(dir, 'data', 'keytray.log')).write('x'), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the clipboard clear', () => {
  /** A clipboard whose calls take a while, as Electron 45's asynchronous ones may. */
  function slowClipboard(): ClipboardLike & { text: string; log: string[] } {
    const c = {
      text: '',
      log: [] as string[],
      async readText() {
        await new Promise((r) => setTimeout(r, 20));
        return c.text;
      },
      async writeText(text: string) {
        await new Promise((r) => setTimeout(r, 20));
        c.text = text;
        c.log.push(text === '' ? 'cleared' : 'written');
      },
    };
    return c;
  }

  it('is done when flush resolves (Lock and Quit wait for it), and a write is done when write resolves', async () => {
    const board = slowClipboard();
    const clip = new ExpiringClipboard(board);
    await clip.write('export AWS_SECRET_ACCESS_KEY=…');
    assert.deepEqual(board.log, ['written']);
    await clip.flush();
    assert.deepEqual(board.log, ['written', 'cleared']);
    assert.equal(board.text, '');
  });

  it('reports a clear that fails to its caller rather than as an unhandled rejection', async () => {
    const clip = new ExpiringClipboard({ readText: async () => 'mine', writeText: async (t) => void (t === '' ? (() => { throw new Error('clipboard busy'); })() : undefined) });
    await clip.write('mine');
    await assert.rejects(clip.flush(), /clipboard busy/);
  });
});

describe('CLI mode on Windows', () => {
  it('refuses --stdin, which Electron’s main process cannot read there, with the way out', () => {
    assert.equal(
      unreadableStdinError('win32', ['add', 'alice', '--stdin'])!.toLine(),
      "The Keytray app's command-line mode cannot read stdin on Windows. Pass the key with --env (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or use the standalone keytray command.",
    );
    assert.equal(unreadableStdinError('win32', ['add', 'alice', '--stdin'])!.exitCode, 2);
    assert.equal(unreadableStdinError('linux', ['add', 'alice', '--stdin']), null);
    assert.equal(unreadableStdinError('win32', ['add', 'alice', '--env']), null);
  });
});
