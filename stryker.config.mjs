// StrykerJS over the modules whose mistakes cost users the most. `npm run mutate` (test/mutation/
// mutate.mjs) runs one group at a time, chosen by KEYTRAY_MUTATE_GROUP, each with the test files
// that exercise it, and prints each group's mutation score. Mutants that survive for a reason (an
// equivalent mutant, a log wording) are listed with that reason in test/mutation/survivors.json.
import { groups } from './test/mutation/groups.mjs';

const group = groups[process.env.KEYTRAY_MUTATE_GROUP ?? 'engine'];
if (!group) throw new Error(`Unknown KEYTRAY_MUTATE_GROUP ${process.env.KEYTRAY_MUTATE_GROUP}; one of ${Object.keys(groups).join(', ')}`);

export default {
  packageManager: 'npm',
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  tap: { testFiles: group.tests, forceBail: true },
  mutate: group.mutate,
  // Mutants are compiled into the sources once (mutant schemata), then switched on one at a time.
  buildCommand: 'npm run build:node',
  // Tests of the fast path run the built CLI in child processes, whose coverage the runner cannot
  // see: such groups run every test file for every mutant.
  coverageAnalysis: group.coverage ?? 'perTest',
  // build/linux/keytray-on-path is the deb's symlink to the installed CLI, dangling in a checkout:
  // Stryker cannot copy it into its sandbox, and no test needs it.
  ignorePatterns: ['dist', 'release', 'reports', 'test/output', '.stryker-tmp', 'build/linux/keytray-on-path'],
  concurrency: 2,
  timeoutMS: 30_000,
  ignoreStatic: true,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${process.env.KEYTRAY_MUTATE_GROUP ?? 'engine'}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
