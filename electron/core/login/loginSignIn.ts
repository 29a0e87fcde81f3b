import { createOAuthState, createPkcePair, startLoopbackRedirect } from '../browserSignin';
import { isKeytrayError, KeytrayError } from '../errors';
import { NetworkFailure } from '../net/networkFailure';
import type { StoredLoginSession } from '../keychain/vaultStore';
import type { Clock } from '../types';
import {
  authorizeUrl,
  createOAuth2Token,
  CROSS_DEVICE_CLIENT_ID,
  crossDeviceRedirectUri,
  newDpopKey,
  principalOfIdToken,
  SAME_DEVICE_CLIENT_ID,
  SigninRefusal,
  signinBaseUrl,
  type TokenOutput,
} from './signinProtocol';

/**
 * One `keytray login`: the person signs in to AWS in a browser (with whatever MFA the console takes,
 * passkeys included) and Keytray redeems the authorization code for the first credentials and
 * refresh token, bound to a P-256 key made for this sign-in alone.
 *
 * Same device: the browser is sent back to a one-shot listener on 127.0.0.1. Cross device
 * (`--remote`): the person opens the URL anywhere and pastes back the code the page shows.
 */

export interface SignInOptions {
  profile: string;
  region: string;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  remote: boolean;
  /** How long to wait for the person in the browser. */
  timeoutMs: number;
  /** Starts a browser on the sign-in page (same device). */
  openBrowser: (url: string) => Promise<void>;
  /** A line for the person at the terminal (the URL, what to do next). */
  tell: (line: string) => void;
  /** Reads the code pasted from the browser (cross device). */
  readPastedCode: (prompt: string) => Promise<string>;
  /**
   * Aborted when the person gives up (the app's Cancel): the wait for the browser or the pasted
   * code ends at once with the signal's reason.
   */
  signal?: AbortSignal;
}

export const DEFAULT_SIGNIN_TIMEOUT_MS = 5 * 60 * 1000;

export async function signInWithAws(options: SignInOptions): Promise<StoredLoginSession> {
  const base = signinBaseUrl(options.region, options.env);
  const dpopKey = newDpopKey();
  const pkce = createPkcePair();
  const state = createOAuthState();
  const { clientId, redirectUri, code } = options.remote
    ? await crossDeviceCode(options, base, state, pkce.challenge)
    : await sameDeviceCode(options, base, state, pkce.challenge);

  let out: TokenOutput;
  try {
    out = await createOAuth2Token(base, { clientId, grantType: 'authorization_code', code, codeVerifier: pkce.verifier, redirectUri }, dpopKey, {
      env: options.env,
      region: options.region,
      now: () => options.clock.now(),
    });
  } catch (err) {
    throw describeCodeFailure(err, options.profile);
  }
  throwIfCancelled(options.signal);
  const principal = out.idToken ? principalOfIdToken(out.idToken) : undefined;
  if (!principal) {
    throw new KeytrayError('sts-invalid', `AWS Sign-In did not say who signed in for profile "${options.profile}" (no principal in the idToken)`, {
      profile: options.profile,
      hint: `Run \`keytray login ${options.profile}\` again.`,
    });
  }
  const now = options.clock.now();
  return {
    loginSession: principal,
    region: options.region,
    clientId,
    refreshToken: out.refreshToken,
    dpopKey,
    signedInAt: now,
    credentials: { accessKeyId: out.accessKeyId, secretAccessKey: out.secretAccessKey, sessionToken: out.sessionToken, expiration: now + out.expiresInSeconds * 1000 },
  };
}

function describeCodeFailure(err: unknown, profile: string): KeytrayError {
  const again = `Run \`keytray login ${profile}\` again.`;
  if (err instanceof NetworkFailure) return err.toKeytrayError({ profile, action: 'CreateOAuth2Token' });
  if (err instanceof SigninRefusal) {
    if (err.error === 'AUTHCODE_EXPIRED') {
      return new KeytrayError('sts-denied', `The sign-in code for profile "${profile}" expired or was already used`, { profile, hint: again });
    }
    if (err.error === 'INSUFFICIENT_PERMISSIONS') {
      return new KeytrayError('sts-denied', `The user who signed in may not use AWS Sign-In for developer tools (profile "${profile}")`, {
        profile,
        hint: 'Ask an administrator to allow signin:AuthorizeOAuth2Access and signin:CreateOAuth2Token.',
      });
    }
    return new KeytrayError('sts-denied', `AWS Sign-In refused the sign-in of profile "${profile}" (${err.errorType}${err.error ? ` ${err.error}` : ''}: ${err.message})`, { profile, hint: again });
  }
  return err instanceof KeytrayError ? err : new KeytrayError('io', `Could not finish signing in profile "${profile}"`, { profile, hint: again, cause: err });
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new KeytrayError('signin-cancelled', 'The AWS Sign-In sign-in was cancelled');
}

// --- same device: the browser comes back to 127.0.0.1 -----------------------------------------------

async function sameDeviceCode(options: SignInOptions, base: string, state: string, challenge: string) {
  const callback = await startLoopbackRedirect({
    state,
    path: '/oauth/callback',
    timeoutMs: options.timeoutMs,
    serviceName: 'AWS Sign-In',
    retryCommand: `keytray login ${options.profile}`,
    signal: options.signal,
  });
  try {
    const url = authorizeUrl(base, { clientId: SAME_DEVICE_CLIENT_ID, state, challenge, redirectUri: callback.redirectUri });
    options.tell(`Sign in to AWS in your browser for profile "${options.profile}". If no browser opens, open this URL:`);
    options.tell(url);
    // A browser that cannot start is not fatal: the person can open the URL printed above.
    await options.openBrowser(url).catch((err: Error) => options.tell(`keytray: ${isKeytrayError(err) ? err.toLine() : err.message}`));
    let code: string;
    try {
      code = await callback.code;
    } catch (err) {
      throw describeCallbackFailure(err, options);
    }
    return { clientId: SAME_DEVICE_CLIENT_ID, redirectUri: callback.redirectUri, code };
  } finally {
    callback.close();
  }
}

/** The shared listener words its failures for IAM Identity Center; these say what to do here. */
function describeCallbackFailure(err: unknown, options: SignInOptions): unknown {
  // A cancel already says what happened, in the words of whoever cancelled.
  if (!isKeytrayError(err) || options.signal?.aborted) return err;
  if (err.code === 'sso-timeout') return browserTimeout(options);
  if (err.code === 'sso-denied') {
    return new KeytrayError('sts-denied', `The sign-in for profile "${options.profile}" was refused in the browser (access_denied)`, {
      profile: options.profile,
      hint: `Run \`keytray login ${options.profile}\` again and allow the access.`,
    });
  }
  return new KeytrayError(err.code, err.message, { profile: options.profile, hint: err.hint });
}

function browserTimeout(options: SignInOptions): KeytrayError {
  return new KeytrayError('io', `The browser did not finish signing in profile "${options.profile}" within ${Math.round(options.timeoutMs / 1000)} s`, {
    profile: options.profile,
    hint: `Run \`keytray login ${options.profile}\` again, or with --remote to sign in on another device and paste the code.`,
  });
}

// --- cross device: the person pastes the code the page shows ----------------------------------------

async function crossDeviceCode(options: SignInOptions, base: string, state: string, challenge: string) {
  const redirectUri = crossDeviceRedirectUri(base);
  const url = authorizeUrl(base, { clientId: CROSS_DEVICE_CLIENT_ID, state, challenge, redirectUri });
  options.tell(`Open this URL on any device and sign in to AWS for profile "${options.profile}":`);
  options.tell(url);
  const pasted = await withTimeout(options.readPastedCode('Paste the code shown after you sign in: '), options.timeoutMs, () => browserTimeout(options), options.signal);
  const parsed = parsePastedCode(pasted);
  if (!parsed || parsed.state !== state) {
    throw new KeytrayError('mfa-invalid', `The pasted code does not belong to this sign-in of profile "${options.profile}"`, {
      profile: options.profile,
      hint: `Run \`keytray login ${options.profile} --remote\` again, open the new URL and paste the code that page shows.`,
    });
  }
  return { clientId: CROSS_DEVICE_CLIENT_ID, redirectUri, code: parsed.code };
}

/** The page shows base64 of `state=…&code=…`, as the AWS CLI reads it. */
export function parsePastedCode(text: string): { state: string; code: string } | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/=_-]+$/.test(trimmed)) return undefined;
  const fields = new URLSearchParams(Buffer.from(trimmed, 'base64').toString('utf8'));
  const state = fields.get('state');
  const code = fields.get('code');
  return state && code ? { state, code } : undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    onAbort = () => {
      try {
        throwIfCancelled(signal);
      } catch (err) {
        reject(err as Error);
      }
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, timeout]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
}
