// Every exported function, class, interface, type and constant of src/ carries a doc
// comment saying what it promises (STYLE.md, principle 15). Re-exports need none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function exportedName(st: ts.Statement): string {
  if (ts.isVariableStatement(st)) return st.declarationList.declarations.map((d) => d.name.getText()).join(', ');
  const named = st as ts.Statement & { name?: ts.Node };
  return named.name?.getText() ?? 'default';
}

/** `file:line name` of each exported declaration in `text` without a doc comment. */
export function undocumentedExports(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  for (const st of sf.statements) {
    const modifiers = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (!modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (ts.getJSDocCommentsAndTags(st).length > 0) continue;
    missing.push(`${file}:${sf.getLineAndCharacterOfPosition(st.getStart()).line + 1} ${exportedName(st)}`);
  }
  return missing;
}

test('the check finds an undocumented export and accepts a documented one', () => {
  const text = '/** Adds. */\nexport function add(a: number, b: number) { return a + b; }\n'
    + '// not a doc comment\nexport const LIMIT = 3;\nexport { add as plus };\n';
  assert.deepEqual(undocumentedExports('x.ts', text), ['x.ts:4 LIMIT']);
});

test('every export in src/ has a doc comment', () => {
  const missing = sourceFiles('src').flatMap((f) => undocumentedExports(f, readFileSync(f, 'utf8')));
  assert.deepEqual(missing, [], `exports without a /** ... */ promise:\n${missing.join('\n')}`);
});
