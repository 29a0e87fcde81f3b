import { KeytrayError } from '../errors';
import { shQuote } from '../export/envExport';

/**
 * The text of the `keytray` launcher that `installCli` puts on PATH. Two kinds of target:
 *
 * - a packaged app: the CLI binary shipped in the app's resources (cliBinaryLayout.ts), a Node
 *   single executable that starts without Chromium, so it works with no display and costs what the
 *   checkout's CLI costs. Where the keychain trusts binaries one by one (macOS, Windows) it leaves
 *   the keychain to the app binary (electron/cli/keychainAccessPolicy.ts);
 * - a checkout: `node <repo>/bin/keytray.js`, with the absolute path of the Node that installed it,
 *   because GUI apps and IDEs that run credential_process often have a PATH without nvm's node.
 *
 * The launcher exports its own path as KEYTRAY_LAUNCHER so that `keytray setup` writes the stable
 * launcher path into ~/.aws/config, not the app binary's (which moves with every AppImage update).
 */
export const LAUNCHER_MARKER = 'keytray-launcher: written by Keytray';

export type LauncherTarget = { cliBinary: string } | { nodeScript: string; nodeBinary: string };

export function launcherFileName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'keytray.cmd' : 'keytray';
}

export function renderLauncher(target: LauncherTarget, launcherPath: string, platform: NodeJS.Platform): string {
  const argv = 'cliBinary' in target ? [target.cliBinary] : [target.nodeBinary, target.nodeScript];
  return platform === 'win32' ? renderCmd(argv, launcherPath) : renderSh(argv, launcherPath);
}

function renderSh(argv: string[], launcherPath: string): string {
  return [
    '#!/bin/sh',
    `# ${LAUNCHER_MARKER}. Reinstall from the app's Settings or with \`keytray install-cli\`.`,
    `KEYTRAY_LAUNCHER=${shQuote(launcherPath)}`,
    'export KEYTRAY_LAUNCHER',
    `exec ${argv.map(shQuote).join(' ')} "$@"`,
    '',
  ].join('\n');
}

/**
 * cmd.exe expands %VAR% even inside double quotes, and !VAR! under delayed expansion, so paths with
 * those characters (or a quote) cannot be written safely; Windows paths never need them.
 */
function renderCmd(argv: string[], launcherPath: string): string {
  for (const p of [...argv, launcherPath]) {
    if (/["%!\r\n]/.test(p)) {
      throw new KeytrayError('usage', `Cannot write a launcher for "${p}": it contains a quote, % or !`, {
        hint: 'Install Keytray to a folder without those characters.',
      });
    }
  }
  return [
    '@echo off',
    `rem ${LAUNCHER_MARKER}.`,
    `set "KEYTRAY_LAUNCHER=${launcherPath}"`,
    `${argv.map((a) => `"${a}"`).join(' ')} %*`,
    '',
  ].join('\r\n');
}
