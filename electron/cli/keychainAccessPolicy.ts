/**
 * Which Keytray binary may open the OS keychain, decided in one place for every platform.
 *
 * macOS Keychain items carry an access list of the binaries that may read them without asking, and
 * Windows Credential Manager entries belong to whatever runs as the user, with the app's code
 * signature as the only thing that tells Keytray apart. The CLI binary is a Node single executable:
 * Node 20 still honours NODE_OPTIONS=--require=… in it, so any process that can set an environment
 * variable could run code inside it. If that binary were the one the keychain trusts, setting
 * NODE_OPTIONS would be a way to read the vault without a prompt. So on macOS and Windows only the
 * app binary (fuses: RunAsNode, NODE_OPTIONS and --inspect off) touches the keychain; the CLI binary
 * asks the app's agent, and when none answers hands the command to the app in CLI mode.
 *
 * The Linux Secret Service has no per-binary trust: any process of the user's session may read an
 * unlocked collection, so the CLI binary gains nothing an injected process lacks, and it reads the
 * keychain itself (which keeps `keytray` working over SSH, where the app cannot start).
 */
export type KeytrayBinary =
  /** The packaged Electron app, in either GUI or CLI mode. */
  | 'app'
  /** The Node single executable shipped beside the app (build/cliBinary/build.js). */
  | 'cli-binary'
  /** bin/keytray.js under the developer's own Node, in a checkout. */
  | 'checkout';

export interface KeychainAccess {
  /** Whether this binary opens the keychain in its own process. */
  opensKeychain: boolean;
  /**
   * When it does not: the order it tries instead. The agent answers cached sessions; everything
   * else runs in the app binary, which the keychain trusts.
   */
  otherwise: readonly ['agent', 'app'] | null;
}

const OPENS_ITSELF: KeychainAccess = Object.freeze({ opensKeychain: true, otherwise: null });
const THROUGH_THE_APP: KeychainAccess = Object.freeze({ opensKeychain: false, otherwise: Object.freeze(['agent', 'app'] as const) });

export function keychainAccessFor(platform: NodeJS.Platform, binary: KeytrayBinary): KeychainAccess {
  // The app is the binary every platform's keychain is meant to trust. A checkout runs the
  // developer's own Node, which they chose to trust by running Keytray from source.
  if (binary === 'app' || binary === 'checkout') return OPENS_ITSELF;
  // Only where the keychain has no notion of which binary asks. Any other platform (including ones
  // Keytray does not ship for) gets the cautious answer.
  return platform === 'linux' ? OPENS_ITSELF : THROUGH_THE_APP;
}
