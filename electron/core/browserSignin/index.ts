/**
 * Browser sign-in machinery shared by IAM Identity Center (`keytray sso login`) and AWS Sign-In
 * (`keytray login`). Stable API:
 *
 * - `createPkcePair()` -> { verifier, challenge, method: 'S256' }; `createOAuthState()`.
 * - `startLoopbackRedirect({ state, path, timeoutMs, serviceName, retryCommand })` ->
 *   { redirectUri, code: Promise<string>, close() }: a one-shot listener on 127.0.0.1 that checks
 *   `state` and ends with a code, an `sso-denied` / `sso-signin` error, or an `sso-timeout` error.
 * - `systemUrlOpener({ env, platform })` -> (url) => Promise<void>: BROWSER first (as xdg-open
 *   reads it), then open / xdg-open / rundll32; `canOpenBrowser({ env, platform })` says whether a
 *   local browser can be expected at all (not over SSH, not on Linux without a display).
 *
 * Typical use: make the pair and state, start the listener, build the authorize URL with its
 * redirectUri, open it, await `code`, exchange code + verifier; `close()` in a finally.
 */
export { createOAuthState, createPkcePair, s256Challenge, type PkcePair } from './pkce';
export { startLoopbackRedirect, type LoopbackRedirect, type LoopbackRedirectOptions } from './loopbackRedirect';
export { canOpenBrowser, openerCommands, platformOpenCommand, systemUrlOpener, type BrowserEnvironment, type UrlOpener } from './browserOpener';
