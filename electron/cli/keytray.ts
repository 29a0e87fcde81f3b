/**
 * The `keytray` program: bin/keytray.js links to this file's bundle. It exports nothing on purpose:
 * an entry with exports gets esbuild's CommonJS export shims, which every `aws` call would run. The
 * packaged app's CLI mode takes `runKeytray` from entry.bundle.js instead.
 */
import { runKeytray } from './entry';

void runKeytray(process.argv.slice(2));
