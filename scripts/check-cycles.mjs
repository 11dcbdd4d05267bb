#!/usr/bin/env node
// Fails when the source files of the workspace packages import each other in a circle.
//
// Why: the layers (system → executors → features → kernel → @troupe/scheduler) only mean
// something if no file can reach itself through its imports. Type imports count too: a type
// circle ties the files' designs together just as a value circle does, and it hides the next
// value circle (ARCHITECTURE.md, "the rules are checked").
//
// 1. Collect every `packages/*/src/**/*.ts` under the root (the first argument, default: the
//    repository this script lives in).
// 2. Parse each with the TypeScript compiler API (no new dependency) and take every module
//    specifier: `import`, `import type`, `export … from`, `import x = require()`, `import()`
//    calls and `import('…')` type references.
// 3. Resolve relative specifiers to files, and `@troupe/<name>` to that workspace's source
//    entry (its `@troupe/source` export); anything else (node:, npm packages) is outside.
// 4. Find the strongly connected components of the graph (Tarjan). Each component with more
//    than one file, or a file importing itself, is a cycle: print one shortest circle through
//    it and exit 1.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));

/** Every .ts file below `dir` (declaration files excluded: they import nothing at run time). */
function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** `@troupe/x` (and its subpath exports) → the source file its `@troupe/source` condition names. */
function workspaceEntries() {
  const entries = new Map();
  const pkgs = join(root, 'packages');
  if (!existsSync(pkgs)) return entries;
  for (const dir of readdirSync(pkgs)) {
    const manifest = join(pkgs, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const exports = typeof pkg.exports === 'object' && pkg.exports !== null ? pkg.exports : {};
    for (const [sub, target] of Object.entries(exports)) {
      const src = target && typeof target === 'object' ? target['@troupe/source'] : undefined;
      if (typeof src !== 'string') continue;
      const spec = sub === '.' ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, '')}`;
      entries.set(spec, resolve(pkgs, dir, src));
    }
    // A package without an exports map still resolves to its src/index.ts.
    if (!entries.has(pkg.name) && existsSync(join(pkgs, dir, 'src/index.ts'))) {
      entries.set(pkg.name, join(pkgs, dir, 'src/index.ts'));
    }
  }
  return entries;
}

/** Module specifiers of one file, each with whether only types are imported. */
function specifiers(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      found.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ spec: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The file a specifier names, or undefined when it is outside the workspace sources. */
function resolveSpec(from, spec, entries) {
  if (spec.startsWith('.')) {
    const base = resolve(dirname(from), spec);
    const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    for (const c of candidates) if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return c;
    throw new Error(`check-cycles: ${relative(root, from)} imports '${spec}', which resolves to no file`);
  }
  return entries.get(spec);
}

/** Tarjan's strongly connected components, iterative (no recursion limit on deep graphs). */
function components(nodes, edges) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work = [{ v: start, it: (edges.get(start) ?? new Map()).keys() }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const step = top.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, it: (edges.get(w) ?? new Map()).keys() });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v), index.get(w)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent), low.get(top.v)));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const comp = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        out.push(comp);
      }
    }
  }
  return out;
}

/** One shortest circle from `start` back to itself, staying inside `members`. */
function shortestCircle(start, members, edges) {
  const prev = new Map();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i];
    for (const w of (edges.get(v) ?? new Map()).keys()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]));
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const entries = workspaceEntries();
const pkgs = join(root, 'packages');
const files = existsSync(pkgs)
  ? readdirSync(pkgs)
      .map((d) => join(pkgs, d, 'src'))
      .filter((d) => existsSync(d))
      .flatMap(tsFiles)
      .sort()
  : [];

/** file → (imported file → true when every import of it is type-only). */
const edges = new Map();
for (const file of files) {
  const out = new Map();
  for (const { spec, typeOnly } of specifiers(file)) {
    const target = resolveSpec(file, spec, entries);
    if (target === undefined) continue;
    out.set(target, (out.get(target) ?? true) && typeOnly);
  }
  edges.set(file, out);
}

const cycles = components(files, edges).filter((c) => c.length > 1 || edges.get(c[0])?.has(c[0]) === true);
if (cycles.length === 0) {
  console.log(`check-cycles: ${files.length} files, no import cycle`);
  process.exit(0);
}
const rel = (f) => relative(root, f);
console.error(`check-cycles: ${cycles.length} import cycle(s) among ${files.length} source files`);
for (const comp of cycles) {
  comp.sort();
  const members = new Set(comp);
  const circle = shortestCircle(comp[0], members, edges);
  const steps = circle
    .slice(1)
    .map((f, i) => `${edges.get(circle[i]).get(f) ? ' -(type)-> ' : ' -> '}${rel(f)}`)
    .join('');
  console.error(`\n  ${comp.length} file(s) in one cycle: ${comp.map(rel).join(', ')}`);
  console.error(`  e.g. ${rel(circle[0])}${steps}`);
}
process.exit(1);
