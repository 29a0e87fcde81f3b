// Bundles the renderer (React, DOM only) into dist/renderer, and the preload into one file:
// a sandboxed preload may require only 'electron', so its import of the channel list must be inlined.
// Run after `tsc` (npm run build does), which it overwrites dist/electron/preload/index.js after.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(root, 'dist', 'renderer');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome120'],
  jsx: 'automatic',
  // Readable output only when debugging the renderer itself.
  minify: process.env.KEYTRAY_RENDERER_DEBUG !== '1',
  sourcemap: false,
  define: { 'process.env.NODE_ENV': JSON.stringify(process.env.KEYTRAY_RENDERER_DEBUG === '1' ? 'development' : 'production') },
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css']) copyFileSync(join(here, file), join(out, file));

await build({
  entryPoints: [join(root, 'electron', 'preload', 'index.ts')],
  outfile: join(root, 'dist', 'electron', 'preload', 'index.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: ['node20'],
  external: ['electron'],
  logLevel: 'warning',
});
