/**
 * electron-builder afterPack hook: flips Electron's fuses in the packaged binary, before signing.
 * Fuses are bits compiled into the Electron executable; flipping them here means no environment
 * variable or command-line switch can turn these features back on in the shipped app.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * Why each fuse is set (Electron's security checklist):
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

/** The app's resources folder in the packed output, where extraResources put the CLI binary. */
function resourcesDirOf(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources');
  return path.join(appOutDir, 'resources');
}

/** The executable format each platform runs, by the file's first bytes. */
const EXECUTABLE_MAGIC = Object.freeze({
  linux: { name: 'an ELF executable', test: (b) => b.readUInt32BE(0) === 0x7f454c46 },
  darwin: { name: 'a Mach-O executable', test: (b) => [0xcffaedfe, 0xcefaedfe, 0xcafebabe].includes(b.readUInt32BE(0)) },
  win32: { name: 'a Windows executable', test: (b) => b.readUInt16BE(0) === 0x4d5a },
});

/**
 * The CLI binary is built by `npm run build:cli-binary` on the platform being packaged; electron-builder
 * only warns when an extraResources source is missing, and would happily ship a Linux binary in a
 * macOS app built on the wrong machine. A package without a working `keytray` must not be made.
 */
function checkCliBinary(context) {
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  const file = path.join(resourcesDirOf(context), 'keytray-cli', platform === 'win32' ? 'keytray.exe' : 'keytray');
  const magic = EXECUTABLE_MAGIC[platform];
  const head = Buffer.alloc(4);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    throw new Error(`afterPack: ${file} is missing; run \`npm run build:cli-binary\` on ${platform} before electron-builder`);
  }
  if (magic && !magic.test(head)) throw new Error(`afterPack: ${file} is not ${magic.name}; build it with \`npm run build:cli-binary\` on ${platform}`);
}

async function afterPack(context) {
  checkCliBinary(context);
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
exports.checkCliBinary = checkCliBinary;
exports.FUSES = FUSES;
