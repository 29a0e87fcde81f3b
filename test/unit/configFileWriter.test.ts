import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { KeytrayError } from '../../electron/core/errors';
import { fingerprintOf, readConfigFile, writeFileAtomically } from '../../electron/core/config/configFileWriter';

const posix = process.platform !== 'win32';
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-writer-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** Everything in the directory except the files the test expects: leftovers such as temp files. */
function strayFiles(expected: string[]): string[] {
  return fs.readdirSync(dir).filter((f) => !expected.includes(f));
}

describe('readConfigFile', () => {
  it('reads a missing file as empty', () => {
    const { text, fingerprint } = readConfigFile(path.join(dir, 'config'));
    assert.equal(text, '');
    assert.equal(fingerprint.exists, false);
    assert.equal(fingerprint.size, 0);
  });

  it('fingerprints the bytes it read', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '[default]\r\nregion = é\r\n');
    const { text, fingerprint } = readConfigFile(file);
    assert.equal(text, '[default]\r\nregion = é\r\n');
    assert.equal(fingerprint.exists, true);
    assert.equal(fingerprint.size, Buffer.byteLength(text));
    assert.equal(fingerprint.sha256, fingerprintOf(text).sha256);
    assert.ok(fingerprint.mtimeMs > 0);
  });

  it('refuses a file that is not UTF-8 rather than corrupt it on the next write', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('[default]\nregion = a\n# Z'), Buffer.from([0xfc]), Buffer.from('rich\n')]));
    assert.throws(() => readConfigFile(file), (err: unknown) => {
      assert.ok(err instanceof KeytrayError);
      assert.equal(err.code, 'config-malformed');
      assert.equal(err.message, `${file} line 3: the file is not valid UTF-8`);
      return true;
    });
  });
});

describe('writeFileAtomically', () => {
  it('replaces the content and returns a fingerprint good for the next write', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'old\n');
    const first = writeFileAtomically(file, 'new\n', readConfigFile(file).fingerprint);
    assert.equal(fs.readFileSync(file, 'utf8'), 'new\n');
    assert.deepEqual(first, readConfigFile(file).fingerprint);
    writeFileAtomically(file, 'newer\n', first);
    assert.equal(fs.readFileSync(file, 'utf8'), 'newer\n');
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('keeps the file mode, 0600 or 0644', { skip: !posix }, () => {
    for (const mode of [0o600, 0o644]) {
      const file = path.join(dir, `config-${mode.toString(8)}`);
      fs.writeFileSync(file, 'x\n');
      fs.chmodSync(file, mode);
      writeFileAtomically(file, 'y\n', readConfigFile(file).fingerprint);
      assert.equal(modeOf(file), mode);
    }
  });

  it('creates a new file 0600 and its missing directory 0700', { skip: !posix }, () => {
    const file = path.join(dir, 'home', '.aws', 'credentials');
    writeFileAtomically(file, '[default]\n', readConfigFile(file).fingerprint);
    assert.equal(fs.readFileSync(file, 'utf8'), '[default]\n');
    assert.equal(modeOf(file), 0o600);
    assert.equal(modeOf(path.dirname(file)), 0o700);
  });

  it('refuses when the file changed since it was read, and writes nothing', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '[default]\n');
    const { fingerprint } = readConfigFile(file);
    fs.writeFileSync(file, '[default]\nregion = edited-by-someone-else\n');
    assert.throws(() => writeFileAtomically(file, '[default]\nregion = mine\n', fingerprint), (err: unknown) => {
      assert.ok(err instanceof KeytrayError);
      assert.equal(err.code, 'config-changed');
      assert.equal(err.message, `${file} changed on disk since Keytray read it`);
      assert.match(err.toLine(), /run the command again/);
      return true;
    });
    assert.equal(fs.readFileSync(file, 'utf8'), '[default]\nregion = edited-by-someone-else\n');
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('refuses when a file appeared that was missing when read', () => {
    const file = path.join(dir, 'config');
    const { fingerprint } = readConfigFile(file);
    fs.writeFileSync(file, '');
    assert.throws(() => writeFileAtomically(file, 'x', fingerprint), { code: 'config-changed' });
    assert.equal(fs.readFileSync(file, 'utf8'), '');
  });

  it('refuses when the file was deleted since it was read', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'x\n');
    const { fingerprint } = readConfigFile(file);
    fs.unlinkSync(file);
    assert.throws(() => writeFileAtomically(file, 'y\n', fingerprint), { code: 'config-changed' });
    assert.equal(fs.existsSync(file), false);
  });

  it('ignores a touch that did not change the bytes', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'x\n');
    const { fingerprint } = readConfigFile(file);
    fs.utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    writeFileAtomically(file, 'y\n', fingerprint);
    assert.equal(fs.readFileSync(file, 'utf8'), 'y\n');
  });

  it('writes through a symlink to its target and keeps the link', { skip: !posix }, () => {
    const dotfiles = path.join(dir, 'dotfiles');
    fs.mkdirSync(dotfiles);
    const target = path.join(dotfiles, 'aws-config');
    fs.writeFileSync(target, 'old\n');
    fs.chmodSync(target, 0o640);
    const link = path.join(dir, 'config');
    fs.symlinkSync(path.relative(dir, target), link);
    writeFileAtomically(link, 'new\n', readConfigFile(link).fingerprint);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), 'new\n');
    assert.equal(modeOf(target), 0o640);
    assert.deepEqual(fs.readdirSync(dotfiles), ['aws-config']);
    assert.deepEqual(strayFiles(['config', 'dotfiles']), []);
  });

  it('creates the target of a dangling symlink', { skip: !posix }, () => {
    const target = path.join(dir, 'elsewhere', 'config');
    const link = path.join(dir, 'config');
    fs.symlinkSync(target, link);
    writeFileAtomically(link, '[default]\n', readConfigFile(link).fingerprint);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), '[default]\n');
  });

  it('cleans up its temporary file when the write fails', { skip: !posix || process.getuid?.() === 0 }, () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'x\n');
    const { fingerprint } = readConfigFile(file);
    fs.chmodSync(dir, 0o500); // the directory can be read but no temp file can be created in it
    try {
      assert.throws(() => writeFileAtomically(file, 'y\n', fingerprint), (err: unknown) => {
        assert.ok(err instanceof KeytrayError);
        assert.equal(err.code, 'io');
        assert.match(err.toLine(), /Cannot write .*config: EACCES\. Check that you own the file/);
        return true;
      });
    } finally {
      fs.chmodSync(dir, 0o700);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), 'x\n');
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('cleans up its temporary file when the disk fills during the write, as root too', (t) => {
    // The permission test above cannot fail for root; a full disk can, so it is injected at the
    // fsync, when the temporary file already exists and holds part of the new text.
    const rawFs: typeof fs = require('node:fs');
    let strayAtFailure: string[] = [];
    t.mock.method(rawFs, 'fsyncSync', () => {
      strayAtFailure = strayFiles(['config']);
      throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' });
    });
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'x\n');
    assert.throws(() => writeFileAtomically(file, 'y\n', readConfigFile(file).fingerprint), (err: unknown) => {
      assert.ok(err instanceof KeytrayError);
      assert.equal(err.code, 'io');
      assert.match(err.toLine(), /Cannot write .*config: ENOSPC\. Free some disk space/);
      return true;
    });
    assert.equal(strayAtFailure.length, 1, 'the temporary file existed when the write failed');
    assert.equal(fs.readFileSync(file, 'utf8'), 'x\n');
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('removes the temporary file when the rename fails', (t) => {
    // Root ignores directory permissions, so the failure is injected at the one call that cannot
    // be made to fail for real here.
    const rawFs: typeof fs = require('node:fs');
    t.mock.method(rawFs, 'renameSync', () => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
    });
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'x\n');
    assert.throws(() => writeFileAtomically(file, 'y\n', readConfigFile(file).fingerprint), { code: 'io' });
    assert.equal(fs.readFileSync(file, 'utf8'), 'x\n');
    assert.deepEqual(strayFiles(['config']), []);
  });
});
