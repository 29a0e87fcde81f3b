/**
 * Fails when electronegativity reports a HIGH or MEDIUM finding that the checked-in allow list does
 * not explain. Run by `npm run lint:electron` (which runs the scanner first):
 *   node dist/test/e2e/electronegativityCheck.js REPORT.csv
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Allowed {
  check: string;
  file: string;
  reason: string;
}

const REPO = path.resolve(__dirname, '..', '..', '..');

export function unexplainedFindings(csv: string, allowed: Allowed[]): string[] {
  const problems: string[] = [];
  for (const line of csv.split(/\r?\n/).slice(1)) {
    if (!line.trim()) continue;
    const [check, severity, , file, location] = line.split(',').map((f) => f.replace(/^"|"$/g, '').trim());
    if (severity !== 'HIGH' && severity !== 'MEDIUM') continue;
    // The scanner reports paths absolute, or relative to its input folder (electron/).
    const relative = path.isAbsolute(file) ? path.relative(REPO, file) : path.join('electron', file);
    if (!allowed.some((a) => a.check === check && a.file === relative)) problems.push(`${severity} ${check} at ${relative}:${location}`);
  }
  return problems;
}

if (require.main === module) {
  const report = process.argv[2];
  if (!report) {
    process.stderr.write('usage: electronegativityCheck REPORT.csv\n');
    process.exit(2);
  }
  const { allowed } = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'e2e', 'electronegativity-allowlist.json'), 'utf8')) as { allowed: Allowed[] };
  const problems = unexplainedFindings(fs.readFileSync(report, 'utf8'), allowed);
  for (const p of problems) process.stderr.write(`electronegativity: ${p} is not explained in test/e2e/electronegativity-allowlist.json\n`);
  if (problems.length === 0) process.stdout.write(`electronegativity: no unexplained HIGH or MEDIUM finding (${allowed.length} explained in the allow list)\n`);
  process.exit(problems.length ? 1 : 0);
}
