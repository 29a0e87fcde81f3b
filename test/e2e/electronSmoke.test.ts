import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { _electron as electron } from 'playwright-core';

/**
 * Starts the real app when an Electron runtime is installed (a developer's machine), and checks the
 * window comes up isolated. Here and in CI only the `electron` package's types are installed, so it
 * skips, saying why. The runtime is looked up on disk: `require('electron')` would try to download.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const ELECTRON_DIR = path.join(REPO, 'node_modules', 'electron');

function electronBinary(): string | null {
  try {
    const relative = fs.readFileSync(path.join(ELECTRON_DIR, 'path.txt'), 'utf8').trim();
    const binary = path.join(ELECTRON_DIR, 'dist', relative);
    return fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const skipReason = binary ? undefined : 'the Electron runtime is not installed (the electron package is here for its types only)';
if (skipReason) process.stdout.write(`# skipping the Electron smoke test: ${skipReason}\n`);

describe('Electron app smoke test', { skip: skipReason, timeout: 60_000 }, () => {
  it('opens the main window with the renderer isolated from Node', async () => {
    const app = await electron.launch({ executablePath: binary!, args: [REPO], env: { ...process.env, KEYTRAY_HOME: fs.mkdtempSync('/tmp/keytray-smoke-') } as Record<string, string> });
    try {
      const window = await app.firstWindow();
      await window.getByRole('heading', { name: 'Profiles' }).waitFor();
      assert.equal(await window.evaluate<string>('typeof require'), 'undefined');
      assert.equal(await window.evaluate<string>('typeof process'), 'undefined');
      assert.equal(await window.evaluate<boolean>('Object.isFrozen(window.keytray)'), true);
    } finally {
      await app.close();
    }
  });
});
