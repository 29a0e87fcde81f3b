import { createOAuthState, createPkcePair, startLoopbackRedirect, type UrlOpener } from '../browserSignin';
import { asKeytrayError, KeytrayError } from '../errors';
import type { SsoFlow, StoredSsoClient, StoredSsoToken, VaultStore } from '../keychain/vaultStore';
import type { Clock } from '../types';
import type { SsoSessionConfig } from './ssoConfig';
import { describeSsoFailure } from './ssoFailures';
import type { ClientRegistration, SsoGateway } from './ssoGateway';

/**
 * Signing in to IAM Identity Center, as the AWS CLI v2 does it:
 *
 * - authorization code with PKCE (the default): RegisterClient as a public client with a loopback
 *   redirect, the browser opened at /authorize with code_challenge_method=S256 and a state, a
 *   one-shot listener on 127.0.0.1 for the redirect, then CreateToken with the verifier;
 * - device authorization (`--device-code`, or where no browser can open): StartDeviceAuthorization,
 *   the code shown to the user, CreateToken polled at the interval the service asks for.
 *
 * Client registrations are kept in the keychain and reused until shortly before they expire.
 */

/** Who a sign-in is for, when a served request (not a person at a Sign in button) started it. */
export interface SignInOrigin {
  /** The profile the program asked for (a role assumed from an SSO profile names the role). */
  requestedProfile?: string;
  requester?: { pid: number; command?: string };
}

export interface DeviceCodeInfo {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresAt: number;
}

/** One sign-in as the person sees it: the terminal's lines in the CLI, the prompt window in the app. */
export interface SignInPresentation {
  /** The browser is about to open at the authorize URL. */
  browserOpening(url: string): void;
  /** Device authorization: the user must open the URL and confirm the code. */
  deviceCode(info: DeviceCodeInfo): void;
  /**
   * No browser could be opened (`why`, e.g. "Could not open a browser (xdg-open not found)"). True
   * when the person can still open the page by hand (the terminal shows its address): the wait goes
   * on. Otherwise the sign-in fails with the opener's line.
   */
  browserFailed?(why: string): boolean;
  /** Aborted when the person gives up (the window's Cancel): the wait ends with the signal's reason. */
  signal?: AbortSignal;
  /** The sign-in ended, whatever the outcome; called exactly once. */
  end(): void;
}

export interface SignInPresenter {
  /** A sign-in starts; `expiresAt` is when it stops waiting for the person. */
  begin(session: SsoSessionConfig, start: { flow: SsoFlow; startedAt: number; expiresAt: number; origin?: SignInOrigin }): SignInPresentation;
}

export interface SsoSignInDeps {
  store: VaultStore;
  clock: Clock;
  gatewayFor: (region: string) => SsoGateway;
  /** The OIDC endpoint a browser is sent to for /authorize. */
  authorizeEndpointFor: (region: string) => string;
  openUrl: UrlOpener;
  /** Whether a local browser may be opened (false: device flow only, nothing opened). */
  browserAvailable: () => boolean;
  presenter: SignInPresenter;
  /** How long to wait for the browser or the device confirmation. */
  timeoutMs: number;
  /** Waits between device-code polls; resolves early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A registration this close to its end is replaced, so a sign-in never starts on one about to lapse. */
const CLIENT_RENEW_MARGIN_MS = 60 * 60 * 1000;
const REDIRECT_PATH = '/oauth/callback';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code' as const;
/** RFC 8628 3.5: on slow_down the client adds 5 seconds to its interval. */
const SLOW_DOWN_STEP_S = 5;

export async function signIn(session: SsoSessionConfig, flow: SsoFlow, deps: SsoSignInDeps, origin?: SignInOrigin): Promise<StoredSsoToken> {
  const gateway = deps.gatewayFor(session.region);
  const signedInAt = deps.clock.now();
  const startedAt = Date.now();
  const shown = deps.presenter.begin(session, { flow, startedAt, expiresAt: startedAt + deps.timeoutMs, origin });
  try {
    for (let attempt = 0; ; attempt++) {
      throwIfCancelled(shown.signal);
      const client = await registeredClient(session, flow, deps, gateway);
      try {
        const token = flow === 'authorization_code' ? await withBrowser(session, client, deps, gateway, shown) : await withDeviceCode(session, client, deps, gateway, shown);
        return { ...token, clientId: client.clientId, startUrl: session.startUrl, region: session.region, signedInAt };
      } catch (err) {
        // A registration the service no longer accepts (expired, deleted) is dropped and replaced
        // once, by itself; the user only sees a failure that a new registration did not cure.
        if (!rejectsClient(err)) throw err;
        forgetClient(session, flow, deps.store);
        if (attempt > 0) throw err;
      }
    }
  } finally {
    shown.end();
  }
}

/** A call that was in flight when the person cancelled still ends the sign-in with the cancel. */
function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new KeytrayError('signin-cancelled', 'The IAM Identity Center sign-in was cancelled', { hint: 'Sign in again when you are ready.' });
}

function rejectsClient(err: unknown): boolean {
  const cause = err instanceof KeytrayError ? (err.cause as { name?: string } | undefined) : (err as { name?: string } | undefined);
  return cause?.name === 'InvalidClientException';
}

/** The registration for a flow, reused from the keychain while it has more than an hour left. */
export async function registeredClient(session: SsoSessionConfig, flow: SsoFlow, deps: Pick<SsoSignInDeps, 'store' | 'clock'>, gateway: SsoGateway): Promise<StoredSsoClient> {
  const clients = deps.store.getSsoClients(session.key);
  const kept = clients[flow];
  if (
    kept &&
    kept.expiresAt - deps.clock.now() > CLIENT_RENEW_MARGIN_MS &&
    kept.startUrl === session.startUrl &&
    kept.region === session.region &&
    kept.scopes.join(' ') === session.scopes.join(' ')
  ) {
    return kept;
  }
  let reg: ClientRegistration;
  try {
    reg = await gateway.registerClient({
      clientName: `keytray-${session.key}`,
      scopes: session.scopes,
      ...(flow === 'authorization_code'
        ? { grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [`http://127.0.0.1${REDIRECT_PATH}`], issuerUrl: session.startUrl }
        : { grantTypes: [DEVICE_GRANT, 'refresh_token'] }),
    });
  } catch (err) {
    throw describeSsoFailure(err, session, 'RegisterClient');
  }
  const stored: StoredSsoClient = { ...reg, startUrl: session.startUrl, region: session.region, scopes: session.scopes };
  deps.store.setSsoClients(session.key, { ...deps.store.getSsoClients(session.key), [flow]: stored });
  return stored;
}

export function forgetClient(session: SsoSessionConfig, flow: SsoFlow, store: VaultStore): void {
  const clients = store.getSsoClients(session.key);
  delete clients[flow];
  store.setSsoClients(session.key, clients);
}

async function withBrowser(session: SsoSessionConfig, client: StoredSsoClient, deps: SsoSignInDeps, gateway: SsoGateway, shown: SignInPresentation) {
  const pkce = createPkcePair();
  const state = createOAuthState();
  const listener = await startLoopbackRedirect({
    state,
    path: REDIRECT_PATH,
    timeoutMs: deps.timeoutMs,
    serviceName: 'IAM Identity Center',
    retryCommand: session.loginCommand,
    signal: shown.signal,
  });
  try {
    const url = new URL(`${deps.authorizeEndpointFor(session.region).replace(/\/+$/, '')}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: listener.redirectUri,
      state,
      code_challenge_method: 'S256',
      scopes: session.scopes.join(','),
      code_challenge: pkce.challenge,
    }).toString();
    shown.browserOpening(url.toString());
    try {
      await deps.openUrl(url.toString());
    } catch (err) {
      if (!shown.browserFailed?.(asKeytrayError(err).message)) throw err;
    }
    const code = await listener.code;
    let token;
    try {
      token = await gateway.createToken(client, { grantType: 'authorization_code', code, redirectUri: listener.redirectUri, codeVerifier: pkce.verifier });
    } catch (err) {
      throw describeSsoFailure(err, session, 'CreateToken');
    }
    throwIfCancelled(shown.signal);
    return token;
  } finally {
    listener.close();
  }
}

async function withDeviceCode(session: SsoSessionConfig, client: StoredSsoClient, deps: SsoSignInDeps, gateway: SsoGateway, shown: SignInPresentation) {
  let device;
  try {
    device = await gateway.startDeviceAuthorization(client, session.startUrl);
  } catch (err) {
    throw describeSsoFailure(err, session, 'StartDeviceAuthorization');
  }
  const started = Date.now();
  const deadline = Math.min(device.expiresAt, started + deps.timeoutMs);
  throwIfCancelled(shown.signal);
  shown.deviceCode({ ...device, expiresAt: deadline });
  // Where a browser can open, open the verification page too (the AWS CLI does); the code is on
  // the terminal either way, so a browser that fails to open changes nothing.
  if (deps.browserAvailable()) await deps.openUrl(device.verificationUriComplete ?? device.verificationUri).catch(() => undefined);

  const sleep = deps.sleep ?? abortableSleep;
  let interval = Math.max(1, device.intervalSeconds);
  for (;;) {
    await sleep(interval * 1000, shown.signal);
    throwIfCancelled(shown.signal);
    try {
      const token = await gateway.createToken(client, { grantType: DEVICE_GRANT, deviceCode: device.deviceCode });
      throwIfCancelled(shown.signal);
      return token;
    } catch (err) {
      if (shown.signal?.aborted) throw err;
      const name = (err as { name?: string }).name;
      if (name === 'SlowDownException') interval += SLOW_DOWN_STEP_S;
      else if (name !== 'AuthorizationPendingException') throw describeSsoFailure(err, session, 'CreateToken');
    }
    if (Date.now() + interval * 1000 > deadline) {
      throw new KeytrayError('sso-timeout', `The sign-in to IAM Identity Center session "${session.name ?? session.startUrl}" was not confirmed within ${Math.round((deadline - started) / 1000)} s`, {
        hint: `Run \`${session.loginCommand} --device-code\` again and confirm the code in the browser.`,
      });
    }
  }
}

/** The poll interval's wait, cut short by a cancel so the person never waits out the interval for nothing. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
