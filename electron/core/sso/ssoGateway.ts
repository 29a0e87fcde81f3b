import { KeytrayError } from '../errors';
import { awsClientOptions, endpointOverride } from '../net/awsClientOptions';
import { readAwsFailure, type AwsFailure } from '../sts/awsFailure';
import type { IssuedCredentials } from '../sts/stsGateway';

/**
 * The IAM Identity Center calls Keytray makes: the OIDC service (client registration, device
 * authorization, tokens) and the access portal (role credentials, assignments, logout). Core
 * receives this interface; the SDK-backed one below is built in one factory, with the same bounded
 * timeouts and retries for every call.
 */

export interface ClientRegistration {
  clientId: string;
  /** A secret: keychain only. */
  clientSecret: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Epoch ms. */
  expiresAt: number;
  intervalSeconds: number;
}

export interface TokenSet {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  refreshToken?: string;
}

export type TokenGrant =
  | { grantType: 'authorization_code'; code: string; redirectUri: string; codeVerifier: string }
  | { grantType: 'urn:ietf:params:oauth:grant-type:device_code'; deviceCode: string }
  | { grantType: 'refresh_token'; refreshToken: string };

export interface AccountInfo {
  accountId: string;
  accountName: string;
}

export interface SsoGateway {
  registerClient(request: { clientName: string; scopes: string[]; grantTypes?: string[]; redirectUris?: string[]; issuerUrl?: string }): Promise<ClientRegistration>;
  startDeviceAuthorization(client: ClientRegistration, startUrl: string): Promise<DeviceAuthorization>;
  createToken(client: ClientRegistration, grant: TokenGrant): Promise<TokenSet>;
  getRoleCredentials(accessToken: string, accountId: string, roleName: string): Promise<IssuedCredentials>;
  /** Every page, following nextToken. */
  listAccounts(accessToken: string): Promise<AccountInfo[]>;
  listAccountRoles(accessToken: string, accountId: string): Promise<string[]>;
  logout(accessToken: string): Promise<void>;
}

/** The endpoint override, as the AWS SDK for JavaScript names the variables (service-specific first). */
export function ssoEndpointFor(service: 'SSO_OIDC' | 'SSO', env: NodeJS.ProcessEnv = process.env): string | undefined {
  return endpointOverride(service, env);
}

/**
 * The SSO SDK clients, built in this one place under the network policy of electron/core/net
 * (timeouts, bounded retries, proxies). CreateToken carries one-time values (an authorization
 * code, a device code, a refresh token that rotates), so it is never resent once it may have
 * reached AWS. The SDK is required lazily so a cache hit never loads it.
 */
export function createSdkSsoGateway(region: string, env: NodeJS.ProcessEnv = process.env): SsoGateway {
  const oidcSdk = require('@aws-sdk/client-sso-oidc') as typeof import('@aws-sdk/client-sso-oidc');
  const portalSdk = require('@aws-sdk/client-sso') as typeof import('@aws-sdk/client-sso');
  const oidcNet = awsClientOptions(env, { service: 'SSO_OIDC', region });
  const tokenNet = awsClientOptions(env, { service: 'SSO_OIDC', region, oneShot: true });
  const portalNet = awsClientOptions(env, { service: 'SSO', region });
  const oidcClient = new oidcSdk.SSOOIDCClient({ ...oidcNet.clientOptions });
  const tokenClient = new oidcSdk.SSOOIDCClient({ ...tokenNet.clientOptions });
  const portalClient = new portalSdk.SSOClient({ ...portalNet.clientOptions });

  return {
    async registerClient(request) {
      const out = await oidcNet.call(() => oidcClient.send(new oidcSdk.RegisterClientCommand({ clientType: 'public', ...request })));
      if (!out.clientId || !out.clientSecret || !out.clientSecretExpiresAt) throw incomplete('RegisterClient');
      return { clientId: out.clientId, clientSecret: out.clientSecret, expiresAt: out.clientSecretExpiresAt * 1000 };
    },
    async startDeviceAuthorization(client, startUrl) {
      const out = await oidcNet.call(() => oidcClient.send(new oidcSdk.StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl })));
      if (!out.deviceCode || !out.userCode || !out.verificationUri || !out.expiresIn) throw incomplete('StartDeviceAuthorization');
      return {
        deviceCode: out.deviceCode,
        userCode: out.userCode,
        verificationUri: out.verificationUri,
        verificationUriComplete: out.verificationUriComplete,
        expiresAt: Date.now() + out.expiresIn * 1000,
        intervalSeconds: out.interval ?? 5,
      };
    },
    async createToken(client, grant) {
      const out = await tokenNet.call(() => tokenClient.send(new oidcSdk.CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, ...grant })));
      if (!out.accessToken || !out.expiresIn) throw incomplete('CreateToken');
      return { accessToken: out.accessToken, expiresAt: Date.now() + out.expiresIn * 1000, refreshToken: out.refreshToken };
    },
    async getRoleCredentials(accessToken, accountId, roleName) {
      const out = await portalNet.call(() => portalClient.send(new portalSdk.GetRoleCredentialsCommand({ accessToken, accountId, roleName })));
      const c = out.roleCredentials;
      if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || !c.expiration) throw incomplete('GetRoleCredentials');
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
    },
    async listAccounts(accessToken) {
      const accounts: AccountInfo[] = [];
      let nextToken: string | undefined;
      do {
        const out = await portalNet.call(() => portalClient.send(new portalSdk.ListAccountsCommand({ accessToken, nextToken })));
        for (const a of out.accountList ?? []) if (a.accountId) accounts.push({ accountId: a.accountId, accountName: a.accountName ?? a.accountId });
        nextToken = out.nextToken;
      } while (nextToken);
      return accounts;
    },
    async listAccountRoles(accessToken, accountId) {
      const roles: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await portalNet.call(() => portalClient.send(new portalSdk.ListAccountRolesCommand({ accessToken, accountId, nextToken })));
        for (const r of out.roleList ?? []) if (r.roleName) roles.push(r.roleName);
        nextToken = out.nextToken;
      } while (nextToken);
      return roles;
    },
    async logout(accessToken) {
      await portalNet.call(() => portalClient.send(new portalSdk.LogoutCommand({ accessToken })));
    },
  };
}

function incomplete(action: string): KeytrayError {
  return new KeytrayError('sso-signin', `IAM Identity Center answered ${action} without the expected fields`, {
    hint: 'Check AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO, or try again.',
  });
}

/** An SDK error from either SSO service, with the OAuth `error` field when the OIDC service sent one. */
export function readSsoFailure(err: unknown): AwsFailure & { oauthError?: string } {
  return { ...readAwsFailure(err), oauthError: (err as { error?: string } | undefined)?.error };
}
