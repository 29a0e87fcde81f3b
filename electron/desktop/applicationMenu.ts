/**
 * The application menu. On macOS text fields get Cut, Copy, Paste, Select All and Undo only through
 * menu items with those roles, and Cmd+Q and Cmd+W only through Quit and Close: with no menu, an
 * access key or an MFA code cannot be pasted. Windows and Linux need no menu for any of that, so
 * they get none, which also leaves out the default menu's Reload and Toggle Developer Tools.
 * Roles only, no View menu: nothing here reloads the page or opens devtools.
 */
export type MenuRole =
  | 'about'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'minimize'
  | 'close'
  | 'front';

export type AppMenuItem = { role: MenuRole } | { type: 'separator' } | { label: string; submenu: AppMenuItem[] };

export function applicationMenuTemplate(platform: NodeJS.Platform, appName: string): AppMenuItem[] | null {
  if (platform !== 'darwin') return null;
  const separator = { type: 'separator' } as const;
  return [
    { label: appName, submenu: [{ role: 'about' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'pasteAndMatchStyle' }, { role: 'delete' }, { role: 'selectAll' }],
    },
    { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'close' }, separator, { role: 'front' }] },
  ];
}
