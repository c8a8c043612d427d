// The arrows of STYLE.md, checked on the import graph of src/: every static import, `import type`,
// `export ... from`, dynamic `import()`, `require()` and type-position `import('...')` of every
// src/**/*.ts file, resolved to the file it names, must be allowed by the rule table below.
// A type-only import is an edge like any other, except where a rule lists a layer under
// `mayTypes` (types only). Package imports (`hono`, `node:fs`) are not checked. Beyond layers,
// PRIVATE closes a directory to all but named importers, and EXCEPTIONS allow named crossings.
//
// Layers, by path (the first match wins):
//   main           src/main.ts: dispatch to the CLI or the daemon, the only place both halves meet
//   leaf           src/*.ts at the top level: errors, log, config, settings-files, secret-input, version
//   cli            src/cli/**          clipanion commands
//   client         src/client/**       typed HTTP client of the API
//   server         src/server/**       the HTTP edge (Hono app, routes, upgrades)
//   core           src/core/**         the domain
//   db             src/db/**           the database and its store (src/db/store/*.ts)
//   jobs           src/jobs/**         the networking worker, the drift monitor
//   driver-shared  the drivers' interfaces and leaf helpers, which core may use:
//                  src/drivers/fields.ts, src/drivers/{switch,obm}/{types,type-names}.ts,
//                  src/drivers/switch/vlan-state.ts, src/drivers/switch/port-names.ts, src/drivers/switch/mac.ts
//   drivers        src/drivers/** otherwise: implementations, sessions, registries
//   headnode       src/headnode/**     the QEMU manager
//   outside        src/outside/**      clients for outside HTTP services (obmd, the maintenance pool)
//   lab            src/lab/**          real lab parts (netns, OVS, ipmi_sim) for `haas demo --real` and the tests
//   daemon         src/daemon/**       the composition root
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

type Layer = 'main' | 'leaf' | 'cli' | 'client' | 'server' | 'core' | 'db' | 'jobs'
  | 'driver-shared' | 'drivers' | 'headnode' | 'outside' | 'lab' | 'daemon';

const LAYERS: ReadonlyArray<readonly [RegExp, Layer]> = [
  [/^src\/main\.ts$/, 'main'],
  [/^src\/[^/]+\.ts$/, 'leaf'],
  [/^src\/cli\//, 'cli'],
  [/^src\/client\//, 'client'],
  [/^src\/server\//, 'server'],
  [/^src\/core\//, 'core'],
  [/^src\/db\//, 'db'],
  [/^src\/jobs\//, 'jobs'],
  [/^src\/drivers\/(fields|(switch|obm)\/(types|type-names)|switch\/(vlan-state|port-names|mac))\.ts$/, 'driver-shared'],
  [/^src\/drivers\//, 'drivers'],
  [/^src\/headnode\//, 'headnode'],
  [/^src\/outside\//, 'outside'],
  [/^src\/lab\//, 'lab'],
  [/^src\/daemon\//, 'daemon'],
];

/** What a layer may import besides itself: `may` in full, `mayTypes` with type-only imports; `arrow` says why. */
interface Rule { may: Layer[]; mayTypes?: Layer[]; arrow: string }

const RULES: Record<Layer, Rule> = {
  main: { may: ['cli', 'daemon', 'leaf'], arrow: 'main.ts is the only place both halves meet' },
  cli: { may: ['client', 'leaf'], arrow: 'cli -> client, never the daemon half' },
  client: { may: ['leaf'], arrow: 'client -> (HTTP) -> server, never the daemon half' },
  server: { may: ['core', 'leaf'], arrow: 'server -> core' },
  core: { may: ['db', 'driver-shared', 'leaf'],
    arrow: 'core -> db; drivers only through their interfaces and leaf helpers; never server, jobs, daemon, headnode, outside or cli' },
  db: { may: ['leaf'], arrow: 'db imports nothing above it' },
  jobs: { may: ['drivers', 'driver-shared', 'leaf'], arrow: 'jobs -> drivers' },
  'driver-shared': { may: ['leaf'], arrow: 'the drivers\' interfaces and leaf helpers import no driver code' },
  drivers: { may: ['driver-shared', 'leaf'], arrow: 'drivers never touch the database' },
  headnode: { may: ['leaf'], mayTypes: ['core'], arrow: 'headnode implements the interface core declares (types only)' },
  outside: { may: ['leaf'], mayTypes: ['core'], arrow: 'outside clients implement interfaces core declares (types only); the daemon wires them' },
  lab: { may: ['leaf'], arrow: 'the lab builds real parts from node built-ins; only the daemon (haas demo --real) and tests use it' },
  daemon: { may: ['server', 'core', 'db', 'jobs', 'driver-shared', 'drivers', 'headnode', 'outside', 'lab', 'leaf'],
    arrow: 'daemon is the composition root: anything but cli and client' },
  leaf: { may: [], arrow: 'top-level modules are leaves' },
};

/** Crossings allowed by name, each with its reason. */
const EXCEPTIONS: ReadonlyArray<{ from: RegExp; to: RegExp; why: string }> = [
  { from: /^src\/server\//, to: /^src\/db\/storage\.ts$/,
    why: 'the error-to-HTTP mapping asks the db which thrown values are storage failures (503); storage.ts holds no SQL' },
  { from: /^src\/jobs\/drift\.ts$/, to: /^src\/(core|db)\//,
    why: 'the drift monitor is a timer over core\'s drift check, not a driver user' },
  { from: /^src\/jobs\/leases\.ts$/, to: /^src\/core\//,
    why: 'the lease releaser is a timer over core\'s release steps, not a driver user' },
];

/** Directories whose files only their own directory and the named importers may import, whatever the layers. */
const PRIVATE: ReadonlyArray<{ dir: RegExp; importers: RegExp; why: string }> = [
  { dir: /^src\/drivers\/switch\/cli\//, importers: /^src\/drivers\/switch\/(cli\/|registry\.ts$)/,
    why: 'the CLI session engine and its dialects are one driver: only the registry builds it (shared patterns go to a leaf)' },
];

/** One import: the importing file, the file it names (paths relative to the root, `src/...`), and whether only types are imported. */
interface Edge { from: string; to: string; typeOnly: boolean }

/** The layer of a file under src/, or null for a file no pattern covers. */
function layerOf(file: string): Layer | null {
  for (const [pattern, layer] of LAYERS) if (pattern.test(file)) return layer;
  return null;
}

/** The edges that break the arrows, each as `from -> to (rule)`. */
function crossings(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from), to = layerOf(e.to);
    if (from === null || to === null) { out.push(`${e.from} -> ${e.to} (a file in no layer: add it to the table)`); continue; }
    const closed = PRIVATE.find((p) => p.dir.test(e.to) && !p.dir.test(e.from) && !p.importers.test(e.from));
    if (closed) { out.push(`${e.from} -> ${e.to} (private: ${closed.why})`); continue; }
    if (from === to) continue;
    const rule = RULES[from];
    if (rule.may.includes(to) || (e.typeOnly && rule.mayTypes?.includes(to))) continue;
    if (EXCEPTIONS.some((x) => x.from.test(e.from) && x.to.test(e.to))) continue;
    out.push(`${e.from} -> ${e.to} (${from} may not import ${to}${e.typeOnly ? ', not even types' : ''}: ${rule.arrow})`);
  }
  return out;
}

/** Every src/**\/*.ts file under `root`, as `src/...` paths. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = posix.join(dir, d.name);
      if (d.isDirectory()) walk(path);
      else if (d.name.endsWith('.ts')) out.push(path);
    }
  };
  walk('src');
  return out.sort();
}

/** A module specifier with whether it imports only types. */
interface Specifier { text: string; typeOnly: boolean }

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  // `import { type A, type B } from` is elided by the compiler: types only.
  const named = clause.namedBindings;
  return clause.name === undefined && named !== undefined && ts.isNamedImports(named)
    && named.elements.length > 0 && named.elements.every((el) => el.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((el) => el.isTypeOnly);
}

/** The module specifiers of one file; a dynamic import or require of anything but a string literal is an Error (it cannot be checked). */
function specifiersOf(file: string, text: string): Specifier[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Specifier[] = [];
  const literal = (node: ts.Node | undefined, typeOnly: boolean) => {
    if (node !== undefined && ts.isStringLiteralLike(node)) { out.push({ text: node.text, typeOnly }); return; }
    const { line } = source.getLineAndCharacterOfPosition(node?.getStart(source) ?? 0);
    throw new Error(`${file}:${line + 1}: an import whose module is not a string literal cannot be checked`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) literal(node.moduleSpecifier, isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) literal(node.moduleSpecifier, isTypeOnlyExport(node));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      literal(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node)
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      literal(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The import graph of root's src/: one edge per relative import, resolved to a file (an unresolved one names its specifier). */
function importGraph(root: string): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(root)) {
    for (const spec of specifiersOf(file, readFileSync(join(root, file), 'utf8'))) {
      if (!spec.text.startsWith('.')) continue;
      const named = posix.join(posix.dirname(file), spec.text);
      const to = [named.replace(/\.js$/, '.ts'), named, `${named}.ts`, `${named}/index.ts`].find((f) => f.endsWith('.ts') && existsSync(join(root, f)));
      edges.push({ from: file, to: to ?? `${spec.text} (unresolved)`, typeOnly: spec.typeOnly });
    }
  }
  return edges;
}

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

test('every import in src/ follows the arrows', () => {
  const edges = importGraph(repo);
  // The scanner sees the graph at all: main.ts reaches both halves, core reaches the db.
  assert.ok(edges.some((e) => e.from === 'src/main.ts' && layerOf(e.to) === 'cli'), 'main.ts imports the CLI');
  assert.ok(edges.some((e) => layerOf(e.from) === 'core' && layerOf(e.to) === 'db'), 'core imports the db');
  for (const file of sourceFiles(repo)) assert.notEqual(layerOf(file), null, `${file} is in no layer`);
  const found = crossings(edges);
  assert.deepEqual(found, [], `imports that cross the arrows of STYLE.md:\n  ${found.join('\n  ')}`);
});

test('the rule table reports planted crossings and lets allowed edges through', () => {
  const bad: Edge[] = [
    { from: 'src/core/nodes.ts', to: 'src/cli/input.ts', typeOnly: false },
    { from: 'src/core/switches.ts', to: 'src/drivers/switch/registry.ts', typeOnly: false },
    { from: 'src/core/verify.ts', to: 'src/drivers/switch/ovs.ts', typeOnly: true },
    { from: 'src/core/projects.ts', to: 'src/outside/pool.ts', typeOnly: false },
    { from: 'src/core/context.ts', to: 'src/headnode/manager.ts', typeOnly: true },
    { from: 'src/daemon/admin-commands.ts', to: 'src/cli/input.ts', typeOnly: false },
    { from: 'src/daemon/serve.ts', to: 'src/client/client.ts', typeOnly: true },
    { from: 'src/db/store/nodes.ts', to: 'src/core/context.ts', typeOnly: true },
    { from: 'src/drivers/switch/ovs.ts', to: 'src/db/inventory.ts', typeOnly: false },
    { from: 'src/drivers/switch/types.ts', to: 'src/drivers/switch/ovs.ts', typeOnly: false },
    { from: 'src/jobs/worker.ts', to: 'src/core/actions.ts', typeOnly: true },
    { from: 'src/server/routes/nodes.ts', to: 'src/db/inventory.ts', typeOnly: false },
    { from: 'src/server/app.ts', to: 'src/drivers/switch/types.ts', typeOnly: false },
    { from: 'src/cli/node.ts', to: 'src/core/labels.ts', typeOnly: false },
    { from: 'src/client/types.ts', to: 'src/core/context.ts', typeOnly: true },
    { from: 'src/headnode/manager.ts', to: 'src/core/context.ts', typeOnly: false },
    { from: 'src/log.ts', to: 'src/core/context.ts', typeOnly: true },
    { from: 'src/core/obm.ts', to: 'src/nowhere/x.ts', typeOnly: false },
    { from: 'src/drivers/switch/mock.ts', to: 'src/drivers/switch/cli/dialect.ts', typeOnly: false },
  ];
  const good: Edge[] = [
    { from: 'src/main.ts', to: 'src/cli/run.ts', typeOnly: false },
    { from: 'src/main.ts', to: 'src/daemon/commands.ts', typeOnly: false },
    { from: 'src/core/switches.ts', to: 'src/drivers/switch/type-names.ts', typeOnly: false },
    { from: 'src/core/context.ts', to: 'src/drivers/switch/types.ts', typeOnly: true },
    { from: 'src/core/create.ts', to: 'src/db/store/nodes.ts', typeOnly: false },
    { from: 'src/headnode/manager.ts', to: 'src/core/context.ts', typeOnly: true },
    { from: 'src/outside/obmd.ts', to: 'src/core/obmd.ts', typeOnly: true },
    { from: 'src/daemon/serve.ts', to: 'src/outside/obmd.ts', typeOnly: false },
    { from: 'src/daemon/admin-commands.ts', to: 'src/secret-input.ts', typeOnly: false },
    { from: 'src/jobs/worker.ts', to: 'src/drivers/switch/vlan-state.ts', typeOnly: false },
    { from: 'src/server/app.ts', to: 'src/db/storage.ts', typeOnly: false },
    { from: 'src/drivers/switch/registry.ts', to: 'src/drivers/switch/cli/nexus.ts', typeOnly: false },
    { from: 'src/drivers/switch/cli/nexus.ts', to: 'src/drivers/switch/cli/driver.ts', typeOnly: false },
  ];
  const found = crossings([...bad, ...good]);
  assert.deepEqual(found.map((c) => c.split(' (')[0]), bad.map((e) => `${e.from} -> ${e.to}`));
  assert.equal(found[0], 'src/core/nodes.ts -> src/cli/input.ts (core may not import cli: '
    + 'core -> db; drivers only through their interfaces and leaf helpers; never server, jobs, daemon, headnode, outside or cli)');
});

test('a crossing planted in a copy of src/ is found, dynamic and type-only imports included', () => {
  const root = mkdtempSync(join(tmpdir(), 'haas-test-arrows-'));
  try {
    cpSync(join(repo, 'src'), join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'core', '__planted.ts'), [
      "import { runCli } from '../cli/run.js';",
      "import type { ActionWorker } from '../jobs/worker.js';",
      "export { builtInSwitchDrivers } from '../drivers/switch/registry.js';",
      'export async function planted(): Promise<unknown> {',
      "  const { createApp } = await import('../server/app.js');",
      '  return [runCli, createApp] as unknown as ActionWorker;',
      '}',
      '',
    ].join('\n'));
    const found = crossings(importGraph(root)).map((c) => c.split(' (')[0]);
    assert.deepEqual(found.sort(), [
      'src/core/__planted.ts -> src/cli/run.ts',
      'src/core/__planted.ts -> src/drivers/switch/registry.ts',
      'src/core/__planted.ts -> src/jobs/worker.ts',
      'src/core/__planted.ts -> src/server/app.ts',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
