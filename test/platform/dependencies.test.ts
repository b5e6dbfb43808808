import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Packages the production code loads: imports (static or dynamic) and pino transport targets; subpaths folded into their package. */
function importedBySrc(): Set<string> {
  const found = new Set<string>();
  const specifier = /(?:from\s+|import\s*\(\s*|import\s+|target:\s*)'([^'.][^']*)'/g;
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(specifier)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      found.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return found;
}

describe('package.json dependencies', () => {
  const used = importedBySrc();
  const runByScripts = (name: string) => Object.values(pkg.scripts).some((s) => s.split(/\s+/).includes(name));

  it('every production dependency is imported by src/ or run by an npm script (a dev-only client stays a dev dependency)', () => {
    const unused = Object.keys(pkg.dependencies).filter((d) => !used.has(d) && !runByScripts(d));
    expect(unused).toEqual([]);
  });

  it('src/ imports no dev dependency (a production install would lack it)', () => {
    expect(Object.keys(pkg.devDependencies).filter((d) => used.has(d))).toEqual([]);
  });

  it('the common AMI client is a dev dependency, covered by test/conformance/asterisk-manager.test.ts', () => {
    expect(pkg.devDependencies['asterisk-manager']).toBeDefined();
    expect(pkg.dependencies['asterisk-manager']).toBeUndefined();
  });
});
