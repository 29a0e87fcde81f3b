import type { AwsConfig } from '../config/awsConfig';
import type { StoredSsoToken } from '../keychain/vaultStore';
import { ssoSession, ssoSessionNames } from './ssoConfig';

/** What `keytray list`, the tray and the window show for an sso-session. Metadata only. */
export interface SsoSessionStatus {
  name: string;
  startUrl?: string;
  region?: string;
  /** Seconds the access token has left; null when not signed in. */
  secondsLeft: number | null;
  /** A refresh token is kept, so the session renews itself when the access token ends. */
  renews: boolean;
  /** A problem with the section (no sso_region, …), as the line a user reads. */
  problem?: string;
}

export function buildSsoSessionStatus(config: AwsConfig, tokens: Map<string, StoredSsoToken>, now: number): SsoSessionStatus[] {
  return ssoSessionNames(config).map((name) => {
    const token = tokens.get(name);
    let startUrl: string | undefined;
    let region: string | undefined;
    let problem: string | undefined;
    try {
      ({ startUrl, region } = ssoSession(config, name));
    } catch (err) {
      // What is there still shows; the problem says what is missing.
      startUrl = config.document.get(`sso-session ${name}`, 'sso_start_url') || undefined;
      region = config.document.get(`sso-session ${name}`, 'sso_region') || undefined;
      problem = (err as Error).message;
    }
    // A token from another start URL (the section was edited since) does not sign this one in.
    const valid = token && (problem !== undefined || token.startUrl === startUrl) ? token : undefined;
    return {
      name,
      startUrl,
      region,
      secondsLeft: valid ? Math.floor((valid.expiresAt - now) / 1000) : null,
      renews: !!valid?.refreshToken,
      problem,
    };
  });
}
