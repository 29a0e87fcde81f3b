/**
 * The map of electron/ and renderer/, as rules. Arrows point inward: core imports nothing of the
 * project outside core; agent, cli, ipc and desktop build on core; only main/ wires everything to
 * Electron; the renderer sees the IPC contract's types and nothing else. No cycles anywhere.
 * docs/architecture.md describes the same map in words.
 */
const layer = (name) => `^electron/${name}/`;

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'An import cycle anywhere.', from: {}, to: { circular: true } },
    {
      name: 'core-is-inward',
      severity: 'error',
      comment: 'core/ is the vault and its use cases; it imports nothing of the project outside core/.',
      from: { path: layer('core') },
      to: { path: '^(electron/(?!core/)|renderer/|test/)' },
    },
    {
      name: 'agent-builds-on-core',
      severity: 'error',
      from: { path: layer('agent') },
      to: { path: '^(electron/(cli|desktop|ipc|main|preload)/|renderer/|test/)' },
    },
    {
      name: 'cli-builds-on-core-and-agent',
      severity: 'error',
      from: { path: layer('cli') },
      to: { path: '^(electron/(desktop|ipc|main|preload)/|renderer/|test/)' },
    },
    {
      name: 'ipc-is-the-contract',
      severity: 'error',
      comment: 'ipc/ is the contract, channels, door and sender checks; it knows core types, nothing of the app.',
      from: { path: layer('ipc') },
      to: { path: '^(electron/(agent|cli|desktop|main|preload)/|renderer/|test/)' },
    },
    {
      name: 'desktop-is-electron-free-app',
      severity: 'error',
      from: { path: layer('desktop') },
      to: { path: '^(electron/(cli|main|preload)/|renderer/|test/)' },
    },
    {
      name: 'preload-is-the-bridge',
      severity: 'error',
      from: { path: layer('preload') },
      to: { path: '^(electron/(?!ipc/)|renderer/|test/)' },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      from: { path: '^(electron|renderer)/' },
      to: { path: '^test/' },
    },
    {
      name: 'renderer-sees-only-the-contract',
      severity: 'error',
      comment: 'The renderer imports nothing from electron/ but the IPC contract.',
      from: { path: '^renderer/' },
      to: { path: '^electron/(?!ipc/contract\\.ts$)' },
    },
    {
      name: 'renderer-takes-contract-types-only',
      severity: 'error',
      comment: 'From the contract the renderer takes types (import type), never code.',
      from: { path: '^renderer/' },
      to: { path: '^electron/ipc/contract\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
