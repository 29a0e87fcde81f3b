/**
 * `node -r dist/test/electronStandIn/register.js dist/electron/main/index.js …` runs the real main
 * process with the stand-in answering `require('electron')`. Only that one name is redirected;
 * every other module (core, the keychain binding, the agent) is the real one.
 */
import Module from 'node:module';
import * as path from 'node:path';

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolveFilename = loader._resolveFilename;
const standIn = path.join(__dirname, 'electron.js');

loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'electron' ? standIn : resolveFilename.call(this, request, ...rest);
};

// An error that nothing catches, thrown once the process is under way: what a bug in a library
// would do. The CLI mode must turn it into one line and exit 1, never a dialog.
if (process.env.KEYTRAY_STANDIN_STRAY_ERROR === '1') {
  setTimeout(() => {
    throw new Error('a stray error from the stand-in');
  }, 300);
}
