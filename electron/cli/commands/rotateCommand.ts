import { maskAccessKeyId } from '../../core/errors';
import { createSdkIamAccessKeys } from '../../core/rotate/iamAccessKeys';
import { rotateAccessKey, type RotationStep } from '../../core/rotate/keyRotation';
import { createSdkStsGateway } from '../../core/sts/stsGateway';
import { cliRequestContext, getVault } from '../cliContext';
import { clearSessionsBuiltOn } from '../../core/keys/longTermKeys';
import { serveCredentials } from './serveCommands';

const STEP_LABELS: Record<RotationStep, string> = {
  create: 'Creating a new access key',
  store: 'Storing it in the keychain',
  verify: 'Checking that AWS accepts it',
  'delete-old': 'Deleting the old key',
  'clear-sessions': 'Clearing sessions made from the old key',
};

/** `keytray rotate PROFILE`: replaces the profile's long-term key without the user ever seeing one. */
export async function rotateCommand(profile: string, options: { mfaCode?: string }): Promise<void> {
  const vault = getVault();
  const result = await rotateAccessKey(
    {
      store: vault.store,
      // The MFA session comes through the agent when one runs, so the app's prompt is used.
      engine: { getCredentials: async (request) => serveCredentials(request.profile, { mfaCode: options.mfaCode }) },
      loadConfig: vault.loadConfig,
      iamFor: (partition) => createSdkIamAccessKeys(partition, vault.env),
      stsFor: (region) => createSdkStsGateway(region, vault.env),
      clearSessions: (name) => clearSessionsBuiltOn(vault, name),
      clock: vault.clock,
      env: vault.env,
      onStep: (step) => {
        if (process.stderr.isTTY) process.stderr.write(`${STEP_LABELS[step]}...\n`);
      },
    },
    profile,
    cliRequestContext(options),
  );
  const cleared = result.clearedSessions.length ? ` Cleared ${result.clearedSessions.length} cached session(s).` : '';
  process.stdout.write(
    `Rotated the access key of profile "${profile}"${result.userName ? ` (IAM user ${result.userName})` : ''}: ` +
      `${maskAccessKeyId(result.newAccessKeyId)} is stored in the keychain and works; ${maskAccessKeyId(result.oldAccessKeyId)} is deleted at AWS.${cleared}\n`,
  );
}
