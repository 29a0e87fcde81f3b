/**
 * electron-builder afterPack hook: flips Electron's fuses in the packaged binary, before signing.
 * Fuses are bits compiled into the Electron executable; flipping them here means no environment
 * variable or command-line switch can turn these features back on in the shipped app.
 */
'use strict';
const path = require('node:path');

/**
 * Why each fuse is set (SPEC §5, Electron's security checklist):
 * - RunAsNode off: ELECTRON_RUN_AS_NODE would turn the signed vault binary into a plain Node
 *   interpreter that macOS trusts with the vault's keychain items. The CLI uses --keytray-cli instead.
 * - EnableNodeOptionsEnvironmentVariable / EnableNodeCliInspectArguments off: NODE_OPTIONS=--require
 *   and --inspect would let another process inject code into the main process, which holds the keys.
 * - EnableCookieEncryption on: the app needs no cookies, but any that appear are encrypted at rest.
 * - EnableEmbeddedAsarIntegrityValidation + OnlyLoadAppFromAsar on: only the signed, hashed app.asar
 *   is loaded, never a loose app/ folder dropped next to it.
 * GrantFileProtocolExtraPrivileges keeps Electron's default: the renderer is loaded from file://.
 */
const FUSES = Object.freeze({
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
});

function electronBinaryOf(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`);
  return path.join(appOutDir, packager.executableName);
}

async function afterPack(context) {
  const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');
  const config = { version: FuseVersion.V1 };
  for (const [name, value] of Object.entries(FUSES)) {
    if (!(name in FuseV1Options)) throw new Error(`@electron/fuses has no fuse named ${name}`);
    config[FuseV1Options[name]] = value;
  }
  // Flipping bits invalidates an arm64 ad-hoc signature; the real signature comes after this hook.
  config.resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === 3; // Arch.arm64
  await flipFuses(electronBinaryOf(context), config);
}

exports.default = afterPack;
exports.FUSES = FUSES;
