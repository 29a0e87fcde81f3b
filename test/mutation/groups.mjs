// What `npm run mutate` mutates, and which compiled test files must kill each group's mutants.
export const groups = {
  engine: {
    mutate: ['electron/core/sessions/sessionEngine.ts', 'electron/core/sessions/sessionReuse.ts', 'electron/core/sessions/profileChain.ts'],
    tests: ['dist/test/unit/sessionEngine.test.js', 'dist/test/unit/profileChain.test.js'],
  },
  'config-writer': {
    mutate: ['electron/core/config/configFileWriter.ts'],
    tests: ['dist/test/unit/configFileWriter.test.js', 'dist/test/unit/configProfileSetup.test.js'],
  },
  'fast-path': {
    mutate: ['electron/cli/fastPath.ts', 'electron/cli/keychainCache.ts'],
    tests: ['dist/test/integration/fast-path.test.js', 'dist/test/integration/fast-path-margin.test.js', 'dist/test/integration/concurrency.test.js'],
    coverage: 'all',
  },
  'tray-menu': {
    mutate: ['electron/desktop/trayTemplate.ts'],
    tests: ['dist/test/unit/trayTemplate.test.js'],
  },
  'desktop-actions': {
    mutate: ['electron/desktop/appActions.ts'],
    tests: ['dist/test/unit/desktopHandlers.test.js', 'dist/test/unit/desktopLock.test.js', 'dist/test/unit/desktopAgentWiring.test.js'],
  },
};
