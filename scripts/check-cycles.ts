// `npm run check:cycles`: fails when modules under src/ (and printers/) import each other in a circle, type imports
// included, as `npx madge --circular --extensions ts src` would report. Part of `npm test`, so a knot cannot come back.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const dirs = (process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'printers']).map((d) => resolve(root, d));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const all = dirs.flatMap(files);
const known = new Set(all);
const edges = new Map<string, string[]>();
for (const file of all) {
  const text = readFileSync(file, 'utf8');
  const targets: string[] = [];
  // import … from '…', export … from '…', import('…'): relative ones, written with .js as the project does.
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = (m[1] ?? m[2])!;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (known.has(target)) targets.push(target);
  }
  edges.set(file, targets);
}

// Tarjan's strongly connected components: any with more than one module (or a module importing itself) is a circle.
let index = 0;
const stack: string[] = [];
const on = new Set<string>();
const idx = new Map<string, number>();
const low = new Map<string, number>();
const circles: string[][] = [];
function visit(v: string): void {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
  }
  if (low.get(v) === idx.get(v)) {
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      on.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) circles.push(component);
  }
}
for (const file of all) if (!idx.has(file)) visit(file);

if (circles.length) {
  console.error(`${circles.length} import circle(s) among ${all.length} modules:`);
  for (const c of circles) console.error(`  ${c.map((f) => relative(root, f)).sort().join(' <-> ')}`);
  console.error('Move what both sides need into a module of its own (as src/deps.ts does for the app and its routes).');
  process.exit(1);
}
console.log(`No import circles among ${all.length} modules.`);
