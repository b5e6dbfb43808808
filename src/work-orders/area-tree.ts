import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One administrative area: region (level 1), city (2) or county/district (3). */
export interface AreaNode {
  code: string;
  name: string;
  children?: AreaNode[];
}

export interface AreaInfo {
  code: string;
  name: string;
  level: 1 | 2 | 3;
  /** Names from the region down to this area, e.g. 广西壮族自治区 / 南宁市 / 青秀区. */
  path: string[];
}

/** The area tree of config/areas.json: a work order's `area` must be one of its codes. */
export class AreaTree {
  private readonly byCode = new Map<string, AreaInfo>();

  constructor(readonly roots: readonly AreaNode[]) {
    const walk = (nodes: readonly AreaNode[], level: number, path: string[]) => {
      for (const n of nodes) {
        this.byCode.set(n.code, { code: n.code, name: n.name, level: level as 1 | 2 | 3, path: [...path, n.name] });
        walk(n.children ?? [], level + 1, [...path, n.name]);
      }
    };
    walk(roots, 1, []);
  }

  get(code: string): AreaInfo | undefined {
    return this.byCode.get(code);
  }

  /** The code of the one area with this name, if exactly one has it (reading old free-text locations). */
  codeByName(name: string): string | undefined {
    const found = [...this.byCode.values()].filter((a) => a.name === name);
    return found.length === 1 ? found[0]!.code : undefined;
  }
}

/** A bad area file: start-up stops naming the file and every problem. */
export class AreaConfigError extends Error {
  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'AreaConfigError';
  }
}

const CODE = /^[0-9]{6}$/;

/** Checks the parsed file: { areas: [...] }, 6-digit unique codes, non-empty names, at most 3 levels. */
export function validateAreas(raw: unknown): { areas: AreaNode[]; problems: string[] } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const check = (v: unknown, where: string, level: number): AreaNode | null => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      problems.push(`${where} must be an object`);
      return null;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (k !== 'code' && k !== 'name' && k !== 'children') problems.push(`${where}.${k} is not a known key`);
    const code = o['code'];
    const name = o['name'];
    if (typeof code !== 'string' || !CODE.test(code)) problems.push(`${where}.code must be a 6-digit code`);
    else if (seen.has(code)) problems.push(`${where}.code ${code} is used twice`);
    else seen.add(code);
    if (typeof name !== 'string' || name.trim() === '' || name.length > 40)
      problems.push(`${where}.name must be 1 to 40 characters`);
    const node: AreaNode = { code: String(code), name: String(name) };
    if (o['children'] !== undefined) {
      if (!Array.isArray(o['children'])) problems.push(`${where}.children must be a list`);
      else if (level >= 3) problems.push(`${where}: a county/district (level 3) has no children`);
      else
        node.children = o['children']
          .map((c, i) => check(c, `${where}.children[${i}]`, level + 1))
          .filter((c): c is AreaNode => c !== null);
    }
    return node;
  };
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { areas?: unknown }).areas)) {
    return { areas: [], problems: ['must be an object with a list "areas"'] };
  }
  for (const k of Object.keys(raw)) if (k !== 'areas' && k !== 'comment') problems.push(`${k} is not a known key`);
  const areas = (raw as { areas: unknown[] }).areas
    .map((a, i) => check(a, `areas[${i}]`, 1))
    .filter((a): a is AreaNode => a !== null);
  if (areas.length === 0 && problems.length === 0) problems.push('areas must list at least one region');
  return { areas, problems };
}

export const defaultAreasPath = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'),
  'config',
  'areas.json',
);

/** Reads config/areas.json (or `file`) at start; throws AreaConfigError naming every problem. */
export function loadAreaTree(file = defaultAreasPath): AreaTree {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AreaConfigError(file, [(e as Error).message]);
  }
  const { areas, problems } = validateAreas(raw);
  if (problems.length > 0) throw new AreaConfigError(file, problems);
  return new AreaTree(areas);
}
