#!/usr/bin/env node
// `npm run mutate [GROUP…]`: runs StrykerJS once per group (test/mutation/groups.mjs) inside the
// private keyring that the tests need, then prints every group's mutation score and each surviving
// mutant that test/mutation/survivors.json does not explain. Exits 1 when any survivor is unexplained.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groups } from './groups.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(groups);
const explained = JSON.parse(fs.readFileSync(path.join(repo, 'test', 'mutation', 'survivors.json'), 'utf8'));
const keyOf = (file, m) => `${file}:${m.location.start.line}:${m.mutatorName}:${m.replacement ?? ''}`;

const summary = [];
let unexplained = 0;
for (const name of wanted) {
  if (!groups[name]) {
    console.error(`mutate: unknown group "${name}"; one of ${Object.keys(groups).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== mutation group ${name}: ${groups[name].mutate.join(', ')}`);
  const run = spawnSync('bash', ['test/run-with-keyring.sh', 'npx', 'stryker', 'run'], {
    cwd: repo,
    stdio: 'inherit',
    env: { ...process.env, KEYTRAY_MUTATE_GROUP: name },
  });
  const reportFile = path.join(repo, 'reports', 'mutation', `${name}.json`);
  if (run.status !== 0 || !fs.existsSync(reportFile)) {
    summary.push(`${name}: Stryker failed (exit ${run.status})`);
    unexplained++;
    continue;
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  let killed = 0;
  let total = 0;
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      if (m.status === 'CompileError' || m.status === 'Ignored') continue;
      total++;
      if (m.status === 'Killed' || m.status === 'Timeout') killed++;
      else if (!explained[keyOf(file, m)]) survivors.push(`  ${keyOf(file, m)}  (${m.status})`);
    }
  }
  const score = total ? ((100 * killed) / total).toFixed(1) : 'n/a';
  summary.push(`${name}: mutation score ${score}% (${killed} of ${total} killed), ${survivors.length} unexplained survivor(s)`);
  if (survivors.length) summary.push(...survivors);
  unexplained += survivors.length;
}
console.log(`\nKeytray mutation scores\n${summary.join('\n')}`);
process.exit(unexplained ? 1 : 0);
