import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

/**
 * `npm run lint` keeps the map true only if its rules can fail. Each case below writes a small tree
 * shaped like this repository's, breaks one rule in it, and runs the project's own ESLint and
 * dependency-cruiser configurations over it; the clean twin of each case must pass.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(REPO, 'node_modules', '.bin');

interface Outcome {
  code: number;
  output: string;
}

function run(tool: 'depcruise' | 'eslint', cwd: string): Promise<Outcome> {
  const args =
    tool === 'depcruise'
      ? ['electron', 'renderer', '--config', path.join(REPO, '.dependency-cruiser.cjs')]
      : ['-c', path.join(REPO, 'eslint.config.mjs'), 'electron', 'renderer'];
  return new Promise((resolve) => {
    execFile(path.join(BIN, tool), args, { cwd, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

let root: string;
let counter = 0;

/** A tree with the given files (paths relative to the tree) and the tsconfig dependency-cruiser reads. */
function tree(files: Record<string, string>): string {
  const dir = path.join(root, `case-${counter++}`);
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node', strict: true, jsx: 'react-jsx' } }),
    'electron/core/errors.ts': 'export const e = 1;\n',
    'electron/ipc/contract.ts': 'export interface Row { name: string }\nexport const CHANNELS = ["a"];\n',
    'renderer/src/main.ts': 'export const page = 1;\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('npm run lint', () => {
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-lint-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('fails on an arrow out of core, and passes core importing core', async () => {
    const bad = await run('depcruise', tree({ 'electron/core/paths.ts': "import { run } from '../cli/program';\nexport const p = run;\n", 'electron/cli/program.ts': 'export const run = 1;\n' }));
    assert.equal(bad.code === 0, false, bad.output);
    assert.match(bad.output, /core-is-inward: electron\/core\/paths\.ts → electron\/cli\/program\.ts/);
    const good = await run('depcruise', tree({ 'electron/core/paths.ts': "import { e } from './errors';\nexport const p = e;\n" }));
    assert.equal(good.code, 0, good.output);
  });

  it('fails on an import cycle anywhere', async () => {
    const bad = await run(
      'depcruise',
      tree({
        'electron/desktop/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'electron/desktop/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      }),
    );
    assert.notEqual(bad.code, 0, bad.output);
    assert.match(bad.output, /no-cycles/);
  });

  it('lets the renderer take the contract types, and nothing else from electron/', async () => {
    const typesOnly = await run('depcruise', tree({ 'renderer/src/list.ts': "import type { Row } from '../../electron/ipc/contract';\nexport const r: Row = { name: 'x' };\n" }));
    assert.equal(typesOnly.code, 0, typesOnly.output);

    const value = await run('depcruise', tree({ 'renderer/src/list.ts': "import { CHANNELS } from '../../electron/ipc/contract';\nexport const c = CHANNELS;\n" }));
    assert.notEqual(value.code, 0, value.output);
    assert.match(value.output, /renderer-takes-contract-types-only/);

    const other = await run('depcruise', tree({ 'renderer/src/list.ts': "import type { E } from '../../electron/core/errors';\nexport type X = E;\n", 'electron/core/errors.ts': 'export type E = string;\n' }));
    assert.notEqual(other.code, 0, other.output);
    assert.match(other.output, /renderer-sees-only-the-contract/);
  });

  it('fails on raw ipcMain outside the door, and allows it in the door', async () => {
    const handler = "import type { IpcMain } from 'electron';\nexport function register(ipcMain: IpcMain): void {\n  ipcMain.handle('x', () => 1);\n}\n";
    const bad = await run('eslint', tree({ 'electron/desktop/rawIpc.ts': handler }));
    assert.notEqual(bad.code, 0, bad.output);
    assert.match(bad.output, /Raw ipcMain\/ipcRenderer calls belong in electron\/ipc\/ipcDoor\.ts/);
    const door = await run('eslint', tree({ 'electron/ipc/ipcDoor.ts': handler }));
    assert.equal(door.code, 0, door.output);
  });

  it('fails on a run-time import of electron outside main/ and preload/', async () => {
    const bad = await run('eslint', tree({ 'electron/desktop/tray.ts': "import { Tray } from 'electron';\nexport const t = Tray;\n" }));
    assert.notEqual(bad.code, 0, bad.output);
    assert.match(bad.output, /Only electron\/main\/ and electron\/preload\/ use Electron at run time/);
    const typeOnly = await run('eslint', tree({ 'electron/desktop/tray.ts': "import type { Tray } from 'electron';\nexport type T = Tray;\n" }));
    assert.equal(typeOnly.code, 0, typeOnly.output);
  });
});
