/**
 * The app binary's command-line switches for CLI mode. The launcher that core writes names them and
 * the packaged CLI mode (electron/cli/packagedCliMode.ts) reads them, so they live here, inward of both.
 */
export const CLI_MODE_FLAG = '--keytray-cli';
export const INSTALL_CLI_FLAG = '--install-cli';
