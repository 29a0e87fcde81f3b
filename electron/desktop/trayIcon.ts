import * as path from 'node:path';

/**
 * The tray image for the platform and the panel's colours. macOS tints a template image (black and
 * alpha, its name ending in "Template") for light and dark menu bars itself. Elsewhere the app
 * picks: the white glyph on a dark taskbar or panel, the black one on a light one. Each has an @2x
 * twin beside it that Electron picks on high-density screens.
 */
export function trayIconFile(trayDir: string, platform: NodeJS.Platform, darkPanel: boolean): string {
  if (platform === 'darwin') return path.join(trayDir, 'trayTemplate.png');
  return path.join(trayDir, darkPanel ? 'tray-dark.png' : 'tray-light.png');
}
