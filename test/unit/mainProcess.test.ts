import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHANNELS, IPC_PREFIX } from '../../electron/ipc/channels';
import { agentSocketPath } from '../../electron/agent/agentProtocol';
import { REPO } from '../integration/harness';

/**
 * The real electron/main/index.ts, run under Node with the stand-in `electron` module
 * (test/electronStandIn/): a normal start, a start that fails, a second launch and CLI mode, each
 * judged by what a user would notice: the windows and their security options, the tray, the error
 * dialog, the log file, the exit status, the single-instance lock and the agent's socket.
 */
const MAIN = path.join(REPO, 'dist', 'electron', 'main', 'index.js');
const REGISTER = path.join(REPO, 'dist', 'test', 'electronStandIn', 'register.js');

type Entry = { call: string } & Record<string, unknown>;

interface Launch {
  home: string;
  dataDir: string;
  journal: string;
  env: NodeJS.ProcessEnv;
}

function newHome(): Launch {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-main-'));
  const dataDir = path.join(home, 'keytray-data');
  fs.mkdirSync(path.join(home, '.aws'));
  fs.writeFileSync(path.join(home, '.aws', 'config'), '[profile someone]\nregion = eu-west-1\n');
  const journal = path.join(home, 'journal.jsonl');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    KEYTRAY_HOME: dataDir,
    AWS_CONFIG_FILE: path.join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
    KEYTRAY_STANDIN_JOURNAL: journal,
  };
  return { home, dataDir, journal, env };
}

function entries(launch: Launch): Entry[] {
  if (!fs.existsSync(launch.journal)) return [];
  return fs
    .readFileSync(launch.journal, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Entry);
}

function startMain(launch: Launch, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['-r', REGISTER, MAIN, ...args], { env: { ...launch.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function waitFor(launch: Launch, test: (e: Entry) => boolean, what: string): Promise<Entry> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = entries(launch).find(test);
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`the app never did: ${what}; it did ${entries(launch).map((e) => e.call).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function agentAnswers(dataDir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(agentSocketPath(dataDir, ''));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function lockFile(launch: Launch): string {
  return path.join(launch.home, '.config', 'Keytray', 'Chromium', 'SingletonLock');
}

describe('electron/main/index.ts under the Electron stand-in', { timeout: 120_000 }, () => {
  const homes: Launch[] = [];
  const launch = () => {
    const l = newHome();
    homes.push(l);
    return l;
  };
  after(() => {
    for (const l of homes) fs.rmSync(l.home, { recursive: true, force: true });
  });

  describe('a normal start', () => {
    let l: Launch;
    let app: ReturnType<typeof startMain>;
    before(async () => {
      l = launch();
      app = startMain(l, ['--hidden']);
      await waitFor(l, (e) => e.call === 'window.show', 'show its window');
    });

    it('opens the window sandboxed and isolated, with the preload and page that the build produced', () => {
      const created = entries(l).filter((e) => e.call === 'BrowserWindow.new');
      assert.equal(created.length, 1);
      const options = created[0].options as { show: boolean; webPreferences: Record<string, unknown> };
      assert.equal(options.show, false, 'shown only once painted');
      assert.equal(options.webPreferences.contextIsolation, true);
      assert.equal(options.webPreferences.sandbox, true);
      assert.equal(options.webPreferences.nodeIntegration, false);
      assert.ok(fs.existsSync(options.webPreferences.preload as string), 'the preload exists');
      const load = entries(l).find((e) => e.call === 'window.loadFile')!;
      assert.deepEqual([load.file, load.exists], ['dist/renderer/index.html', true]);
    });

    it('builds the tray from the light/dark glyph, with Open and Quit, and registers every IPC channel', () => {
      const tray = entries(l).find((e) => e.call === 'Tray.new')!;
      assert.deepEqual([tray.image, tray.exists], ['build/tray/tray-light.png', true]);
      const menu = JSON.stringify(entries(l).filter((e) => e.call === 'tray.setContextMenu').at(-1)!.menu);
      assert.match(menu, /Open Keytray…/);
      assert.match(menu, /Quit Keytray/);
      const handled = entries(l).filter((e) => e.call === 'ipcMain.handle').map((e) => e.channel);
      assert.deepEqual(handled.sort(), CHANNELS.map((c) => IPC_PREFIX + c).sort());
    });

    it('keeps Chromium out of Keytray’s data directory, and sets no menu with Reload or DevTools on Linux', () => {
      const userData = entries(l).find((e) => e.call === 'app.setPath' && e.name === 'userData')!;
      assert.equal(userData.path, path.join(l.home, '.config', 'Keytray', 'Chromium'));
      assert.notEqual(userData.path, l.dataDir);
      assert.equal(entries(l).find((e) => e.call === 'Menu.setApplicationMenu')!.menu, null);
    });

    it('with no tray host on the desktop, shows the window although started --hidden, and says why in the log', () => {
      // The private D-Bus of the tests has no StatusNotifierWatcher, as stock GNOME has none.
      const log = fs.readFileSync(path.join(l.dataDir, 'keytray.log'), 'utf8');
      assert.match(log, /^\d{4}-\d\d-\d\dT[\d:.]+Z Your desktop shows no tray icons .*Quit button\.\n/);
    });

    it('started with --no-sandbox (as the AppImage may be), says in the log that the sandbox is off', async () => {
      const other = launch();
      const run = startMain(other, ['--no-sandbox']);
      await waitFor(other, (e) => e.call === 'window.show', 'show its window');
      assert.match(fs.readFileSync(path.join(other.dataDir, 'keytray.log'), 'utf8'), /Z Chromium's sandbox is off \(Keytray was started with --no-sandbox/);
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
      assert.doesNotMatch(fs.readFileSync(path.join(l.dataDir, 'keytray.log'), 'utf8'), /sandbox is off/, 'not said when the sandbox is on');
    });

    it('serves the agent while it runs, and Quit stops it and exits 0', async () => {
      assert.equal(await agentAnswers(l.dataDir), true);
      app.child.kill('SIGTERM');
      assert.equal(await app.exited, 0);
      assert.equal(await agentAnswers(l.dataDir), false);
      assert.equal(fs.existsSync(lockFile(l)), false, 'the single-instance lock is released');
    });
  });

  for (const part of ['tray', 'menu', 'ipc'] as const) {
    it(`a start whose ${part} throws exits 1 with a dialog and a log line, releases the lock and stops the agent`, async () => {
      const l = launch();
      const app = startMain(l, [], { KEYTRAY_STANDIN_FAIL: part });
      assert.equal(await app.exited, 1);
      const dialog = entries(l).find((e) => e.call === 'dialog.showErrorBox');
      assert.ok(dialog, 'an error dialog was shown');
      assert.equal(dialog.title, 'Keytray could not start');
      assert.match(dialog.content as string, new RegExp(`the stand-in ${part} failed on purpose`));
      assert.match(dialog.content as string, new RegExp(`The log is ${path.join(l.dataDir, 'keytray.log').replace(/[.]/g, '\\.')}\\.`));
      const log = fs.readFileSync(path.join(l.dataDir, 'keytray.log'), 'utf8');
      assert.match(log, new RegExp(`Z could not start: Unexpected failure: the stand-in ${part} failed on purpose\\.`));
      assert.ok(entries(l).some((e) => e.call === 'app.releaseSingleInstanceLock'));
      assert.equal(fs.existsSync(lockFile(l)), false);
      assert.equal(await agentAnswers(l.dataDir), false, 'no agent is left listening');
      assert.equal(app.output().stderr.split('\n').filter(Boolean).length >= 1, true);
      assert.doesNotMatch(app.output().stderr, /\n\s+at /, 'no stack trace');

      // The next launch is not turned away by a lock nobody holds.
      const next = startMain(l);
      await waitFor(l, (e) => e.call === 'app.requestSingleInstanceLock' && e.granted === true && entries(l).filter((x) => x.call === 'app.requestSingleInstanceLock').length === 2, 'take the lock again');
      next.child.kill('SIGTERM');
      assert.equal(await next.exited, 0);
    });
  }

  it('a second launch brings the running app’s window forward and quits at once', async () => {
    const l = launch();
    const first = startMain(l);
    await waitFor(l, (e) => e.call === 'window.show', 'show its window');
    const second = startMain(l);
    assert.equal(await second.exited, 0);
    await waitFor(l, (e) => e.call === 'app.second-instance', 'hear the second launch');
    await waitFor(l, (e) => e.call === 'window.focus', 'focus its window');
    assert.equal(entries(l).filter((e) => e.call === 'BrowserWindow.new').length, 1, 'the second launch opened no window of its own');
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
  });

  it('shows a Dock icon only once its window is on screen (macOS)', async () => {
    const l = launch();
    const app = startMain(l, [], { KEYTRAY_STANDIN_DOCK: '1' });
    await waitFor(l, (e) => e.call === 'dock.show', 'show its Dock icon');
    const calls = entries(l).map((e) => e.call);
    assert.ok(calls.indexOf('window.show') < calls.indexOf('dock.show'), 'the Dock icon follows the window');
    assert.ok(calls.indexOf('dock.hide') < calls.indexOf('window.show'), 'no Dock icon before the window shows');
    app.child.kill('SIGTERM');
    assert.equal(await app.exited, 0);
  });

  describe('CLI mode', () => {
    it('runs the command with no lock, window or tray, and exits with its status', async () => {
      const l = launch();
      const cli = startMain(l, ['--keytray-cli', '--', 'list', '--json']);
      assert.equal(await cli.exited, 0, cli.output().stderr);
      assert.match(cli.output().stdout, /"someone"/);
      const calls = entries(l).map((e) => e.call);
      for (const never of ['app.requestSingleInstanceLock', 'BrowserWindow.new', 'Tray.new', 'dialog.showErrorBox']) assert.ok(!calls.includes(never), `CLI mode called ${never}`);

      // On macOS CLI mode hides the Dock icon at once and never shows it.
      const docked = startMain(l, ['--keytray-cli', '--', 'list'], { KEYTRAY_STANDIN_DOCK: '1' });
      assert.equal(await docked.exited, 0);
      const dockCalls = entries(l).filter((e) => e.call.startsWith('dock.')).map((e) => e.call);
      assert.deepEqual(dockCalls, ['dock.hide']);

      const usage = startMain(l, ['--keytray-cli', '--', 'list', '--no-such-option']);
      assert.equal(await usage.exited, 2);
    });

    it('ends quietly when the reader closes the pipe early (`keytray list | head -1`)', async () => {
      const l = launch();
      const many = Array.from({ length: 3000 }, (_, i) => `[profile p${i}]\nregion = eu-west-1\n`).join('\n');
      fs.writeFileSync(l.env.AWS_CONFIG_FILE!, many);
      const cli = startMain(l, ['--keytray-cli', '--', 'list']);
      // Closed before the first line is written, so every write of the command meets EPIPE.
      cli.child.stdout.destroy();
      assert.equal(await cli.exited, 0);
      assert.equal(cli.output().stderr, '');
      assert.ok(!entries(l).some((e) => e.call === 'dialog.showErrorBox'));
    });

    it('the guard ends a writer whose reader went away quietly, with the status so far', async () => {
      // A command that keeps writing after the reader left: without the guard this is an unhandled
      // EPIPE with a stack trace (and, under Electron, its error dialog).
      const guard = path.join(REPO, 'dist', 'electron', 'cli', 'cliProcessGuard.js');
      const script = `require(${JSON.stringify(guard)}).guardCliProcess(process, (c) => process.exit(c)); setInterval(() => process.stdout.write('x'.repeat(65536)), 5);`;
      for (const [status, expected] of [['', 0], ['process.exitCode = 3;', 3]] as const) {
        const child = spawn(process.execPath, ['-e', status + script], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        assert.equal(code, expected);
        assert.equal(stderr, '');
      }
    });

    it('turns an error nothing caught into one line and exit 1, never a dialog', async () => {
      const l = launch();
      const cli = startMain(l, ['--keytray-cli', '--', 'agent'], { KEYTRAY_STANDIN_STRAY_ERROR: '1' });
      assert.equal(await cli.exited, 1);
      assert.equal(cli.output().stderr, 'keytray: Unexpected failure: a stray error from the stand-in. Run again; if it persists, report it with the command you ran.\n');
      assert.ok(!entries(l).some((e) => e.call === 'dialog.showErrorBox'));
    });
  });
});
