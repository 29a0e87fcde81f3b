import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { KeytrayError } from '../../electron/core/errors';
import { editIniFile, fingerprintOf, readConfigFile, writeFileAtomically } from '../../electron/core/config/configFileWriter';
import { lockFileFor, withFileEditLock } from '../../electron/core/config/fileEditLock';

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

describe('editIniFile', () => {
  it('edits the file as it is on disk, writes only a change, and leaves no lock behind', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '# mine\n[default]\nregion = a\n');
    const outcome = editIniFile(file, (doc) => {
      doc.set('default', 'output', 'json');
      return doc.get('default', 'region');
    });
    assert.deepEqual(outcome, { result: 'a', changed: true });
    assert.equal(fs.readFileSync(file, 'utf8'), '# mine\n[default]\nregion = a\noutput = json\n');
    const inode = fs.statSync(file).ino;
    assert.equal(editIniFile(file, (doc) => doc.set('default', 'output', 'json')).changed, false);
    assert.equal(fs.statSync(file).ino, inode, 'an edit that changes nothing does not replace the file');
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('keeps what an editor wrote between its read and its write, and applies the edit on top', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '[default]\nregion = a\n');
    let calls = 0;
    editIniFile(file, (doc) => {
      // The first time round, an editor saves the file after Keytray read it.
      if (calls++ === 0) fs.writeFileSync(file, '[default]\nregion = a\n\n[profile typed]\nregion = b\n');
      doc.set('default', 'output', 'json');
    });
    assert.equal(calls, 2);
    assert.equal(fs.readFileSync(file, 'utf8'), '[default]\nregion = a\noutput = json\n\n[profile typed]\nregion = b\n');
  });

  it('gives up, writing nothing, when the file keeps changing under it', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '[default]\n');
    let round = 0;
    assert.throws(
      () =>
        editIniFile(file, (doc) => {
          fs.writeFileSync(file, `[default]\nround = ${++round}\n`);
          doc.set('default', 'mine', 'x');
        }),
      (err: unknown) => err instanceof KeytrayError && err.code === 'config-changed' && err.message === `${file} changed on disk since Keytray read it`,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), `[default]\nround = ${round}\n`, "the other program's last edit stands");
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('writes nothing when the edit throws', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '[default]\n');
    assert.throws(() =>
      editIniFile(file, (doc) => {
        doc.set('default', 'half', 'done');
        throw new KeytrayError('config-invalid', 'no');
      }),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), '[default]\n');
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('takes over a lock left by a process that has exited', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '[default]\n');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(lockFileFor(file), `${dead.stdout} ${Date.now()} 0011223344556677`);
    editIniFile(file, (doc) => doc.set('default', 'region', 'a'));
    assert.equal(fs.readFileSync(file, 'utf8'), '[default]\nregion = a\n');
    assert.deepEqual(strayFiles(['config']), []);
  });

  it('stops waiting for a live holder with a line that says who holds it and what to do', () => {
    const file = path.join(dir, 'config');
    // A live process that is not this one: the parent of the test runner.
    fs.writeFileSync(lockFileFor(file), `${process.ppid} ${Date.now()} 0011223344556677`);
    const started = Date.now();
    assert.throws(
      () => withFileEditLock(file, () => assert.fail('ran without the lock'), { waitLimitMs: 300 }),
      (err: unknown) =>
        err instanceof KeytrayError &&
        err.code === 'config-locked' &&
        err.toLine() === `${file} is being edited by Keytray process ${process.ppid}; gave up waiting after 0.3 s. Nothing was written; run the command again. If no Keytray is running, delete ${lockFileFor(file)}.`,
    );
    assert.ok(Date.now() - started < 2000);
  });
});
