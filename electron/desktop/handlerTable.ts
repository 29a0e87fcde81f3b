import { defaultEnvFormat } from '../core/export/envExport';
import { AwsConfig } from '../core/config/awsConfig';
import { validateProfileName } from '../core/config/validation';
import { KeytrayError, maskAccessKeyId } from '../core/errors';
import { mfaCodeProvider, mfaProcessSource, optionCodeSource, type MfaCodeSource } from '../core/mfa/mfaCodeSources';
import type { RequestContext } from '../core/sessions/sessionEngine';
import { loadSettings, saveSettings, type KeytraySettings } from '../core/settings';
import { setProfileServedByKeytray } from '../core/config/credentialProcessSetup';
import { addOrReplaceLongTermKey, isRefusal, refusalError, validateAccessKeyId, validateSecretAccessKey } from '../core/keys/longTermKeys';
import { createSdkStsGateway } from '../core/sts/stsGateway';
import { createAppActions, type AppActions } from './appActions';
import type { AppServices } from './appServices';
import { describeSsoTimeLeft, describeTimeLeft } from './sessionTimeLeft';
import { buildProfileList } from './profileList';
import type { FieldErrors, MfaNeeded } from '../ipc/contract';
import { FormError, type HandlerTable } from '../ipc/ipcDoor';
import { importChosenKeys, scanPlaintextKeysForWizard } from './importWizard';
import { assertProfileFormApplies, profileFormFields, saveProfileForm, validateProfileForm } from './profileForms';
import { ProfileUsageStore } from './profileUsage';

/** Who the activity log names when the app itself asked for credentials. */
const APP_REQUESTER = { pid: process.pid, command: 'Keytray app' };

/**
 * Thrown by the last MFA source of a UI-initiated request: the renderer has not typed a code yet.
 * Deliberately not a KeytrayError, so the engine's "serve a stale session when no code source is
 * available" fallback does not swallow it: the user asked for a fresh session.
 */
class MfaCodeNotTypedYet extends Error {
  constructor(
    readonly profile: string,
    readonly serial: string,
  ) {
    super('MFA code needed');
  }
}

/** `actions` is passed by a host that also runs them from the tray, so both share one instance. */
export function createHandlerTable(app: AppServices, actions: AppActions = createAppActions(app)): HandlerTable {
  const { vault, activity } = app;
  const changed = () => app.onStateChanged?.();
  const usage = app.usage ?? new ProfileUsageStore(vault.paths.dataDir);

  /** Runs a credential request from the UI; an MFA code it still needs comes back as a value. */
  async function withUiMfa<T>(mfaCode: string | undefined, run: (ctx: RequestContext) => Promise<T>): Promise<T | MfaNeeded> {
    const askRenderer: MfaCodeSource = async (request) => {
      throw new MfaCodeNotTypedYet(request.profile, request.serial);
    };
    const ctx: RequestContext = {
      mfa: mfaCodeProvider([optionCodeSource(mfaCode), mfaProcessSource, askRenderer]),
      requester: APP_REQUESTER,
    };
    try {
      return await run(ctx);
    } catch (err) {
      if (err instanceof MfaCodeNotTypedYet) return { status: 'mfa-needed', profile: err.profile, serial: err.serial };
      throw err;
    }
  }

  return {
    'profiles.list': () => buildProfileList(vault, usage.read()),

    'profiles.details': ({ profile }) => {
      const config = vault.loadConfig();
      const p = config.profile(profile);
      const key = vault.store.getLongTermKey(profile);
      return {
        profile,
        kind: p.kind,
        fields: profileFormFields(p),
        managedByKeytray: p.managedByKeytray,
        hasKey: !!key,
        accessKeyIdHint: key ? maskAccessKeyId(key.accessKeyId) : undefined,
      };
    },

    'profiles.validate': ({ form, isNew, profile, fields }) => {
      let config: AwsConfig | null = null;
      try {
        config = vault.loadConfig();
      } catch {
        // A broken file is reported when saving; inline checks still run on the fields themselves.
      }
      return validateProfileForm(config, form, isNew, profile, fields);
    },

    'profiles.addUser': async ({ profile, accessKeyId, secretAccessKey, replace, ...fields }) => {
      const nameProblem = validateProfileName(profile);
      if (nameProblem) throw new FormError({ profile: nameProblem }, profile);
      const id = accessKeyId.trim();
      const secret = secretAccessKey.trim();
      // Each half is checked on its own, so an error lands under the field whose value failed.
      const keyErrors: FieldErrors = {};
      const checks = [
        ['accessKeyId', () => validateAccessKeyId(id, profile)],
        ['secretAccessKey', () => validateSecretAccessKey(secret, profile)],
      ] as const;
      for (const [field, check] of checks) {
        try {
          check();
        } catch (err) {
          keyErrors[field] = err instanceof KeytrayError ? err.toLine() : 'The key is malformed.';
        }
      }
      if (Object.keys(keyErrors).length > 0) throw new FormError(keyErrors, profile);
      // The form's fields are checked before the key is stored, so a refused form stores nothing.
      try {
        assertProfileFormApplies(vault.loadConfig(), 'user', false, profile, fields);
      } catch (err) {
        // "admin is a role profile": about the name the user typed, so it is shown at that field.
        if (err instanceof KeytrayError && !(err instanceof FormError) && err.code === 'config-invalid') throw new FormError({ profile: err.toLine() }, profile);
        throw err;
      }
      // Without `replace`, a stored key gives 'key-replace-unconfirmed', which the window turns
      // into a confirmation and sends again with replace: true; the new key is checked with AWS.
      const outcome = await addOrReplaceLongTermKey(vault, {
        profile,
        accessKeyId: id,
        secretAccessKey: secret,
        replace: !!replace,
        verify: true,
        stsFor: (region) => createSdkStsGateway(region, vault.env),
      });
      if (isRefusal(outcome)) throw refusalError(outcome, profile, { confirm: 'Confirm' });
      // Not "new": an existing section is updated, and refused if it is a role's.
      const addedSection = saveProfileForm(vault.paths.configFile, 'user', false, profile, fields);
      const summary =
        outcome.kind === 'replaced'
          ? `Replaced access key ${maskAccessKeyId(outcome.previousAccessKeyId)} of "${profile}" with ${maskAccessKeyId(id)} in the keychain.`
          : `Stored access key ${maskAccessKeyId(id)} for "${profile}" in the keychain.`;
      activity.record({ kind: 'config', profile, summary });
      changed();
      return { profile, accessKeyIdHint: maskAccessKeyId(id), addedSection, replaced: outcome.kind === 'replaced' };
    },

    'profiles.saveUser': ({ profile, ...fields }) => {
      saveProfileForm(vault.paths.configFile, 'user', false, profile, fields);
      activity.record({ kind: 'config', profile, summary: `Saved user profile "${profile}".` });
      changed();
      return { profile };
    },

    'profiles.saveRole': ({ profile, isNew, ...fields }) => {
      saveProfileForm(vault.paths.configFile, 'role', isNew, profile, fields);
      activity.record({ kind: 'config', profile, summary: `${isNew ? 'Added' : 'Saved'} role profile "${profile}".` });
      changed();
      return { profile };
    },

    'profiles.makeActive': ({ profile }) => actions.makeActive(profile),

    'sessions.start': async ({ profile, mfaCode }) => {
      const result = await withUiMfa(mfaCode, (ctx) => actions.startSession(profile, ctx));
      if ('status' in result) return result;
      return { status: 'started', profile, secondsLeft: result.secondsLeft, timeLeftText: describeTimeLeft(result.secondsLeft) };
    },

    'sessions.end': ({ profile }) => actions.endSession(profile),

    'sessions.lock': () => actions.lock('Locked'),

    'env.copy': async ({ profile, format, mfaCode }) => {
      const result = await withUiMfa(mfaCode, (ctx) => actions.copyEnv(profile, format ?? defaultEnvFormat(process.platform), ctx));
      if ('status' in result) return result;
      return { status: 'copied', profile, clearsAfterSeconds: result.clearsAfterSeconds };
    },

    'console.open': ({ profile, mfaCode }) =>
      withUiMfa(mfaCode, async (ctx) => {
        await actions.openConsole(profile, ctx);
        return { status: 'opened' as const, profile };
      }),

    'import.scan': () => scanPlaintextKeysForWizard(vault),

    'import.apply': ({ candidates, removePlaintext }) => {
      const result = importChosenKeys(vault, candidates, removePlaintext);
      activity.record({
        kind: 'config',
        summary: `Imported ${result.imported.length} key(s) into the keychain${result.removedFrom.length ? ` and removed the plaintext copies from ${result.removedFrom.join(', ')}` : ''}.`,
      });
      changed();
      return result;
    },

    'settings.get': () => loadSettings(vault.paths.dataDir),

    'settings.set': (patch) => {
      const before = loadSettings(vault.paths.dataDir);
      const next: KeytraySettings = { ...before };
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
      saveSettings(vault.paths.dataDir, next);
      if (next.startAtLogin !== before.startAtLogin) app.setStartAtLogin?.(next.startAtLogin);
      return next;
    },

    'setup.bulk': ({ profiles, enabled }) => {
      const changedProfiles: string[] = [];
      const launcher = app.launcherPath();
      for (const profile of profiles) {
        const before = vault.loadConfig();
        if (!before.has(profile) || before.profile(profile).managedByKeytray === enabled) continue;
        setProfileServedByKeytray(vault.paths.configFile, profile, enabled, launcher);
        changedProfiles.push(profile);
      }
      activity.record({
        kind: 'config',
        summary: `${enabled ? 'Served' : 'Stopped serving'} ${changedProfiles.length} profile(s) ${enabled ? 'through' : 'from'} credential_process.`,
      });
      changed();
      return { changed: changedProfiles, enabled };
    },

    'profiles.pin': ({ profile, pinned }) => actions.setPinned(profile, pinned),

    'profiles.remove': ({ profile }) => actions.remove(profile),

    'keys.check': ({ profile }) => actions.checkKey(profile),

    'keys.rotate': async ({ profile, mfaCode }) => {
      const result = await withUiMfa(mfaCode, (ctx) => actions.rotateKey(profile, ctx));
      if ('status' in result) return result;
      return { status: 'rotated', profile, accessKeyIdHint: maskAccessKeyId(result.newAccessKeyId), oldAccessKeyIdHint: maskAccessKeyId(result.oldAccessKeyId) };
    },

    'setup.toggle': ({ profile, enabled }) => {
      const { managedByKeytray } = setProfileServedByKeytray(vault.paths.configFile, profile, enabled, app.launcherPath());
      activity.record({
        kind: 'config',
        profile,
        summary: enabled ? `"${profile}" is now served through credential_process.` : `"${profile}" is back to its own settings.`,
      });
      changed();
      return { profile, managedByKeytray };
    },

    'cli.install': async () => {
      if (!app.installCli) throw new KeytrayError('usage', 'Installing the command-line tool is only possible from the packaged app', { hint: 'Run `npm link` in the checkout instead.' });
      return app.installCli();
    },

    'activity.list': () => ({ entries: activity.list() }),

    'prompt.current': () => app.prompts?.current() ?? null,

    'prompt.answer': ({ id, code }) => {
      if (!app.prompts) throw new KeytrayError('usage', 'No MFA prompt is open');
      return app.prompts.answer(id, code);
    },

    'prompt.cancel': ({ id }) => ({ cancelled: app.prompts?.cancel(id) ?? false }),

    'sso.signIn': async ({ session, deviceCode }) => {
      const { secondsLeft, renews } = await actions.ssoSignIn(session, { deviceCode });
      return { status: 'signed-in', session, secondsLeft, renews, timeLeftText: describeSsoTimeLeft(secondsLeft, renews) };
    },

    'sso.signOut': ({ session }) => actions.ssoSignOut(session),

    'sso.populate': ({ session, prefix, dryRun, prune }) => actions.ssoPopulate(session, { prefix, dryRun, prune }),

    'login.signIn': async ({ profile, region }) => ({ status: 'signed-in', ...(await actions.loginSignIn(profile, region || undefined)) }),

    'login.signOut': ({ profile }) => actions.loginSignOut(profile),

    'signin.current': () => app.signIns?.current() ?? null,

    'signin.cancel': ({ id }) => ({ cancelled: app.signIns?.cancel(id) ?? false }),

    'signin.reopen': async ({ id }) => ({ opened: (await app.signIns?.reopen(id)) ?? false }),

    'app.support': () => app.support?.() ?? { platform: process.platform, trayHost: 'unknown', settingNotes: {} },

    'app.quit': () => {
      if (!app.quit) return { quitting: false };
      // After the reply: the window that asked is closed by the quit.
      setImmediate(() => app.quit?.());
      return { quitting: true };
    },
  };
}
