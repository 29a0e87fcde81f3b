/**
 * The `keytray` command's entry, shared by the program (keytray.ts, which bin/keytray.js runs) and
 * the packaged app's CLI mode. Both are built bundles, so an agent's cache hit loads exactly one file
 * before answering (without an agent, the keychain fallback is a second bundle). A plain
 * `credential-process PROFILE` is answered by a running agent, or from the keychain cache, before
 * commander, the AWS SDK or any command module loads; everything else goes to the full CLI.
 */
// A static import: esbuild then hoists the fast path into the bundle's top level instead of wrapping
// each module in a lazy initialiser, so a cache hit compiles and runs fewer functions.
import { fastCredentialDocument } from './fastPath';

export async function runKeytray(args: string[]): Promise<void> {
  // The SDK warns on stderr that future releases need Node 22. Under the AWS CLI a credential_process
  // helper's stderr is shown as an error, so the notice would read as a failure; it is in our notes.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (isPlainCredentialProcess(args)) {
    const doc = await fastCredentialDocument(args[1]);
    if (doc !== null) {
      // Exit as soon as the document is out: waiting for the event loop to wind down (socket close,
      // the keyring's D-Bus thread) is time every `aws` call would pay for nothing.
      process.stdout.write(doc, () => process.exit(0));
      return;
    }
  }
  const { runCli } = require('./program') as typeof import('./program');
  await runCli(args);
}

function isPlainCredentialProcess(a: string[]): boolean {
  return a.length === 2 && a[0] === 'credential-process' && !a[1].startsWith('-');
}
