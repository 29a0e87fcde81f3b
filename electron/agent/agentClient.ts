import type { CredentialRequest, ServedCredentials } from '../core/sessions/sessionEngine';

/** Asks a running agent for credentials; null when no agent runs, so the CLI does the work itself. */
export async function requestThroughAgent(
  _dataDir: string,
  _request: CredentialRequest,
  _options: { mfaCode?: string },
): Promise<ServedCredentials | null> {
  return null;
}
