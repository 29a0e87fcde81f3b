import { createRequire } from 'node:module';
import * as path from 'node:path';
import { KeytrayError } from '../core/errors';
import { KEYRING_ADDON_FILE } from '../core/install/cliBinaryLayout';
import { keychainAccessFor } from './keychainAccessPolicy';

/**
 * @napi-rs/keyring as the CLI binary loads it. The build (build/cliBinary/build.js) points every
 * import of the package here. A single executable embeds one script and no native addon, and the
 * `require` it gives that script loads built-in modules only; a `require` made from the binary's
 * own path loads the addon shipped beside it.
 *
 * The policy is asked first, so on macOS and Windows the binary refuses before any keychain code is
 * loaded, even if a command reached the keychain by a path the CLI binary's dispatch did not foresee.
 */
export function loadKeyringBesideBinary(execPath: string = process.execPath, platform: NodeJS.Platform = process.platform): typeof import('@napi-rs/keyring') {
  if (!keychainAccessFor(platform, 'cli-binary').opensKeychain) {
    throw new KeytrayError('keychain-unavailable', 'This keytray binary never opens the keychain itself on this platform', {
      hint: 'Run the command through the Keytray app (the installed `keytray` launcher does), or start the app first.',
    });
  }
  const addon = path.join(path.dirname(execPath), KEYRING_ADDON_FILE);
  try {
    return createRequire(execPath)(addon) as typeof import('@napi-rs/keyring');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeytrayError('keychain-unavailable', `The keyring binding ${addon} cannot be loaded${code ? ` (${code})` : ''}`, {
      hint: `Reinstall Keytray: the keytray binary needs ${KEYRING_ADDON_FILE} in its own folder.`,
    });
  }
}
