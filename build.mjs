// npm run build: type-check, bundle src/main.ts into dist/haas.cjs, and turn it into the
// single executable dist/haas (a copy of this node with the bundle, the better-sqlite3
// addon, schema.sql and the dashboard's browser bundle (src/ui -> dist/ui) injected as a SEA blob). Run as `node build.mjs [--out DIR]` (default dist/;
// another DIR lets parallel work build without touching dist/).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const outFlag = process.argv.indexOf('--out');
const dist = outFlag > 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');
const entry = join(root, 'src', 'main.ts');
const bundle = join(dist, 'haas.cjs');
const blob = join(dist, 'sea-prep.blob');
const seaConfig = join(dist, 'sea-config.json');
const executable = join(dist, 'haas');
const sqliteAddon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const schema = join(root, 'schema.sql');
const uiEntry = join(root, 'src', 'ui', 'main.tsx');
const uiDir = join(dist, 'ui');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const step = (msg) => console.log(`[${elapsed()}] ${msg}`);

/** Runs tsc on `project` in the background (killed by `signal`); resolves to whether it passed, printing its errors if not. */
function typeCheck(signal, project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', project],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (e) => { if (!signal.aborted) out += `${e}\n`; });
    child.on('close', (code) => {
      if (code !== 0 && !signal.aborted) process.stderr.write(out);
      resolve(code === 0);
    });
  });
}

/**
 * ssh2 optionally requires two native addons inside try/catch and falls back to pure JS;
 * so does ws (bufferutil, utf-8-validate).
 * Replacing them with modules that throw keeps the fallback without leaving a dangling
 * external require (which Node prints a warning about inside a single executable).
 */
const stubOptionalNativeAddons = {
  name: 'stub-optional-native-addons',
  setup(build) {
    build.onResolve({ filter: /^cpu-features$|sshcrypto\.node$|^bufferutil$|^utf-8-validate$/ }, (args) => ({ path: args.path, namespace: 'native-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'native-stub' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled into haas`)});`,
      loader: 'js',
    }));
  },
};

async function bundleSources() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    define: {
      __HAAS_VERSION__: JSON.stringify(pkg.version),
      // import.meta is empty in CommonJS; the paths it feeds are only used outside the executable.
      'import.meta.url': '__haas_import_meta_url',
      'import.meta.dirname': '__dirname',
      'import.meta.filename': '__filename',
    },
    banner: { js: 'var __haas_import_meta_url=require("node:url").pathToFileURL(__filename).href;' },
    plugins: [stubOptionalNativeAddons],
  });
  if (result.errors.length > 0) throw new Error('esbuild failed');
  refuseRuntimeImports(readFileSync(bundle, 'utf8'));
}

/**
 * The dashboard (src/ui, Preact) for the browser: one minified script and one stylesheet with
 * content hashes in their names (served with long cache lifetimes), and index.html naming them.
 * Written to dist/ui; ui/manifest.json lists the files, since a SEA cannot list its assets.
 */
async function bundleUi() {
  const result = await esbuild.build({
    entryPoints: [uiEntry],
    outdir: join(uiDir, 'assets'),
    entryNames: 'app-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  if (result.errors.length > 0) throw new Error('esbuild failed on the dashboard');
  const assets = Object.keys(result.metafile.outputs).map((f) => relative(uiDir, resolve(root, f)));
  const script = assets.find((f) => f.endsWith('.js'));
  const style = assets.find((f) => f.endsWith('.css'));
  if (!script || !style) throw new Error(`the dashboard bundle lacks a script or a stylesheet: ${assets.join(', ')}`);
  writeFileSync(join(uiDir, 'index.html'), [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>haas</title>',
    `<link rel="stylesheet" href="/ui/${style}">`,
    `<script type="module" src="/ui/${script}"></script>`,
    '</head><body><div id="app"></div></body></html>',
    '',
  ].join('\n'));
  const files = ['index.html', ...assets];
  writeFileSync(join(uiDir, 'manifest.json'), JSON.stringify({ files }));
  return files;
}

/**
 * A single executable has no dynamic import callback: an `import()` left in the bundle (of a
 * built-in like node:https, or anything esbuild could not inline) fails at run time with
 * "A dynamic import callback was not specified". esbuild inlines import() of bundled modules,
 * so what remains here is always a bug: import such modules statically.
 */
function refuseRuntimeImports(code) {
  const found = [...code.matchAll(/\bimport\(\s*(["'`][^"'`]*["'`]|[^)]{0,40})/g)].map((m) => m[1]);
  if (found.length > 0) {
    throw new Error(`the bundle imports at run time, which fails in the executable: ${[...new Set(found)].map((f) => `import(${f})`).join(', ')}; import these statically`);
  }
}

/** Runs a build tool quietly; its output is shown only when it fails. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error ?? `exit ${r.status}`})`);
  }
}

/** Builds the executable as `partial`: a plain copy of node until the blob is injected, so never under its real name. */
async function makeExecutable(partial, uiFiles) {
  const uiAssets = Object.fromEntries([...uiFiles, 'manifest.json'].map((f) => [`ui/${f}`, join(uiDir, f)]));
  writeFileSync(seaConfig, JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets: { 'better_sqlite3.node': sqliteAddon, 'schema.sql': schema, ...uiAssets },
  }, null, 2));
  run(process.execPath, ['--experimental-sea-config', seaConfig]);
  copyFileSync(process.execPath, partial);
  chmodSync(partial, 0o755);
  // Debian's node carries ~12 MiB of debug info; addons link against .dynsym, which strip keeps.
  run('strip', ['--strip-all', partial]);
  const { inject } = require('postject');
  // postject's ELF parser warns about every note section of Debian's node; those are harmless.
  const warn = console.warn;
  console.warn = (...args) => {
    if (!/Can't find string offset for section name/.test(args.join(' '))) warn(...args);
  };
  try {
    await inject(partial, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  } finally {
    console.warn = warn;
  }
}

const stopTypeCheck = new AbortController();

async function main() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  statSync(schema); // fail early with a clear ENOENT rather than inside node --experimental-sea-config
  const typeChecked = Promise.all([typeCheck(stopTypeCheck.signal, root), typeCheck(stopTypeCheck.signal, join(root, 'src', 'ui'))]);
  step('bundling src/main.ts and the dashboard (src/ui)');
  const [uiFiles] = await Promise.all([bundleUi(), bundleSources()]);
  const uiKiB = uiFiles.reduce((n, f) => n + statSync(join(uiDir, f)).size, 0) / 1024;
  step(`bundled ${relative(root, bundle)} (${(statSync(bundle).size / 1024).toFixed(0)} KiB) and dist/ui (${uiKiB.toFixed(0)} KiB); building executable`);
  // A build stopped half-way (killed, out of disk) leaves no `haas` that is only a copy of node.
  const partial = `${executable}.partial`;
  await makeExecutable(partial, uiFiles);
  step('waiting for the type checks');
  if (!(await typeChecked).every(Boolean)) {
    rmSync(partial, { force: true });
    throw new Error('type check failed (tsc --noEmit -p . and -p src/ui)');
  }
  renameSync(partial, executable);
  step(`built ${relative(root, executable)} (${(statSync(executable).size / 1024 / 1024).toFixed(1)} MiB) in ${elapsed()}`);
}

main().catch((e) => {
  stopTypeCheck.abort();
  console.error(`build failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
