/**
 * The script build/cliBinary/build.js embeds in the CLI binary (a Node single executable). It
 * exports nothing, like keytray.ts, so the bundle has no CommonJS export shims to run per call.
 */
import { KeytrayError } from '../core/errors';
import { runCliBinary } from './cliBinary';

runCliBinary(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`keytray: ${err instanceof KeytrayError ? err.toLine() : err instanceof Error ? err.message.split('\n')[0] : 'unexpected failure'}\n`);
  process.exit(err instanceof KeytrayError ? err.exitCode : 1);
});
