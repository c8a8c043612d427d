// SQL lives only under src/db/ (the store, issue 12): no string or template literal
// elsewhere in src/ reads like an SQL statement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import ts from 'typescript';

// Upper-case keywords in a statement's shape (haas writes its SQL so), not English words.
const STATEMENT = /^\s*(SELECT\s[\s\S]*\b(FROM|total_changes|last_insert_rowid)\b|SELECT\s+\d|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|REPLACE\s+INTO\s|(CREATE|DROP|ALTER)\s+(TABLE|INDEX|UNIQUE|VIEW|TRIGGER)\s|PRAGMA\s|BEGIN\b|COMMIT\b|ROLLBACK\b|WITH\s+\w+\s+AS\s)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** `file:line text` of each literal in `text` that starts like an SQL statement. */
function sqlLiterals(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    let literal: string | null = null;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) literal = n.text;
    else if (ts.isTemplateExpression(n)) literal = n.head.text;
    if (literal !== null && STATEMENT.test(literal)) {
      found.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1} ${literal.trim().split('\n')[0]!.slice(0, 60)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

test('the check finds a statement in a string and in a template, and passes prose', () => {
  const text = "const a = 'SELECT 1 FROM node';\nconst b = `\n  UPDATE node SET x = ${1}`;\nconst c = 'select a node first';\nconst d = 'Delete a node (admin)';\nconst e = 'Create project \"x\"';\n";
  assert.deepEqual(sqlLiterals('x.ts', text), ['x.ts:1 SELECT 1 FROM node', 'x.ts:2 UPDATE node SET x =']);
});

test('no SQL outside src/db/', () => {
  const dbDir = join('src', 'db') + sep;
  const found = sourceFiles('src').filter((f) => !f.startsWith(dbDir)).flatMap((f) => sqlLiterals(f, readFileSync(f, 'utf8')));
  assert.deepEqual(found, [], `SQL outside src/db/ (put it in a store module, src/db/store/):\n${found.join('\n')}`);
});
