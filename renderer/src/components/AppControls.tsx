import { useEffect, useState } from 'react';
import { call, messageOf, type AppSupport } from '../keytrayApi';

/** What this platform's desktop can do, asked once per window. */
export function useAppSupport(): AppSupport | null {
  const [support, setSupport] = useState<AppSupport | null>(null);
  useEffect(() => {
    call('app.support', {}).then(setSupport, () => undefined);
  }, []);
  return support;
}

/**
 * Shown when the desktop has no tray (GNOME without the AppIndicator extension): the window is then
 * the only way to reach Keytray, which the user needs to know before closing it.
 */
export function TrayNotice({ support }: { support: AppSupport | null }) {
  return (
    <>
      {support?.trayMessage && (
        <p className="notice" role="status" data-testid="tray-notice">
          {support.trayMessage}
        </p>
      )}
      {support?.sandboxMessage && (
        <p className="notice" role="status" data-testid="sandbox-notice">
          {support.sandboxMessage}
        </p>
      )}
    </>
  );
}

/** Quit from the window, for desktops whose tray (and its Quit item) cannot show. */
export function QuitButton() {
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="quit">
      <button type="button" onClick={() => call('app.quit', {}).catch((err: unknown) => setError(messageOf(err)))}>
        Quit Keytray
      </button>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
