import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_SESSION_SECONDS, MIN_DURATION_SECONDS } from './config/validation';
import { replaceFile } from './replaceFile';
import { ensurePrivateDirectory } from './privateDirectory';

/** User preferences, shared by the CLI and the app. Never secrets: this is a plain file. */
export interface KeytraySettings {
  /** GetSessionToken duration for user profiles with MFA (SPEC §3: 8 h by default). */
  mfaSessionSeconds: number;
  lockOnSleep: boolean;
  lockOnScreenLock: boolean;
  startAtLogin: boolean;
}

export const DEFAULT_SETTINGS: KeytraySettings = {
  mfaSessionSeconds: 8 * 3600,
  lockOnSleep: true,
  lockOnScreenLock: true,
  startAtLogin: false,
};

export function settingsFile(dataDir: string): string {
  return path.join(dataDir, 'settings.json');
}

export function loadSettings(dataDir: string): KeytraySettings {
  try {
    const raw = JSON.parse(fs.readFileSync(settingsFile(dataDir), 'utf8')) as Partial<KeytraySettings>;
    return { ...DEFAULT_SETTINGS, ...pickKnown(raw) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(dataDir: string, settings: KeytraySettings): void {
  ensurePrivateDirectory(dataDir);
  const file = settingsFile(dataDir);
  replaceFile(file, `${JSON.stringify(settings, null, 2)}\n`);
}

function pickKnown(raw: Partial<KeytraySettings>): Partial<KeytraySettings> {
  const out: Partial<KeytraySettings> = {};
  if (typeof raw.mfaSessionSeconds === 'number' && raw.mfaSessionSeconds >= MIN_DURATION_SECONDS && raw.mfaSessionSeconds <= MAX_SESSION_SECONDS) {
    out.mfaSessionSeconds = raw.mfaSessionSeconds;
  }
  for (const k of ['lockOnSleep', 'lockOnScreenLock', 'startAtLogin'] as const) if (typeof raw[k] === 'boolean') out[k] = raw[k];
  return out;
}

/** The profile the tray made active; `--active` on the command line means this one. */
export function activeProfileFile(dataDir: string): string {
  return path.join(dataDir, 'active-profile');
}

export function readActiveProfile(dataDir: string): string | null {
  try {
    const name = fs.readFileSync(activeProfileFile(dataDir), 'utf8').trim();
    return name || null;
  } catch {
    return null;
  }
}

export function writeActiveProfile(dataDir: string, profile: string | null): void {
  ensurePrivateDirectory(dataDir);
  const file = activeProfileFile(dataDir);
  if (profile === null) {
    fs.rmSync(file, { force: true });
    return;
  }
  replaceFile(file, `${profile}\n`);
}
