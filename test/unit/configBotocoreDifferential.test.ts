import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { botocoreSectionName } from '../../electron/core/config/awsConfig';
import { IniDocument } from '../../electron/core/config/iniDocument';
import { REPO, SYSTEM_PYTHON } from '../integration/harness';
import { configFile } from './configFileArbitraries';

/**
 * Keytray reads ~/.aws/config exactly as botocore (the AWS CLI, boto3) does: generated files are
 * read by Keytray's IniDocument and by botocore's raw_config_parse + build_profile_map, and the
 * profiles, SSO sessions and services sections, with their keys and values, must be the same, or
 * both must refuse the file. Python runs once per batch, not once per case.
 */
const ORACLE = path.join(REPO, 'test', 'oracle', 'botocoreProfiles.py');
const CASES = Number(process.env.KEYTRAY_DIFFERENTIAL_CASES ?? 600);
const BATCH = 200;

type Values = Record<string, string | Record<string, string>>;
type Read = { profiles: Record<string, Values>; sso_sessions: Record<string, Values>; services?: Record<string, Values> } | { error: string };

function botocoreRead(texts: string[]): Read[] {
  const r = spawnSync(SYSTEM_PYTHON, [ORACLE], { input: JSON.stringify(texts), encoding: 'utf8', env: { ...process.env, PYTHONUTF8: '1' }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`the botocore oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Keytray's reading, put in botocore's shape: keys as configparser names them (lower case). */
function keytrayRead(text: string): Read {
  let doc: IniDocument;
  try {
    doc = IniDocument.parse(text, 'config');
  } catch (err) {
    return { error: String((err as Error).message) };
  }
  const out = { profiles: {}, sso_sessions: {}, services: {} } as Required<Exclude<Read, { error: string }>>;
  const bucket = { profile: out.profiles, 'sso-session': out.sso_sessions, services: out.services } as const;
  for (const section of doc.sectionNames()) {
    const named = botocoreSectionName(section);
    if (!named) continue;
    const values: Values = {};
    for (const [key] of doc.entries(section)) values[key.toLowerCase()] = doc.nested(section, key) ?? doc.get(section, key) ?? '';
    bucket[named.kind][named.name] = values;
  }
  return out;
}

describe('reading config files as botocore does (differential, fast-check)', { skip: !fs.existsSync(SYSTEM_PYTHON) && 'needs /usr/bin/python3 with boto3' }, () => {
  it(`agrees with botocore's raw_config_parse and build_profile_map on ${CASES} generated files`, () => {
    const seed = Number(process.env.KEYTRAY_FC_SEED ?? Date.now() % 2 ** 31);
    const texts = fc.sample(configFile(), { numRuns: CASES, seed });
    let accepted = 0;
    for (let start = 0; start < texts.length; start += BATCH) {
      const batch = texts.slice(start, start + BATCH);
      const expected = botocoreRead(batch);
      batch.forEach((text, i) => {
        const want = expected[i];
        const got = keytrayRead(text);
        const where = `seed ${seed}, case ${start + i}: ${JSON.stringify(text)}`;
        if ('error' in want) {
          assert.ok('error' in got, `botocore refuses the file (${want.error}) but Keytray reads it as ${JSON.stringify(got)}; ${where}`);
        } else {
          assert.ok(!('error' in got), `botocore reads the file but Keytray refuses it: ${'error' in got ? got.error : ''}; ${where}`);
          if (!('services' in want)) delete (got as { services?: unknown }).services; // an older botocore
          assert.deepStrictEqual(got, want, where);
          accepted++;
        }
      });
    }
    console.log(`botocore differential: ${texts.length} generated config files (${accepted} readable, ${texts.length - accepted} refused by both), seed ${seed}`);
    assert.ok(accepted > texts.length / 4, `too few readable files to mean anything: ${accepted}`);
  });
});
