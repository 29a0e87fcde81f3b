#!/usr/bin/env node
/**
 * `npm run build:cli-binary` (after `npm run build`): the packaged command line for this machine's
 * platform and architecture, as a Node single executable application built from the Node running
 * this script. electron-builder ships dist/cli-binary/ in the app's resources (extraResources), so
 * each platform's release job runs this first on that platform.
 *
 *   dist/cli-binary/keytray[.exe]   this Node's binary with the CLI bundle injected (postject)
 *   dist/cli-binary/keyring.node    @napi-rs/keyring's binding, only where the CLI binary opens the
 *                                   keychain itself (electron/cli/keychainAccessPolicy.ts)
 *
 * A single executable embeds exactly one script, so the whole CLI (entry, fast path, keychain
 * fallback, commander, the AWS SDK) is one esbuild bundle with nothing left to load from disk
 * except the native binding, which an executable cannot embed.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'dist', 'cli-binary');
const WORK = path.join(ROOT, 'dist', 'cli-binary-work');
// The sentinel Node's SEA loader looks for; postject flips it once the blob is in (Node's SEA docs).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function fail(message) {
  process.stderr.write(`build:cli-binary: ${message}\n`);
  process.exit(1);
}

/** The compiled layout and policy (npm run build puts them in dist/), so the build ships what they decide. */
function compiled(rel) {
  const file = path.join(ROOT, 'dist', rel);
  if (!fs.existsSync(file)) fail(`${path.relative(ROOT, file)} is missing; run \`npm run build\` first.`);
  return require(file);
}

/**
 * The two parts the checkout's CLI loads lazily from files of their own, so that a credential_process
 * cache hit compiles neither: the full command line (commander, the AWS SDK, every command) and the
 * keychain fallback. The binary embeds each as a single-executable asset and compiles it only when
 * the main script first asks for it; the main script itself is the fast path alone.
 */
const LAZY_PARTS = Object.freeze({
  './program': { asset: 'program.js', entry: path.join(ROOT, 'electron', 'cli', 'program.ts') },
  './keychainCache.bundle.js': { asset: 'keychainCache.js', entry: path.join(ROOT, 'electron', 'cli', 'keychainCache.ts') },
});

/**
 * The `require` Node hands a single executable's script loads built-in modules only, and warns on
 * stderr the first time anything else is asked for (secretBackend probes a prebuilt package by a
 * computed name). Under the AWS CLI any stderr output reads as a failure, so every bundle gets a
 * `require` that answers a non-built-in with MODULE_NOT_FOUND, as a Node with no node_modules would.
 */
const RESTRICTED_REQUIRE = {
  banner: { js: '(function (require) {' },
  footer: {
    js: "})((id) => { if (require('node:module').isBuiltin(id)) return require(id); const e = new Error(`Cannot find module '${id}' (the keytray binary carries its modules inside)`); e.code = 'MODULE_NOT_FOUND'; throw e; });",
  },
};

/**
 * An embedded part, compiled on first use with the same restricted `require`. vm keeps it a plain
 * function of the usual CommonJS arguments; the file name only labels stack traces.
 */
const EMBEDDED_PART_LOADER = (asset) => `
const { getAsset } = require('node:sea');
const vm = require('node:vm');
const path = require('node:path');
const filename = path.join(path.dirname(process.execPath), ${JSON.stringify(asset)});
const wrapper = vm.runInThisContext('(function (exports, require, module, __filename, __dirname) {' + getAsset(${JSON.stringify(asset)}, 'utf8') + '\\n})', { filename });
wrapper.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
`;

/**
 * esbuild resolution inside the binary:
 * - in the main script, the lazy parts become loaders of their embedded assets; inside a part, the
 *   sibling-bundle name resolves to the source, inlined;
 * - program.ts reads the version from package.json three folders above dist/electron/cli;
 * - @napi-rs/keyring (the index and the per-platform packages) becomes the loader that opens the
 *   binding beside the binary, after asking the keychain policy;
 * - `import('node:…')` (the SDK's IMDS client, Lambda's context store) becomes a require: with the
 *   code cache on, a single executable's script has no dynamic import() at all
 *   (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), and vm-compiled parts have none either. An optional
 *   package that is not installed (proxy-agent's `import('kerberos')`) becomes a module that throws
 *   MODULE_NOT_FOUND, which its caller already handles, as it would in a checkout without it.
 */
function insideTheBinary({ mainScript }) {
  return {
    name: 'keytray-inside-the-binary',
    setup(build) {
      if (mainScript) {
        build.onResolve({ filter: /^\.\/(program|keychainCache\.bundle\.js)$/ }, (args) => ({ path: args.path, namespace: 'embedded-part' }));
        build.onLoad({ filter: /.*/, namespace: 'embedded-part' }, (args) => ({ contents: EMBEDDED_PART_LOADER(LAZY_PARTS[args.path].asset), loader: 'js' }));
      }
      build.onResolve({ filter: /\.bundle\.js$/ }, (args) => ({ path: path.join(args.resolveDir, path.basename(args.path, '.bundle.js') + '.ts') }));
      build.onResolve({ filter: /^(\.\.\/)+package\.json$/ }, () => ({ path: path.join(ROOT, 'package.json') }));
      build.onResolve({ filter: /^@napi-rs\/keyring/ }, () => ({ path: 'keyring', namespace: 'keyring-beside-binary' }));
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData?.probing) return undefined;
        if (require('node:module').isBuiltin(args.path)) return { path: args.path, namespace: 'builtin-by-require' };
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { probing: true } });
        return found.errors.length > 0 ? { path: args.path, namespace: 'not-installed' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'not-installed' }, (args) => ({
        contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}), { code: 'MODULE_NOT_FOUND' });`,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
      build.onLoad({ filter: /.*/, namespace: 'keyring-beside-binary' }, () => ({
        contents: `module.exports = require(${JSON.stringify(path.join(ROOT, 'electron', 'cli', 'keyringBesideBinary.ts'))}).loadKeyringBesideBinary();`,
        resolveDir: ROOT,
        loader: 'js',
      }));
    },
  };
}

async function bundle(entry, outfile, mainScript) {
  const result = await require('esbuild').build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    plugins: [insideTheBinary({ mainScript })],
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    ...RESTRICTED_REQUIRE,
  });
  for (const w of result.warnings) {
    // secretBackend tries the per-platform package by a computed name first; in the binary that
    // require fails and the loader above takes over, which is the intent.
    if (!/require\(prebuilt\)/.test(w.location?.lineText ?? '')) process.stderr.write(`build:cli-binary: warning: ${w.text} (${w.location?.file}:${w.location?.line})\n`);
  }
  // The binary has no node_modules: anything left for run time other than a built-in would fail there.
  for (const output of Object.values(result.metafile.outputs)) {
    const left = output.imports.filter((i) => i.external && !require('node:module').isBuiltin(i.path));
    if (left.length > 0) fail(`${path.basename(outfile)} leaves ${left.map((i) => `${i.kind} of ${i.path}`).join(', ')} to run time; it must be bundled to run inside the binary.`);
  }
  return outfile;
}

/**
 * postject's ELF writer (LIEF) warns about Node's unnamed note sections on every build; the binary is
 * fine (it runs --version below). Its messages go through console.warn, bound when postject first
 * loads, so they are held back here and shown only if the injection fails.
 */
async function quietly(run) {
  const held = [];
  const warn = console.warn;
  console.warn = (...args) => held.push(args.join(' '));
  try {
    return await run();
  } catch (err) {
    for (const line of held) process.stderr.write(`${line}\n`);
    throw err;
  } finally {
    console.warn = warn;
  }
}

async function main() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  // node:sea (isSea) and a stable --experimental-sea-config arrived in 20.12.
  if (major < 20 || (major === 20 && minor < 12)) fail(`Node ${process.versions.node} cannot build a single executable; use Node 20.12 or later.`);
  const layout = compiled('electron/core/install/cliBinaryLayout.js');
  const { keychainAccessFor } = compiled('electron/cli/keychainAccessPolicy.js');
  const { prebuiltBindingPackage } = compiled('electron/core/keychain/secretBackend.js');

  fs.rmSync(OUT, { recursive: true, force: true });
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  fs.mkdirSync(WORK, { recursive: true });

  const script = await bundle(path.join(ROOT, 'electron', 'cli', 'cliBinaryEntry.ts'), path.join(WORK, 'keytray.js'), true);
  const assets = {};
  for (const part of Object.values(LAZY_PARTS)) assets[part.asset] = await bundle(part.entry, path.join(WORK, part.asset), false);

  const blob = path.join(WORK, 'keytray.blob');
  const seaConfig = path.join(WORK, 'sea-config.json');
  fs.writeFileSync(seaConfig, JSON.stringify({ main: script, output: blob, assets, disableExperimentalSEAWarning: true, useCodeCache: true }));
  // Node reports success on stderr; only a failure's output is worth showing.
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'pipe' });

  const binary = path.join(OUT, layout.cliBinaryFileName(process.platform));
  fs.copyFileSync(process.execPath, binary);
  fs.chmodSync(binary, 0o755);
  // macOS refuses to run a binary whose signature no longer matches: strip it, inject, sign again.
  if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', binary], { stdio: 'inherit' });
  await quietly(() =>
    require('postject').inject(binary, 'NODE_SEA_BLOB', fs.readFileSync(blob), {
      sentinelFuse: SEA_FUSE,
      machoSegmentName: process.platform === 'darwin' ? 'NODE_SEA' : undefined,
    }),
  );
  if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', binary], { stdio: 'inherit' });

  if (keychainAccessFor(process.platform, 'cli-binary').opensKeychain) {
    const pkg = prebuiltBindingPackage(process.platform, process.arch);
    if (!pkg) fail(`no prebuilt @napi-rs/keyring binding is known for ${process.platform}-${process.arch}.`);
    fs.copyFileSync(require.resolve(pkg, { paths: [ROOT] }), path.join(OUT, layout.KEYRING_ADDON_FILE));
  }

  // The binary must run on its own before it ships: from its folder, with nothing else on hand.
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH }, cwd: OUT }).trim();
  const expected = require(path.join(ROOT, 'package.json')).version;
  if (version !== expected) fail(`${binary} --version printed "${version}", expected ${expected}.`);
  const kib = (f) => (fs.statSync(f).size / 1024).toFixed(0);
  const sizes = `main script ${kib(script)} KiB, embedded ${Object.entries(assets).map(([name, f]) => `${name} ${kib(f)} KiB`).join(", ")}`;
  fs.rmSync(WORK, { recursive: true, force: true });
  process.stdout.write(`build:cli-binary: ${path.relative(ROOT, binary)} (${(fs.statSync(binary).size / 2 ** 20).toFixed(0)} MiB; ${sizes}; Node ${process.versions.node}, keytray ${version})\n`);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
