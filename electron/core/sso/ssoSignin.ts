import { createOAuthState, createPkcePair, startLoopbackRedirect, type UrlOpener } from '../browserSignin';
import { KeytrayError } from '../errors';
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

export interface SignInPresenter {
  /** The browser is about to open at the authorize URL. */
  browserOpening(session: SsoSessionConfig, url: string): void;
  /** Device authorization: the user must open the URL and confirm the code. */
  deviceCode(session: SsoSessionConfig, info: { verificationUri: string; verificationUriComplete?: string; userCode: string; expiresAt: number }): void;
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
  sleep?: (ms: number) => Promise<void>;
}

/** A registration this close to its end is replaced, so a sign-in never starts on one about to lapse. */
const CLIENT_RENEW_MARGIN_MS = 60 * 60 * 1000;
const REDIRECT_PATH = '/oauth/callback';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code' as const;
/** RFC 8628 3.5: on slow_down the client adds 5 seconds to its interval. */
const SLOW_DOWN_STEP_S = 5;

export async function signIn(session: SsoSessionConfig, flow: SsoFlow, deps: SsoSignInDeps): Promise<StoredSsoToken> {
  const gateway = deps.gatewayFor(session.region);
  const signedInAt = deps.clock.now();
  for (let attempt = 0; ; attempt++) {
    const client = await registeredClient(session, flow, deps, gateway);
    try {
      const token = flow === 'authorization_code' ? await withBrowser(session, client, deps, gateway) : await withDeviceCode(session, client, deps, gateway);
      return { ...token, clientId: client.clientId, startUrl: session.startUrl, region: session.region, signedInAt };
    } catch (err) {
      // A registration the service no longer accepts (expired, deleted) is dropped and replaced
      // once, by itself; the user only sees a failure that a new registration did not cure.
      if (!rejectsClient(err)) throw err;
      forgetClient(session, flow, deps.store);
      if (attempt > 0) throw err;
    }
  }
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

async function withBrowser(session: SsoSessionConfig, client: StoredSsoClient, deps: SsoSignInDeps, gateway: SsoGateway) {
  const pkce = createPkcePair();
  const state = createOAuthState();
  const listener = await startLoopbackRedirect({ state, path: REDIRECT_PATH, timeoutMs: deps.timeoutMs, serviceName: 'IAM Identity Center', retryCommand: session.loginCommand });
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
    deps.presenter.browserOpening(session, url.toString());
    await deps.openUrl(url.toString());
    const code = await listener.code;
    try {
      return await gateway.createToken(client, { grantType: 'authorization_code', code, redirectUri: listener.redirectUri, codeVerifier: pkce.verifier });
    } catch (err) {
      throw describeSsoFailure(err, session, 'CreateToken');
    }
  } finally {
    listener.close();
  }
}

async function withDeviceCode(session: SsoSessionConfig, client: StoredSsoClient, deps: SsoSignInDeps, gateway: SsoGateway) {
  let device;
  try {
    device = await gateway.startDeviceAuthorization(client, session.startUrl);
  } catch (err) {
    throw describeSsoFailure(err, session, 'StartDeviceAuthorization');
  }
  const started = Date.now();
  const deadline = Math.min(device.expiresAt, started + deps.timeoutMs);
  deps.presenter.deviceCode(session, { ...device, expiresAt: deadline });
  // Where a browser can open, open the verification page too (the AWS CLI does); the code is on
  // the terminal either way, so a browser that fails to open changes nothing.
  if (deps.browserAvailable()) await deps.openUrl(device.verificationUriComplete ?? device.verificationUri).catch(() => undefined);

  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let interval = Math.max(1, device.intervalSeconds);
  for (;;) {
    await sleep(interval * 1000);
    try {
      return await gateway.createToken(client, { grantType: DEVICE_GRANT, deviceCode: device.deviceCode });
    } catch (err) {
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
