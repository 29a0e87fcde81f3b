/**
 * The env export formats, named once for the CLI, the app and the IPC contract. Free of imports and
 * of Node types, because the renderer's type check reads the contract and what it imports.
 */
export const ENV_FORMATS = ['sh', 'fish', 'powershell', 'cmd', 'dotenv', 'json'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];

/** What a user of this platform pastes into their usual shell: PowerShell on Windows, sh elsewhere. */
export function defaultEnvFormat(platform: string): EnvFormat {
  return platform === 'win32' ? 'powershell' : 'sh';
}
