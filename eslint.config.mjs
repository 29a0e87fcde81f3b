// Code rules: typescript-eslint's recommended set, React's hook rules, plus the few bans that keep
// the layers honest at the level of single files. Import arrows and cycles between folders are
// dependency-cruiser's (.dependency-cruiser.cjs); `npm run lint` runs both.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Only the IPC door (electron/ipc/ipcDoor.ts) and the preload may touch Electron's raw IPC objects. */
const rawIpcBan = {
  selector: 'MemberExpression[object.name=/^(ipcMain|ipcRenderer)$/]',
  message: 'Raw ipcMain/ipcRenderer calls belong in electron/ipc/ipcDoor.ts or electron/preload/: go through the door and its schemas.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'bin/**', 'test/output/**', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The CLI loads some modules lazily on purpose (a cache hit must not pay for the SDK).
      '@typescript-eslint/no-require-imports': 'off',
      'prefer-const': ['error', { destructuring: 'all' }],
      'no-restricted-syntax': ['error', rawIpcBan],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', allowTypeImports: true, message: 'Only electron/main/ and electron/preload/ use Electron at run time; elsewhere import types only.' }] },
      ],
    },
  },
  {
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts', 'test/**/*.ts', 'test/**/*.tsx'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['electron/ipc/ipcDoor.ts', 'electron/preload/**/*.ts', 'test/**/*.ts', 'test/**/*.tsx'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The renderer reaches the app through window.keytray only; from electron/ it takes types.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },
);
