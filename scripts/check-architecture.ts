/**
 * Architecture check, run by `npm run lint` (and so by CI):
 * - no import cycles between folders of `src/` (a folder is a directory; `import type` counts too, since a cycle of
 *   types is still two folders that cannot change alone);
 * - `src/domain/` stays pure: it imports nothing but other `src/domain/` files (no Node built-ins, no packages, no
 *   adapters), so every decision can be replayed on a fake clock.
 * Prints each violation with the file and import that cause it; exits 1 when there is one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));

export interface ImportEdge {
  from: string; // file, relative to the project root, with '/' separators
  to: string; // imported file (relative specifiers) or the bare specifier (packages, node: built-ins)
  line: number;
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(=])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const posix = (p: string): string => p.split(sep).join('/');

/** Every import of every TypeScript file under `dir` (relative to the project root). */
export function collectImports(dir = 'src', base = root): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of walk(join(base, dir))) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
    const from = posix(relative(base, file));
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec) continue;
      const line = text.slice(0, m.index).split('\n').length;
      const to = spec.startsWith('.') ? posix(relative(base, join(dirname(file), spec))) : spec;
      edges.push({ from, to, line });
    }
  }
  return edges;
}

/** Folder-level cycles, each as the list of folders in it with one import that makes each step. */
export function folderCycles(edges: ImportEdge[]): string[][] {
  const graph = new Map<string, Map<string, ImportEdge>>();
  for (const e of edges) {
    if (!e.to.startsWith('src/')) continue;
    const a = dirname(e.from);
    const b = dirname(e.to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Map());
    if (!graph.get(a)!.has(b)) graph.get(a)!.set(b, e);
  }
  // Tarjan's strongly connected components: every component of two or more folders is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const nodes = new Set<string>([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])]);
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) {
        const set = new Set(comp);
        const steps = comp.flatMap((a) =>
          [...(graph.get(a) ?? new Map<string, ImportEdge>()).entries()]
            .filter(([b]) => set.has(b))
            .map(([b, e]) => `${a} → ${b} (${e.from}:${e.line})`),
        );
        out.push(steps.sort());
      }
    }
  };
  for (const n of [...nodes].sort()) if (!idx.has(n)) visit(n);
  return out;
}

/** Imports that make `src/domain` impure: anything outside `src/domain`. */
export function domainLeaks(edges: ImportEdge[]): ImportEdge[] {
  return edges.filter((e) => e.from.startsWith('src/domain/') && !e.to.startsWith('src/domain/'));
}

if (process.argv[1] && normalize(process.argv[1]) === normalize(fileURLToPath(import.meta.url))) {
  const edges = collectImports();
  const cycles = folderCycles(edges);
  const leaks = domainLeaks(edges);
  for (const c of cycles) console.error(`import cycle between folders:\n  ${c.join('\n  ')}`);
  for (const l of leaks) console.error(`src/domain must stay pure: ${l.from}:${l.line} imports ${l.to}`);
  if (cycles.length || leaks.length) process.exit(1);
  console.log(`architecture: ${edges.length} imports, no folder cycles, src/domain pure`);
}
