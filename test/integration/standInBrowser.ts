/**
 * Stands in for the person's browser in `keytray login` tests, started through BROWSER: it opens
 * the sign-in URL and follows the redirects, as a browser does, and the emulator plays the person
 * (approve, deny or never finish). With KEYTRAY_TEST_BROWSER_LOG it records what it was given.
 */
import * as fs from 'node:fs';

async function main(): Promise<void> {
  const url = process.argv[2];
  if (process.env.KEYTRAY_TEST_BROWSER_LOG) fs.appendFileSync(process.env.KEYTRAY_TEST_BROWSER_LOG, `${url}\n`);
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  await res.text();
}

main().catch(() => {
  // A browser that cannot load a page shows an error page; the test reads Keytray's line instead.
});
