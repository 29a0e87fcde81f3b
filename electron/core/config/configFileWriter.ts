import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeytrayError } from '../errors';
import { withFileEditLock } from './fileEditLock';
import { IniDocument } from './iniDocument';

/**
 * What Keytray saw when it read a file, so that a later write can tell whether someone else (an
 * editor, `aws configure`, another Keytray) changed the file in between. Only `exists` and
 * `sha256` decide that; size and mtime are there for display and cheap checks.
 */
export interface FileFingerprint {
  exists: boolean;
  size: number;
  mtimeMs: number;
  /** Hex SHA-256 of the file's bytes ('' hashed when the file does not exist). */
  sha256: string;
}

export function fingerprintOf(
  content: string | Buffer | null,
  stat?: { size?: number; mtimeMs?: number } | null,
): FileFingerprint {
  const bytes = content === null ? Buffer.alloc(0) : typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let sha256: string | undefined;
  return {
    exists: content !== null,
    size: content === null ? 0 : (stat?.size ?? bytes.length),
    mtimeMs: stat?.mtimeMs ?? 0,
    // Hashed on first use: only a write compares it, and the credential-process fast path, which only
    // reads, should not pay for loading node:crypto.
    get sha256() {
      sha256 ??= crypto().createHash('sha256').update(bytes).digest('hex');
      return sha256;
    },
  };
}

function crypto(): typeof import('node:crypto') {
  return require('node:crypto');
}

/** A missing file reads as empty text with `exists: false`; the AWS CLI treats it as no profiles. */
export function readConfigFile(file: string): { text: string; fingerprint: FileFingerprint } {
  const read = readBytes(file);
  if (!read) return { text: '', fingerprint: fingerprintOf(null) };
  return { text: decodeUtf8(read.bytes, file), fingerprint: fingerprintOf(read.bytes, { size: read.bytes.length, mtimeMs: read.mtimeMs }) };
}

/** What an edit returned, and whether it changed the file (an edit that changes nothing writes nothing). */
export interface EditOutcome<T> {
  result: T;
  changed: boolean;
}

/** How often an edit is re-applied when another program (an editor) wrote the file meanwhile. */
const ATTEMPTS_AFTER_OUTSIDE_EDIT = 3;

/**
 * The one way Keytray changes a config or credentials file: under the file's cross-process lock,
 * read it, let `change` edit the parsed document, and replace the file atomically. Because the
 * read happens under the lock, an edit never works on a stale copy, and concurrent Keytray edits
 * of different profiles all land.
 *
 * Programs other than Keytray (an editor, `aws configure`) do not take the lock. If one writes the
 * file between this read and the write, the write is refused (see writeFileAtomically) and the edit
 * is applied again to the file as that program left it, so its change is kept, never overwritten;
 * after a few such collisions in a row the edit gives up with 'config-changed'.
 *
 * `change` may run more than once, so it must only edit the document (or throw to abort, which
 * writes nothing); side effects such as keychain writes belong outside it.
 */
export function editIniFile<T>(file: string, change: (doc: IniDocument) => T): EditOutcome<T> {
  // Locked where the bytes live: a symlinked ~/.aws/config and its target are one file.
  return withFileEditLock(resolveWriteTarget(file), () => {
    for (let attempt = 1; ; attempt++) {
      const { text, fingerprint } = readConfigFile(file);
      const doc = IniDocument.parse(text, file);
      const result = change(doc);
      const next = doc.toString();
      if (next === text) return { result, changed: false };
      try {
        writeFileAtomically(file, next, fingerprint);
        return { result, changed: true };
      } catch (err) {
        if (err instanceof KeytrayError && err.code === 'config-changed' && attempt < ATTEMPTS_AFTER_OUTSIDE_EDIT) continue;
        throw err;
      }
    }
  });
}

/**
 * Replaces `file` with `text` so that a reader (the AWS CLI, an SDK, an editor) sees either the old
 * file or the new one, never half of each, and a crash never leaves it truncated:
 *
 * 1. re-read the file and refuse if its bytes differ from `expected` (someone else's edit wins);
 * 2. write a temporary file next to it (same directory, hence same filesystem, so the rename is
 *    atomic), with the original's mode, or 0600 for a new file since credentials files hold keys;
 * 3. fsync it, rename it over the original, fsync the directory so the rename itself is durable.
 *
 * A symlinked file (dotfile managers link ~/.aws/config) is written at the link's target, so the
 * link survives. Other Keytray writers are kept out by the lock `editIniFile` holds; a program that
 * takes no lock (an editor) can still write in the small window between the check in step 1 and the
 * rename in step 3, which no lock of Keytray's could close.
 *
 * Returns the fingerprint of what was written, to pass to the next write. Keytray's own edits go
 * through `editIniFile`, which calls this under the file's lock.
 */
export function writeFileAtomically(file: string, text: string, expected: FileFingerprint): FileFingerprint {
  const target = resolveWriteTarget(file);
  const dir = path.dirname(target);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw ioError(`Cannot create ${dir}`, err);
  }

  const current = readBytes(target);
  const now = current ? fingerprintOf(current.bytes) : fingerprintOf(null);
  if (now.exists !== expected.exists || now.sha256 !== expected.sha256) {
    throw new KeytrayError('config-changed', `${file} changed on disk since Keytray read it`, {
      hint: 'Nothing was written; run the command again to apply it to the current file.',
    });
  }

  const mode = current ? current.mode & 0o777 : 0o600;
  const bytes = Buffer.from(text, 'utf8');
  const temp = path.join(dir, `.${path.basename(target)}.keytray-${crypto().randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', mode);
    fs.fchmodSync(fd, mode); // the process umask may have narrowed the mode given to open()
    if (current && typeof process.getuid === 'function' && process.getuid() === 0) {
      fs.fchownSync(fd, current.uid, current.gid); // `sudo keytray ...` must not hand the file to root
    }
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (err) {
    if (fd !== undefined) closeQuietly(fd);
    try {
      fs.unlinkSync(temp);
    } catch {
      // it was never created, or the rename already consumed it
    }
    throw ioError(`Cannot write ${file}`, err);
  }
  fsyncDirectory(dir);
  const stat = fs.statSync(target);
  return fingerprintOf(bytes, { size: stat.size, mtimeMs: stat.mtimeMs });
}

/** Follows symlinks, including one whose target does not exist yet (then the target is created). */
function resolveWriteTarget(file: string): string {
  let target = path.resolve(file);
  for (let hops = 0; hops < 32; hops++) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(target);
    } catch (err) {
      if (isCode(err, 'ENOENT')) return target;
      throw ioError(`Cannot read ${file}`, err);
    }
    if (!stat.isSymbolicLink()) return target;
    try {
      return fs.realpathSync(target);
    } catch {
      target = path.resolve(path.dirname(target), fs.readlinkSync(target)); // a dangling link
    }
  }
  throw new KeytrayError('io', `Cannot write ${file}: too many levels of symbolic links`);
}

interface ReadBytes {
  bytes: Buffer;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
}

function readBytes(file: string): ReadBytes | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if (isCode(err, 'ENOENT')) return undefined;
    throw ioError(`Cannot read ${file}`, err);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new KeytrayError('io', `${file} is a directory, not a file`);
    const bytes = fs.readFileSync(fd);
    return { bytes, mtimeMs: stat.mtimeMs, mode: stat.mode, uid: stat.uid, gid: stat.gid };
  } catch (err) {
    throw ioError(`Cannot read ${file}`, err);
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Decoding invalid UTF-8 would replace bytes with U+FFFD and a later write would destroy them, so
 * such a file is refused. botocore fails on it too (UnicodeDecodeError on a UTF-8 locale).
 */
function decodeUtf8(bytes: Buffer, file: string): string {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return text;
  const bad = text.indexOf('\uFFFD');
  const line = bad < 0 ? 1 : text.slice(0, bad).split(/\r\n|\n|\r/).length;
  throw new KeytrayError('config-malformed', `${file} line ${line}: the file is not valid UTF-8`, {
    hint: 'Save it as UTF-8; Keytray will not rewrite bytes it cannot read back exactly.',
  });
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    // Windows cannot open a directory (EISDIR/EPERM) and some filesystems refuse to fsync one
    // (EINVAL); the rename has happened either way, only its durability across a power cut is lost.
    if (!isCode(err, 'EINVAL') && !isCode(err, 'EISDIR') && !isCode(err, 'EPERM') && !isCode(err, 'EBADF')) {
      throw ioError(`Cannot sync ${dir}`, err);
    }
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed; nothing to release
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

function ioError(what: string, err: unknown): KeytrayError {
  if (err instanceof KeytrayError) return err;
  const code = typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'Check that you own the file and its directory.'
      : code === 'ENOSPC'
        ? 'Free some disk space and run the command again.'
        : 'Run the command again; if it persists, check the file and its directory.';
  return new KeytrayError('io', `${what}: ${code ?? (err instanceof Error ? err.message : String(err))}`, { hint, cause: err });
}
