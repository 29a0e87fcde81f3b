import { KeytrayError } from '../errors';

/**
 * A lossless INI document for ~/.aws/config and ~/.aws/credentials.
 *
 * The text is kept as physical lines, each with its own terminator (`\r\n`, `\n`, a lone `\r`, or
 * none for a last line without a newline), so `toString()` gives back the input byte for byte. The
 * sections and keys are an index over those lines, rebuilt after every edit; an edit splices only
 * the lines it means to change.
 *
 * What a line means follows Python's `configparser.RawConfigParser`, which botocore (the AWS CLI)
 * uses to read these files, so Keytray and the AWS CLI agree on every file they both accept:
 *
 * - A comment is a line whose first non-blank character is `#` or `;`, at any indentation.
 * - Inline comments are NOT stripped: `region = us-east-1 # prod` has the value
 *   `us-east-1 # prod`, as botocore reads it. (The AWS SDK for JavaScript strips ` #...`; the two
 *   disagree, so do not write inline comments after values Keytray reads.)
 * - `key = value` and `key: value` both work; the first `=` or `:` separates. Keys and values are
 *   trimmed. Keys are case-sensitive here (the JavaScript SDK's view); see `awsConfig.ts` and
 *   `profileSetup.ts` for where botocore's lower-casing of keys matters.
 * - A line indented deeper than the key line above it continues that key's value, even across
 *   blank lines and comments. A key with an empty value followed by indented `sub = value` lines
 *   is botocore's nested syntax (`s3 =\n  max_concurrent_requests = 10`); its value reads as
 *   configparser returns it, `\nmax_concurrent_requests = 10`, and `nested()` splits it.
 * - A section name is the raw text between `[` and `]`, untrimmed, as configparser keeps it.
 * - Duplicate sections and duplicate keys in a section are errors. botocore reads with
 *   configparser's strict mode, so the AWS CLI refuses such a file with "Unable to parse config
 *   file" and no line number; Keytray refuses it too, but says where. Keys are compared without
 *   case for this check, because configparser lower-cases them before comparing.
 * - A UTF-8 byte order mark is kept in the text and ignored when reading the first line.
 */
export class IniDocument {
  readonly fileName: string;
  private readonly lines: RawLine[];
  private index: DocumentIndex;
  private edits = 0;

  private constructor(lines: RawLine[], fileName: string) {
    this.lines = lines;
    this.fileName = fileName;
    this.index = indexLines(lines, fileName);
  }

  /** Throws KeytrayError('config-malformed') naming the file and the 1-based line. */
  static parse(text: string, fileName: string): IniDocument {
    return new IniDocument(splitLines(text), fileName);
  }

  toString(): string {
    let out = '';
    for (const line of this.lines) out += line.text + line.eol;
    return out;
  }

  /** Increases with every edit that changed the text; lets callers cache what they derive. */
  get version(): number {
    return this.edits;
  }

  /** The terminator new lines get: the file's first one, or `\n` for a file that has none. */
  get lineEnding(): string {
    for (const line of this.lines) if (line.eol !== '') return line.eol;
    return '\n';
  }

  /** Section names in file order, each once (configparser lets [DEFAULT] repeat). */
  sectionNames(): string[] {
    return [...this.index.byName.keys()];
  }

  hasSection(section: string): boolean {
    return this.index.byName.has(section);
  }

  /**
   * A key's value as botocore reads it: the key is found without regard to case, and a section
   * that lacks it inherits it from [DEFAULT], as configparser's sections do.
   */
  get(section: string, key: string): string | undefined {
    const s = this.index.byName.get(section);
    if (!s) return undefined;
    return (findKey(s, key) ?? findKey(this.index.defaults, key))?.value;
  }

  /** The section's settings as botocore sees them: its own lines, then what it inherits from [DEFAULT]. */
  entries(section: string): Array<[string, string]> {
    const s = this.index.byName.get(section);
    if (!s) return [];
    const own = section === DEFAULTS ? this.index.defaults.keys : s.keys;
    const entries = own.map((k): [string, string] => [k.key, k.value]);
    if (section !== DEFAULTS) {
      for (const k of this.index.defaults.keys) if (!findKeyLower(s, k.lower)) entries.push([k.key, k.value]);
    }
    return entries;
  }

  /** The keys on the section's own lines, which are what the edits below can change. */
  keys(section: string): string[] {
    const s = this.index.byName.get(section);
    return s ? s.keys.map((k) => k.key) : [];
  }

  /** botocore's nested values: `s3 =` followed by indented `sub = value` lines. */
  nested(section: string, key: string): Record<string, string> | undefined {
    const value = this.get(section, key);
    if (value === undefined || !value.startsWith('\n')) return undefined;
    return parseNested(value);
  }

  /** The 1-based line of a key, or of the section header when `key` is omitted; for error messages. */
  lineOf(section: string, key?: string): number | undefined {
    const s = this.index.byName.get(section);
    if (!s) return undefined;
    if (key === undefined) return s.header + 1;
    const k = findKey(s, key);
    return k ? k.line + 1 : undefined;
  }

  /** True when the section has a key, or a comment in its body or directly above its header. */
  hasKeysOrComments(section: string): boolean {
    const s = this.index.byName.get(section);
    if (!s) return false;
    if (s.keys.length > 0) return true;
    const span = this.sectionSpan(s);
    for (let i = span.start; i < span.end; i++) if (this.index.kinds[i] === 'comment') return true;
    return false;
  }

  /**
   * Replaces the value in place, keeping the line's `key = ` spacing, its indentation and its line
   * ending. A new key goes right after the section's last key (and that key's continuation lines),
   * so comments and blank lines that lead into the next section stay where they are. A missing
   * section is added with `addSection`. Values are trimmed, as they would be on reading.
   */
  set(section: string, key: string, value: string): void {
    assertKey(key, this.fileName);
    value = assertValue(value, key, this.fileName);
    const s = this.index.byName.get(section);
    if (!s) {
      this.addSection(section, [[key, value]]);
      return;
    }
    const existing = findKey(s, key);
    if (existing) {
      const line = this.lines[existing.line];
      const hadValueOnLine = existing.value !== '' && existing.value[0] !== '\n';
      // `s3 =` (a nested block) has no spacing after its "=" to copy, so borrow the section's style.
      const prefix = hadValueOnLine
        ? line.text.slice(0, existing.valueStart)
        : line.text.slice(0, existing.keyStart) + key + this.keyStyle(s).separator;
      const text = value === '' ? prefix.trimEnd() : prefix + value;
      const hasContinuation = existing.last > existing.line;
      if (existing.value === value && !hasContinuation) return; // keep the bytes, e.g. trailing spaces
      line.text = text;
      if (hasContinuation) this.splice(existing.line + 1, existing.last - existing.line, []);
      else this.changed();
      return;
    }
    this.assertNoCaseTwin(s, key);
    const style = this.keyStyle(s);
    const lastKey = s.keys[s.keys.length - 1];
    if (lastKey) {
      // Indented deeper than the key above it, the new line would read as that key's continuation.
      style.indent = this.lines[lastKey.line].text.slice(0, lastKey.keyStart);
    }
    const anchor = lastKey ? lastKey.last : s.header;
    if (!lastKey) {
      // Right after a header nothing continues, but the new key would make an indented line below
      // it (the next header, say) read as its continuation; at that line's indentation it cannot.
      // Below a last key no such line exists: it would already be that key's continuation.
      const next = this.nextSignificantLine(anchor + 1);
      if (next !== undefined) {
        const text = this.lines[next].text;
        let indent = 0;
        while (indent < text.length && isWhitespace(text.charCodeAt(indent))) indent++;
        if (indent > style.indent.length) style.indent = text.slice(0, indent);
      }
    }
    this.splice(anchor + 1, 0, [{ text: formatKeyLine(style, key, value), eol: this.lineEnding }]);
  }

  /** Renames a key on its own line: same position, same spacing, same value. False if absent. */
  rename(section: string, oldKey: string, newKey: string): boolean {
    assertKey(newKey, this.fileName);
    const s = this.index.byName.get(section);
    const k = s && findKey(s, oldKey);
    if (!s || !k) return false;
    if (oldKey === newKey) return true;
    this.assertNoCaseTwin(s, newKey, oldKey);
    const line = this.lines[k.line];
    line.text = line.text.slice(0, k.keyStart) + newKey + line.text.slice(k.keyStart + k.key.length);
    this.changed();
    return true;
  }

  /** Removes the key's line and its continuation lines. False if absent. */
  delete(section: string, key: string): boolean {
    const s = this.index.byName.get(section);
    const k = s && findKey(s, key);
    if (!k) return false;
    this.splice(k.line, k.last - k.line + 1, []);
    return true;
  }

  /**
   * Appends `[section]` and its keys at the end of the file, after one blank line (none when the
   * file is empty or already ends with a blank line), using the file's line ending. A file without a
   * final newline keeps lacking one.
   */
  addSection(section: string, entries: Array<[string, string]>): void {
    assertSectionName(section, this.fileName);
    if (this.index.byName.has(section)) {
      throw new KeytrayError('config-invalid', `${this.fileName} already has a [${section}] section`, {
        hint: 'Edit the existing section instead of adding another; the AWS CLI refuses duplicate sections.',
      });
    }
    const seen = new Set<string>();
    const eol = this.lineEnding;
    const style = this.keyStyle(undefined);
    const added: RawLine[] = [];
    const last = this.lines[this.lines.length - 1];
    if (last && last.text.trim() !== '') added.push({ text: '', eol });
    added.push({ text: `[${section}]`, eol });
    for (const [key, rawValue] of entries) {
      assertKey(key, this.fileName);
      if (seen.has(key.toLowerCase())) {
        throw new KeytrayError('config-invalid', `Key ${key} is given twice for [${section}]`);
      }
      seen.add(key.toLowerCase());
      added.push({ text: formatKeyLine(style, key, assertValue(rawValue, key, this.fileName)), eol });
    }
    this.splice(this.lines.length, 0, added);
  }

  /**
   * Removes a section: its header, its body, and the comment block directly above its header (no
   * blank line between them), which by convention describes it. A comment block directly above the
   * NEXT header is that section's and stays, as does everything after it. When the removed section
   * is the last one, the blank lines that separated it from the one before go too, so that
   * `addSection` followed by `removeSection` gives back the original bytes (except for a file that
   * already ended in a blank line, which ends without it afterwards). False if absent.
   */
  removeSection(section: string): boolean {
    const s = this.index.byName.get(section);
    if (!s) return false;
    let { start, end } = this.sectionSpan(s);
    if (end === this.lines.length) {
      while (start > 0 && this.index.kinds[start - 1] === 'blank') start--;
    }
    const bom = start === 0 && this.lines[0].text.startsWith('\uFEFF');
    this.splice(start, end - start, []);
    if (bom && this.lines.length > 0) {
      this.lines[0].text = `\uFEFF${this.lines[0].text}`; // the encoding marker belongs to the file, not the section
      this.changed();
    }
    return true;
  }

  /** The first line from `start` on that is neither blank nor a comment: those never end a value. */
  private nextSignificantLine(start: number): number | undefined {
    for (let i = start; i < this.lines.length; i++) {
      const kind = this.index.kinds[i];
      if (kind !== 'blank' && kind !== 'comment') return i;
    }
    return undefined;
  }

  /** Lines [start, end) that belong to a section under the rule documented on `removeSection`. */
  private sectionSpan(s: SectionEntry): { start: number; end: number } {
    const kinds = this.index.kinds;
    let start = s.header;
    while (start > 0 && kinds[start - 1] === 'comment') start--;
    let end = s.end;
    if (end < this.lines.length) {
      while (end - 1 > s.header && kinds[end - 1] === 'comment') end--;
    }
    return { start, end };
  }

  /** Spacing for new key lines: copied from the section's (else the file's) last key with a value. */
  private keyStyle(s: SectionEntry | undefined): KeyStyle {
    const pick = (keys: KeyEntry[]): KeyStyle | undefined => {
      for (let i = keys.length - 1; i >= 0; i--) {
        const { value, line, keyStart, key, valueStart } = keys[i];
        if (value !== '' && value[0] !== '\n') {
          const text = this.lines[line].text;
          return { indent: text.slice(0, keyStart), separator: text.slice(keyStart + key.length, valueStart) };
        }
      }
      return undefined;
    };
    if (s) {
      const own = pick(s.keys);
      if (own) return own;
    }
    for (const other of this.index.sections) {
      const style = pick(other.keys);
      if (style) return { indent: s ? style.indent : '', separator: style.separator };
    }
    return { indent: '', separator: ' = ' };
  }

  /** configparser lower-cases keys, so `Region` next to `region` would make the AWS CLI refuse the file. */
  private assertNoCaseTwin(s: SectionEntry, key: string, except?: string): void {
    const twin = s.keys.find((k) => k.key !== except && k.key.toLowerCase() === key.toLowerCase());
    if (twin) {
      throw new KeytrayError(
        'config-invalid',
        `${this.fileName} line ${twin.line + 1}: [${s.name}] already has ${twin.key}, so it cannot also get ${key}`,
        { hint: 'The AWS CLI reads keys without regard to case and refuses duplicates; remove one of them.' },
      );
    }
  }

  /**
   * Splices lines and keeps "no newline at end of file" true when it was: the missing terminator
   * moves to whatever line ends the file now, so an insert followed by the matching delete gives
   * back the original bytes.
   */
  private splice(start: number, removeCount: number, insert: RawLine[]): void {
    const lines = this.lines;
    const touchesEnd = start + removeCount === lines.length;
    const noFinalNewline = lines.length > 0 && lines[lines.length - 1].eol === '';
    const eol = this.lineEnding;
    lines.splice(start, removeCount, ...insert);
    if (touchesEnd && noFinalNewline && lines.length > 0) {
      if (start > 0 && lines[start - 1].eol === '') lines[start - 1].eol = eol;
      lines[lines.length - 1].eol = '';
    }
    this.changed();
  }

  private changed(): void {
    this.edits++;
    this.index = indexLines(this.lines, this.fileName);
  }
}

/** One physical line: its text without the terminator, and the terminator exactly as read. */
interface RawLine {
  text: string;
  eol: string;
}

type LineKind = 'blank' | 'comment' | 'section' | 'key' | 'continuation';

interface KeyEntry {
  key: string;
  /** As configparser returns it: continuation lines joined with `\n`, trailing blank lines dropped. */
  value: string;
  /** 0-based index of the key line. */
  line: number;
  /** 0-based index of its last continuation line (`line` when it has none). */
  last: number;
  /** Where the key starts in the line's text: the indentation's length. */
  keyStart: number;
  /** Where the value starts in the line's text; between key and value is the ` = ` spacing. */
  valueStart: number;
  /** The key lower-cased, as configparser compares keys. */
  lower: string;
}

interface SectionEntry {
  name: string;
  /** 0-based index of the header line. */
  header: number;
  /** Index of the next section's header, or the line count: the body is (header, end). */
  end: number;
  keys: KeyEntry[];
  /** Built only for sections with many keys; a short linear scan is cheaper than a Map per section. */
  byLower?: Map<string, KeyEntry>;
}

const MAP_AFTER_KEYS = 8;

/** V8 returns the same string when there is nothing to lower, so this costs little for normal keys. */
function lowerKey(key: string): string {
  return key.toLowerCase();
}

function findKeyLower(s: SectionEntry, lower: string): KeyEntry | undefined {
  if (s.byLower) return s.byLower.get(lower);
  for (const k of s.keys) if (k.lower === lower) return k;
  return undefined;
}

/**
 * A section's own key, found without regard to case, as configparser finds it (it lower-cases
 * every name); parse refuses case twins, so at most one matches.
 */
function findKey(s: SectionEntry, key: string): KeyEntry | undefined {
  return findKeyLower(s, lowerKey(key));
}

function addKey(s: SectionEntry, k: KeyEntry): void {
  s.keys.push(k);
  if (s.byLower) s.byLower.set(k.lower, k);
  else if (s.keys.length > MAP_AFTER_KEYS) s.byLower = new Map(s.keys.map((e): [string, KeyEntry] => [e.lower, e]));
}

interface DocumentIndex {
  kinds: LineKind[];
  /** Every header in file order; a repeated [DEFAULT] appears once per header. */
  sections: SectionEntry[];
  byName: Map<string, SectionEntry>;
  /** The keys of every [DEFAULT] section, which configparser lets every section inherit. */
  defaults: SectionEntry;
}

interface KeyStyle {
  indent: string;
  separator: string;
}

function splitLines(text: string): RawLine[] {
  const lines: RawLine[] = [];
  if (/\r(?!\n)/.test(text)) {
    // Python's universal newlines (how botocore opens the file) also break lines on a lone \r.
    const breaks = /\r\n|\n|\r/g;
    let start = 0;
    for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) {
      lines.push({ text: text.slice(start, m.index), eol: m[0] });
      start = m.index + m[0].length;
    }
    if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
    return lines;
  }
  // The common LF and CRLF files: a native split is several times faster than a regex scan.
  const parts = text.split('\n');
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const part = parts[i];
    lines.push(part.endsWith('\r') ? { text: part.slice(0, -1), eol: '\r\n' } : { text: part, eol: '\n' });
  }
  if (parts[last] !== '') lines.push({ text: parts[last], eol: '' });
  return lines;
}

/**
 * Python's whitespace (str.isspace, which str.strip() and the `\s` of configparser's patterns use),
 * not JavaScript's: it includes \x1c-\x1f and \x85, and not U+FEFF. An ASCII fast path first: this
 * runs for every character of indentation.
 */
function isWhitespace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13) || (code >= 28 && code <= 31);
  if (code < 133) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python's str.rstrip(). */
function rstrip(text: string): string {
  let end = text.length;
  while (end > 0 && isWhitespace(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Python's str.strip(). */
function strip(text: string): string {
  let start = 0;
  while (start < text.length && isWhitespace(text.charCodeAt(start))) start++;
  return rstrip(start === 0 ? text : text.slice(start));
}

/** The characters Python's str.splitlines() breaks on, beyond \n and \r (which never reach a line). */
// eslint-disable-next-line no-control-regex -- these control characters are exactly what Python splits on
const SPLITLINES = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/**
 * botocore's _parse_nested: each non-blank line of the value (split as str.splitlines() splits) is
 * `name = value` split at the first "="; a later name wins. Undefined when a line has no "=", which
 * makes botocore refuse the whole file.
 */
function parseNested(value: string): Record<string, string> | undefined {
  const parsed: Record<string, string> = {};
  for (const raw of value.split(SPLITLINES)) {
    const line = strip(raw);
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) return undefined;
    parsed[strip(line.slice(0, eq))] = strip(line.slice(eq + 1));
  }
  return parsed;
}

/**
 * configparser's section header pattern, `\[(?P<header>.+)\]` matched at the start of the stripped
 * line: the name runs from the first "[" to the LAST "]", and whatever follows that "]" is ignored.
 * Undefined when the line is not a header (then configparser reads it as a setting).
 */
function headerName(stripped: string): string | undefined {
  const close = stripped.lastIndexOf(']');
  return close >= 2 ? stripped.slice(1, close) : undefined;
}

/** configparser's default section: its keys are inherited by every other section. */
export const DEFAULT_SECTION = 'DEFAULT';
const DEFAULTS = DEFAULT_SECTION;

/**
 * One pass over the lines, with sections and keys in Maps, so 2,000 profiles index in a few
 * milliseconds. It avoids per-line string copies: it scans indices and slices only keys and values.
 */
function indexLines(lines: RawLine[], fileName: string): DocumentIndex {
  const kinds: LineKind[] = new Array<LineKind>(lines.length);
  const sections: SectionEntry[] = [];
  const byName = new Map<string, SectionEntry>();
  // configparser allows [DEFAULT] more than once and pools its keys (still refusing a key set twice).
  const defaults: SectionEntry = { name: DEFAULTS, header: -1, end: -1, keys: [] };
  let section: SectionEntry | undefined;
  let key: KeyEntry | undefined;
  let valueParts: string[] | undefined;
  let blanksInValue = 0;

  const finishKey = (): void => {
    if (key && valueParts) key.value = rstrip(valueParts.join('\n'));
    key = undefined;
    valueParts = undefined;
    blanksInValue = 0;
  };

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].text;
    const lineNo = i + 1;
    // A byte order mark is skipped on the first line. botocore refuses such a file (it reads the
    // mark as text); Keytray reads it, so that it can say what else is wrong, and keeps the mark.
    const from = i === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let first = from;
    while (first < text.length && isWhitespace(text.charCodeAt(first))) first++;

    if (first === text.length) {
      kinds[i] = 'blank';
      if (key) blanksInValue++;
      continue;
    }
    const c = text.charCodeAt(first);
    if (c === 0x23 /* # */ || c === 0x3b /* ; */) {
      kinds[i] = 'comment';
      continue;
    }
    const indentLength = first - from;
    if (key && indentLength > key.keyStart) {
      kinds[i] = 'continuation';
      key.last = i;
      valueParts ??= [key.value];
      for (; blanksInValue > 0; blanksInValue--) valueParts.push('');
      const continuation = rstrip(text.slice(first));
      valueParts.push(continuation);
      // botocore parses a value that starts on the next line as nested settings, and refuses the
      // whole file when one of those lines is not "name = value".
      if (valueParts[0] === '' && parseNested(continuation) === undefined) {
        throw malformed(fileName, lineNo, `nested setting under ${key.key} must be "name = value"`);
      }
      continue;
    }
    finishKey();

    const name = c === 0x5b /* [ */ ? headerName(rstrip(text.slice(first))) : undefined;
    if (name !== undefined) {
      if (section) section.end = i;
      section = { name, header: i, end: lines.length, keys: [] };
      const earlier = byName.get(name);
      if (earlier && name !== DEFAULTS) {
        throw malformed(
          fileName,
          lineNo,
          `section [${name}] already appears at line ${earlier.header + 1}`,
          'Merge the two sections into one; the AWS CLI refuses a file with duplicate sections.',
        );
      }
      sections.push(section);
      if (!earlier) byName.set(name, section);
      kinds[i] = 'section';
      continue;
    }

    if (!section) {
      throw malformed(fileName, lineNo, 'a setting appears before any [section] header', 'Put it under a section such as [default].');
    }
    // configparser's option pattern is non-greedy: the first "=" or ":" separates name and value.
    const eq = text.indexOf('=', first);
    const colon = text.indexOf(':', first);
    const delimiter = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    if (delimiter < 0) {
      const what = c === 0x5b ? 'section header is missing its closing "]" (or its name)' : `expected "name = value", "[section]" or a # comment, found "${clip(rstrip(text.slice(first)))}"`;
      throw malformed(fileName, lineNo, what);
    }
    const keyName = rstrip(text.slice(first, delimiter));
    if (keyName === '') throw malformed(fileName, lineNo, 'a setting has no name before its "="');
    let valueStart = delimiter + 1;
    while (valueStart < text.length && isWhitespace(text.charCodeAt(valueStart))) valueStart++;
    const lower = lowerKey(keyName);
    const keySection = section.name === DEFAULTS ? defaults : section;
    const earlier = findKeyLower(keySection, lower);
    if (earlier) {
      throw malformed(
        fileName,
        lineNo,
        `${keyName} is already set in [${section.name}] at line ${earlier.line + 1}`,
        'Keep one of the two lines; the AWS CLI refuses a section that sets a key twice (in any letter case).',
      );
    }
    key = {
      key: keyName,
      value: rstrip(text.slice(valueStart)),
      line: i,
      last: i,
      keyStart: first,
      valueStart,
      lower,
    };
    addKey(section, key);
    if (keySection !== section) addKey(keySection, key);
    kinds[i] = 'key';
  }
  finishKey();
  return { kinds, sections, byName, defaults };
}

function malformed(fileName: string, line: number, what: string, hint?: string): KeytrayError {
  return new KeytrayError('config-malformed', `${fileName} line ${line}: ${what}`, {
    hint: hint ?? 'Fix or remove that line; the AWS CLI cannot read this file either.',
  });
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function formatKeyLine(style: KeyStyle, key: string, value: string): string {
  const line = `${style.indent}${key}${style.separator}${value}`;
  return value === '' ? line.trimEnd() : line;
}

function assertKey(key: string, fileName: string): void {
  if (key === '' || key !== key.trim() || /[=:\r\n]/.test(key) || /^[[#;]/.test(key)) {
    throw new KeytrayError('config-invalid', `"${key}" cannot be a setting name in ${fileName}`, {
      hint: 'A setting name is non-empty, has no surrounding spaces, and contains none of = : or a newline.',
    });
  }
}

function assertValue(value: string, key: string, fileName: string): string {
  if (/[\r\n]/.test(value)) {
    throw new KeytrayError('config-invalid', `The value for ${key} in ${fileName} cannot span several lines`);
  }
  return value.trim();
}

function assertSectionName(name: string, fileName: string): void {
  if (name === '' || /[[\]\r\n]/.test(name)) {
    throw new KeytrayError('config-invalid', `"${name}" cannot be a section name in ${fileName}`, {
      hint: 'A section name is non-empty and contains no [, ] or newline.',
    });
  }
}
