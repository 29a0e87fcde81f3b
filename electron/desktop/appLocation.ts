import { KeytrayError } from '../core/errors';

/**
 * Where the running app binary is, as far as a command-line launcher pointing at it cares. A
 * launcher records the binary's absolute path; on macOS two places look permanent and are not:
 * - a mounted disk image (`/Volumes/Keytray 1.0/Keytray.app`): gone after eject or reboot;
 * - an App Translocation mount (`/private/var/folders/…/AppTranslocation/<id>/d/Keytray.app`):
 *   Gatekeeper runs a quarantined app from a random read-only copy until the user moves it, and
 *   the path changes at every launch.
 */
export function ephemeralAppLocation(execPath: string, platform: NodeJS.Platform): 'disk-image' | 'translocated' | null {
  if (platform !== 'darwin') return null;
  if (/\/AppTranslocation\//.test(execPath)) return 'translocated';
  // A disk image holds the app at its top level; an app deeper in a volume is on a real disk.
  if (/^\/Volumes\/[^/]+\/[^/]+\.app\//.test(execPath)) return 'disk-image';
  return null;
}

/** Refuses to install a launcher that would point at a path about to vanish. */
export function assertPermanentAppLocation(execPath: string, platform: NodeJS.Platform): void {
  const where = ephemeralAppLocation(execPath, platform);
  if (where === null) return;
  const fix = 'Drag Keytray to the Applications folder, open it from there, and install the command line tool again.';
  throw new KeytrayError(
    'usage',
    where === 'disk-image'
      ? 'Keytray is running from its disk image, which goes away when it is ejected, so the command line tool cannot point at it'
      : 'macOS is running Keytray from a temporary copy (App Translocation), so the command line tool cannot point at it',
    { hint: fix },
  );
}
