/**
 * Who may call the IPC handlers: only frames the app itself created and loaded with its own page.
 * Any other webContents (a devtools extension, a window some future bug opens, a frame that
 * navigated away) is dropped before its payload is even parsed, as GitHub Desktop's trusted IPC
 * sender check and Electron Fiddle do.
 */

/** The parts of an Electron IpcMainInvokeEvent the check needs; tests pass plain objects. */
export interface IpcSenderEvent {
  sender: { id: number };
  senderFrame?: { url: string; parent?: unknown | null } | null;
}

export class TrustedSenders {
  private readonly ids = new Set<number>();

  /**
   * @param appPageUrl the URL the app's windows load (a file:// URL in the packaged app); a sender
   *   whose frame shows anything else is not trusted even if its webContents is ours.
   */
  constructor(private readonly appPageUrl: string) {}

  /** Registers a webContents the app created; call `forget` when it is destroyed. */
  trust(webContentsId: number): void {
    this.ids.add(webContentsId);
  }

  forget(webContentsId: number): void {
    this.ids.delete(webContentsId);
  }

  isTrusted(event: IpcSenderEvent): boolean {
    if (!this.ids.has(event.sender.id)) return false;
    const frame = event.senderFrame;
    // A subframe (should one ever exist) is never trusted: only the app's own top-level page.
    if (!frame || (frame.parent !== undefined && frame.parent !== null)) return false;
    return isAppPage(frame.url, this.appPageUrl);
  }
}

/** Same page, ignoring the query and the hash the app uses for its views (`#prompt`). */
export function isAppPage(url: string, appPageUrl: string): boolean {
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(url);
    expected = new URL(appPageUrl);
  } catch {
    return false;
  }
  if (actual.protocol !== expected.protocol || actual.host !== expected.host) return false;
  const a = comparablePath(actual);
  return a !== null && a === comparablePath(expected);
}

/**
 * A URL's path in one spelling. Node's pathToFileURL percent-encodes `[ ] ^ |` (and more) where
 * Chromium leaves them as they are, so both are decoded first; dot segments are resolved; and a
 * Windows drive letter, which either side may write in either case, is lower-cased. A path that
 * does not decode (a stray `%`) is no path of ours.
 */
function comparablePath(url: URL): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '.' || segment === '') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const joined = `/${segments.join('/')}`;
  return url.protocol === 'file:' ? joined.replace(/^\/([A-Za-z]):(?=\/|$)/, (_m, drive: string) => `/${drive.toLowerCase()}:`) : joined;
}
