/**
 * The shape of a profile's status, with no imports: the IPC contract extends it, and the renderer's
 * project (no Node types) type-checks the contract, so this file must not reach into Node code.
 */
/** What `keytray list`, the tray and the app show for a profile. Metadata only, never a secret. */
export interface ProfileStatus {
  name: string;
  kind: 'user' | 'role' | 'sso' | 'login';
  hasKey: boolean;
  /** The key's last 4 characters, masked. */
  accessKeyIdHint?: string;
  keyStoredAt?: number;
  sourceProfile?: string;
  roleArn?: string;
  mfaSerial?: string;
  region?: string;
  /** Account ID from the role ARN, MFA serial or sso_account_id, for grouping. */
  account?: string;
  /** IAM Identity Center profiles: the sso-session they sign in with, and the permission set. */
  ssoSession?: string;
  ssoRoleName?: string;
  /** Whether `keytray setup` wired the profile to credential_process. */
  managedByKeytray: boolean;
  /** Seconds left on the cached session, negative once expired, null with no session. */
  sessionSecondsLeft: number | null;
  /**
   * For a login profile: seconds left of its 12-hour AWS Sign-In session (negative once ended), null
   * when it is not signed in or the sign-in time is unknown (an imported session).
   */
  signInSecondsLeft?: number | null;
  /** False when the profile is only in the keychain (its section was deleted from the config). */
  inConfig: boolean;
}
