import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { isManagedByKeytray, profileSections } from '../../electron/core/config/awsConfig';
import { readConfigFile, writeFileAtomically } from '../../electron/core/config/configFileWriter';
import { IniDocument } from '../../electron/core/config/iniDocument';
import { applySetup, undoSetup } from '../../electron/core/config/profileSetup';
import { KeytrayError } from '../../electron/core/errors';
import { configFile } from './configFileArbitraries';

/**
 * Properties of the lossless INI editor over generated files (fast-check), so that "every other
 * byte is kept" holds for files nobody thought to write an example for.
 */
const RUNS = Number(process.env.KEYTRAY_PROPERTY_RUNS ?? 400);
/** fast-check prints the seed of a failure; KEYTRAY_FC_SEED=<seed> replays it. */
const SEED = process.env.KEYTRAY_FC_SEED ? { seed: Number(process.env.KEYTRAY_FC_SEED) } : {};
const COMMAND = '/opt/keytray/bin/keytray credential-process';

function parsed(text: string): IniDocument | undefined {
  try {
    return IniDocument.parse(text, 'config');
  } catch {
    return undefined;
  }
}

/** Physical lines with their terminators, split as IniDocument splits them. */
function physicalLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}

/** A readable file and one of its profiles (by index), or nothing when the file has none. */
const fileWithProfile = fc.tuple(configFile({ validOnly: true }), fc.nat()).map(([text, pick]) => {
  const doc = parsed(text);
  const names = doc ? [...profileSections(doc).keys()] : [];
  return { text, profile: names.length ? names[pick % names.length] : undefined };
});

describe('the INI editor (properties, fast-check)', () => {
  it(`setup then setup --undo gives back the file byte for byte (${RUNS} files)`, () => {
    let exercised = 0;
    let refused = 0;
    fc.assert(
      fc.property(fileWithProfile, ({ text, profile }) => {
        if (profile === undefined) return;
        const doc = IniDocument.parse(text, 'config');
        const section = profileSections(doc).get(profile)!;
        // Undo restores what setup renamed; a profile that already had keytray_ keys is not that case.
        if (isManagedByKeytray(doc, section)) return;
        const command = `${COMMAND} x`;
        try {
          applySetup(doc, profile, command);
        } catch (err) {
          assert.ok(err instanceof KeytrayError, String(err));
          assert.equal(doc.toString(), text, 'a refused setup changes nothing');
          refused++;
          return;
        }
        assert.ok(isManagedByKeytray(doc, section));
        undoSetup(doc, profile, command);
        assert.equal(doc.toString(), text);
        exercised++;
      }),
      { numRuns: RUNS, ...SEED },
    );
    console.log(`setup/undo property: ${RUNS} generated files, ${exercised} set up and undone byte for byte, ${refused} refused unchanged`);
    assert.ok(exercised > RUNS / 5, `too few cases exercised: ${exercised}`);
  });

  it(`an edit changes only the lines of its own section (${RUNS} files)`, () => {
    let exercised = 0;
    fc.assert(
      fc.property(fileWithProfile, fc.constantFrom('setup', 'set region', 'delete output', 'set new key'), ({ text, profile }, edit) => {
        if (profile === undefined) return;
        const doc = IniDocument.parse(text, 'config');
        const section = profileSections(doc).get(profile)!;
        const header = doc.lineOf(section)! - 1;
        const laterHeaders = doc
          .sectionNames()
          .map((s) => doc.lineOf(s)! - 1)
          .filter((line) => line > header);
        const before = physicalLines(text);
        const othersBefore = doc.sectionNames().filter((s) => s !== section).map((s) => [s, doc.entries(s)]);
        const end = laterHeaders.length ? Math.min(...laterHeaders) : before.length;
        try {
          if (edit === 'setup') applySetup(doc, profile, `${COMMAND} x`);
          else if (edit === 'set region') doc.set(section, 'region', 'ap-south-1');
          else if (edit === 'delete output') doc.delete(section, 'output');
          else doc.set(section, 'keytray_note', 'added by a property test');
        } catch (err) {
          assert.ok(err instanceof KeytrayError, String(err));
          assert.equal(doc.toString(), text);
          return;
        }
        const after = physicalLines(doc.toString());
        const tail = before.length - end;
        assert.deepEqual(after.slice(0, header), before.slice(0, header), 'the lines above the section');
        // The section's last line may gain the final newline it lacked when a line goes after it.
        const stripEnd = (lines: string[]) => lines.map((l, i) => (i === lines.length - 1 ? l.replace(/(\r\n|\n|\r)$/, '') : l));
        assert.deepEqual(stripEnd(after.slice(after.length - tail)), stripEnd(before.slice(end)), 'the lines below the section');
        // ...and what they mean: an added line must not turn an indented line below into its continuation.
        const reread = IniDocument.parse(doc.toString(), 'config');
        assert.deepEqual(reread.sectionNames().filter((s) => s !== section).map((s) => [s, reread.entries(s)]), othersBefore);
        exercised++;
      }),
      { numRuns: RUNS, ...SEED },
    );
    console.log(`edit-locality property: ${RUNS} generated files, ${exercised} edits checked line by line`);
    assert.ok(exercised > RUNS / 5, `too few cases exercised: ${exercised}`);
  });

  it(`parse then toString round-trips every text it accepts (${RUNS * 2} texts)`, () => {
    let accepted = 0;
    const anyText = fc.oneof(configFile(), fc.string({ unit: 'grapheme', maxLength: 120 }), fc.string({ unit: fc.constantFrom('[', ']', '=', ':', '#', ';', ' ', '\t', '\r', '\n', 'a', 'é', '\u00a0', '\u001c'), maxLength: 60 }));
    fc.assert(
      fc.property(anyText, (text) => {
        const doc = parsed(text);
        if (!doc) return;
        accepted++;
        assert.equal(doc.toString(), text);
      }),
      { numRuns: RUNS * 2, ...SEED },
    );
    console.log(`round-trip property: ${RUNS * 2} generated texts, ${accepted} accepted and given back byte for byte`);
    assert.ok(accepted > RUNS / 4);
  });

  describe('the atomic writer', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keytray-props-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it(`writes back exactly the bytes of every file it accepts (${RUNS / 2} byte strings)`, () => {
      const file = path.join(dir, 'config');
      let accepted = 0;
      const bytes = fc.oneof(
        configFile().map((t) => Buffer.from(t, 'utf8')),
        fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
      );
      fc.assert(
        fc.property(bytes, (content) => {
          fs.writeFileSync(file, content);
          let read: ReturnType<typeof readConfigFile>;
          let doc: IniDocument;
          try {
            read = readConfigFile(file);
            doc = IniDocument.parse(read.text, file);
          } catch (err) {
            assert.ok(err instanceof KeytrayError, String(err));
            return;
          }
          accepted++;
          writeFileAtomically(file, doc.toString(), read.fingerprint);
          assert.ok(fs.readFileSync(file).equals(content));
        }),
        { numRuns: RUNS / 2, ...SEED },
      );
      console.log(`writer property: ${RUNS / 2} generated byte strings, ${accepted} accepted and written back byte for byte`);
    });
  });
});
